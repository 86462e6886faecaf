// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the per-netns rate estimator work.
 *
 * Every L4VS_EST_INTERVAL the work takes ln->lock and steps the estimator of
 * every service, every destination and the netns totals (the formula is in
 * stats.c).  Holding the mutex keeps services and destinations linked and
 * their stats allocated during the walk, so no RCU or references are
 * needed.  The step is measured, not assumed: a late run (the mutex was
 * busy, the workqueue was slow) gets a longer 'elapsed', not a wrong rate.
 *
 * This file also owns ln->tot_stats: it exists from before the first run of
 * the work until after the last one.
 */
#include <linux/workqueue.h>

#include "l4vs.h"

#define L4VS_EST_INTERVAL	(2 * HZ)

static void est_work_fn(struct work_struct *work)
{
	struct l4vs_net *ln = container_of(to_delayed_work(work),
					   struct l4vs_net, est_work);
	struct l4vs_service *svc;
	struct l4vs_dest *dest;
	unsigned long elapsed;
	unsigned int i;

	/*
	 * run_estimation=0 suspends the rates at their last values, as IPVS
	 * does; the first step after it is set again spans the whole pause.
	 */
	if (!READ_ONCE(ln->sysctl.run_estimation))
		goto again;

	mutex_lock(&ln->lock);
	elapsed = jiffies - ln->est_last;
	ln->est_last += elapsed;

	l4vs_for_each_service(ln, i, svc) {
		l4vs_stats_estimate(&svc->stats, elapsed);
		l4vs_for_each_dest(svc, dest)
			l4vs_stats_estimate(&dest->stats, elapsed);
	}
	l4vs_stats_estimate(&ln->tot_stats, elapsed);
	mutex_unlock(&ln->lock);

again:
	/* system_long_wq: the run may wait on ln->lock behind a flush. */
	queue_delayed_work(system_long_wq, &ln->est_work, L4VS_EST_INTERVAL);
}

int l4vs_est_net_init(struct l4vs_net *ln)
{
	int ret;

	ret = l4vs_stats_init(&ln->tot_stats);
	if (ret)
		return ret;

	INIT_DELAYED_WORK(&ln->est_work, est_work_fn);
	ln->est_last = jiffies;
	queue_delayed_work(system_long_wq, &ln->est_work, L4VS_EST_INTERVAL);
	return 0;
}

/*
 * Must not be called with ln->lock held: the work may be waiting for it.
 * cancel_delayed_work_sync() also stops a run that is about to requeue
 * itself, so nothing touches the stats after this returns.
 */
void l4vs_est_net_exit(struct l4vs_net *ln)
{
	lockdep_assert_not_held(&ln->lock);
	cancel_delayed_work_sync(&ln->est_work);
	l4vs_stats_destroy(&ln->tot_stats);
}
