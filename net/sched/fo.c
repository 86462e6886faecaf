// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_fo: weighted failover scheduling.
 *
 * Every new connection goes to one server: the usable one with the highest
 * weight,
 *
 *	argmax weight_i  over servers with weight > 0, not overloaded
 *
 * and the others only take over when it becomes unusable (weight set to 0,
 * upper threshold reached, or removed).  Giving the standby servers
 * decreasing weights fixes the order in which they are tried.
 *
 * Only a strictly higher weight replaces the current choice, so among equal
 * weights the server met first in list order wins (the newest: new
 * destinations are inserted at the head), as in IPVS.  Connection counts are
 * not looked at.  Cost: one O(n) walk per new connection, no lock.
 */
#include <linux/module.h>

#include <l4vs/sched.h>

static struct l4vs_dest *fo_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	return l4vs_sched_heaviest(svc, NULL);
}

static struct l4vs_scheduler fo_scheduler = {
	.name		= "fo",
	.module		= THIS_MODULE,
	.schedule	= fo_schedule,
};

module_l4vs_scheduler(fo_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted failover scheduler");
