/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: the layout of a traffic counter set.  Services and destinations
 * embed one, so schedulers see the layout; only the core module reads or
 * writes it (net/stats.h).
 */
#ifndef _L4VS_STATS_H
#define _L4VS_STATS_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>

struct l4vs_cpu_stats {
	u64_stats_t		conns;
	u64_stats_t		inpkts;
	u64_stats_t		outpkts;
	u64_stats_t		inbytes;
	u64_stats_t		outbytes;
	struct u64_stats_sync	syncp;
};

/* A snapshot of counters, summed over CPUs. */
struct l4vs_stats_sum {
	u64	conns;
	u64	inpkts;
	u64	outpkts;
	u64	inbytes;
	u64	outbytes;
};

/*
 * Counters are per CPU and never reset: "zero" records a base that readers
 * subtract.  The estimator fields are written only by the per-netns
 * estimator work and by zeroing, both under 'lock'.
 */
struct l4vs_stats {
	struct l4vs_cpu_stats __percpu	*cpustats;
	spinlock_t			lock;
	struct l4vs_stats_sum		base;	/* value at the last zero */
	struct l4vs_stats_sum		last;	/* value at the last estimate */
	/* smoothed rates, in fixed point so slow rates are not lost */
	u64				est_cps;
	u64				est_inpps;
	u64				est_outpps;
	u64				est_inbps;
	u64				est_outbps;
};

#endif /* _L4VS_STATS_H */
