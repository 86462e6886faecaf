// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_mh: Maglev consistent hashing (Eisenbud et al., NSDI 2016).
 *
 * A lookup table of M entries (M prime, the tab_size parameter) maps
 *
 *	hsiphash(saddr, port) mod M
 *
 * to a real server, 'port' being the client's source port with the mh-port
 * flag (IP_VS_SVC_F_SCHED2), else 0.  Server i prefers the entries
 *
 *	(offset_i + j * skip_i) mod M,	j = 0, 1, ...
 *
 * with offset_i = h1(addr, port) mod M and skip_i = h2(addr, port) mod
 * (M - 1) + 1, a permutation of the table since M is prime.  Servers take
 * turns claiming their next preferred free entry, server i taking w_i / g
 * entries per turn (g the gcd of the weights), until the table is full: the
 * shares follow the weights, and adding or removing one server of N moves
 * little more than 1/N of the entries.  h1 and h2 are siphash with fixed
 * keys and the servers take turns in the order of their hashes, not of the
 * list, so any two directors with the same servers build the same table.
 *
 * A server whose weight drops to 0 keeps its entries (its last weight is
 * remembered) so that quiescing it does not reshuffle the others.  A client
 * whose entry holds an unusable server gets no pick, unless the service has
 * the mh-fallback flag (IP_VS_SVC_F_SCHED1): then the following entries are
 * tried, which spreads the orphans over the others by weight.
 *
 * The table is rebuilt in process context under the service's configuration
 * lock when servers change and published with RCU; a pick costs one hash
 * and two loads.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/bitmap.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/bsearch.h>

#include <l4vs/sched.h>

/* Primes the table may have: IPVS's sizes, and 65537. */
static const u32 mh_primes[] = {
	251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 65537, 131071,
};

static unsigned int tab_size = 65537;
module_param(tab_size, uint, 0444);
MODULE_PARM_DESC(tab_size, "lookup table entries, one of 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 65537 (default), 131071");

/* Fixed on purpose: every director must derive the same table. */
static const siphash_key_t mh_key1 = {{ 0x6c34766d68316b31ULL, 0x9e3779b97f4a7c15ULL }};
static const siphash_key_t mh_key2 = {{ 0x6c34766d68326b32ULL, 0xc2b2ae3d27d4eb4fULL }};
static const hsiphash_key_t mh_key_client = {{ 0x6d68636c69656e74UL, 0x165667b19e3779f9UL }};

/* A server while the table is being built. */
struct mh_srv {
	u64			h1, h2;
	u32			offset, skip, turns, next;
	struct l4vs_dest	*dest;
};

struct mh_table {
	struct rcu_head		rcu;
	u32			size;
	u32			n;
	struct l4vs_dest	**dests;	/* n of them, after slot[] */
	u16			slot[];		/* index into dests */
};

/* A server's weight, or the last non-zero one; control path only. */
struct mh_weight {
	struct l4vs_dest	*dest;
	u32			weight;
};

struct mh_state {
	struct mh_table __rcu	*tab;
	struct mh_weight	*last;		/* sorted by dest */
	unsigned int		nlast;
};

/* What servers and clients are hashed by: address and port, zero-padded. */
static void mh_key_buf(u32 *buf, int af, const union nf_inet_addr *addr,
		       __be16 port)
{
	memset(buf, 0, 6 * sizeof(*buf));
	if (af == AF_INET6)
		memcpy(buf, &addr->ip6, 16);
	else
		buf[0] = (__force u32)addr->ip;
	buf[4] = (__force u32)port;
}

static struct l4vs_dest *mh_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	struct mh_state *st = svc->sched_data;
	struct l4vs_dest *dest;
	struct mh_table *tab;
	u32 h, i, probes, buf[6];
	__be16 port = 0;

	tab = rcu_dereference(st->tab);
	if (!tab)
		return NULL;
	if (svc->flags & IP_VS_SVC_F_SCHED_MH_PORT)
		port = l4vs_sched_src_port(iph);
	mh_key_buf(buf, iph->af, &iph->saddr, port);
	h = hsiphash(buf, sizeof(buf), &mh_key_client) % tab->size;
	dest = tab->dests[tab->slot[h]];
	if (l4vs_sched_candidate(dest))
		return dest;
	if (!(svc->flags & IP_VS_SVC_F_SCHED_MH_FALLBACK))
		return NULL;

	/*
	 * Entries are owned in proportion to weight, so the next ones find a
	 * usable server quickly unless almost all are down; past a bound, the
	 * server list is scanned so a pick costs O(n) at worst.
	 */
	probes = min(tab->size - 1, 64 + 4 * tab->n);
	for (i = 1; i <= probes; i++) {
		dest = tab->dests[tab->slot[(h + i) % tab->size]];
		if (l4vs_sched_candidate(dest))
			return dest;
	}
	for (i = 0; i < tab->n; i++) {
		dest = tab->dests[(h + i) % tab->n];
		if (l4vs_sched_candidate(dest))
			return dest;
	}
	return NULL;
}

