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

#include <l4vs/sched.h>

/* expected delay: the server's active connections plus this one */
static s64 sed_load(const struct l4vs_dest *dest)
{
	return (s64)atomic_read(&dest->activeconns) + 1;
}

static struct l4vs_dest *sed_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	return l4vs_sched_least(svc, sed_load, true);
}

static struct l4vs_scheduler sed_scheduler = {
	.name		= "sed",
	.module		= THIS_MODULE,
	.schedule	= sed_schedule,
};

module_l4vs_scheduler(sed_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs shortest expected delay scheduler");
