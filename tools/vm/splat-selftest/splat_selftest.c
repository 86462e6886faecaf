// SPDX-License-Identifier: GPL-2.0
/*
 * splat_selftest: makes the debug kernel report one deliberate bug, so that
 * check-debug can prove its log checks catch each kind of report before it
 * trusts a clean run.  Loaded with what=<kind>; after the bug the load fails
 * on purpose (-EAGAIN), so the next kind can be loaded without an unload.
 *
 *   lockdep   take two mutexes in both orders (a possible deadlock)
 *   kfence    read a KFENCE-guarded object after freeing it
 *   kmemleak  lose the only pointer to an allocation (seen at the next scan)
 *   odebug    free memory holding an armed timer
 *   kasan     read one byte past the end of a kmalloc'ed object
 *
 * Never load this on anything but a throw-away test guest.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/kfence.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include <linux/jiffies.h>

static char *what = "";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "lockdep, kfence, kmemleak, odebug or kasan");

/* a global the compiler cannot see through, so no access is folded away */
static volatile size_t splat_index = 16;

static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);

static void splat_lockdep(void)
{
	mutex_lock(&splat_a);
	mutex_lock(&splat_b);
	mutex_unlock(&splat_b);
	mutex_unlock(&splat_a);

	/* the reverse order: lockdep needs no real deadlock to object */
	mutex_lock(&splat_b);
	mutex_lock(&splat_a);
	mutex_unlock(&splat_a);
	mutex_unlock(&splat_b);
}

static int splat_kfence(void)
{
	unsigned long deadline = jiffies + 120 * HZ;
	volatile char *p;
	char c;

	/*
	 * KFENCE guards one allocation per sample interval, whichever comes
	 * first: on a busy guest (a debug kernel under TCG) other allocations
	 * win for tens of seconds at a time, so keep trying for long enough.
	 */
	while (time_before(jiffies, deadline)) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		if (is_kfence_address((void *)p)) {
			kfree((void *)p);
			c = p[0];
			pr_info("splat_selftest: read %d after free\n", c);
			return 0;
		}
		kfree((void *)p);
		usleep_range(1000, 2000);
	}
	pr_err("splat_selftest: no KFENCE allocation within 120 s\n");
	return -ETIMEDOUT;
}

static int splat_kmemleak(void)
{
	char *p;
	int i;

	/*
	 * Sixteen objects, each pointer overwritten by the next: a stale copy
	 * of the last one on some stack may keep it alive, never the others.
	 */
	for (i = 0; i < 16; i++) {
		p = kmalloc(1024, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		memset(p, 0x5a, 1024);
	}
	pr_info("splat_selftest: leaked 16 objects of 1024 bytes\n");
	return 0;
}

struct splat_timer {
	struct timer_list timer;
};

static void splat_timer_fn(struct timer_list *t)
{
}

static int splat_odebug(void)
{
	struct splat_timer *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	timer_setup(&st->timer, splat_timer_fn, 0);
	mod_timer(&st->timer, jiffies + 3600 * HZ);
	/* debugobjects reports the armed timer, then deactivates it itself */
	kfree(st);
	return 0;
}

static int splat_kasan(void)
{
	volatile char *p = kmalloc(16, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	c = p[splat_index];
	pr_info("splat_selftest: read %d out of bounds\n", c);
	kfree((void *)p);
	return 0;
}

static int __init splat_selftest_init(void)
{
	int err;

	if (!strcmp(what, "lockdep")) {
		splat_lockdep();
		err = 0;
	} else if (!strcmp(what, "kfence")) {
		err = splat_kfence();
	} else if (!strcmp(what, "kmemleak")) {
		err = splat_kmemleak();
	} else if (!strcmp(what, "odebug")) {
		err = splat_odebug();
	} else if (!strcmp(what, "kasan")) {
		err = splat_kasan();
	} else {
		pr_err("splat_selftest: unknown what=%s\n", what);
		return -EINVAL;
	}
	/* never stay loaded: the next kind comes with the next load */
	return err ? err : -EAGAIN;
}
module_init(splat_selftest_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate kernel reports for the l4vs debug-kernel check");
