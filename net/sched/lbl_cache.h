/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The destination-address cache of the locality-based schedulers, l4vs_lblc
 * and l4vs_lblcr.  Each includes this file and keeps its own copy (a
 * scheduler module depends on no other one).
 *
 * An entry maps a destination address of a service to up to 'nslots' real
 * servers: lblc keeps one, lblcr a small set, newest first.  Lookups walk a
 * bucket under RCU and take no lock; inserting, evicting and changing a slot
 * take the service's cache lock (one per service, never a global one), and
 * only on a miss or when the cached choice must change.
 *
 * Bounded (IPVS's caches grew with every new destination address until a
 * collector ran, which an attacker who controls destination addresses, a
 * fwmark service over a wide prefix, could outrun): a service holds at most
 * 'max' entries, cache_max when it was created (default 16384: IPVS's own
 * size target, 16 entries for each of its 1024 buckets, here a hard limit,
 * at most 2 MiB (lblc) or 3 MiB (lblcr) of entries per service).  An insert
 * into a full cache first forces out an old entry, so the bound holds at
 * every instant.  Eviction is a clock over the entries in insertion order:
 * the oldest is dropped if expired or unused since it was last looked at,
 * otherwise it moves to the young end (a second chance) and the next is
 * tried, at most LBL_SCAN of them, the last of which goes whatever its use.
 *
 * Expiry: an entry unused for net.ipv4.vs.lbl{c,cr}_expiration (IPVS's
 * knobs, seconds, default 24 h) counts as absent on lookup and is reclaimed
 * when an insert meets it at the old end.  Memory is released when the
 * service goes, or its scheduler changes (done_service, after a grace
 * period).
 *
 * Cached servers are not referenced: del_dest clears every slot that names
 * the leaving server before the core drops the list's reference, and a
 * slot is only written, under the lock, for a server still AVAILABLE (which
 * the core clears before calling del_dest), so no slot outlives its server.
 */
#ifndef _L4VS_LBL_CACHE_H
#define _L4VS_LBL_CACHE_H

#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>

#include <l4vs/sched.h>

#define LBL_BUCKET_BITS	12
#define LBL_BUCKETS	(1U << LBL_BUCKET_BITS)	/* 4 entries a bucket when full */
#define LBL_MAX_DEFAULT	16384
#define LBL_MAX_LIMIT	(1U << 20)
#define LBL_SCAN	8	/* entries an insert may look at to make room */

struct lbl_entry {
	struct hlist_node	node;		/* bucket chain, RCU */
	struct list_head	age;		/* c->age, oldest first, c->lock */
	union nf_inet_addr	addr;
	u16			af;
	unsigned long		lastuse;	/* jiffies; packets write it unlocked */
	unsigned long		stamp;		/* when put at the young end */
	unsigned long		lastmod;	/* when the slots last changed */
	struct rcu_head		rcu;
	struct l4vs_dest __rcu	*slot[];	/* newest first; NULL: empty */
};

struct lbl_cache {
	spinlock_t		lock;		/* inserts, evictions, slot changes */
	unsigned int		count;		/* entries, under lock */
	unsigned int		max;
	unsigned int		nslots;
	u32			seed;		/* crafted addresses cannot pile up */
	struct list_head	age;
	struct hlist_head	bucket[LBL_BUCKETS];
};

/* Entries in every cache of this module: the bound and the free, visible. */
static atomic_long_t lbl_live = ATOMIC_LONG_INIT(0);
static unsigned int lbl_max = LBL_MAX_DEFAULT;

static int lbl_max_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (!v || v > LBL_MAX_LIMIT)
		return -ERANGE;
	WRITE_ONCE(lbl_max, v);
	return 0;
}

static const struct kernel_param_ops lbl_max_ops = {
	.set	= lbl_max_set,
	.get	= param_get_uint,
};
module_param_cb(cache_max, &lbl_max_ops, &lbl_max, 0644);
MODULE_PARM_DESC(cache_max, "most cache entries a service may hold, 1 to 1048576 (default 16384); taken when the scheduler is bound to a service");

static int lbl_live_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&lbl_live));
}

/* a count, not a setting: refused as a load-time parameter too */
static int lbl_live_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops lbl_live_ops = {
	.set	= lbl_live_set,
	.get	= lbl_live_get,
};
module_param_cb(cache_entries, &lbl_live_ops, NULL, 0444);
MODULE_PARM_DESC(cache_entries, "cache entries held now, all services together (read-only)");

static u32 lbl_hash(const struct lbl_cache *c, int af,
		    const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		return jhash2((const u32 *)addr->ip6, 4, c->seed) &
		       (LBL_BUCKETS - 1);
	return jhash_1word((__force u32)addr->ip, c->seed) & (LBL_BUCKETS - 1);
}

static bool lbl_same(const struct lbl_entry *en, int af,
		     const union nf_inet_addr *addr)
{
	if (en->af != af)
		return false;
	if (af == AF_INET6)
		return ipv6_addr_equal(&en->addr.in6, &addr->in6);
	return en->addr.ip == addr->ip;
}

/* Packet path, under rcu_read_lock(). */
static struct lbl_entry *lbl_lookup(struct lbl_cache *c, int af,
				    const union nf_inet_addr *addr)
{
	struct lbl_entry *en;

	hlist_for_each_entry_rcu(en, &c->bucket[lbl_hash(c, af, addr)], node)
		if (lbl_same(en, af, addr))
			return en;
	return NULL;
}

