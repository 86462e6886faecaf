// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_twos: weighted random twos choice (IPVS's "twos", Linux 6.2+).
 *
 * The power of two choices (Mitzenmacher): draw two usable servers at
 * random, each with probability weight / total weight (the two draws are
 * independent and may give the same server), and take the one with the
 * lower load per unit of weight, load being active * 256 + inactive as for
 * wlc; on a tie, the first draw.  Picking the lesser of two random loads
 * spreads connections almost as evenly as least-connection does, without
 * every director sending its next burst to the same idlest server (the
 * herd a least-connection scheduler causes when its counters lag).
 *
 * Two walks of the servers per new connection and no state; weights read
 * between the walks may change, so a draw that falls off the end takes the
 * other one (both: the least loaded server, as wlc).
 */
#include <linux/module.h>
#include <linux/math64.h>
#include <linux/random.h>

#include <l4vs/sched.h>

/* A point in [0, total), uniform to within 2^-32. */
static u64 twos_draw(u64 total)
{
	return mul_u64_u32_shr(total, get_random_u32(), 32);
}

static struct l4vs_dest *twos_schedule(struct l4vs_service *svc,
				       const struct sk_buff *skb,
				       const struct l4vs_iphdr *iph)
{
	struct l4vs_dest *dest, *first = NULL, *second = NULL;
	u64 total = 0, r1, r2, w;

	list_for_each_entry_rcu(dest, &svc->dests, n_list)
		if (l4vs_sched_candidate(dest))
			total += atomic_read(&dest->weight);
	if (!total)
		return NULL;
	r1 = twos_draw(total);
	r2 = twos_draw(total);

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest))
			continue;
		w = atomic_read(&dest->weight);
		if (!first) {
			if (r1 < w)
				first = dest;
			else
				r1 -= w;
		}
		if (!second) {
			if (r2 < w)
				second = dest;
			else
				r2 -= w;
		}
		if (first && second)
			break;
	}
	if (!first && !second)
		return l4vs_sched_least(svc, l4vs_sched_conn_overhead_s64, true);
	if (!first || !second)
		return first ?: second;
	if ((s64)l4vs_sched_conn_overhead(second) * atomic_read(&first->weight) <
	    (s64)l4vs_sched_conn_overhead(first) * atomic_read(&second->weight))
		return second;
	return first;
}

static struct l4vs_scheduler twos_scheduler = {
	.name		= "twos",
	.module		= THIS_MODULE,
	.schedule	= twos_schedule,
};

module_l4vs_scheduler(twos_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs weighted random twos choice scheduler");
