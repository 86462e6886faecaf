// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: tunnelling to real servers (ipvsadm -i, --tun-type ipip|gue|gre).
 *
 * The client's packet is left exactly as it arrived and wrapped in a new
 * header from this host to the real server, which decapsulates it and
 * answers the client directly from the VIP:
 *
 *   ipip  outer IP | inner IP            (IPv6 inner over IPv4: protocol 41)
 *   gue   outer IP | UDP (tun_port) | GUE (4 bytes, proto) | inner IP
 *   gre   outer IP | GRE (4 bytes, +4 with a checksum) | inner IP
 *
 * The outer family is the real server's, so families may mix as IPVS
 * allows.  A packet that would no longer fit the path is refused with an
 * ICMP "fragmentation needed" / "packet too big" carrying the path MTU less
 * the tunnel overhead, when it may not be fragmented (IPv4 DF, or IPv6).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/udp.h>
#include <net/ip6_checksum.h>
#include <net/ip_tunnels.h>
#include <net/gue.h>
#include <net/gre.h>

#include "xmit.h"

struct tun_route {
	struct dst_entry	*dst;
	union nf_inet_addr	saddr;
};

static int tun_route(struct net *net, const struct sk_buff *skb,
		     const struct l4vs_dest *dest, struct tun_route *r)
{
	if (dest->af == AF_INET6) {
		struct flowi6 fl6 = {
			.daddr = dest->addr.in6,
			.flowi6_mark = skb->mark,
		};

		r->dst = ip6_route_output(net, NULL, &fl6);
		if (r->dst->error)
			goto err;
		if (ipv6_dev_get_saddr(net, r->dst->dev, &fl6.daddr, 0,
				       &r->saddr.in6))
			goto err;
	} else {
		struct flowi4 fl4 = {
			.daddr = dest->addr.ip,
			.flowi4_mark = skb->mark,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return -EHOSTUNREACH;
		r->dst = &rt->dst;
		r->saddr.ip = fl4.saddr;
	}
	return 0;
err:
	dst_release(r->dst);
	return -EHOSTUNREACH;
}

static bool dst_local(const struct dst_entry *dst, int af)
{
	if (af == AF_INET6)
		return dst_rt6_info(dst)->rt6i_flags & RTF_LOCAL;
	return container_of(dst, struct rtable, dst)->rt_flags & RTCF_LOCAL;
}

static unsigned int encap_len(const struct l4vs_dest *dest)
{
	switch (dest->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return sizeof(struct udphdr) + sizeof(struct guehdr);
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return dest->tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM ? 8 : 4;
	}
	return 0;
}

static int gso_type(const struct l4vs_dest *dest)
{
	bool csum = dest->tun_flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
				       IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);

	switch (dest->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return csum ? SKB_GSO_UDP_TUNNEL_CSUM : SKB_GSO_UDP_TUNNEL;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return csum ? SKB_GSO_GRE_CSUM : SKB_GSO_GRE;
	}
	return dest->af == AF_INET6 ? SKB_GSO_IPXIP6 : SKB_GSO_IPXIP4;
}

/* Refuse what cannot cross the tunnel; true if the packet must go. */
static bool too_big(struct sk_buff *skb, int inner_af, unsigned int mtu)
{
	if (skb->len <= mtu || skb_is_gso(skb))
		return false;
	if (inner_af == AF_INET6) {
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max(mtu, IPV6_MIN_MTU));
		return true;
	}
	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return false;	/* the outer packet may be fragmented */
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	return true;
}

static void push_gre(struct sk_buff *skb, const struct l4vs_dest *dest,
		     __be16 inner_proto)
{
	bool csum = dest->tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
	struct gre_base_hdr *greh;

	greh = skb_push(skb, csum ? 8 : 4);
	greh->flags = csum ? GRE_CSUM : 0;
	greh->protocol = inner_proto;
	if (!csum)
		return;
	*(__be32 *)(greh + 1) = 0;
	/* segmentation computes it for GSO packets (SKB_GSO_GRE_CSUM) */
	if (!skb_is_gso(skb))
		*(__sum16 *)(greh + 1) = csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

static void push_gue(struct net *net, struct sk_buff *skb,
		     const struct l4vs_dest *dest, const struct tun_route *r,
		     u8 inner_ipproto)
{
	bool nocsum = !(dest->tun_flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
					   IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM));
	__be16 sport = udp_flow_src_port(net, skb, 0, 0, false);
	struct guehdr *gueh;
	struct udphdr *uh;

	gueh = skb_push(skb, sizeof(*gueh));
	gueh->word = 0;
	gueh->proto_ctype = inner_ipproto;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = sport;
	uh->dest = dest->tun_port;
	uh->len = htons(skb->len);
	uh->check = 0;
	if (dest->af == AF_INET6)
		udp6_set_csum(nocsum, skb, &r->saddr.in6, &dest->addr.in6, skb->len);
	else
		udp_set_csum(nocsum, skb, r->saddr.ip, dest->addr.ip, skb->len);
}