/* ---- pure logic on plain arrays -------------------------------------- */

static void mh_srv_hash(struct mh_srv *s, int af, const union nf_inet_addr *addr,
			__be16 port)
{
	u32 buf[6];

	mh_key_buf(buf, af, addr, port);
	s->h1 = siphash(buf, sizeof(buf), &mh_key1);
	s->h2 = siphash(buf, sizeof(buf), &mh_key2);
}

static int mh_srv_cmp(const void *a, const void *b)
{
	const struct mh_srv *x = a, *y = b;

	if (x->h1 != y->h1)
		return x->h1 < y->h1 ? -1 : 1;
	if (x->h2 != y->h2)
		return x->h2 < y->h2 ? -1 : 1;
	return 0;
}

/*
 * Turns per round: weights over their gcd, halved while a round would cover
 * more than an eighth of the table (so the cut-off last round cannot skew
 * the shares much); a server with a weight keeps at least one turn.
 */
static void mh_turns(struct mh_srv *s, const u32 *w, unsigned int n, u32 m)
{
	u32 g = l4vs_sched_gcd(w, n), top = 0;
	unsigned int i, shift = 0;
	u64 sum;

	for (i = 0; i < n; i++)
		top = max(top, g ? w[i] / g : 0);
	do {
		sum = 0;
		for (i = 0; i < n; i++) {
			s[i].turns = g ? w[i] / g >> shift : 0;
			if (w[i] && !s[i].turns)
				s[i].turns = 1;
			sum += s[i].turns;
		}
	} while (sum > max_t(u64, m / 8, n) && (top >> shift++) > 1);
}

/* Order the servers by hash and derive their permutations. */
static void mh_prepare(struct mh_srv *s, unsigned int n, u32 m)
{
	unsigned int i;

	sort(s, n, sizeof(*s), mh_srv_cmp, NULL);
	for (i = 0; i < n; i++) {
		s[i].offset = s[i].h1 % m;
		s[i].skip = s[i].h2 % (m - 1) + 1;
		s[i].next = s[i].offset;
	}
}

/* Fill slot[0..m) with server indices; 'used' is an m-bit scratch bitmap. */
static void mh_fill(struct mh_srv *s, unsigned int n, u32 m, u16 *slot,
		    unsigned long *used)
{
	unsigned int i, t;
	u32 c, filled = 0;

	bitmap_zero(used, m);
	for (;;) {
		for (i = 0; i < n; i++) {
			for (t = 0; t < s[i].turns; t++) {
				c = s[i].next;
				while (test_bit(c, used))
					c = c + s[i].skip >= m ? c + s[i].skip - m : c + s[i].skip;
				s[i].next = c;
				__set_bit(c, used);
				slot[c] = i;
				if (++filled == m)
					return;
			}
		}
	}
}

#ifdef DEBUG
#include "selftest_mh.c"
#else
static inline bool mh_selftest(void)
{
	return true;
}
#endif

/* ---- control path ---------------------------------------------------- */

static int mh_weight_cmp(const void *a, const void *b)
{
	const struct mh_weight *x = a, *y = b;

	return x->dest == y->dest ? 0 : x->dest < y->dest ? -1 : 1;
}

/* The weight to build with: the current one, or the last non-zero one. */
static u32 mh_weight_of(const struct mh_state *st, struct l4vs_dest *dest)
{
	struct mh_weight key = { .dest = dest }, *found;
	u32 w = atomic_read(&dest->weight);

	if (w || !st->last)
		return w;
	found = bsearch(&key, st->last, st->nlast, sizeof(key), mh_weight_cmp);
	return found ? found->weight : 0;
}

