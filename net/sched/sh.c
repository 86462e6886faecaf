// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs_sh: source hashing scheduling.
 *
 * A 256-bucket table maps a hash of the client's address to a real server,
 * so one client always lands on the same server while the server set stays
 * the same.  The table is filled from the destination list in list order
 * (the newest destination first), each server taking 'weight' consecutive
 * buckets (at least one, and the list starts over until all 256 are
 * taken).  The bucket of a client is
 *
 *	hash_32(ntohs(port) + fold(saddr), 8)
 *
 * where fold() is the IPv4 address, or the XOR of the four words of an IPv6
 * one, in host order, and 'port' is the client's source port with the
 * sh-port flag (IP_VS_SVC_F_SCHED_SH_PORT), else 0.  Table and key are
 * IPVS's, so both pick the same server for the same client.
 *
 * A server with weight 0 or over its upper threshold yields no pick, unless
 * the service has the sh-fallback flag (IP_VS_SVC_F_SCHED_SH_FALLBACK): then
 * the buckets (offset + 2 * bucket) mod 256, offset = 0..255, are tried in
 * turn, IPVS's probe order, and the first usable server wins.
 *
 * The table is rebuilt in process context under the service's
 * configuration lock whenever a server is added, removed or changed, and
 * published with RCU: the packet path reads it lock-free and the old one is
 * freed after a grace period.  A pick costs one hash and one load.
 */
#include <linux/module.h>
#include <linux/hash.h>
#include <linux/slab.h>

#include <l4vs/sched.h>

#define SH_TAB_BITS	8
#define SH_TAB_SIZE	(1U << SH_TAB_BITS)
#define SH_TAB_MASK	(SH_TAB_SIZE - 1)

struct sh_table {
	struct rcu_head		rcu;
	struct l4vs_dest	*bucket[SH_TAB_SIZE];
};

struct sh_state {
	struct sh_table __rcu	*tab;
};

static unsigned int sh_hash(int af, const union nf_inet_addr *addr,
			    __be16 port, unsigned int offset)
{
	u32 key = ntohs(port) + l4vs_sched_addr_fold(af, addr);

	return (offset + hash_32(key, SH_TAB_BITS)) & SH_TAB_MASK;
}

static bool sh_unusable(const struct l4vs_dest *dest)
{
	return !l4vs_dest_available(dest) || !l4vs_dest_usable(dest);
}

static struct l4vs_dest *sh_schedule(struct l4vs_service *svc,
				     const struct sk_buff *skb,
				     const struct l4vs_iphdr *iph)
{
	struct sh_state *st = svc->sched_data;
	unsigned int h0, i, off;
	struct l4vs_dest *dest;
	struct sh_table *tab;
	__be16 port = 0;

	tab = rcu_dereference(st->tab);
	if (!tab)
		return NULL;
	if (svc->flags & IP_VS_SVC_F_SCHED_SH_PORT)
		port = l4vs_sched_src_port(iph);

	h0 = sh_hash(iph->af, &iph->saddr, port, 0);
	dest = tab->bucket[h0];
	if (!dest)
		return NULL;
	if (!sh_unusable(dest))
		return dest;
	if (!(svc->flags & IP_VS_SVC_F_SCHED_SH_FALLBACK))
		return NULL;

	for (i = 0; i < SH_TAB_SIZE; i++) {
		off = (i + h0) & SH_TAB_MASK;
		dest = tab->bucket[sh_hash(iph->af, &iph->saddr, port, off)];
		if (!sh_unusable(dest))
			return dest;
	}
	return NULL;
}

/*
 * Pure table fill: bucket b belongs to the destination at list position
 * owner[b].  Each position keeps max(weight, 1) buckets in a row.
 */
static void sh_fill(const u32 *weight, unsigned int n, u16 *owner)
{
	unsigned int b, d = 0;
	u32 taken = 0;

	for (b = 0; b < SH_TAB_SIZE; b++) {
		owner[b] = d;
		if (++taken >= weight[d]) {
			taken = 0;
			d = (d + 1) % n;
		}
	}
}

/*
 * Build the table for the current list and publish it.  On failure the old
 * table stays, unless it may name a destination that is leaving ('leaving'
 * set): then no table is published, which is safe and makes the failure
 * visible.
 */
static int sh_rebuild(struct l4vs_service *svc, bool leaving)
{
	struct sh_state *st = svc->sched_data;
	struct l4vs_dest **dests = NULL;
	struct sh_table *tab = NULL, *old;
	u16 owner[SH_TAB_SIZE];
	struct l4vs_dest *dest;
	unsigned int n = 0, b;
	u32 *weight = NULL;
	int ret = -ENOMEM;

	l4vs_sched_assert_locked(svc);

	/* no server, no table: the packet path then picks nothing */
	if (list_empty(&svc->dests)) {
		ret = 0;
		goto publish;
	}
	tab = kzalloc(sizeof(*tab), GFP_KERNEL);
	dests = kvmalloc_array(svc->num_dests, sizeof(*dests), GFP_KERNEL);
	weight = kvmalloc_array(svc->num_dests, sizeof(*weight), GFP_KERNEL);
	if (!tab || !dests || !weight)
		goto err_free;

	l4vs_for_each_dest(svc, dest) {
		if (WARN_ON_ONCE(n >= svc->num_dests))
			break;
		dests[n] = dest;
		weight[n++] = atomic_read(&dest->weight);
	}
	sh_fill(weight, n, owner);
	for (b = 0; b < SH_TAB_SIZE; b++)
		tab->bucket[b] = dests[owner[b]];
	ret = 0;
	goto publish;

err_free:
	kfree(tab);
	tab = NULL;
	if (!leaving)
		goto out;
	pr_warn_ratelimited("out of memory, service left without a table\n");
publish:
	old = rcu_replace_pointer(st->tab, tab, l4vs_sched_locked(svc));
	if (old)
		kfree_rcu(old, rcu);
out:
	kvfree(weight);
	kvfree(dests);
	return ret;
}

static int sh_init_service(struct l4vs_service *svc)
{
	struct sh_state *st = kzalloc(sizeof(*st), GFP_KERNEL);
	int ret;

	if (!st)
		return -ENOMEM;
	svc->sched_data = st;
	ret = sh_rebuild(svc, false);
	if (ret) {
		svc->sched_data = NULL;
		kfree(st);
	}
	return ret;
}

/* Runs after a grace period (see l4vs_sched_unbind()): no reader is left. */
static void sh_done_service(struct l4vs_service *svc)
{
	struct sh_state *st = svc->sched_data;

	kfree(rcu_dereference_protected(st->tab, 1));
	kfree(st);
}

static int sh_add_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return sh_rebuild(svc, false);
}

static int sh_del_dest(struct l4vs_service *svc, struct l4vs_dest *dest)
{
	return sh_rebuild(svc, true);
}

static struct l4vs_scheduler sh_scheduler = {
	.name		= "sh",
	.module		= THIS_MODULE,
	.init_service	= sh_init_service,
	.done_service	= sh_done_service,
	.add_dest	= sh_add_dest,
	.del_dest	= sh_del_dest,
	.upd_dest	= sh_add_dest,	/* weights move buckets; nobody leaves */
	.schedule	= sh_schedule,
};

module_l4vs_scheduler(sh_scheduler);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs source hashing scheduler");
