// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: routes to real servers, cached per destination and CPU.
 *
 * A route lookup costs more than everything else l4vs does to a forwarded
 * packet, and the route to a given server almost never changes, so it is
 * looked up once and kept in the destination's dst_cache (per CPU, and
 * checked against routing changes by the kernel on every use).  Like IPVS,
 * the lookup depends only on the server: neither the packet's mark nor its
 * TOS takes part, so policy routing towards real servers cannot vary per
 * packet.  Changing a destination's forwarding method resets its cache
 * (service.c), because direct routing looks the route up differently.
 */
#include <net/dst_cache.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "l4vs.h"
#include "xmit.h"

static bool dest_routes_direct(const struct l4vs_dest *dest)
{
	return (atomic_read(&dest->conn_flags) & IP_VS_CONN_F_FWD_MASK) ==
	       IP_VS_CONN_F_DROUTE;
}

static struct dst_entry *route4(struct net *net, struct l4vs_dest *dest,
				union nf_inet_addr *saddr)
{
	/*
	 * Direct routing keeps the VIP as the destination address, so the
	 * route must carry the server as its next hop (FLOWI_FLAG_KNOWN_NH)
	 * or the neighbour lookup would resolve the VIP.
	 */
	struct flowi4 fl4 = {
		.daddr = dest->addr.ip,
		.flowi4_flags = dest_routes_direct(dest) ? FLOWI_FLAG_KNOWN_NH : 0,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&dest->dst_cache, &saddr->ip);
	if (rt)
		return &rt->dst;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return NULL;
	dst_cache_set_ip4(&dest->dst_cache, &rt->dst, fl4.saddr);
	saddr->ip = fl4.saddr;
	return &rt->dst;
}

static struct dst_entry *route6(struct net *net, struct l4vs_dest *dest,
				union nf_inet_addr *saddr)
{
	struct flowi6 fl6 = {
		.daddr = dest->addr.in6,
		.flowi6_flags = dest_routes_direct(dest) ? FLOWI_FLAG_KNOWN_NH : 0,
	};
	struct dst_entry *dst;

	dst = dst_cache_get_ip6(&dest->dst_cache, &saddr->in6);
	if (dst)
		return dst;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error)
		goto err;
	/* the source a tunnel's outer header needs, found once with the route */
	if (ipv6_dev_get_saddr(net, dst->dev, &fl6.daddr, 0, &saddr->in6))
		goto err;
	dst_cache_set_ip6(&dest->dst_cache, dst, &saddr->in6);
	return dst;
err:
	dst_release(dst);
	return NULL;
}

/*
 * The route to 'dest', with a reference for the caller, and the source
 * address the route would use in 'saddr'; NULL if there is none.  Runs with
 * bottom halves disabled (the cache is per CPU).
 */
struct dst_entry *l4vs_dest_route(struct net *net, struct l4vs_dest *dest,
				  union nf_inet_addr *saddr)
{
	if (dest->af == AF_INET6)
		return route6(net, dest, saddr);
	return route4(net, dest, saddr);
}