static void push_outer(struct net *net, struct sk_buff *skb,
		       const struct l4vs_dest *dest, const struct tun_route *r,
		       u8 proto, u8 tos, u8 ttl, __be16 df)
{
	if (dest->af == AF_INET6) {
		struct ipv6hdr *ip6h;

		ip6h = skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->nexthdr = proto;
		ip6h->hop_limit = ttl;
		ip6h->saddr = r->saddr.in6;
		ip6h->daddr = dest->addr.in6;
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph;

		iph = skb_push(skb, sizeof(*iph));
		skb_reset_network_header(skb);
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->tos = tos;
		iph->frag_off = df;
		iph->ttl = ttl;
		iph->protocol = proto;
		iph->saddr = r->saddr.ip;
		iph->daddr = dest->addr.ip;
		iph->tot_len = htons(skb->len);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		ip_select_ident(net, skb, NULL);
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	}
}

unsigned int l4vs_xmit_tunnel(struct sk_buff *skb, struct l4vs_conn *cp,
			      int inner_af, const struct nf_hook_state *state)
{
	struct l4vs_dest *dest = cp->dest;
	struct l4vs_net *ln = dest->svc->ln;
	struct net *net = state->net;
	unsigned int outer_len, hlen, mtu;
	__be16 inner_proto, df = 0;
	u8 inner_ipproto, proto, tos, ttl;
	struct tun_route r;

	if (tun_route(net, skb, dest, &r))
		return l4vs_drop(ln, L4VS_DROP_NOROUTE);
	if (dst_local(r.dst, dest->af)) {
		dst_release(r.dst);
		return NF_ACCEPT;	/* a real server on this host */
	}

	outer_len = dest->af == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	hlen = outer_len + encap_len(dest);
	mtu = dst_mtu(r.dst) > hlen ? dst_mtu(r.dst) - hlen : 0;
	if (too_big(skb, inner_af, mtu)) {
		dst_release(r.dst);
		return l4vs_drop(ln, L4VS_DROP_MTU);
	}

	if (inner_af == AF_INET6) {
		inner_proto = htons(ETH_P_IPV6);
		inner_ipproto = IPPROTO_IPV6;
		tos = ipv6_get_dsfield(ipv6_hdr(skb));
		ttl = ipv6_hdr(skb)->hop_limit;
	} else {
		inner_proto = htons(ETH_P_IP);
		inner_ipproto = IPPROTO_IPIP;
		tos = ip_hdr(skb)->tos;
		ttl = ip_hdr(skb)->ttl;
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	}

	/* a GRE checksum covers the payload, so resolve a deferred one */
	if (dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE &&
	    (dest->tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) &&
	    !skb_is_gso(skb) && skb->ip_summed == CHECKSUM_PARTIAL &&
	    skb_checksum_help(skb))
		goto err_nomem;
	if (skb_cow_head(skb, hlen + LL_RESERVED_SPACE(r.dst->dev)) ||
	    iptunnel_handle_offloads(skb, gso_type(dest)))
		goto err_nomem;

	switch (dest->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		skb_set_inner_ipproto(skb, inner_ipproto);
		push_gue(net, skb, dest, &r, inner_ipproto);
		proto = IPPROTO_UDP;
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		skb_set_inner_protocol(skb, inner_proto);
		push_gre(skb, dest, inner_proto);
		proto = IPPROTO_GRE;
		break;
	default:
		skb_set_inner_ipproto(skb, inner_ipproto);
		proto = inner_ipproto;
		break;
	}
	push_outer(net, skb, dest, &r, proto, tos, ttl, df);

	skb_dst_drop(skb);
	skb_dst_set(skb, r.dst);
	NF_HOOK(dest->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		NF_INET_LOCAL_OUT, net, NULL, skb, NULL, r.dst->dev, dst_output);
	return NF_STOLEN;

err_nomem:
	dst_release(r.dst);
	return l4vs_drop(ln, L4VS_DROP_NOMEM);
}