static struct mh_table *mh_table_build(struct mh_srv *srv, const u32 *w,
				       unsigned int n, u32 m)
{
	size_t off = ALIGN(sizeof(struct mh_table) + m * sizeof(u16),
			   sizeof(void *));
	struct mh_table *tab;
	unsigned long *used;
	unsigned int i;

	tab = kvzalloc(off + n * sizeof(*tab->dests), GFP_KERNEL);
	used = bitmap_alloc(m, GFP_KERNEL);
	if (!tab || !used) {
		kvfree(tab);
		bitmap_free(used);
		return NULL;
	}
	tab->size = m;
	tab->n = n;
	tab->dests = (struct l4vs_dest **)((char *)tab + off);
	mh_turns(srv, w, n, m);
	mh_prepare(srv, n, m);
	mh_fill(srv, n, m, tab->slot, used);
	for (i = 0; i < n; i++)
		tab->dests[i] = srv[i].dest;
	bitmap_free(used);
	return tab;
}

/*
 * Build the table for the current servers and publish it.  On failure the
 * old table stays, unless it may name a server that is leaving: then none is
 * published (no picks until the next change), which is safe.
 */
static int mh_rebuild(struct l4vs_service *svc, bool leaving)
{
	struct mh_state *st = svc->sched_data;
	unsigned int n = svc->num_dests, i = 0, live = 0;
	struct mh_table *tab = NULL, *old;
	struct mh_weight *last = NULL;
	struct mh_srv *srv = NULL;
	struct l4vs_dest *dest;
	u32 *w = NULL;
	int ret = 0;

	l4vs_sched_assert_locked(svc);

	if (n > min_t(u32, tab_size, U16_MAX))
		return -ENOSPC;
	if (!n)
		goto publish;
	srv = kvcalloc(n, sizeof(*srv), GFP_KERNEL);
	last = kvcalloc(n, sizeof(*last), GFP_KERNEL);
	w = kvcalloc(n, sizeof(*w), GFP_KERNEL);
	if (!srv || !last || !w)
		goto err_nomem;
	l4vs_for_each_dest(svc, dest) {
		if (WARN_ON_ONCE(i >= n))
			break;
		last[i] = (struct mh_weight){ dest, mh_weight_of(st, dest) };
		srv[i].dest = dest;
		mh_srv_hash(&srv[i], dest->af, &dest->addr, dest->port);
		w[i] = last[i].weight;
		live += !!w[i];
		i++;
	}
	n = i;
	sort(last, n, sizeof(*last), mh_weight_cmp, NULL);
	if (live) {
		tab = mh_table_build(srv, w, n, tab_size);
		if (!tab)
			goto err_nomem;
	}
	goto publish;

err_nomem:
	ret = -ENOMEM;
	kvfree(last);
	last = NULL;
	n = 0;
	if (!leaving)
		goto out;
	pr_warn_ratelimited("out of memory, service left without a table\n");
publish:
	old = rcu_replace_pointer(st->tab, tab, l4vs_sched_locked(svc));
	if (old)
		kvfree_rcu(old, rcu);
	swap(st->last, last);
	st->nlast = n;
	kvfree(last);
out:
	kvfree(w);
	kvfree(srv);
	return ret;
}

static int mh_init_service(struct l4vs_service *svc)
{
	struct mh_state *st = kzalloc(sizeof(*st), GFP_KERNEL);
	int ret;

	if (!st)
		return -ENOMEM;
	svc->sched_data = st;
	ret = mh_rebuild(svc, false);
	if (ret) {
		svc->sched_data = NULL;
		kfree(st);
	}
	return ret;
}

/* Runs after a grace period (see l4vs_sched_unbind()): no reader is left. */
static void mh_done_service(struct l4vs_service *svc)
{
	struct mh_state *st = svc->sched_data;

	kvfree(rcu_dereference_protected(st->tab, 1));
	kvfree(st->last);
	kfree(st);
}

static int mh_add_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return mh_rebuild(svc, false);
}

static int mh_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return mh_rebuild(svc, true);
}

static struct l4vs_scheduler mh_scheduler = {
	.name		= "mh",
	.module		= THIS_MODULE,
	.init_service	= mh_init_service,
	.done_service	= mh_done_service,
	.add_dest	= mh_add_dest,
	.del_dest	= mh_del_dest,
	.upd_dest	= mh_add_dest,	/* weights move entries; nobody leaves */
	.schedule	= mh_schedule,
};

static int __init mh_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mh_primes); i++)
		if (tab_size == mh_primes[i])
			break;
	if (i == ARRAY_SIZE(mh_primes)) {
		pr_err("tab_size %u is not one of the supported primes\n", tab_size);
		return -EINVAL;
	}
	if (!mh_selftest())
		return -ENOTRECOVERABLE;
	return l4vs_sched_register(&mh_scheduler);
}

static void __exit mh_exit(void)
{
	l4vs_sched_unregister(&mh_scheduler);
}

module_init(mh_init);
module_exit(mh_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs Maglev hashing scheduler");
