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
 *         with --tun-remcsum, for a packet whose transport checksum is
 *         still to be done (CHECKSUM_PARTIAL):
 *         outer IP | UDP | GUE (hlen 2, P flag) | private flags (REMCSUM)
 *         | csum start, csum field (offsets into the inner packet) | inner IP
 *   gre   outer IP | GRE (4 bytes, +4 with a checksum) | inner IP
 *
 * Remote checksum offload leaves the inner checksum field holding only the
 * pseudo-header sum; the real server's fou receive side completes it from
 * the outer UDP checksum, which is therefore always on with --tun-remcsum.
 * A packet whose checksum is already complete goes as with --tun-csum (no
 * option), as IPVS does.
 *
 * The outer family is the real server's, so families may mix as IPVS
 * allows.  A packet that would no longer fit the path is refused with an
 * ICMP "fragmentation needed" / "packet too big" carrying the path MTU less
 * the tunnel overhead, when it may not be fragmented (IPv4 DF, or IPv6).
 * With net.ipv4.vs.pmtu_disc = 0 an IPv4 packet is never refused: the outer
 * header goes without DF and the outer packet is fragmented instead (IPv6
 * packets are refused whatever the setting, as in IPVS).  A datagram that
 * was reassembled on the way in is judged by its largest fragment, and an
 * outer packet carrying one that passed is fragmented.
 *
 * The client's packet is forwarded, so its TTL / hop limit goes down by one
 * before it is wrapped (l4vs_xmit_hop(), as IPVS does), and the outer
 * header starts from that value.
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
#include "route.h"

/* One packet's view of its server's tunnel settings, read once. */
struct tun_params {
	u8		type;		/* IP_VS_CONN_F_TUNNEL_TYPE_* */
	u16		flags;		/* IP_VS_TUNNEL_ENCAP_FLAG_* */
	__be16		port;		/* GUE: UDP destination port */
	bool		remcsum;	/* GUE remote checksum option on this one */
	u16		csum_start;	/* remcsum: offsets into the inner packet */
	u16		csum_field;
};

#define GUE_REMCSUM_OPTLEN	(GUE_LEN_PRIV + GUE_PLEN_REMCSUM)

/*
 * Remote checksum offload needs an Internet checksum still to be done (not
 * SCTP's CRC32c) whose start and field both lie inside the inner packet, at
 * offsets the GUE option can carry; anything else goes without the option.
 * So does a GSO packet: segmentation computes every segment's inner
 * checksum anyway, and segments cut from a packet marked
 * SKB_GSO_TUNNEL_REMCSUM reach the real server with inner checksums it
 * counts as errors (6.1; IPVS's are dropped the same way), which costs a
 * TCP stream a retransmission per segment.
 */
static void remcsum_check(const struct sk_buff *skb, struct tun_params *tp)
{
	int start;

	tp->remcsum = false;
	if (tp->type != IP_VS_CONN_F_TUNNEL_TYPE_GUE ||
	    !(tp->flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) ||
	    skb->ip_summed != CHECKSUM_PARTIAL || skb->csum_not_inet ||
	    skb_is_gso(skb))
		return;
	start = skb_checksum_start_offset(skb);
	if (start < 0 || start + skb->csum_offset > U16_MAX ||
	    start + skb->csum_offset + sizeof(__sum16) > skb->len)
		return;
	tp->csum_start = start;
	tp->csum_field = start + skb->csum_offset;
	tp->remcsum = true;
}

static unsigned int encap_len(const struct tun_params *tp)
{
	switch (tp->type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return sizeof(struct udphdr) + sizeof(struct guehdr) +
		       (tp->remcsum ? GUE_REMCSUM_OPTLEN : 0);
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return tp->flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM ? 8 : 4;
	}
	return 0;
}

static int gso_type(const struct tun_params *tp, int outer_af)
{
	int ipxip = outer_af == AF_INET6 ? SKB_GSO_IPXIP6 : SKB_GSO_IPXIP4;

	switch (tp->type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		/*
		 * GUE carries an IP packet, not a frame: segmentation hands
		 * it to the IP-in-IP offload of the outer family, which
		 * refuses a packet without that type (every GSO packet
		 * would be dropped where software segments it).  A GSO
		 * packet never carries the remote checksum option
		 * (remcsum_check()), but --tun-remcsum keeps the outer
		 * checksum on.
		 */
		if (tp->flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
				 IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM))
			return ipxip | SKB_GSO_UDP_TUNNEL_CSUM;
		return ipxip | SKB_GSO_UDP_TUNNEL;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		/* the GRE header carries a checksum for --tun-csum only */
		return tp->flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM ?
		       SKB_GSO_GRE_CSUM : SKB_GSO_GRE;
	}
	return ipxip;
}

/*
 * Refuse what cannot cross the tunnel; true if the packet must go.  An IPv4
 * packet without DF, or any IPv4 packet with pmtu_disc off, may be
 * fragmented after encapsulation instead.  A GSO packet is judged by the
 * segments it will be cut into: a client's 1500-byte segments do not fit
 * once the tunnel's header is added, and must bring the client the MTU.
 */
