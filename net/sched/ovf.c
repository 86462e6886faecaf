// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_ovf: weighted overflow scheduling.
 *
 * The weight of a server is the number of active connections it is meant to
 * carry.  A new connection goes to the usable server with the highest weight
 * that still has room, the next one in weight order taking the overflow:
 *
 *	argmax weight_i  over servers with weight > 0, not overloaded,
 *			 and activeconns_i <= weight_i
 *
 * The comparison is "<=", as in IPVS: a server with exactly 'weight' active
 * connections still takes one more, and only one holding more than its
 * weight is passed over.  Inactive connections are not counted, so the
 * scheduler suits TCP better than UDP.
 *
 * Only a strictly higher weight replaces the current choice, so among equal
 * weights the server met first in list order wins (the newest: new
 * destinations are inserted at the head), as in IPVS.  Cost: one O(n) walk
 * per new connection, no lock.
 */
#include <linux/module.h>

#include "common.h"

static struct l4vs_dest *ovf_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	struct l4vs_dest *dest, *high = NULL;
	int hw = 0, w;

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest))
			continue;
		w = atomic_read(&dest->weight);
		if (atomic_read(&dest->activeconns) > w)
			continue;	/* full: let it overflow */
		if (w > hw) {
			high = dest;
			hw = w;
		}
	}
	return high;
}

static struct l4vs_scheduler ovf_scheduler = {
	.name		= "ovf",
	.module		= THIS_MODULE,
	.schedule	= ovf_schedule,
};

static int __init ovf_init(void)
{
	return l4vs_sched_register(&ovf_scheduler);
}

static void __exit ovf_exit(void)
{
	l4vs_sched_unregister(&ovf_scheduler);
}

module_init(ovf_init);
module_exit(ovf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted overflow scheduler");