static bool lbl_expired(const struct lbl_entry *en, unsigned long now,
			unsigned long expire)
{
	return time_after(now, READ_ONCE(en->lastuse) + expire);
}

/* Only a change dirties the line: hot entries are read by every CPU. */
static void lbl_touch(struct lbl_entry *en, unsigned long now)
{
	if (READ_ONCE(en->lastuse) != now)
		WRITE_ONCE(en->lastuse, now);
}

static void lbl_unlink(struct lbl_cache *c, struct lbl_entry *en)
{
	lockdep_assert_held(&c->lock);
	hlist_del_rcu(&en->node);
	list_del(&en->age);
	c->count--;
	atomic_long_dec(&lbl_live);
	kfree_rcu(en, rcu);
}

/*
 * Make room before an insert: drop expired entries at the old end, and when
 * the cache is full, force one out by the clock described at the top.
 */
static void lbl_reclaim(struct lbl_cache *c, unsigned long now,
			unsigned long expire)
{
	struct lbl_entry *en;
	unsigned int i;

	for (i = 0; i < LBL_SCAN && !list_empty(&c->age); i++) {
		en = list_first_entry(&c->age, struct lbl_entry, age);
		if (lbl_expired(en, now, expire)) {
			lbl_unlink(c, en);
			continue;
		}
		if (c->count < c->max)
			return;
		if (i + 1 < LBL_SCAN &&
		    time_after(READ_ONCE(en->lastuse), en->stamp)) {
			en->stamp = now;
			list_move_tail(&en->age, &c->age);
			continue;
		}
		lbl_unlink(c, en);
		return;
	}
}

/*
 * The entry for an address, created if missing (NULL if memory is short,
 * the caller then just does not cache).  An expired entry starts over
 * empty.  Under c->lock.
 */
static struct lbl_entry *lbl_get_locked(struct lbl_cache *c, int af,
					const union nf_inet_addr *addr,
					unsigned long now, unsigned long expire)
{
	struct hlist_head *head = &c->bucket[lbl_hash(c, af, addr)];
	struct lbl_entry *en;
	unsigned int i;

	lockdep_assert_held(&c->lock);
	hlist_for_each_entry(en, head, node) {
		if (!lbl_same(en, af, addr))
			continue;
		if (lbl_expired(en, now, expire)) {
			for (i = 0; i < c->nslots; i++)
				RCU_INIT_POINTER(en->slot[i], NULL);
			en->lastmod = now;
		}
		WRITE_ONCE(en->lastuse, now);
		return en;
	}
	lbl_reclaim(c, now, expire);
	if (c->count >= c->max)
		return NULL;
	en = kzalloc(struct_size(en, slot, c->nslots), GFP_ATOMIC | __GFP_NOWARN);
	if (!en)
		return NULL;
	en->af = af;
	en->addr = *addr;
	en->lastuse = now;
	en->stamp = now;
	en->lastmod = now;
	hlist_add_head_rcu(&en->node, head);
	list_add_tail(&en->age, &c->age);
	c->count++;
	atomic_long_inc(&lbl_live);
	return en;
}

/*
 * Put a server in a slot, unless it has left its service (then del_dest
 * has run or is waiting for this lock, and must find no slot naming it).
 */
static void lbl_slot_set(struct lbl_cache *c, struct lbl_entry *en,
			 unsigned int i, struct l4vs_dest *dest)
{
	lockdep_assert_held(&c->lock);
	if (dest && !l4vs_dest_available(dest))
		dest = NULL;
	rcu_assign_pointer(en->slot[i], dest);
}

/* del_dest: no slot may name the server once the core drops it. */
static void lbl_forget_dest(struct lbl_cache *c, struct l4vs_dest *dest,
			    void (*drop)(struct lbl_cache *c,
					 struct lbl_entry *en, unsigned int i))
{
	struct lbl_entry *en;
	unsigned int i;

	spin_lock_bh(&c->lock);
	list_for_each_entry(en, &c->age, age)
		for (i = 0; i < c->nslots; i++)
			if (rcu_access_pointer(en->slot[i]) == dest)
				drop(c, en, i);
	spin_unlock_bh(&c->lock);
}

/*
 * IPVS's test for leaving a locality: the server has more active
 * connections than its weight, and another has fewer than half its weight.
 */
static bool lbl_overloaded(struct l4vs_service *svc,
			   const struct l4vs_dest *dest)
{
	struct l4vs_dest *d;

	if (atomic_read(&dest->activeconns) <= atomic_read(&dest->weight))
		return false;
	list_for_each_entry_rcu(d, &svc->dests, n_list)
		if ((s64)atomic_read(&d->activeconns) * 2 <
		    atomic_read(&d->weight))
			return true;
	return false;
}

static int lbl_init_service(struct l4vs_service *svc, unsigned int nslots)
{
	struct lbl_cache *c = kvzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->age);
	c->max = READ_ONCE(lbl_max);
	c->nslots = nslots;
	c->seed = get_random_u32();
	svc->sched_data = c;
	return 0;
}

/* After a grace period (l4vs_sched_unbind()): no reader, no writer left. */
static void lbl_done_service(struct l4vs_service *svc)
{
	struct lbl_cache *c = svc->sched_data;
	struct lbl_entry *en, *next;

	list_for_each_entry_safe(en, next, &c->age, age) {
		atomic_long_dec(&lbl_live);
		kfree(en);
	}
	kvfree(c);
}

#endif /* _L4VS_LBL_CACHE_H */
