/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: traffic counters of services, destinations and a netns.  The packet
 * path only bumps this CPU's counters; everything else runs in process
 * context.
 */
#ifndef _NET_L4VS_STATS_H
#define _NET_L4VS_STATS_H

#include <l4vs/stats.h>

/* Rates as clients see them (per second). */
struct l4vs_rates {
	u64	cps;
	u64	inpps;
	u64	outpps;
	u64	inbps;
	u64	outbps;
};

int l4vs_stats_init(struct l4vs_stats *s);
void l4vs_stats_destroy(struct l4vs_stats *s);
/* Counters since the last zero, and the current smoothed rates. */
void l4vs_stats_read(struct l4vs_stats *s, struct l4vs_stats_sum *sum,
		     struct l4vs_rates *rates);
void l4vs_stats_zero(struct l4vs_stats *s);
/* One estimator step for one object: 'elapsed' in jiffies. */
void l4vs_stats_estimate(struct l4vs_stats *s, unsigned long elapsed);
/* One CPU's raw counters, not adjusted by zeroing (/proc shows them so). */
void l4vs_stats_read_cpu(struct l4vs_stats *s, int cpu,
			 struct l4vs_stats_sum *sum);

static inline void l4vs_stats_add(struct l4vs_stats *s, bool in,
				  unsigned int bytes)
{
	struct l4vs_cpu_stats *c = this_cpu_ptr(s->cpustats);

	u64_stats_update_begin(&c->syncp);
	if (in) {
		u64_stats_inc(&c->inpkts);
		u64_stats_add(&c->inbytes, bytes);
	} else {
		u64_stats_inc(&c->outpkts);
		u64_stats_add(&c->outbytes, bytes);
	}
	u64_stats_update_end(&c->syncp);
}

static inline void l4vs_stats_add_conn(struct l4vs_stats *s)
{
	struct l4vs_cpu_stats *c = this_cpu_ptr(s->cpustats);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->conns);
	u64_stats_update_end(&c->syncp);
}

#endif /* _NET_L4VS_STATS_H */
