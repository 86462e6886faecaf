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

#include <l4vs/sched.h>

/* a server with more active connections than its weight lets them overflow */
static bool ovf_full(const struct l4vs_dest *dest)
{
	return atomic_read(&dest->activeconns) > atomic_read(&dest->weight);
}

static struct l4vs_dest *ovf_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	return l4vs_sched_heaviest(svc, ovf_full);
}

static struct l4vs_scheduler ovf_scheduler = {
	.name		= "ovf",
	.module		= THIS_MODULE,
	.schedule	= ovf_schedule,
};

module_l4vs_scheduler(ovf_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted overflow scheduler");
