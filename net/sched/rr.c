// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_rr: round-robin scheduling.
 *
 * Each new connection goes to the next usable real server in list order
 * after the one picked last, wrapping around; a server with weight 0 or over
 * its upper threshold is skipped.  Weights only matter as zero / non-zero.
 *
 * The position is shared by every CPU (that is what makes it round robin),
 * so it is kept under a small per-service spinlock.  It points at a
 * destination's list node or at the list head; del_dest moves it off a
 * destination that is leaving, so it never outlives its target.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include <l4vs/sched.h>

struct rr_state {
	spinlock_t		lock;	/* 'last' */
	struct list_head	*last;	/* node picked last, or &svc->dests */
};

static int rr_init_service(struct l4vs_service *svc)
{
	struct rr_state *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	spin_lock_init(&st->lock);
	st->last = &svc->dests;
	svc->sched_data = st;
	return 0;
}

static void rr_done_service(struct l4vs_service *svc)
{
	kfree(svc->sched_data);
}

/*
 * Called after list_del_rcu(): the leaving node's ->next is still valid and
 * its successor's ->prev is the node before it, which becomes the position,
 * so the sequence carries on as if the server had never been there.
 */
static int rr_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	struct rr_state *st = svc->sched_data;

	spin_lock_bh(&st->lock);
	if (st->last == &dest->n_list)
		st->last = dest->n_list.next->prev;
	spin_unlock_bh(&st->lock);
	return 0;
}

static struct l4vs_dest *rr_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	struct rr_state *st = svc->sched_data;
	struct list_head *start, *p;
	struct l4vs_dest *dest = NULL;

	spin_lock(&st->lock);
	start = st->last;
	p = start;
	do {
		p = rcu_dereference(list_next_rcu(p));
		if (p == &svc->dests)
			continue;
		dest = list_entry(p, struct l4vs_dest, n_list);
		if (l4vs_dest_available(dest) && l4vs_dest_usable(dest)) {
			st->last = p;
			break;
		}
		dest = NULL;
	} while (p != start);
	spin_unlock(&st->lock);
	return dest;
}

static struct l4vs_scheduler rr_scheduler = {
	.name		= "rr",
	.module		= THIS_MODULE,
	.init_service	= rr_init_service,
	.done_service	= rr_done_service,
	.del_dest	= rr_del_dest,
	.schedule	= rr_schedule,
};

module_l4vs_scheduler(rr_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs round-robin scheduler");
