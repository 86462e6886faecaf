// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: transmitters.
 *
 * Masquerading rewrites the destination of inbound packets to the real
 * server and hands them to the output path themselves (the VIP is local, so
 * the stack would otherwise deliver them here); replies are rewritten back
 * to the VIP in the forward path and continue on their way.
 *
 * Checksums are updated incrementally, which keeps a broken checksum broken
 * and works for CHECKSUM_PARTIAL packets from local senders and veth.
 *
 * Every method but local delivery forwards the packet as a router would,
 * so it does what ip_forward() and ip6_forward() do (l4vs_xmit_hop(),
 * l4vs_xmit_scrub()): the TTL / hop limit goes down by one, with an ICMP
 * time exceeded instead when it would reach zero, and the receive time
 * stamp and any early-demux socket are left behind.  Replies of NAT
 * connections take the kernel's own forward path, which has done all that
 * before the FORWARD hook sees them.
 *
 * Datagrams reassembled on the way in (nf_defrag, see core.c) are judged
 * by their largest fragment, as the stack judges them, and are fragmented
 * again on the way out.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/sctp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/icmp.h>
#include <net/checksum.h>
#include <net/dst.h>

#include "xmit.h"
#include "route.h"

/* No pseudo-header (SCTP): rewrite, then a new checksum over the packet. */
static int recompute_rewrite4(struct sk_buff *skb, unsigned int thoff,
			      const struct l4vs_protocol *pp, bool dst,
			      __be32 addr, __be16 port)
{
	struct iphdr *iph;
	__be16 *pport;

	if (skb_ensure_writable(skb, thoff + pp->csum_offset + pp->csum_size))
		return -ENOMEM;
	iph = ip_hdr(skb);
	pport = (__be16 *)(skb->data + thoff + (dst ? 2 : 0));
	*pport = port;
	if (dst) {
		csum_replace4(&iph->check, iph->daddr, addr);
		iph->daddr = addr;
	} else {
		csum_replace4(&iph->check, iph->saddr, addr);
		iph->saddr = addr;
	}
	INDIRECT_CALL_1(pp->csum_update, l4vs_sctp_csum_update, skb, thoff);
	return 0;
}

/* Rewrite one address and port of an IPv4 TCP/UDP/SCTP packet. */
static int nat_rewrite4(struct sk_buff *skb, unsigned int thoff, u8 proto,
			bool dst, __be32 addr, __be16 port)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(proto);
	unsigned int csum_off, port_off = dst ? 2 : 0;
	struct iphdr *iph;
	__be32 *paddr;
	__be16 *pport;
	__sum16 *check;

	if (unlikely(!pp))
		return -EPROTONOSUPPORT;
	if (pp->csum_update)
		return recompute_rewrite4(skb, thoff, pp, dst, addr, port);
	csum_off = pp->csum_offset;
	if (skb_ensure_writable(skb, thoff + csum_off + sizeof(*check)))
		return -ENOMEM;

	iph = ip_hdr(skb);
	paddr = dst ? &iph->daddr : &iph->saddr;
	pport = (__be16 *)(skb->data + thoff + port_off);
	check = (__sum16 *)(skb->data + thoff + csum_off);

	/* UDP over IPv4 may carry no checksum at all: leave it so */
	if (pp->csum_zero_is_none && !*check &&
	    skb->ip_summed != CHECKSUM_PARTIAL) {
		*pport = port;
	} else {
		inet_proto_csum_replace4(check, skb, *paddr, addr, true);
		inet_proto_csum_replace2(check, skb, *pport, port, false);
		*pport = port;
		if (pp->csum_zero_is_none && !*check)
			*check = CSUM_MANGLED_0;
	}
	csum_replace4(&iph->check, *paddr, addr);
	*paddr = addr;
	return 0;
}

