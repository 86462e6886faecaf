// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: IPv6 transmitters (see xmit.c for the IPv4 twins and the reasons).
 *
 * IPv6 routers never fragment, so anything larger than the path gets a
 * Packet Too Big back, whatever its flags.
 */
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/sctp.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>
#include <net/dst.h>

#include "xmit.h"
#include "route.h"

static int recompute_rewrite6(struct sk_buff *skb, unsigned int thoff,
			      const struct l4vs_protocol *pp, bool dst,
			      const struct in6_addr *addr, __be16 port)
{
	struct ipv6hdr *ip6h;

	if (skb_ensure_writable(skb, thoff + pp->csum_offset + pp->csum_size))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	*(__be16 *)(skb->data + thoff + (dst ? 2 : 0)) = port;
	if (dst)
		ip6h->daddr = *addr;
	else
		ip6h->saddr = *addr;
	INDIRECT_CALL_1(pp->csum_update, l4vs_sctp_csum_update, skb, thoff);
	return 0;
}

static int nat_rewrite6(struct sk_buff *skb, unsigned int thoff, u8 proto,
			bool dst, const struct in6_addr *addr, __be16 port)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(proto);
	unsigned int csum_off, port_off = dst ? 2 : 0;
	struct in6_addr *paddr;
	struct ipv6hdr *ip6h;
	__be16 *pport;
	__sum16 *check;

	if (unlikely(!pp))
		return -EPROTONOSUPPORT;
	if (pp->csum_update)
		return recompute_rewrite6(skb, thoff, pp, dst, addr, port);
	csum_off = pp->csum_offset;
	if (skb_ensure_writable(skb, thoff + csum_off + sizeof(*check)))
		return -ENOMEM;

	ip6h = ipv6_hdr(skb);
	paddr = dst ? &ip6h->daddr : &ip6h->saddr;
	pport = (__be16 *)(skb->data + thoff + port_off);
	check = (__sum16 *)(skb->data + thoff + csum_off);

	inet_proto_csum_replace16(check, skb, paddr->s6_addr32, addr->s6_addr32,
				  true);
	inet_proto_csum_replace2(check, skb, *pport, port, false);
	if (pp->csum_zero_is_none && !*check)
		*check = CSUM_MANGLED_0;
	*pport = port;
	*paddr = *addr;
	return 0;
}

/*
 * A datagram reassembled on the way in is judged by its largest fragment
 * (IP6CB frag_max_size), as ip6_forward() judges it, and fragmented again
 * on output: ignore_df lets ip6_fragment() do so for a packet larger than
 * the path that passed on its fragments.
 */
static bool too_big6(struct sk_buff *skb, struct dst_entry *dst)
{
	unsigned int mtu = dst_mtu(dst);

	if (!l4vs_exceeds_mtu(skb, IP6CB(skb)->frag_max_size, mtu)) {
		if (IP6CB(skb)->frag_max_size)
			skb->ignore_df = 1;
		return false;
	}
	icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	return true;
}

/*
 * Everything but the rewrite is the same for both methods: route, stay
 * local for a local server, one hop down, check the size, send through
 * LOCAL_OUT.
 */
static unsigned int xmit6(struct sk_buff *skb, struct l4vs_conn *cp,
			  const struct l4vs_iphdr *iph,
			  const struct nf_hook_state *state, bool nat,
			  bool known_nh)
{
	struct l4vs_net *ln = cp->dest->svc->ln;
	struct l4vs_route r;
	bool local;
	int err;

	if (l4vs_route_get(state->net, cp->dest, &cp->daddr, skb->mark,
			   known_nh ? L4VS_ROUTE_KNOWN_NH : 0, &r))
		return l4vs_drop(ln, L4VS_DROP_NOROUTE);
	local = l4vs_route_local(&r, AF_INET6);
	if (!local) {
		err = l4vs_xmit_hop(skb, AF_INET6);
		if (err) {
			l4vs_route_put(&r);
			return l4vs_drop(ln, err == -ENOMEM ? L4VS_DROP_NOMEM
							    : L4VS_DROP_TTL);
		}
		if (too_big6(skb, r.dst)) {
			l4vs_route_put(&r);
			return l4vs_drop(ln, L4VS_DROP_MTU);
		}
	}
	if (nat && nat_rewrite6(skb, iph->thoff, iph->protocol, true,
				&cp->daddr.in6, cp->dport)) {
		l4vs_route_put(&r);
		return l4vs_drop(ln, L4VS_DROP_NOMEM);
	}
	if (local) {
		l4vs_route_put(&r);
		return NF_ACCEPT;
	}

	if (l4vs_local_origin(state))
		return l4vs_xmit_local(skb, &r);
	l4vs_route_attach(skb, &r);
	l4vs_xmit_scrub(skb);
	skb_forward_csum(skb);
	NF_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_OUT, state->net, NULL, skb, NULL,
		r.dst->dev, dst_output);
	return NF_STOLEN;
}

unsigned int l4vs_xmit_nat_in6(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct l4vs_iphdr *iph,
			       const struct nf_hook_state *state)
{
	return xmit6(skb, cp, iph, state, true, false);
}

unsigned int l4vs_xmit_dr6(struct sk_buff *skb, struct l4vs_conn *cp,
			   const struct l4vs_iphdr *iph,
			   const struct nf_hook_state *state)
{
	return xmit6(skb, cp, iph, state, false, true);
}

/* An already rewritten packet (an ICMPv6 error) to the real server. */
unsigned int l4vs_xmit_routed6(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct nf_hook_state *state)
{
	return xmit6(skb, cp, NULL, state, false, false);
}

unsigned int l4vs_xmit_nat_out6(struct sk_buff *skb, struct l4vs_conn *cp,
				const struct l4vs_iphdr *iph)
{
	if (nat_rewrite6(skb, iph->thoff, iph->protocol, false, &cp->vaddr.in6,
			 cp->vport))
		return l4vs_drop(cp->dest->svc->ln, L4VS_DROP_NOMEM);
	return NF_ACCEPT;
}
