// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_wrr: weighted round-robin scheduling, IPVS's sequence.
 *
 * With di the gcd of the positive weights and mw = max weight - (di - 1),
 * the current weight cw steps mw, mw - di, ... down to 1 and starts over.
 * At each step the list is walked in order (newest destination first) and
 * every usable server with weight >= cw is picked once: weights 5:3:1 (in
 * list order) give A A A B A B A B C.  When servers change, the walk
 * restarts at the list head and cw becomes mw if it was above it or 0, else
 * (cw / di) * di + 1 when di > 1.  That is IPVS's arithmetic, so both pick
 * the same servers, pick for pick, given the same history.
 *
 * Picks are O(1) amortised: when weights change, a cycle of at most
 * WRR_SEQ_MAX (server, cw) pairs is written out and a pick takes the next
 * pair whose server is usable.  A longer cycle falls back to IPVS's list
 * walk, which skips steps no usable server reaches.  The position is shared
 * by all CPUs: it and the cycle sit under a small per-service spinlock.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include <l4vs/sched.h>

#define WRR_SEQ_MAX	4096

struct wrr_ent {
	u32	idx;		/* list position of the server */
	int	cw;		/* current weight it is picked at */
};

struct wrr_seq {
	unsigned int		len;
	struct l4vs_dest	**dests;	/* by list position */
	struct wrr_ent		ent[];
};

struct wrr_state {
	spinlock_t		lock;		/* everything below */
	struct wrr_seq		*seq;		/* NULL: walk the list */
	unsigned int		pos;		/* next entry of seq */
	struct list_head	*cl;		/* walk: node picked last or head */
	int			cw, mw, di;
};

static struct l4vs_dest *wrr_seq_pick(struct wrr_state *st)
{
	struct wrr_seq *seq = st->seq;
	struct l4vs_dest *dest;
	unsigned int i;

	for (i = 0; i < seq->len; i++) {
		const struct wrr_ent *e = &seq->ent[st->pos];

		if (++st->pos == seq->len)
			st->pos = 0;
		dest = seq->dests[e->idx];
		if (l4vs_sched_candidate(dest)) {
			st->cw = e->cw;
			return dest;
		}
	}
	return NULL;
}

/* Highest weight of a usable server, 0 if none. */
static int wrr_top(struct l4vs_service *svc)
{
	struct l4vs_dest *dest;
	int top = 0;

	list_for_each_entry_rcu(dest, &svc->dests, n_list)
		if (l4vs_sched_candidate(dest))
			top = max(top, atomic_read(&dest->weight));
	return top;
}

/*
 * IPVS's walk.  A value of cw that no usable server reaches would only cost
 * an empty pass, so it is skipped; after that every pass picks something,
 * and three wraps without a pick can only mean the servers changed under us.
 */
static struct l4vs_dest *wrr_walk_pick(struct l4vs_service *svc,
				       struct wrr_state *st)
{
	struct list_head *p = st->cl;
	struct l4vs_dest *dest;
	int cw = st->cw, top, wraps = 0;

	for (;;) {
		p = rcu_dereference(list_next_rcu(p));
		if (p == &svc->dests) {
			top = wrr_top(svc);
			if (!top || ++wraps > 3)
				return NULL;
			cw -= st->di;
			if (cw <= 0)
				cw = st->mw;
			if (cw > top)
				cw -= roundup(cw - top, st->di);
			continue;
		}
		dest = list_entry(p, struct l4vs_dest, n_list);
		if (l4vs_sched_candidate(dest) && atomic_read(&dest->weight) >= cw) {
			st->cl = p;
			st->cw = cw;
			return dest;
		}
	}
}

static struct l4vs_dest *wrr_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	struct wrr_state *st = svc->sched_data;
	struct l4vs_dest *dest = NULL;

	spin_lock(&st->lock);
	if (st->seq)
		dest = wrr_seq_pick(st);
	else if (st->mw > 0)
		dest = wrr_walk_pick(svc, st);
	spin_unlock(&st->lock);
	return dest;
}

/* ---- pure logic on plain arrays (w[] in list order) ------------------- */

static void wrr_params(const u32 *w, unsigned int n, int *di, int *mw)
{
	u32 g = l4vs_sched_gcd(w, n), top = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		top = max(top, w[i]);
	*di = g ? g : 1;
	*mw = top - (*di - 1);
}

/* Where cw goes when the servers change. */
static int wrr_adjust_cw(int cw, int di, int mw)
{
	if (cw > mw || !cw)
		return mw;
	if (di > 1)
		return (cw / di) * di + 1;
	return cw;
}

/* Entries in one cycle: server i appears at each step cw <= w[i]. */
static u64 wrr_seq_len(const u32 *w, unsigned int n, int di, int mw)
{
	u64 steps, len = 0;
	unsigned int i;

	if (mw <= 0)
		return 0;
	steps = (mw - 1) / di + 1;
	for (i = 0; i < n; i++) {
		if (w[i] >= mw)
			len += steps;
		else if (w[i])
			len += steps - DIV_ROUND_UP(mw - w[i], di);
	}
	return len;
}