/*
 * One router hop for a packet about to be forwarded to a real server (never
 * for one delivered locally): 0, or -ETIMEDOUT when its TTL / hop limit is
 * used up (an ICMP time exceeded is on its way to the sender, as a router
 * sends it), or -ENOMEM.  For tunnels this is the inner header, before it
 * is wrapped.
 */
int l4vs_xmit_hop(struct sk_buff *skb, int af)
{
	if (af == AF_INET6) {
		if (ipv6_hdr(skb)->hop_limit <= 1) {
			icmpv6_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
			return -ETIMEDOUT;
		}
		if (skb_ensure_writable(skb, skb_network_offset(skb) +
					sizeof(struct ipv6hdr)))
			return -ENOMEM;
		ipv6_hdr(skb)->hop_limit--;
		return 0;
	}
	if (ip_hdr(skb)->ttl <= 1) {
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return -ETIMEDOUT;
	}
	if (skb_ensure_writable(skb, skb_network_offset(skb) +
				sizeof(struct iphdr)))
		return -ENOMEM;
	ip_decrease_ttl(ip_hdr(skb));
	return 0;
}

/*
 * The drop reason for a failed l4vs_xmit_hop().
 */
static unsigned int hop_drop(struct l4vs_conn *cp, int err)
{
	return l4vs_drop(cp->dest->svc->ln, err == -ENOMEM ? L4VS_DROP_NOMEM
							    : L4VS_DROP_TTL);
}

/*
 * Leave behind what belongs to this host's receive side, as the forward
 * path does: the receive time stamp would be taken by fq (and anything
 * else reading skb->tstamp on the way out) for a departure time, in the
 * wrong clock; an early-demux socket would be taken for the sender.
 */
void l4vs_xmit_scrub(struct sk_buff *skb)
{
	skb_orphan(skb);
	skb_clear_tstamp(skb);
}

/*
 * Whether a packet is larger than 'mtu' for the path.  A reassembled
 * datagram ('frag_max' is its largest fragment, IPCB/IP6CB frag_max_size)
 * is judged by its fragments, which fragmenting it again on output
 * reproduces; a GSO packet by the segments it will be cut into.
 */
bool l4vs_exceeds_mtu(const struct sk_buff *skb, unsigned int frag_max,
		      unsigned int mtu)
{
	if (frag_max)
		return frag_max > mtu;
	if (skb->len <= mtu)
		return false;
	return !(skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu));
}

/*
 * Route towards the real server.  Direct routing keeps the VIP as the
 * destination address, so the route must carry the server as its next hop
 * (L4VS_ROUTE_KNOWN_NH) or the neighbour lookup would resolve the VIP.
 */
static int route_to_dest(struct net *net, struct sk_buff *skb,
			 struct l4vs_conn *cp, unsigned int flags,
			 struct l4vs_route *r)
{
	return l4vs_route_get(net, cp->dest, &cp->daddr, skb->mark, flags, r);
}

/*
 * Too big for the path and not allowed to fragment: tell the client the MTU
 * it can use.  A reassembled datagram that passes goes out fragmented again
 * even with DF (all its fragments had it): ignore_df lets ip_fragment() do
 * so, within the largest fragment's size.
 */
static bool too_big(struct sk_buff *skb, struct dst_entry *dst)
{
	unsigned int mtu = dst_mtu(dst);

	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return false;
	if (!l4vs_exceeds_mtu(skb, IPCB(skb)->frag_max_size, mtu)) {
		if (IPCB(skb)->frag_max_size)
			skb->ignore_df = 1;
		return false;
	}
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	return true;
}

/*
 * A packet of a client on this host (LOCAL_OUT) is not forwarded: it keeps
 * its socket (send buffer accounting, TCP small queues, the socket's
 * cgroup egress programs), its departure time and its TTL, and carries on
 * through the rest of LOCAL_OUT and POST_ROUTING on the new route, as after
 * a DNAT in the nat table's OUTPUT chain.  ip_local_out() and
 * ip6_local_out() send it on skb_dst() once the hooks accept it, outside
 * the hooks' RCU section: so the route must be held, not borrowed.
 */
