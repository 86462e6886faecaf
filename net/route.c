// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: routes to the real servers, cached per destination.
 *
 * Every forwarded packet needs the route to its server, and a routing
 * lookup per packet costs about as much as the rest of the forwarding path
 * (for direct routing the kernel does not even keep the result: a route
 * with a known next hop is built afresh each time).  So each destination
 * keeps the last route it got, with the key it was looked up for.  Packets
 * borrow it without taking a reference (skb_dst_set_noref(): the netfilter
 * hooks run under RCU and a dst is freed only after a grace period), once
 * dst_check() has confirmed that the routing tables have not changed
 * beneath it (IPv4 generation, IPv6 fib6 cookie, PMTU exceptions).
 *
 * The key is what the operator controls: the packet mark (policy routing
 * by fwmark, e.g. per service) and the lookup flags.  Not the TOS: it is
 * the client's to choose, and a client alternating DSCP values would make
 * every packet miss the cache and pay a lookup.  The route to a real
 * server is a property of the server, so it is looked up without TOS (as
 * IPv6 always was here, and as IPVS keeps one route per server); "ip rule
 * ... tos" does not steer forwarded traffic to real servers.
 *
 * A cached route pins its device.  A device going down or away therefore
 * drops every cached route of its namespace, and a destination leaving its
 * service drops its own, so nothing here holds up a device unregistration
 * (or a namespace's teardown).  Filling a cache races with both: the filler
 * publishes first, then re-reads the namespace's route generation and the
 * destination's availability, and withdraws its entry if either moved.
 */
#include <linux/netdevice.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/dst.h>
#include <net/addrconf.h>

#include "l4vs.h"
#include "route.h"

struct l4vs_dest_route {
	struct dst_entry	*dst;		/* holds a reference */
	union nf_inet_addr	saddr;
	u32			cookie;		/* IPv6: validates dst */
	u32			mark;		/* the key it was looked up for */
	u8			flags;
	struct rcu_head		rcu;
};

static int route_lookup(struct net *net, int af,
			const union nf_inet_addr *daddr, u32 mark,
			unsigned int flags, struct dst_entry **dstp,
			union nf_inet_addr *saddr)
{
	int fl_flags = flags & L4VS_ROUTE_KNOWN_NH ? FLOWI_FLAG_KNOWN_NH : 0;
	struct dst_entry *dst;

	if (af == AF_INET6) {
		struct flowi6 fl6 = {
			.daddr = daddr->in6,
			.flowi6_mark = mark,
			.flowi6_flags = fl_flags,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error)
			goto err;
		if ((flags & L4VS_ROUTE_SADDR) &&
		    ipv6_dev_get_saddr(net, dst->dev, &fl6.daddr, 0,
				       &saddr->in6))
			goto err;
	} else {
		struct flowi4 fl4 = {
			.daddr = daddr->ip,
			.flowi4_mark = mark,
			.flowi4_flags = fl_flags,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return -EHOSTUNREACH;
		dst = &rt->dst;
		saddr->ip = fl4.saddr;
	}
	*dstp = dst;
	return 0;
err:
	dst_release(dst);
	return -EHOSTUNREACH;
}

static void route_free(struct l4vs_dest_route *e)
{
	/* dst_release() defers the free past readers that borrowed it */
	dst_release(e->dst);
	kfree_rcu(e, rcu);
}

void l4vs_dest_route_drop(struct l4vs_dest *dest)
{
	struct l4vs_dest_route *e;

	/* fully ordered: a cleared AVAILABLE bit is seen by any filler */
	e = unrcu_pointer(xchg(&dest->route, RCU_INITIALIZER(NULL)));
	if (e)
		route_free(e);
}

/*
 * Publish a fresh route.  Without memory for the entry the caller keeps
 * the reference and the route is simply not cached.
 */
static bool route_publish(struct l4vs_dest *dest, struct dst_entry *dst,
			  const union nf_inet_addr *saddr, u32 mark,
			  unsigned int flags, unsigned int gen)
{
	struct l4vs_net *ln = dest->svc->ln;
	struct l4vs_dest_route *e, *old;

	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		return false;
	e->dst = dst;
	e->saddr = *saddr;
	e->cookie = dest->af == AF_INET6 ?
		    rt6_get_cookie(dst_rt6_info(dst)) : 0;
	e->mark = mark;
	e->flags = flags;

	old = unrcu_pointer(xchg(&dest->route, RCU_INITIALIZER(e)));
	if (old)
		route_free(old);
	/* a device event or an unlink may have missed what we published */
	if (!l4vs_dest_available(dest) ||
	    atomic_read(&ln->route_gen) != gen)
		l4vs_dest_route_drop(dest);
	return true;
}

int l4vs_route_get(struct net *net, struct l4vs_dest *dest,
		   const union nf_inet_addr *daddr, u32 mark,
		   unsigned int flags, struct l4vs_route *r)
{
	struct l4vs_net *ln = dest->svc->ln;
	struct l4vs_dest_route *e;
	unsigned int gen;
	int ret;

	e = rcu_dereference(dest->route);
	if (e && e->mark == mark && e->flags == flags &&
	    dst_check(e->dst, e->cookie)) {
		r->dst = e->dst;
		r->saddr = e->saddr;
		r->cached = true;
		return 0;
	}

	gen = atomic_read(&ln->route_gen);
	ret = route_lookup(net, dest->af, daddr, mark, flags, &r->dst,
			   &r->saddr);
	if (ret)
		return ret;
	/* a server that left its service, or an address not its own */
	r->cached = l4vs_dest_available(dest) &&
		    nf_inet_addr_cmp(daddr, &dest->addr) &&
		    route_publish(dest, r->dst, &r->saddr, mark, flags, gen);
	return 0;
}

void l4vs_route_put(struct l4vs_route *r)
{
	if (!r->cached)
		dst_release(r->dst);
}

void l4vs_route_attach(struct sk_buff *skb, struct l4vs_route *r)
{
	skb_dst_drop(skb);
	if (r->cached)
		skb_dst_set_noref(skb, r->dst);
	else
		skb_dst_set(skb, r->dst);
}

bool l4vs_route_local(const struct l4vs_route *r, int af)
{
	if (af == AF_INET6)
		return dst_rt6_info(r->dst)->rt6i_flags & RTF_LOCAL;
	return container_of(r->dst, struct rtable, dst)->rt_flags & RTCF_LOCAL;
}

/* Drop every cached route of a namespace. */
static void route_drop_all(struct l4vs_net *ln)
{
	struct l4vs_service *svc;
	struct l4vs_dest *dest;
	unsigned int i;

	/* ordered before the reads of dest->route by the first xchg() */
	atomic_inc(&ln->route_gen);
	rcu_read_lock();
	for (i = 0; i < L4VS_SVC_TAB_SIZE; i++)
		hlist_for_each_entry_rcu(svc, &ln->svc_tab[i], s_list)
			list_for_each_entry_rcu(dest, &svc->dests, n_list)
				l4vs_dest_route_drop(dest);
	rcu_read_unlock();
}

/*
 * Any change of a device's state may change routes, and a departing device
 * must not be held by a cached route: DOWN and UNREGISTER drop them all.
 * Rare events, and the next packet of each destination routes afresh.
 */
static int route_dev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct l4vs_net *ln;

	if (event != NETDEV_DOWN && event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	ln = l4vs_net(dev_net(dev));
	if (ln)
		route_drop_all(ln);
	return NOTIFY_DONE;
}

static struct notifier_block route_notifier = {
	.notifier_call = route_dev_event,
};

int l4vs_route_init(void)
{
	return register_netdevice_notifier(&route_notifier);
}

void l4vs_route_uninit(void)
{
	unregister_netdevice_notifier(&route_notifier);
}
