// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_lblc: locality-based least-connection scheduling.
 *
 * For caches and proxies that serve many destination addresses (a fwmark
 * service, or a transparent proxy farm): the connections to one destination
 * address go to one real server, so that its cache holds that site, as long
 * as the server can take them.  The server of an address is remembered in a
 * per-service cache (lbl_cache.h: bounded, expiring after
 * net.ipv4.vs.lblc_expiration) and kept while it is
 *
 *  - still in its service, with a weight and under its upper threshold, and
 *  - not overloaded: more active connections than its weight while some
 *    server of the service has fewer active connections than half its
 *    weight.
 *
 * Otherwise (or for an address not cached) the weighted least-connection
 * server (as wlc: overhead = active * 256 + inactive, per unit of weight,
 * ties to the earlier in the list) becomes the address's server.  This is
 * IPVS's lblc: the same pick for the same sequence.
 *
 * A cached pick costs one hash lookup and, when the server is busy, one walk
 * of the servers; a miss a walk and an insert under the service's lock.
 */
#include <linux/module.h>

#include "lbl_cache.h"

static struct l4vs_dest *lblc_schedule(struct l4vs_service *svc,
				       const struct sk_buff *skb,
				       const struct l4vs_iphdr *iph)
{
	unsigned long expire, now = jiffies;
	struct lbl_cache *c = svc->sched_data;
	struct l4vs_dest *dest;
	struct lbl_entry *en;

	expire = l4vs_sched_expiration(svc, L4VS_SCHED_LBLC_EXPIRATION);
	en = lbl_lookup(c, iph->af, &iph->daddr);
	if (en && !lbl_expired(en, now, expire)) {
		dest = rcu_dereference(en->slot[0]);
		if (dest && l4vs_sched_candidate(dest) &&
		    !lbl_overloaded(svc, dest)) {
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
		lbl_slot_set(c, en, 0, dest);
	spin_unlock(&c->lock);
	return dest;
}

/* The address keeps its entry and gets a new server on its next lookup. */
static void lblc_drop_slot(struct lbl_cache *c, struct lbl_entry *en,
			   unsigned int i)
{
	RCU_INIT_POINTER(en->slot[i], NULL);
}

static int lblc_init_service(struct l4vs_service *svc)
{
	return lbl_init_service(svc, 1);
}

static int lblc_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	lbl_forget_dest(svc->sched_data, dest, lblc_drop_slot);
	return 0;
}

static struct l4vs_scheduler lblc_scheduler = {
	.name		= "lblc",
	.module		= THIS_MODULE,
	.init_service	= lblc_init_service,
	.done_service	= lbl_done_service,
	.del_dest	= lblc_del_dest,
	.schedule	= lblc_schedule,
};

module_l4vs_scheduler(lblc_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs locality-based least-connection scheduler");