unsigned int l4vs_xmit_local(struct sk_buff *skb, struct l4vs_route *r)
{
	l4vs_route_attach(skb, r);
	if (!skb_dst_force(skb))
		return NF_DROP;	/* the cached route was just dropped */
	return NF_ACCEPT;
}

static unsigned int send_routed(struct sk_buff *skb, struct l4vs_route *r,
				const struct nf_hook_state *state)
{
	if (l4vs_local_origin(state))
		return l4vs_xmit_local(skb, r);
	l4vs_route_attach(skb, r);
	l4vs_xmit_scrub(skb);
	skb_forward_csum(skb);
	NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, state->net, NULL, skb, NULL,
		r->dst->dev, dst_output);
	return NF_STOLEN;
}

/* Inbound masquerading: to the real server, sent from here. */
unsigned int l4vs_xmit_nat_in(struct sk_buff *skb, struct l4vs_conn *cp,
			      const struct l4vs_iphdr *iph,
			      const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct l4vs_route r;
	bool local;
	int err;

	if (route_to_dest(net, skb, cp, 0, &r))
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOROUTE);
	local = l4vs_route_local(&r, AF_INET);

	if (!local) {
		err = l4vs_xmit_hop(skb, AF_INET);
		if (err) {
			l4vs_route_put(&r);
			return hop_drop(cp, err);
		}
		if (too_big(skb, r.dst)) {
			l4vs_route_put(&r);
			return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_MTU);
		}
	}

	if (nat_rewrite4(skb, iph->thoff, iph->protocol, true, cp->daddr.ip,
			 cp->dport)) {
		l4vs_route_put(&r);
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOMEM);
	}

	/* a real server on this host: let local delivery carry on */
	if (local) {
		l4vs_route_put(&r);
		return NF_ACCEPT;
	}
	return send_routed(skb, &r, state);
}

/* An already rewritten packet (an ICMP error) to the real server. */
unsigned int l4vs_xmit_routed(struct sk_buff *skb, struct l4vs_conn *cp,
			      const struct nf_hook_state *state)
{
	struct l4vs_route r;
	int err;

	if (route_to_dest(state->net, skb, cp, 0, &r))
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOROUTE);
	if (l4vs_route_local(&r, AF_INET)) {
		l4vs_route_put(&r);
		return NF_ACCEPT;
	}
	err = l4vs_xmit_hop(skb, AF_INET);
	if (err) {
		l4vs_route_put(&r);
		return hop_drop(cp, err);
	}
	return send_routed(skb, &r, state);
}

/* Direct routing: only the link-layer destination changes. */
unsigned int l4vs_xmit_dr(struct sk_buff *skb, struct l4vs_conn *cp,
			  const struct nf_hook_state *state)
{
	struct l4vs_route r;
	int err;

	if (route_to_dest(state->net, skb, cp, L4VS_ROUTE_KNOWN_NH, &r))
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOROUTE);
	if (l4vs_route_local(&r, AF_INET)) {
		l4vs_route_put(&r);
		return NF_ACCEPT;
	}
	err = l4vs_xmit_hop(skb, AF_INET);
	if (err) {
		l4vs_route_put(&r);
		return hop_drop(cp, err);
	}
	if (too_big(skb, r.dst)) {
		l4vs_route_put(&r);
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_MTU);
	}
	return send_routed(skb, &r, state);
}

/* Outbound masquerading: the reply now comes from the virtual service. */
unsigned int l4vs_xmit_nat_out(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct l4vs_iphdr *iph)
{
	if (nat_rewrite4(skb, iph->thoff, iph->protocol, false, cp->vaddr.ip,
			 cp->vport))
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOMEM);
	return NF_ACCEPT;
}
