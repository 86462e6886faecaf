// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: virtual services and their destinations.
 *
 * Writers hold ln->lock (a mutex; only the control plane writes).  The
 * packet path finds services and walks destinations under RCU, so an object
 * is always complete before it is linked, and is freed only once its last
 * reference is gone and no reader can still see it (see svc_put()).
 *
 * References: the service table owns one reference on each service, every
 * destination owns one on its service, and a service's destination list owns
 * one on each destination.  Connections own references on destinations
 * (taken and dropped by conn.c), which is why a removed destination can
 * outlive its place in the list, and its service can outlive the table.
 */

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "l4vs.h"
#include "route.h"
#include "conn.h"

/* Flags a client may set; HASHED is ours to report, not theirs to choose. */
#define SVC_USER_FLAGS	(IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET | \
			 IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 | \
			 IP_VS_SVC_F_SCHED3)

static u32 addr_fold(int af, const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		return (__force u32)(addr->ip6[0] ^ addr->ip6[1] ^
				     addr->ip6[2] ^ addr->ip6[3]);
	return (__force u32)addr->ip;
}

static unsigned int svc_hash(const struct l4vs_net *ln, int af, u16 proto,
			     const union nf_inet_addr *addr, __be16 port)
{
	u32 h = jhash_3words(addr_fold(af, addr),
			     ((u32)(__force u16)port << 16) | proto, af,
			     ln->svc_seed);

	return hash_32(h, L4VS_SVC_TAB_BITS);
}

/* Fwmark services share the table; a different initval keeps the two key
 * spaces from piling into the same chains.
 */
static unsigned int svc_hash_fwmark(const struct l4vs_net *ln, int af,
				    u32 fwmark)
{
	return hash_32(jhash_2words(fwmark, af, ~ln->svc_seed),
		       L4VS_SVC_TAB_BITS);
}

