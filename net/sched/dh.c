// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_dh: destination hashing scheduling.
 *
 * A 256-bucket table maps a hash of the packet's destination address to a
 * real server, so every connection towards one address (a cache cluster
 * behind a firewall mark service, typically) lands on the same server.  The
 * table is filled from the destination list in list order (the newest
 * destination first), one bucket per server, the list starting over until
 * all 256 are taken; weights do not shape the table.  The bucket of a
 * packet is
 *
 *	hash_32(fold(daddr), 8)
 *
 * where fold() is the IPv4 address, or the XOR of the four words of an IPv6
 * one, in host order.  Table and key are IPVS's, so both pick the same
 * server for the same address.  A server with weight 0, over its upper
 * threshold or being removed yields no pick; there is no fallback.
 *
 * The table depends only on the list, so it is rebuilt (in process context,
 * under the service's configuration lock) when a server is added or
 * removed, and published with RCU: the packet path reads it lock-free and
 * the old one is freed after a grace period.  A pick costs one hash and one load.
 */
#include <linux/module.h>
#include <linux/hash.h>
#include <linux/slab.h>

#include <l4vs/sched.h>

#define DH_TAB_BITS	8
#define DH_TAB_SIZE	(1U << DH_TAB_BITS)

struct dh_table {
	struct rcu_head		rcu;
	struct l4vs_dest	*bucket[DH_TAB_SIZE];
};

struct dh_state {
	struct dh_table __rcu	*tab;
};

static struct l4vs_dest *dh_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	struct dh_state *st = svc->sched_data;
	struct l4vs_dest *dest;
	struct dh_table *tab;
	u32 key;

	tab = rcu_dereference(st->tab);
	if (!tab)
		return NULL;
	key = l4vs_sched_addr_fold(iph->af, &iph->daddr);
	dest = tab->bucket[hash_32(key, DH_TAB_BITS)];
	if (!dest || !l4vs_dest_available(dest) || !l4vs_dest_usable(dest))
		return NULL;
	return dest;
}

/*
 * Build the table for the current list and publish it.  On failure the old
 * table stays, unless it may name a destination that is leaving ('leaving'
 * set): then no table is published, which is safe and makes the failure
 * visible.
 */
static int dh_rebuild(struct l4vs_service *svc, bool leaving)
{
	struct dh_state *st = svc->sched_data;
	struct dh_table *tab = NULL, *old;
	struct list_head *p = &svc->dests;
	unsigned int b;

	l4vs_sched_assert_locked(svc);

	if (!list_empty(&svc->dests)) {
		tab = kzalloc(sizeof(*tab), GFP_KERNEL);
		if (!tab) {
			if (!leaving)
				return -ENOMEM;
			pr_warn_ratelimited("out of memory, service left without a table\n");
		}
	}
	/* deal the servers out one bucket each, round and round the list */
	for (b = 0; tab && b < DH_TAB_SIZE; b++) {
		p = p->next;
		if (p == &svc->dests)
			p = p->next;
		tab->bucket[b] = list_entry(p, struct l4vs_dest, n_list);
	}
	old = rcu_replace_pointer(st->tab, tab, l4vs_sched_locked(svc));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int dh_init_service(struct l4vs_service *svc)
{
	struct dh_state *st = kzalloc(sizeof(*st), GFP_KERNEL);
	int ret;

	if (!st)
		return -ENOMEM;
	svc->sched_data = st;
	ret = dh_rebuild(svc, false);
	if (ret) {
		svc->sched_data = NULL;
		kfree(st);
	}
	return ret;
}

/* Runs after a grace period (see l4vs_sched_unbind()): no reader is left. */
static void dh_done_service(struct l4vs_service *svc)
{
	struct dh_state *st = svc->sched_data;

	kfree(rcu_dereference_protected(st->tab, 1));
	kfree(st);
}

static int dh_add_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return dh_rebuild(svc, false);
}

static int dh_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return dh_rebuild(svc, true);
}

static struct l4vs_scheduler dh_scheduler = {
	.name		= "dh",
	.module		= THIS_MODULE,
	.init_service	= dh_init_service,
	.done_service	= dh_done_service,
	.add_dest	= dh_add_dest,
	.del_dest	= dh_del_dest,
	.schedule	= dh_schedule,
};

module_l4vs_scheduler(dh_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs destination hashing scheduler");
