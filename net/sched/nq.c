// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_nq: never-queue scheduling.
 *
 * A connection never waits behind another if an idle server exists: the
 * first usable server in list order with no active connection gets it at
 * once, whatever its weight.  When every server is busy, the choice is the
 * shortest expected delay, as in sed:
 *
 *	minimal (activeconns + 1) / weight
 *
 * compared as (activeconns(L) + 1) * weight(D) > (activeconns(D) + 1) *
 * weight(L) in 64 bits, a strictly shorter delay replacing the current
 * choice L.  Ties, idle or not, go to the server met first in list order
 * (the newest: new destinations are inserted at the head), as in IPVS.
 * Servers with weight 0 or over their upper threshold are skipped.
 * Cost: at most one O(n) walk per new connection, no lock.
 */
#include <linux/module.h>

#include "common.h"

static struct l4vs_dest *nq_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	struct l4vs_dest *dest, *least = NULL;
	s64 loh = 0, lw = 0, doh, dw;
	int active;

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest))
			continue;
		active = atomic_read(&dest->activeconns);
		/* an idle server: nothing can beat it, stop looking */
		if (!active)
			return dest;
		doh = (s64)active + 1;
		dw = atomic_read(&dest->weight);
		if (!least || loh * dw > doh * lw) {
			least = dest;
			loh = doh;
			lw = dw;
		}
	}
	return least;
}

static struct l4vs_scheduler nq_scheduler = {
	.name		= "nq",
	.module		= THIS_MODULE,
	.schedule	= nq_schedule,
};

static int __init nq_init(void)
{
	return l4vs_sched_register(&nq_scheduler);
}

static void __exit nq_exit(void)
{
	l4vs_sched_unregister(&nq_scheduler);
}

module_init(nq_init);
module_exit(nq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs never-queue scheduler");
