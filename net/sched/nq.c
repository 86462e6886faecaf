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

#include <l4vs/sched.h>

/* as sed, except that an idle server (load 0) is taken at once */
static s64 nq_load(const struct l4vs_dest *dest)
{
	int active = atomic_read(&dest->activeconns);

	return active ? (s64)active + 1 : 0;
}

static struct l4vs_dest *nq_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	return l4vs_sched_least(svc, nq_load, true);
}

static struct l4vs_scheduler nq_scheduler = {
	.name		= "nq",
	.module		= THIS_MODULE,
	.schedule	= nq_schedule,
};

module_l4vs_scheduler(nq_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs never-queue scheduler");