/* Only the first word of an IPv4 address is meaningful, whatever follows. */
static bool addr_equal(int af, const union nf_inet_addr *a,
		       const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

/* Stored IPv4 addresses are zero past the first word, as clients expect. */
static void addr_copy(int af, union nf_inet_addr *dst,
		      const union nf_inet_addr *src)
{
	if (af == AF_INET6) {
		*dst = *src;
	} else {
		memset(dst, 0, sizeof(*dst));
		dst->ip = src->ip;
	}
}

static bool svc_matches(const struct l4vs_service *svc, int af, u16 proto,
			const union nf_inet_addr *addr, __be16 port)
{
	return !svc->fwmark && svc->af == af && svc->protocol == proto &&
	       svc->port == port && addr_equal(af, &svc->addr, addr);
}

struct l4vs_service *l4vs_service_find(struct l4vs_net *ln, int af, u16 proto,
				       const union nf_inet_addr *addr,
				       __be16 port)
{
	unsigned int h = svc_hash(ln, af, proto, addr, port);
	struct l4vs_service *svc;

	hlist_for_each_entry_rcu(svc, &ln->svc_tab[h], s_list,
				 lockdep_is_held(&ln->lock))
		if (svc_matches(svc, af, proto, addr, port))
			return svc;
	return NULL;
}

struct l4vs_service *l4vs_service_find_fwmark(struct l4vs_net *ln, int af,
					      u32 fwmark)
{
	unsigned int h = svc_hash_fwmark(ln, af, fwmark);
	struct l4vs_service *svc;

	hlist_for_each_entry_rcu(svc, &ln->svc_tab[h], s_list,
				 lockdep_is_held(&ln->lock))
		if (svc->fwmark == fwmark && svc->af == af)
			return svc;
	return NULL;
}

struct l4vs_service *l4vs_service_lookup(struct l4vs_net *ln,
					 const struct l4vs_service_conf *c)
{
	lockdep_assert_held(&ln->lock);

	if (c->fwmark)
		return l4vs_service_find_fwmark(ln, c->af, c->fwmark);
	return l4vs_service_find(ln, c->af, c->protocol, &c->addr, c->port);
}

/*
 * No grace period of its own: the table's reference is dropped only a grace
 * period after the service was unhashed, and every destination's reference
 * only after its own grace period (dest_free_rcu()), so by the time the
 * count reaches zero no reader can hold the pointer.  Not deferring also
 * keeps RCU callbacks from queueing more callbacks, which rcu_barrier() at
 * module exit would not wait for.
 */
static void svc_put(struct l4vs_service *svc)
{
	if (refcount_dec_and_test(&svc->refcnt)) {
		l4vs_stats_destroy(&svc->stats);
		kfree(svc);
	}
}

static void dest_free_rcu(struct rcu_head *head)
{
	struct l4vs_dest *dest = container_of(head, struct l4vs_dest, rcu);
	struct l4vs_service *svc = dest->svc;

	l4vs_dest_route_drop(dest);
	l4vs_stats_destroy(&dest->stats);
	kfree(dest);
	svc_put(svc);
}

/*
 * The last reference may be dropped on the packet path (a connection
 * expiring) while readers still hold the pointer under RCU: defer the free.
 */
void l4vs_dest_release(struct l4vs_dest *dest)
{
	call_rcu(&dest->rcu, dest_free_rcu);
}

static struct l4vs_scheduler *svc_sched(struct l4vs_service *svc)
{
	return rcu_dereference_protected(svc->scheduler,
					 lockdep_is_held(&svc->ln->lock));
}

/* Common checks of the settings a client gives on add and on edit. */
static int svc_conf_check(const struct l4vs_service_conf *c,
			  struct netlink_ext_ack *extack)
{
	u32 mask;

	if (c->af != AF_INET && c->af != AF_INET6) {
		NL_SET_ERR_MSG(extack, "address family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (!c->fwmark && !l4vs_proto_supported(c->protocol)) {
		NL_SET_ERR_MSG(extack, "protocol not supported: use TCP, UDP or SCTP");
		return -EPROTONOSUPPORT;
	}
	if (c->flags & ~SVC_USER_FLAGS) {
		NL_SET_ERR_MSG(extack, "unknown service flags");
		return -EINVAL;
	}
	if (c->timeout > L4VS_PERSIST_TIMEOUT_MAX) {
		NL_SET_ERR_MSG(extack, "persistence timeout too large");
		return -EINVAL;
	}
	if (c->af == AF_INET6) {
		mask = (__force u32)c->netmask;
		if (mask < 1 || mask > 128) {
			NL_SET_ERR_MSG(extack,
				       "IPv6 persistence netmask must be a prefix length 1..128");
			return -EINVAL;
		}
	} else {
		/* a netmask is a run of ones, then zeroes */
		mask = ntohl(c->netmask);
		if (mask & (~mask >> 1)) {
			NL_SET_ERR_MSG(extack, "persistence netmask is not contiguous");
			return -EINVAL;
		}
	}
	return 0;
}

static struct l4vs_scheduler *sched_find(const char *name,
					 struct netlink_ext_ack *extack)
{
	struct l4vs_scheduler *sched = l4vs_sched_get(name);

	if (IS_ERR_OR_NULL(sched)) {
		L4VS_SET_ERR_MSG_FMT(extack, "scheduler not found",
				     "scheduler %s not found", name);
		return ERR_PTR(-ENOENT);
	}
	return sched;
}

static void svc_apply(struct l4vs_service *svc, const struct l4vs_service_conf *c)
{
	WRITE_ONCE(svc->flags, c->flags);
	WRITE_ONCE(svc->timeout, c->timeout * HZ);
	WRITE_ONCE(svc->netmask, c->netmask);
}

int l4vs_service_add(struct l4vs_net *ln, const struct l4vs_service_conf *c,
		     struct netlink_ext_ack *extack)
{
	struct l4vs_scheduler *sched;
	struct l4vs_service *svc;
	unsigned int h;
	int ret;

	lockdep_assert_held(&ln->lock);

	/* the key is free: the caller looked it up under the same lock */
	ret = svc_conf_check(c, extack);
	if (ret)
		return ret;

	sched = sched_find(c->sched_name, extack);
	if (IS_ERR(sched))
		return PTR_ERR(sched);

	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	if (!svc) {
		ret = -ENOMEM;
		goto err_put_sched;
	}
	ret = l4vs_stats_init(&svc->stats);
	if (ret)
		goto err_free_svc;

	svc->ln = ln;
	svc->af = c->af;
	svc->fwmark = c->fwmark;
	/* IPVS reports fwmark services as TCP with no address or port */
	svc->protocol = c->fwmark ? IPPROTO_TCP : c->protocol;
	if (!c->fwmark) {
		addr_copy(c->af, &svc->addr, &c->addr);
		svc->port = c->port;
	}
	svc_apply(svc, c);
	INIT_LIST_HEAD(&svc->dests);
	INIT_LIST_HEAD(&svc->trash);
	refcount_set(&svc->refcnt, 1);	/* the table's */

	ret = l4vs_sched_bind(svc, sched);
	if (ret) {
		NL_SET_ERR_MSG(extack, "scheduler failed to initialise the service");
		goto err_destroy_stats;
	}
	ret = l4vs_hooks_get(ln);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
		goto err_unbind;
	}

	if (svc->fwmark)
		h = svc_hash_fwmark(ln, svc->af, svc->fwmark);
	else
		h = svc_hash(ln, svc->af, svc->protocol, &svc->addr, svc->port);
	hlist_add_head_rcu(&svc->s_list, &ln->svc_tab[h]);
	ln->num_services++;
	return 0;

err_unbind:
	/* never published: unbind's grace period is harmless but not needed */
	__l4vs_sched_unbind(svc);
	sched = NULL;	/* the binding owned the module reference */
err_destroy_stats:
	l4vs_stats_destroy(&svc->stats);
err_free_svc:
	kfree(svc);
err_put_sched:
	if (sched)
		l4vs_sched_put(sched);
	return ret;
}

/*
 * Swap schedulers.  Both would share svc->sched_data, so the old one is
 * unbound (which waits out any schedule() call in flight) before the new one
 * binds; meanwhile the packet path sees no scheduler and schedules nothing.
 * If the new one cannot bind, the old one is bound again.
 */
static int svc_sched_swap(struct l4vs_service *svc, const char *name,
			  struct netlink_ext_ack *extack)
{
	struct l4vs_scheduler *old = svc_sched(svc);
	struct l4vs_scheduler *new, *again;
	int ret;

	if (old && !strcmp(old->name, name))
		return 0;

	new = sched_find(name, extack);
	if (IS_ERR(new))
		return PTR_ERR(new);

	/* a second reference on the old one, for the way back */
	again = old ? l4vs_sched_get(old->name) : NULL;
	if (old && IS_ERR_OR_NULL(again)) {
		l4vs_sched_put(new);
		NL_SET_ERR_MSG(extack, "cannot hold the current scheduler");
		return -ENOENT;
	}

	if (old)
		l4vs_sched_unbind(svc);
	ret = l4vs_sched_bind(svc, new);
	if (!ret) {
		if (again)
			l4vs_sched_put(again);
		return 0;
	}

	l4vs_sched_put(new);
	NL_SET_ERR_MSG(extack, "new scheduler failed to initialise the service");
	if (again && l4vs_sched_bind(svc, again)) {
		l4vs_sched_put(again);
		pr_warn("service left without a scheduler after a failed swap\n");
	}
	return ret;
}

int l4vs_service_edit(struct l4vs_service *svc,
		      const struct l4vs_service_conf *c,
		      struct netlink_ext_ack *extack)
{
	int ret;

	lockdep_assert_held(&svc->ln->lock);

	ret = svc_conf_check(c, extack);
	if (ret)
		return ret;
	ret = svc_sched_swap(svc, c->sched_name, extack);
	if (ret)
		return ret;
	svc_apply(svc, c);
	return 0;
}

/*
 * Take a destination out of service.  Readers that found it under RCU may
 * keep using it: the free waits for them (see l4vs_dest_release()).  While
 * connections still hold it, the list's reference moves to the service's
 * trash, so that the same server added back picks its connections up again
 * (as IPVS does: a health checker's flap must not break them); otherwise
 * it is dropped.
 */
static void dest_unlink(struct l4vs_dest *dest)
{
	struct l4vs_service *svc = dest->svc;
	struct l4vs_scheduler *sched = svc_sched(svc);

	clear_bit(ilog2(L4VS_DEST_F_AVAILABLE), &dest->flags);
	/* its route must not hold a device while connections hold it */
	l4vs_dest_route_drop(dest);
	list_del_rcu(&dest->n_list);
	svc->num_dests--;
	if (sched && sched->del_dest)
		sched->del_dest(svc, dest);
	if (refcount_read(&dest->refcnt) > 1)
		list_add(&dest->t_list, &svc->trash);
	else
		l4vs_dest_put(dest);
}

/* Drop the trash's references: all of them, or those nothing else holds. */
static void svc_trash_purge(struct l4vs_service *svc, bool all)
{
	struct l4vs_dest *dest, *next;

	list_for_each_entry_safe(dest, next, &svc->trash, t_list) {
		if (!all && refcount_read(&dest->refcnt) > 1)
			continue;
		list_del(&dest->t_list);
		l4vs_dest_put(dest);
	}
}

static void svc_unlink(struct l4vs_service *svc)
{
	struct l4vs_dest *dest, *next;

	hlist_del_rcu(&svc->s_list);
	svc->ln->num_services--;
	list_for_each_entry_safe(dest, next, &svc->dests, n_list)
		dest_unlink(dest);
	svc_trash_purge(svc, true);
}

void l4vs_service_del(struct l4vs_service *svc)
{
	struct l4vs_net *ln = svc->ln;

	lockdep_assert_held(&ln->lock);

	svc_unlink(svc);
	/* unconditional, even without a scheduler: svc_put() relies on it */
	synchronize_rcu();
	__l4vs_sched_unbind(svc);
	l4vs_hooks_put(ln);
	svc_put(svc);
}

/*
 * Unlinking everything first lets one grace period cover every service.
 * Their s_list links must stay intact for readers until then, so the
 * services are remembered in a separate array; without memory for it, fall
 * back to one grace period per service.
 */
void l4vs_service_flush(struct l4vs_net *ln)
{
	struct l4vs_service **dead, *svc;
	unsigned int i, n = 0;
	struct hlist_node *tmp;

	lockdep_assert_held(&ln->lock);

	if (!ln->num_services)
		return;
	dead = kvmalloc_array(ln->num_services, sizeof(*dead), GFP_KERNEL);

	for (i = 0; i < L4VS_SVC_TAB_SIZE; i++) {
		hlist_for_each_entry_safe(svc, tmp, &ln->svc_tab[i], s_list) {
			if (!dead) {
				l4vs_service_del(svc);
				continue;
			}
			svc_unlink(svc);
			dead[n++] = svc;
		}
	}
	if (!dead)
		return;

	synchronize_rcu();
	for (i = 0; i < n; i++) {
		__l4vs_sched_unbind(dead[i]);
		l4vs_hooks_put(ln);
		svc_put(dead[i]);
	}
	kvfree(dead);
}

static int dest_conf_check(const struct l4vs_service *svc,
			   const struct l4vs_dest_conf *c,
			   struct netlink_ext_ack *extack)
{
	if (c->af != AF_INET && c->af != AF_INET6) {
		NL_SET_ERR_MSG(extack, "destination address family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (c->fwd > IP_VS_CONN_F_DROUTE) {
		NL_SET_ERR_MSG(extack, "unknown forwarding method");
		return -EINVAL;
	}
	/* only a tunnel can carry one family inside the other */
	if (c->af != svc->af && c->fwd != IP_VS_CONN_F_TUNNEL) {
		NL_SET_ERR_MSG(extack,
			       "destination family differs from the service's: only tunnelling can do that");
		return -EINVAL;
	}
	if (c->weight > L4VS_WEIGHT_MAX) {
		NL_SET_ERR_MSG(extack, "weight out of range");
		return -ERANGE;
	}
	if (c->l_threshold > c->u_threshold) {
		NL_SET_ERR_MSG(extack, "lower threshold is above the upper threshold");
		return -ERANGE;
	}
	if (c->tun_type >= IP_VS_CONN_F_TUNNEL_TYPE_MAX) {
		NL_SET_ERR_MSG(extack, "unknown tunnel type");
		return -EINVAL;
	}
	if (c->tun_flags & ~(IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
			     IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)) {
		NL_SET_ERR_MSG(extack, "unknown tunnel flags");
		return -EINVAL;
	}
	if (c->fwd == IP_VS_CONN_F_TUNNEL &&
	    c->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE && !c->tun_port) {
		NL_SET_ERR_MSG(extack, "GUE tunnel needs a tunnel port");
		return -EINVAL;
	}
	return 0;
}

static bool dest_is(const struct l4vs_dest *dest, int af,
		    const union nf_inet_addr *addr, __be16 port)
{
	return dest->af == af && dest->port == port &&
	       addr_equal(af, &dest->addr, addr);
}

struct l4vs_dest *l4vs_dest_lookup(struct l4vs_service *svc, int af,
				   const union nf_inet_addr *addr, __be16 port)
{
	struct l4vs_dest *dest;

	lockdep_assert_held(&svc->ln->lock);

	l4vs_for_each_dest(svc, dest)
		if (dest_is(dest, af, addr, port))
			return dest;
	return NULL;
}

/*
 * The same server removed earlier and still held by connections: take it
 * out of the trash (with the trash's reference, now the list's).  A grace
 * period since it was unlinked lets no reader still walk the list through
 * it when it is linked again.
 */
static struct l4vs_dest *dest_from_trash(struct l4vs_service *svc,
					 const struct l4vs_dest_conf *c)
{
	struct l4vs_dest *dest;

	list_for_each_entry(dest, &svc->trash, t_list) {
		if (dest_is(dest, c->af, &c->addr, c->port)) {
			list_del(&dest->t_list);
			synchronize_rcu();
			return dest;
		}
	}
	return NULL;
}

/* Settings that add and edit share; readers may see them change one by one. */
static void dest_apply(struct l4vs_dest *dest, const struct l4vs_dest_conf *c)
{
	atomic_set(&dest->conn_flags, c->fwd & IP_VS_CONN_F_FWD_MASK);
	atomic_set(&dest->weight, c->weight);
	WRITE_ONCE(dest->u_threshold, c->u_threshold);
	WRITE_ONCE(dest->l_threshold, c->l_threshold);
	WRITE_ONCE(dest->tun_type, c->tun_type);
	WRITE_ONCE(dest->tun_port, c->tun_port);
	WRITE_ONCE(dest->tun_flags, c->tun_flags);
	/*
	 * New limits: re-evaluate with the same hysteresis as the packet path
	 * (an overload ends below -y, or 3/4 of -x), as current IPVS does.
	 */
	l4vs_dest_update_overload(dest);
}

int l4vs_dest_add(struct l4vs_service *svc, const struct l4vs_dest_conf *c,
		  struct netlink_ext_ack *extack)
{
	struct l4vs_scheduler *sched = svc_sched(svc);
	struct l4vs_dest *dest;
	int ret;

	lockdep_assert_held(&svc->ln->lock);

	ret = dest_conf_check(svc, c, extack);
	if (ret)
		return ret;
	if (l4vs_dest_lookup(svc, c->af, &c->addr, c->port)) {
		NL_SET_ERR_MSG(extack, "destination already exists");
		return -EEXIST;
	}

	svc_trash_purge(svc, false);
	dest = dest_from_trash(svc, c);
	if (dest) {
		dest_apply(dest, c);
		goto link;
	}

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	if (!dest)
		return -ENOMEM;
	ret = l4vs_stats_init(&dest->stats);
	if (ret)
		goto err_free_dest;

	dest->af = c->af;
	addr_copy(c->af, &dest->addr, &c->addr);
	dest->port = c->port;
	dest_apply(dest, c);
	refcount_set(&dest->refcnt, 1);		/* the list's */
	refcount_inc(&svc->refcnt);
	dest->svc = svc;
link:
	set_bit(ilog2(L4VS_DEST_F_AVAILABLE), &dest->flags);

	/* at the head, as IPVS does: schedulers break ties in list order */
	list_add_rcu(&dest->n_list, &svc->dests);
	svc->num_dests++;
	if (sched && sched->add_dest) {
		ret = sched->add_dest(svc, dest);
		if (ret) {
			NL_SET_ERR_MSG(extack, "scheduler refused the destination");
			/* published already: take it back the RCU way */
			clear_bit(ilog2(L4VS_DEST_F_AVAILABLE), &dest->flags);
			list_del_rcu(&dest->n_list);
			svc->num_dests--;
			l4vs_dest_put(dest);
			return ret;
		}
	}
	return 0;

err_free_dest:
	kfree(dest);
	return ret;
}

int l4vs_dest_edit(struct l4vs_dest *dest, const struct l4vs_dest_conf *c,
		   struct netlink_ext_ack *extack)
{
	struct l4vs_service *svc = dest->svc;
	struct l4vs_scheduler *sched = svc_sched(svc);
	int ret;

	lockdep_assert_held(&svc->ln->lock);

	ret = dest_conf_check(svc, c, extack);
	if (ret)
		return ret;
	dest_apply(dest, c);
	if (sched && sched->upd_dest)
		sched->upd_dest(svc, dest);
	return 0;
}

void l4vs_dest_del(struct l4vs_dest *dest)
{
	lockdep_assert_held(&dest->svc->ln->lock);

	svc_trash_purge(dest->svc, false);
	dest_unlink(dest);
}

static void svc_zero(struct l4vs_service *svc)
{
	struct l4vs_dest *dest;

	l4vs_stats_zero(&svc->stats);
	l4vs_for_each_dest(svc, dest)
		l4vs_stats_zero(&dest->stats);
}

void l4vs_service_zero(struct l4vs_net *ln, struct l4vs_service *svc)
{
	unsigned int i;

	lockdep_assert_held(&ln->lock);

	if (svc) {
		svc_zero(svc);
		return;
	}
	l4vs_for_each_service(ln, i, svc)
		svc_zero(svc);
	l4vs_stats_zero(&ln->tot_stats);
}

int l4vs_service_net_init(struct l4vs_net *ln)
{
	unsigned int i;

	for (i = 0; i < L4VS_SVC_TAB_SIZE; i++)
		INIT_HLIST_HEAD(&ln->svc_tab[i]);
	ln->num_services = 0;
	ln->svc_seed = get_random_u32();
	return 0;
}

void l4vs_service_net_exit(struct l4vs_net *ln)
{
	mutex_lock(&ln->lock);
	l4vs_service_flush(ln);
	mutex_unlock(&ln->lock);
}
