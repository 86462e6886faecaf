// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: traffic counters and their rate estimator.
 *
 * The packet path only bumps per-CPU counters (l4vs_stats_add(), inline in
 * stats.h).  Everything here runs in process context: readers sum the CPUs,
 * "zero" moves a base line instead of touching the per-CPU data (which
 * would race with the packet path), and the per-netns estimator work calls
 * l4vs_stats_estimate() every two seconds.  s->lock is a plain spinlock
 * for that reason: none of these functions may be called from softirq.
 *
 * Rate estimator.  Every step measures, for each counter, the increase d
 * since the previous step over 'elapsed' jiffies and turns it into a rate
 * sample
 *
 *	r = d * HZ / elapsed			(events per second)
 *
 * which is folded into an exponentially weighted moving average of weight
 * 1/4 (the smoothing IPVS users are used to):
 *
 *	avg += (r - avg) / 4
 *
 * Integer arithmetic would lose everything below one event per second, so
 * samples and averages are kept in fixed point with L4VS_EST_SHIFT fraction
 * bits and rounded to the nearest integer only when read.  With 10 bits a
 * 64-bit average holds up to 2^54 bytes/s, and d * HZ * 2^10 is computed
 * with a 128-bit intermediate so no realistic burst can overflow it.
 */
#include <linux/math64.h>
#include <linux/percpu.h>

#include "l4vs.h"

#define L4VS_EST_SHIFT	10

int l4vs_stats_init(struct l4vs_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	s->cpustats = alloc_percpu(struct l4vs_cpu_stats);
	if (!s->cpustats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->cpustats, cpu)->syncp);
	spin_lock_init(&s->lock);
	return 0;
}

void l4vs_stats_destroy(struct l4vs_stats *s)
{
	free_percpu(s->cpustats);
	s->cpustats = NULL;
}

void l4vs_stats_read_cpu(struct l4vs_stats *s, int cpu,
			 struct l4vs_stats_sum *sum)
{
	struct l4vs_cpu_stats *c = per_cpu_ptr(s->cpustats, cpu);
	unsigned int seq;

	do {
		seq = u64_stats_fetch_begin(&c->syncp);
		sum->conns = u64_stats_read(&c->conns);
		sum->inpkts = u64_stats_read(&c->inpkts);
		sum->outpkts = u64_stats_read(&c->outpkts);
		sum->inbytes = u64_stats_read(&c->inbytes);
		sum->outbytes = u64_stats_read(&c->outbytes);
	} while (u64_stats_fetch_retry(&c->syncp, seq));
}

/* Raw totals since the object was created: the per-CPU counters summed. */
static void stats_sum_cpus(struct l4vs_stats *s, struct l4vs_stats_sum *sum)
{
	struct l4vs_stats_sum c;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		l4vs_stats_read_cpu(s, cpu, &c);
		sum->conns += c.conns;
		sum->inpkts += c.inpkts;
		sum->outpkts += c.outpkts;
		sum->inbytes += c.inbytes;
		sum->outbytes += c.outbytes;
	}
}

static u64 est_to_rate(u64 avg)
{
	return (avg + (1ULL << (L4VS_EST_SHIFT - 1))) >> L4VS_EST_SHIFT;
}

void l4vs_stats_read(struct l4vs_stats *s, struct l4vs_stats_sum *sum,
		     struct l4vs_rates *rates)
{
	struct l4vs_stats_sum raw;

	/*
	 * Sum under the lock: a sum taken before a concurrent zero moved
	 * 'base' past it would come out negative.
	 */
	spin_lock(&s->lock);
	stats_sum_cpus(s, &raw);
	if (sum) {
		sum->conns = raw.conns - s->base.conns;
		sum->inpkts = raw.inpkts - s->base.inpkts;
		sum->outpkts = raw.outpkts - s->base.outpkts;
		sum->inbytes = raw.inbytes - s->base.inbytes;
		sum->outbytes = raw.outbytes - s->base.outbytes;
	}
	if (rates) {
		rates->cps = est_to_rate(s->est_cps);
		rates->inpps = est_to_rate(s->est_inpps);
		rates->outpps = est_to_rate(s->est_outpps);
		rates->inbps = est_to_rate(s->est_inbps);
		rates->outbps = est_to_rate(s->est_outbps);
	}
	spin_unlock(&s->lock);
}

void l4vs_stats_zero(struct l4vs_stats *s)
{
	struct l4vs_stats_sum raw;

	spin_lock(&s->lock);
	stats_sum_cpus(s, &raw);
	s->base = raw;
	/*
	 * Restart the estimator from here too: traffic seen before the zero
	 * must not reappear as a rate in the next step.
	 */
	s->last = raw;
	s->est_cps = 0;
	s->est_inpps = 0;
	s->est_outpps = 0;
	s->est_inbps = 0;
	s->est_outbps = 0;
	spin_unlock(&s->lock);
}

/* Fold the increase 'now - last' over 'elapsed' jiffies into '*avg'. */
static void est_step(u64 *avg, u64 now, u64 last, unsigned long elapsed)
{
	u64 r = mul_u64_u64_div_u64(now - last, (u64)HZ << L4VS_EST_SHIFT,
				    elapsed);

	/* Unsigned, so step towards r from whichever side it lies on. */
	if (r >= *avg)
		*avg += (r - *avg) >> 2;
	else
		*avg -= (*avg - r) >> 2;
}

void l4vs_stats_estimate(struct l4vs_stats *s, unsigned long elapsed)
{
	struct l4vs_stats_sum raw;

	/* Two steps in the same jiffy carry no information. */
	if (!elapsed)
		return;

	spin_lock(&s->lock);
	stats_sum_cpus(s, &raw);
	est_step(&s->est_cps, raw.conns, s->last.conns, elapsed);
	est_step(&s->est_inpps, raw.inpkts, s->last.inpkts, elapsed);
	est_step(&s->est_outpps, raw.outpkts, s->last.outpkts, elapsed);
	est_step(&s->est_inbps, raw.inbytes, s->last.inbytes, elapsed);
	est_step(&s->est_outbps, raw.outbytes, s->last.outbytes, elapsed);
	s->last = raw;
	spin_unlock(&s->lock);
}
