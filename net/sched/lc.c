// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_lc: least-connection scheduling.
 *
 * A new connection goes to the usable real server with the smallest
 *
 *	overhead = activeconns * 256 + inactconns
 *
 * An active (established) connection is taken to cost about 256 inactive
 * ones, which mostly wait in TIME_WAIT or FIN_WAIT and load the server
 * little.  Weights only matter as zero / non-zero: a server with weight 0 or
 * over its upper threshold is skipped.
 *
 * Ties go to the server met first in list order (the newest one, since new
 * destinations are inserted at the head), because only a strictly smaller
 * overhead replaces the current choice.  IPVS breaks ties the same way, so
 * the two pick the same servers when given the same history.
 *
 * The counters are read without a lock while the packet path of other CPUs
 * changes them; the choice is a heuristic, a stale value costs nothing but a
 * slightly worse pick.  The walk is O(n) in the number of servers.
 */
#include <linux/module.h>

#include <l4vs/sched.h>

static struct l4vs_dest *lc_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	return l4vs_sched_least(svc, l4vs_sched_conn_overhead_s64, false);
}

static struct l4vs_scheduler lc_scheduler = {
	.name		= "lc",
	.module		= THIS_MODULE,
	.schedule	= lc_schedule,
};

module_l4vs_scheduler(lc_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs least-connection scheduler");
