/* SPDX-License-Identifier: GPL-2.0 */
/* l4vs: routes to real servers, cached per destination (route.c). */
#ifndef _NET_L4VS_ROUTE_H
#define _NET_L4VS_ROUTE_H

#include <linux/skbuff.h>
#include <linux/netfilter.h>

struct l4vs_dest;

/* lookup flags, part of the cache key */
#define L4VS_ROUTE_KNOWN_NH	0x1	/* direct routing: the server is the next hop */
#define L4VS_ROUTE_SADDR	0x2	/* the source address is wanted (tunnels) */

/*
 * A route for one packet.  'cached': dst belongs to the destination's cache
 * and is only borrowed (valid under RCU); otherwise the caller holds a
 * reference, which l4vs_route_attach() hands to the skb or
 * l4vs_route_put() drops.
 */
struct l4vs_route {
	struct dst_entry	*dst;
	union nf_inet_addr	saddr;
	bool			cached;
};

/*
 * Under RCU (the packet path).  'daddr' is the connection's server.  Keyed
 * by mark and flags, never by the client's TOS (route.c).
 */
int l4vs_route_get(struct net *net, struct l4vs_dest *dest,
		   const union nf_inet_addr *daddr, u32 mark,
		   unsigned int flags, struct l4vs_route *r);
void l4vs_route_put(struct l4vs_route *r);
void l4vs_route_attach(struct sk_buff *skb, struct l4vs_route *r);
bool l4vs_route_local(const struct l4vs_route *r, int af);

/* The destination left its service (or is freed): forget its route. */
void l4vs_dest_route_drop(struct l4vs_dest *dest);

int l4vs_route_init(void);
void l4vs_route_uninit(void);

#endif /* _NET_L4VS_ROUTE_H */
