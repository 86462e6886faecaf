// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the scheduler registry.
 *
 * Schedulers are modules named "l4vs_<name>" that register themselves at
 * load.  A service holds a module reference on its scheduler for as long as
 * it uses it, so a scheduler in use cannot be unloaded; the reference is
 * dropped only after a grace period, once no packet can still be running
 * the scheduler's code.
 */

#include <linux/module.h>
#include <linux/kmod.h>

#include "l4vs.h"

static LIST_HEAD(l4vs_schedulers);
static DEFINE_MUTEX(l4vs_sched_mutex);	/* protects l4vs_schedulers */

static struct l4vs_scheduler *sched_find(const char *name)
{
	struct l4vs_scheduler *s;

	lockdep_assert_held(&l4vs_sched_mutex);
	list_for_each_entry(s, &l4vs_schedulers, list)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

int l4vs_sched_register(struct l4vs_scheduler *sched)
{
	int ret = 0;

	if (!sched->name || !sched->schedule ||
	    strlen(sched->name) >= IP_VS_SCHEDNAME_MAXLEN)
		return -EINVAL;

	mutex_lock(&l4vs_sched_mutex);
	if (sched_find(sched->name))
		ret = -EEXIST;
	else
		list_add_tail(&sched->list, &l4vs_schedulers);
	mutex_unlock(&l4vs_sched_mutex);
	if (!ret)
		pr_debug("scheduler %s registered\n", sched->name);
	return ret;
}
EXPORT_SYMBOL_GPL(l4vs_sched_register);

void l4vs_sched_unregister(struct l4vs_scheduler *sched)
{
	mutex_lock(&l4vs_sched_mutex);
	list_del(&sched->list);
	mutex_unlock(&l4vs_sched_mutex);
}
EXPORT_SYMBOL_GPL(l4vs_sched_unregister);

/*
 * Schedulers cannot see struct l4vs_net, so their lockdep checks ask here.
 * Without lockdep there is nothing to ask (and no lockdep_is_held()).
 */
bool l4vs_sched_locked(const struct l4vs_service *svc)
{
	return !IS_ENABLED(CONFIG_LOCKDEP) || lockdep_is_held(&svc->ln->lock);
}
EXPORT_SYMBOL_GPL(l4vs_sched_locked);

/* Schedulers cannot see struct l4vs_net either: their sysctls, by name. */
unsigned long l4vs_sched_expiration(const struct l4vs_service *svc,
				    enum l4vs_sched_knob knob)
{
	static const size_t offset[] = {
		[L4VS_SCHED_LBLC_EXPIRATION] =
			offsetof(struct l4vs_sysctl, lblc_expiration),
		[L4VS_SCHED_LBLCR_EXPIRATION] =
			offsetof(struct l4vs_sysctl, lblcr_expiration),
	};
	const int *v = (const void *)((const char *)&svc->ln->sysctl +
				      offset[knob]);

	return max(READ_ONCE(*v), 0);
}
EXPORT_SYMBOL_GPL(l4vs_sched_expiration);

static struct l4vs_scheduler *sched_get_loaded(const char *name)
{
	struct l4vs_scheduler *s;

	mutex_lock(&l4vs_sched_mutex);
	s = sched_find(name);
	if (s && !try_module_get(s->module))
		s = NULL;
	mutex_unlock(&l4vs_sched_mutex);
	return s;
}

struct l4vs_scheduler *l4vs_sched_get(const char *name)
{
	struct l4vs_scheduler *s;
	const char *p;

	/* the name becomes part of a module name: keep it to [a-z0-9_] */
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '_')
			return NULL;
	if (!*name)
		return NULL;

	s = sched_get_loaded(name);
	if (s)
		return s;
	request_module("l4vs_%s", name);
	return sched_get_loaded(name);
}

void l4vs_sched_put(struct l4vs_scheduler *sched)
{
	if (sched)
		module_put(sched->module);
}

int l4vs_sched_bind(struct l4vs_service *svc, struct l4vs_scheduler *sched)
{
	int ret;

	lockdep_assert_held(&svc->ln->lock);
	if (sched->init_service) {
		ret = sched->init_service(svc);
		if (ret)
			return ret;
	}
	rcu_assign_pointer(svc->scheduler, sched);
	return 0;
}

static void sched_detach(struct l4vs_service *svc,
			 struct l4vs_scheduler *sched)
{
	if (sched->done_service)
		sched->done_service(svc);
	svc->sched_data = NULL;
	module_put(sched->module);
}

static void sched_unbind(struct l4vs_service *svc, bool wait)
{
	struct l4vs_scheduler *sched;

	sched = rcu_dereference_protected(svc->scheduler,
					  lockdep_is_held(&svc->ln->lock));
	if (!sched)
		return;
	RCU_INIT_POINTER(svc->scheduler, NULL);
	/* a packet may be inside sched->schedule() for this service */
	if (wait)
		synchronize_rcu();
	sched_detach(svc, sched);
}

void __l4vs_sched_unbind(struct l4vs_service *svc)
{
	sched_unbind(svc, false);
}

void l4vs_sched_unbind(struct l4vs_service *svc)
{
	sched_unbind(svc, true);
}
