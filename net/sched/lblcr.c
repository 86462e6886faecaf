// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_lblcr: locality-based least-connection with replication.
 *
 * As lblc, but a destination address has a set of real servers: a site too
 * busy for one cache server is replicated on more.  For an address:
 *
 *  - the pick is the set's least-loaded member (active * 256 + inactive per
 *    unit of weight, ties to the newest member) that is in its service, with
 *    a weight and under its upper threshold;
 *  - when that member is overloaded (more active connections than its
 *    weight while some server of the service has fewer than half its
 *    weight), or the set has none, the weighted least-connection server of
 *    the whole service is picked and joins the set;
 *  - a set of more than one member that has not changed for
 *    net.ipv4.vs.lblcr_expiration loses its most loaded member, so a set
 *    shrinks back once the rush is over.
 *
 * This is IPVS's lblcr: the same pick for the same sequence.  Two bounds
 * IPVS lacks: the cache (lbl_cache.h) and the set, at most LBLCR_SET_MAX
 * members; a full set makes room by dropping its most loaded member (or one
 * that can no longer serve) before a new one joins.  Members are slots of
 * the cache entry, newest first, changed under the service's cache lock and
 * read under RCU (a reader racing a change may see a member twice or miss
 * one, which only makes that one pick slightly worse).
 */
#include <linux/module.h>

#include "lbl_cache.h"

/*
 * Eight: a set grows only while every member is overloaded, i.e. past the
 * point where replication helps locality; an entry stays within 192 bytes.
 */
#define LBLCR_SET_MAX	8

/* Ties keep the earlier, i.e. the newest, member. */
static bool lblcr_heavier(const struct l4vs_dest *a, const struct l4vs_dest *b)
{
	return (s64)l4vs_sched_conn_overhead(a) * atomic_read(&b->weight) >
	       (s64)l4vs_sched_conn_overhead(b) * atomic_read(&a->weight);
}

/* Under RCU: the least loaded member that may take a connection. */
static struct l4vs_dest *lblcr_set_min(struct lbl_entry *en)
{
	struct l4vs_dest *d, *least = NULL;
	unsigned int i;

	for (i = 0; i < LBLCR_SET_MAX; i++) {
		d = rcu_dereference(en->slot[i]);
		if (!d || !l4vs_sched_candidate(d))
			continue;
		if (!least || lblcr_heavier(least, d))
			least = d;
	}
	return least;
}

static unsigned int lblcr_set_size(struct lbl_entry *en)
{
	unsigned int i, n = 0;

	for (i = 0; i < LBLCR_SET_MAX; i++)
		n += !!rcu_access_pointer(en->slot[i]);
	return n;
}

/* Under the lock: the member to drop, one that cannot serve first. */
static int lblcr_set_victim(struct lbl_entry *en)
{
	struct l4vs_dest *d, *most = NULL;
	int i, at = -1;

	for (i = 0; i < LBLCR_SET_MAX; i++) {
		d = rcu_access_pointer(en->slot[i]);
		if (!d)
			continue;
		if (!l4vs_sched_candidate(d))
			return i;
		if (!most || lblcr_heavier(d, most)) {
			most = d;
			at = i;
		}
	}
	return at;
}

/* Under the lock: close the gap at slot i, keeping the order. */
static void lblcr_erase(struct lbl_cache *c, struct lbl_entry *en,
			unsigned int i)
{
	for (; i + 1 < LBLCR_SET_MAX; i++)
		rcu_assign_pointer(en->slot[i],
				   rcu_access_pointer(en->slot[i + 1]));
	RCU_INIT_POINTER(en->slot[LBLCR_SET_MAX - 1], NULL);
	WRITE_ONCE(en->lastmod, jiffies);
}

/* Under the lock: dest joins the set as its newest member. */
static void lblcr_join(struct lbl_cache *c, struct lbl_entry *en,
		       struct l4vs_dest *dest, unsigned long now)
{
	int i;

	for (i = 0; i < LBLCR_SET_MAX; i++)
		if (rcu_access_pointer(en->slot[i]) == dest)
			return;
	if (!l4vs_dest_available(dest))
		return;
	if (rcu_access_pointer(en->slot[LBLCR_SET_MAX - 1])) {
		i = lblcr_set_victim(en);
		lblcr_erase(c, en, i < 0 ? LBLCR_SET_MAX - 1 : i);
	}
	for (i = LBLCR_SET_MAX - 1; i > 0; i--)
		rcu_assign_pointer(en->slot[i],
				   rcu_access_pointer(en->slot[i - 1]));
	lbl_slot_set(c, en, 0, dest);
	WRITE_ONCE(en->lastmod, now);
}

/* A set unchanged for the expiration time gives up its busiest member. */
static void lblcr_shrink(struct lbl_cache *c, struct lbl_entry *en,
			 unsigned long now, unsigned long expire)
{
	int i;

	if (lblcr_set_size(en) < 2 ||
	    !time_after(now, READ_ONCE(en->lastmod) + expire))
		return;
	spin_lock(&c->lock);
	if (lblcr_set_size(en) > 1 &&
	    time_after(now, en->lastmod + expire)) {
		i = lblcr_set_victim(en);
		if (i >= 0)
			lblcr_erase(c, en, i);
	}
	spin_unlock(&c->lock);
}

static struct l4vs_dest *lblcr_schedule(struct l4vs_service *svc,
					const struct sk_buff *skb,
					const struct l4vs_iphdr *iph)
{
	unsigned long expire, now = jiffies;
	struct lbl_cache *c = svc->sched_data;
	struct l4vs_dest *dest;
	struct lbl_entry *en;

	expire = l4vs_sched_expiration(svc, L4VS_SCHED_LBLCR_EXPIRATION);
	en = lbl_lookup(c, iph->af, &iph->daddr);
	if (en && !lbl_expired(en, now, expire)) {
		dest = lblcr_set_min(en);
		lblcr_shrink(c, en, now, expire);
		if (dest && !lbl_overloaded(svc, dest)) {
			lbl_touch(en, now);
			return dest;
		}
	}

	dest = l4vs_sched_least(svc, l4vs_sched_conn_overhead_s64, true);
	if (!dest)
		return NULL;
	spin_lock(&c->lock);
	en = lbl_get_locked(c, iph->af, &iph->daddr, now, expire);
	if (en)
		lblcr_join(c, en, dest, now);
	spin_unlock(&c->lock);
	return dest;
}

static int lblcr_init_service(struct l4vs_service *svc)
{
	return lbl_init_service(svc, LBLCR_SET_MAX);
}

static int lblcr_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	lbl_forget_dest(svc->sched_data, dest, lblcr_erase);
	return 0;
}

static struct l4vs_scheduler lblcr_scheduler = {
	.name		= "lblcr",
	.module		= THIS_MODULE,
	.init_service	= lblcr_init_service,
	.done_service	= lbl_done_service,
	.del_dest	= lblcr_del_dest,
	.schedule	= lblcr_schedule,
};

module_l4vs_scheduler(lblcr_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs locality-based least-connection with replication scheduler");
