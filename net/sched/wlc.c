// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_wlc: weighted least-connection scheduling.
 *
 * A new connection goes to the usable real server with the smallest
 *
 *	overhead / weight,  overhead = activeconns * 256 + inactconns
 *
 * The division is never done: server D replaces the current choice L when
 *
 *	overhead(L) * weight(D) > overhead(D) * weight(L)
 *
 * in 64-bit arithmetic (both products fit: overhead < 2^31, weight < 2^31).
 * Only a strictly better server replaces the choice, so ties go to the one
 * met first in list order (the newest one: destinations are inserted at the
 * head), exactly as IPVS breaks them.  Servers with weight 0 or over their
 * upper threshold are skipped.
 *
 * Counters are read without a lock; a stale value only makes a slightly worse
 * pick.  Cost: one O(n) walk per new connection.
 */
#include <linux/module.h>

#include <l4vs/sched.h>

static struct l4vs_dest *wlc_schedule(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph)
{
	return l4vs_sched_least(svc, l4vs_sched_conn_overhead_s64, true);
}

static struct l4vs_scheduler wlc_scheduler = {
	.name		= "wlc",
	.module		= THIS_MODULE,
	.schedule	= wlc_schedule,
};

module_l4vs_scheduler(wlc_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted least-connection scheduler");