static void wrr_seq_fill(const u32 *w, unsigned int n, int di, int mw,
			 struct wrr_ent *ent)
{
	unsigned int i, k = 0;
	int cw;

	for (cw = mw; cw > 0; cw -= di)
		for (i = 0; i < n; i++)
			if (w[i] >= cw)
				ent[k++] = (struct wrr_ent){ .idx = i, .cw = cw };
}

/* The walk restarts at the head with 'cw': the first entry at or below it. */
static unsigned int wrr_seq_seek(const struct wrr_ent *ent, unsigned int len,
				 int cw)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (ent[i].cw <= cw)
			return i;
	return 0;
}

/* ---- control path ---------------------------------------------------- */

static struct wrr_seq *wrr_seq_build(const u32 *w, struct l4vs_dest **dests,
				     unsigned int n, int di, int mw)
{
	u64 len = wrr_seq_len(w, n, di, mw);
	struct wrr_seq *seq;

	if (!len || len > WRR_SEQ_MAX)
		return NULL;
	seq = kvmalloc(struct_size(seq, ent, len) + n * sizeof(*dests),
		       GFP_KERNEL);
	if (!seq)
		return NULL;	/* the walk does the same job, slower */
	seq->len = len;
	seq->dests = (struct l4vs_dest **)&seq->ent[len];
	memcpy(seq->dests, dests, n * sizeof(*dests));
	wrr_seq_fill(w, n, di, mw, seq->ent);
	return seq;
}

static int wrr_dest_changed(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	struct wrr_state *st = svc->sched_data;
	struct wrr_seq *seq = NULL, *old;
	struct l4vs_dest **dests, *d;
	int di = st->di, mw = st->mw;
	unsigned int n = 0;
	int ret = 0;
	u32 *w;

	l4vs_sched_assert_locked(svc);

	/* servers, then weights, in one block */
	dests = kvmalloc_array(svc->num_dests + 1, sizeof(*dests) + sizeof(*w),
			       GFP_KERNEL);
	/*
	 * Without it, keep mw/di but drop the cycle, which may name a server
	 * that is leaving: the walk needs no memory and stays safe.
	 */
	if (!dests) {
		ret = -ENOMEM;
		goto swap;
	}
	w = (u32 *)&dests[svc->num_dests + 1];
	l4vs_for_each_dest(svc, d) {
		if (WARN_ON_ONCE(n >= svc->num_dests))
			break;
		dests[n] = d;
		w[n++] = atomic_read(&d->weight);
	}
	wrr_params(w, n, &di, &mw);
	seq = wrr_seq_build(w, dests, n, di, mw);
swap:
	spin_lock_bh(&st->lock);
	old = st->seq;
	st->seq = seq;
	st->di = di;
	st->mw = mw;
	st->cw = wrr_adjust_cw(st->cw, di, mw);
	st->cl = &svc->dests;
	st->pos = seq ? wrr_seq_seek(seq->ent, seq->len, st->cw) : 0;
	spin_unlock_bh(&st->lock);
	kvfree(old);
	kvfree(dests);
	return ret;
}

static int wrr_init_service(struct l4vs_service *svc)
{
	struct wrr_state *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	spin_lock_init(&st->lock);
	st->cl = &svc->dests;
	st->di = 1;
	svc->sched_data = st;
	/* a service that already has servers (a swap) gets its cycle now */
	if (wrr_dest_changed(svc, NULL)) {
		svc->sched_data = NULL;
		kfree(st);
		return -ENOMEM;
	}
	return 0;
}

static void wrr_done_service(struct l4vs_service *svc)
{
	struct wrr_state *st = svc->sched_data;

	kvfree(st->seq);
	kfree(st);
}

#ifdef DEBUG
#include "selftest_wrr.c"
#else
static inline bool wrr_selftest(void)
{
	return true;
}
#endif

static struct l4vs_scheduler wrr_scheduler = {
	.name		= "wrr",
	.module		= THIS_MODULE,
	.init_service	= wrr_init_service,
	.done_service	= wrr_done_service,
	.add_dest	= wrr_dest_changed,
	.del_dest	= wrr_dest_changed,
	.upd_dest	= wrr_dest_changed,
	.schedule	= wrr_schedule,
};

static int __init wrr_init(void)
{
	if (!wrr_selftest())
		return -ENOTRECOVERABLE;
	return l4vs_sched_register(&wrr_scheduler);
}

static void __exit wrr_exit(void)
{
	l4vs_sched_unregister(&wrr_scheduler);
}

module_init(wrr_init);
module_exit(wrr_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted round-robin scheduler");
