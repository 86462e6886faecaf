/* SPDX-License-Identifier: GPL-2.0 */
/* l4vs: the core's side of the scheduler registry (modules: <l4vs/sched.h>). */
#ifndef _NET_L4VS_SCHED_H
#define _NET_L4VS_SCHED_H

#include <l4vs/sched.h>

/* Find by name, loading "l4vs_<name>" on demand; takes a module reference. */
struct l4vs_scheduler *l4vs_sched_get(const char *name);
void l4vs_sched_put(struct l4vs_scheduler *sched);
/*
 * Attach/detach a scheduler to a service (under ln->lock).  bind() calls
 * init_service() and publishes the scheduler; it takes over the module
 * reference from l4vs_sched_get().  unbind() unpublishes it, waits for a
 * grace period (a packet may be inside schedule()), calls done_service() and
 * drops the module reference.  __l4vs_sched_unbind() is the same without the
 * wait, for a caller that unpublished the service itself and already waited
 * (flushing many services costs one synchronize_rcu(), not one each).
 */
int l4vs_sched_bind(struct l4vs_service *svc, struct l4vs_scheduler *sched);
void l4vs_sched_unbind(struct l4vs_service *svc);
void __l4vs_sched_unbind(struct l4vs_service *svc);

#endif /* _NET_L4VS_SCHED_H */