static bool too_big(struct sk_buff *skb, int inner_af, unsigned int mtu,
		    bool pmtu_disc)
{
	unsigned int frag_max = inner_af == AF_INET6 ?
				IP6CB(skb)->frag_max_size :
				IPCB(skb)->frag_max_size;

	if (!l4vs_exceeds_mtu(skb, frag_max, mtu))
		return false;
	if (inner_af == AF_INET6) {
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max(mtu, IPV6_MIN_MTU));
		return true;
	}
	if (!pmtu_disc || !(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return false;
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	return true;
}

/*
 * A length for a 16-bit field of an outer header.  Only a GSO packet can
 * exceed 64 KiB once wrapped (a GRO or BIG TCP aggregate close to the
 * limit); its lengths are rewritten per segment when it is cut, so it gets
 * 0 instead of a wrapped value that would describe a runt, as the stack
 * does for its own large packets (iph_set_totlen()).
 */
static __be16 outer_len16(unsigned int len)
{
	return len <= U16_MAX ? htons(len) : 0;
}

static void push_gre(struct sk_buff *skb, const struct tun_params *tp,
		     __be16 inner_proto)
{
	bool csum = tp->flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
	struct gre_base_hdr *greh;

	greh = skb_push(skb, csum ? 8 : 4);
	/* where the tunnel header starts, for offloads as for GUE's UDP */
	skb_reset_transport_header(skb);
	greh->flags = csum ? GRE_CSUM : 0;
	greh->protocol = inner_proto;
	if (!csum)
		return;
	*(__be32 *)(greh + 1) = 0;
	/* segmentation computes it for GSO packets (SKB_GSO_GRE_CSUM) */
	if (!skb_is_gso(skb))
		*(__sum16 *)(greh + 1) = csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

/* The GUE remote checksum option: private flags word, then two offsets. */
static void push_gue_remcsum(struct sk_buff *skb, const struct tun_params *tp)
{
	__be16 *offsets;
	__be32 *pflags;

	pflags = skb_push(skb, GUE_REMCSUM_OPTLEN);
	*pflags = GUE_PFLAG_REMCSUM;
	offsets = (__be16 *)(pflags + 1);
	offsets[0] = htons(tp->csum_start);
	offsets[1] = htons(tp->csum_field);
	/*
	 * The inner checksum field keeps the pseudo-header sum the receiver
	 * starts from: the packet (never GSO here) only needs its outer UDP
	 * checksum.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	skb->encapsulation = 0;
}

static void push_gue(struct net *net, struct sk_buff *skb,
		     const struct tun_params *tp, const struct l4vs_dest *dest,
		     const struct l4vs_route *r, u8 inner_ipproto)
{
	bool nocsum = !(tp->flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM |
				     IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM));
	__be16 sport = udp_flow_src_port(net, skb, 0, 0, false);
	struct guehdr *gueh;
	struct udphdr *uh;

	if (tp->remcsum)
		push_gue_remcsum(skb, tp);
	gueh = skb_push(skb, sizeof(*gueh));
	gueh->word = 0;
	gueh->proto_ctype = inner_ipproto;
	if (tp->remcsum) {
		gueh->hlen = GUE_REMCSUM_OPTLEN / 4;
		gueh->flags = GUE_FLAG_PRIV;
	}

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = sport;
	uh->dest = tp->port;
	/* see outer_len16() */
	uh->len = outer_len16(skb->len);
	uh->check = 0;
	if (dest->af == AF_INET6)
		udp6_set_csum(nocsum, skb, &r->saddr.in6, &dest->addr.in6, skb->len);
	else
		udp_set_csum(nocsum, skb, r->saddr.ip, dest->addr.ip, skb->len);
}

static void push_outer(struct net *net, struct sk_buff *skb,
		       const struct l4vs_dest *dest, const struct l4vs_route *r,
		       u8 proto, u8 tos, u8 ttl, __be16 df)
{
	if (dest->af == AF_INET6) {
		struct ipv6hdr *ip6h;

		ip6h = skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = outer_len16(skb->len - sizeof(*ip6h));
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
		iph->tot_len = outer_len16(skb->len);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		ip_select_ident(net, skb, NULL);
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	}
}

/*
 * Wrap a packet (data at its IP header, headroom made) in the tunnel's
 * header and the outer IP header, with the marks segmentation needs: on
 * its own so that the self-test (selftest_tunnel.c) runs exactly this.
 */
static int tunnel_wrap(struct net *net, struct sk_buff *skb,
		       const struct tun_params *tp, const struct l4vs_dest *dest,
		       const struct l4vs_route *r, int inner_af, u8 tos, u8 ttl,
		       __be16 df)
{
	__be16 inner_proto = inner_af == AF_INET6 ? htons(ETH_P_IPV6) :
						    htons(ETH_P_IP);
	u8 inner_ipproto = inner_af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	u8 proto;

	/*
	 * The inner packet starts at its IP header: segmentation measures the
	 * tunnel header up to the inner "MAC" header, which must not be the
	 * Ethernet header this packet arrived with.
	 */
	skb_reset_mac_header(skb);
	if (iptunnel_handle_offloads(skb, gso_type(tp, dest->af)))
		return -ENOMEM;

	switch (tp->type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		skb_set_inner_ipproto(skb, inner_ipproto);
		push_gue(net, skb, tp, dest, r, inner_ipproto);
		proto = IPPROTO_UDP;
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		skb_set_inner_protocol(skb, inner_proto);
		push_gre(skb, tp, inner_proto);
		proto = IPPROTO_GRE;
		break;
	default:
		skb_set_inner_ipproto(skb, inner_ipproto);
		proto = inner_ipproto;
		break;
	}
	push_outer(net, skb, dest, r, proto, tos, ttl, df);
	return 0;
}

#ifdef DEBUG
#include "selftest_tunnel.c"
#endif

unsigned int l4vs_xmit_tunnel(struct sk_buff *skb, struct l4vs_conn *cp,
			      int inner_af, const struct nf_hook_state *state)
{
	struct l4vs_dest *dest = cp->dest;
	struct l4vs_net *ln = dest->svc->ln;
	struct net *net = state->net;
	unsigned int outer_len, hlen, mtu;
	__be16 df = 0;
	u8 tos, ttl;
	struct tun_params tp;
	struct l4vs_route r;
	bool pmtu_disc, refrag;
	int err;

	/* the server may be edited meanwhile: one consistent view per packet */
	tp.type = READ_ONCE(dest->tun_type);
	tp.flags = READ_ONCE(dest->tun_flags);
	tp.port = READ_ONCE(dest->tun_port);
	remcsum_check(skb, &tp);
	pmtu_disc = READ_ONCE(ln->sysctl.pmtu_disc);

	if (l4vs_route_get(net, dest, &dest->addr, skb->mark, L4VS_ROUTE_SADDR,
			   &r))
		return l4vs_drop(ln, L4VS_DROP_NOROUTE);
	if (l4vs_route_local(&r, dest->af)) {
		l4vs_route_put(&r);
		return NF_ACCEPT;	/* a real server on this host */
	}
	err = l4vs_xmit_hop(skb, inner_af);
	if (err) {
		l4vs_route_put(&r);
		return l4vs_drop(ln, err == -ENOMEM ? L4VS_DROP_NOMEM
						    : L4VS_DROP_TTL);
	}

	outer_len = dest->af == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	hlen = outer_len + encap_len(&tp);
	mtu = dst_mtu(r.dst);
	mtu = mtu > hlen ? mtu - hlen : 0;
	if (too_big(skb, inner_af, mtu, pmtu_disc)) {
		l4vs_route_put(&r);
		return l4vs_drop(ln, L4VS_DROP_MTU);
	}
	/* reassembled and passed on its fragments: fragment the outer one */
	refrag = inner_af == AF_INET6 ? IP6CB(skb)->frag_max_size :
					IPCB(skb)->frag_max_size;

	if (inner_af == AF_INET6) {
		tos = ipv6_get_dsfield(ipv6_hdr(skb));
		ttl = ipv6_hdr(skb)->hop_limit;
	} else {
		tos = ip_hdr(skb)->tos;
		ttl = ip_hdr(skb)->ttl;
		/* pmtu_disc off: the outer packet may always be fragmented */
		if (pmtu_disc)
			df = ip_hdr(skb)->frag_off & htons(IP_DF);
	}

	/*
	 * Finish a deferred inner checksum that nothing later would: SCTP's
	 * CRC32c always (no device completes it inside a tunnel, and an outer
	 * UDP checksum would be computed over the unfinished one), an Internet
	 * checksum under GRE's checksum, which covers the payload.
	 */
	if (!skb_is_gso(skb) && skb->ip_summed == CHECKSUM_PARTIAL) {
		if (skb->csum_not_inet) {
			if (skb_crc32c_csum_help(skb))
				goto err_nomem;
		} else if (tp.type == IP_VS_CONN_F_TUNNEL_TYPE_GRE &&
			   (tp.flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) &&
			   skb_checksum_help(skb)) {
			goto err_nomem;
		}
	}
	if (skb_cow_head(skb, hlen + LL_RESERVED_SPACE(r.dst->dev)))
		goto err_nomem;
	if (tunnel_wrap(net, skb, &tp, dest, &r, inner_af, tos, ttl, df))
		goto err_nomem;
	/*
	 * An IPv4 packet that may be fragmented is fragmented here, also
	 * under an IPv6 outer header (which this host, as its source, may
	 * fragment); everything else was refused above if too big.
	 */
	skb->ignore_df = (inner_af == AF_INET && !df) || refrag;

	l4vs_route_attach(skb, &r);
	l4vs_xmit_scrub(skb);
	NF_HOOK(dest->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		NF_INET_LOCAL_OUT, net, NULL, skb, NULL, r.dst->dev, dst_output);
	return NF_STOLEN;

err_nomem:
	l4vs_route_put(&r);
	return l4vs_drop(ln, L4VS_DROP_NOMEM);
}
