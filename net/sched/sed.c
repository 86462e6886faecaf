// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_sed: shortest expected delay scheduling.
 *
 * If every server answered its connections one after another at a speed
 * proportional to its weight, a new connection sent to server i would be
 * done after a delay proportional to
 *
 *	(activeconns_i + 1) / weight_i
 *
 * and the server with the smallest such delay gets it.  Inactive connections
 * do not count: they wait for a timer, not for the server.
 *
 * As in wlc the division is replaced by a 64-bit cross multiplication:
 * server D replaces the current choice L when
 *
 *	(activeconns(L) + 1) * weight(D) > (activeconns(D) + 1) * weight(L)
 *
 * Only a strictly shorter delay wins, so ties go to the server met first in
 * list order (the newest: new destinations are inserted at the head), as in
 * IPVS.  Servers with weight 0 or over their upper threshold are skipped.
 * Cost: one O(n) walk per new connection, no lock.
 */
#include <linux/module.h>

#include "common.h"

static struct l4vs_dest *sed_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	struct l4vs_dest *dest, *least = NULL;
	s64 loh = 0, lw = 0, doh, dw;

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest))
			continue;
		doh = (s64)atomic_read(&dest->activeconns) + 1;
		dw = atomic_read(&dest->weight);
		if (!least || loh * dw > doh * lw) {
			least = dest;
			loh = doh;
			lw = dw;
		}
	}
	return least;
}

static struct l4vs_scheduler sed_scheduler = {
	.name		= "sed",
	.module		= THIS_MODULE,
	.schedule	= sed_schedule,
};

static int __init sed_init(void)
{
	return l4vs_sched_register(&sed_scheduler);
}

static void __exit sed_exit(void)
{
	l4vs_sched_unregister(&sed_scheduler);
}

module_init(sed_init);
module_exit(sed_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs shortest expected delay scheduler");
