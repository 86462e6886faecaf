// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time checks of the headers tunnel_wrap() writes, built with DEBUG
 * only and included by tunnel.c (as the schedulers include theirs).
 *
 * A packet that is over 64 KiB once wrapped cannot be brought to a
 * director on every kernel (6.1 has no BIG TCP, and GRO stops at 64 KiB of
 * inner packet), so synthetic packets go through tunnel_wrap() itself: for
 * each tunnel type, both outer and inner families, and inner lengths on
 * both sides of the 16-bit limit, every outer length field must hold the
 * exact length, or 0 past 65,535 (as the stack's iph_set_totlen()), never
 * the length modulo 64 Ki.  Segmentation finds the tunnel header at the
 * transport header and the inner packet at the inner network header, so
 * those are checked too, with what the headers carry besides.
 *
 * Expected values come from the header sizes in the tables below, not from
 * encap_len() or outer_len16(): encap_len() (what the MTU check subtracts)
 * is itself checked against what was written.
 */
#include <linux/tcp.h>

#define TUN_TEST_HEADROOM	128	/* more than any outer + tunnel header */
#define TUN_TEST_PAGE_ORDER	1	/* frags of 8 KiB: 100,000 bytes fit */
#define TUN_TEST_PORT		5555	/* GUE's UDP destination port */
#define TUN_TEST_REPORTS	10	/* error lines before going quiet */

struct tun_test_type {
	const char	*name;
	u8		type;		/* IP_VS_CONN_F_TUNNEL_TYPE_* */
	u16		flags;		/* IP_VS_TUNNEL_ENCAP_FLAG_* */
	u8		hlen;		/* tunnel header between outer and inner */
	u8		proto;		/* outer protocol, 0: the inner's (ipip) */
};

static const struct tun_test_type tun_test_types[] __initconst = {
	{ "ipip", IP_VS_CONN_F_TUNNEL_TYPE_IPIP, 0, 0, 0 },
	{ "gue", IP_VS_CONN_F_TUNNEL_TYPE_GUE, 0, 12, IPPROTO_UDP },
	{ "gue csum", IP_VS_CONN_F_TUNNEL_TYPE_GUE,
	  IP_VS_TUNNEL_ENCAP_FLAG_CSUM, 12, IPPROTO_UDP },
	/* + 8 bytes of option on a packet that is not GSO */
	{ "gue remcsum", IP_VS_CONN_F_TUNNEL_TYPE_GUE,
	  IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM, 12, IPPROTO_UDP },
	{ "gre", IP_VS_CONN_F_TUNNEL_TYPE_GRE, 0, 4, IPPROTO_GRE },
	{ "gre csum", IP_VS_CONN_F_TUNNEL_TYPE_GRE,
	  IP_VS_TUNNEL_ENCAP_FLAG_CSUM, 8, IPPROTO_GRE },
};

/* Inner packet lengths; all but the small one are GSO, as in real life. */
enum tun_test_size {
	TUN_SMALL,		/* 120 bytes, checksum still to be done */
	TUN_EDGE,		/* the outer IP length field is 65,535 */
	TUN_PAST_EDGE,		/* ... would be 65,536 */
	TUN_FULL,		/* a full 64 KiB GRO aggregate */
	TUN_BIG,		/* a BIG TCP one */
	TUN_SIZES
};

/* One wrapped packet: what it is, and the verdicts so far. */
struct tun_test {
	const struct tun_test_type	*tt;
	int				outer_af;
	int				inner_af;
	unsigned int			inner_len;
	unsigned int			checks;
	unsigned int			failed;
};

static void __init tun_expect(struct tun_test *t, const char *what, u32 got,
			      u32 want)
{
	t->checks++;
	if (got == want)
		return;
	if (t->failed++ < TUN_TEST_REPORTS)
		pr_err("tunnel self-test: %s, IPv%c in IPv%c, %u-byte inner packet: %s is %u, want %u\n",
		       t->tt->name, t->inner_af == AF_INET6 ? '6' : '4',
		       t->outer_af == AF_INET6 ? '6' : '4', t->inner_len, what,
		       got, want);
}

/* What a 16-bit length field must hold for 'len' */
static u32 __init tun_len16(unsigned int len)
{
	return len > 65535 ? 0 : len;
}

static unsigned int __init tun_inner_len(const struct tun_test *t,
					 enum tun_test_size size)
{
	/* an IPv4 outer length counts the outer header, IPv6's does not */
	unsigned int covered = t->tt->hlen +
			       (t->outer_af == AF_INET6 ? 0 : sizeof(struct iphdr));

	switch (size) {
	case TUN_SMALL:
		return 120;
	case TUN_EDGE:
		return 65535 - covered;
	case TUN_PAST_EDGE:
		return 65536 - covered;
	case TUN_FULL:
		return 65535;
	default:
		return 100000;
	}
}

/* The inner IP and TCP headers at skb->data, as they arrived. */
static void __init tun_inner_headers(struct sk_buff *skb, int af,
				     unsigned int len)
{
	unsigned int iphlen;
	struct tcphdr *th;

	skb_reset_network_header(skb);
	if (af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		iphlen = sizeof(*ip6h);
		ip6_flow_hdr(ip6h, 0, 0);
		/* past 64 KiB as BIG TCP leaves it */
		ip6h->payload_len = htons(tun_len16(len - iphlen));
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = 64;
		ip6h->saddr.s6_addr32[0] = htonl(0x20010db8);
		ip6h->saddr.s6_addr32[3] = htonl(0x10);
		ip6h->daddr.s6_addr32[0] = htonl(0x20010db8);
		ip6h->daddr.s6_addr32[3] = htonl(0x100);
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = ip_hdr(skb);

		iphlen = sizeof(*iph);
		iph->version = 4;
		iph->ihl = iphlen / 4;
		iph->tot_len = htons(tun_len16(len));
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = htonl(0xc6336410);		/* 198.51.100.16 */
		iph->daddr = htonl(0xcb007101);		/* 203.0.113.1 */
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, iphlen);
	th = tcp_hdr(skb);
	th->source = htons(40000);
	th->dest = htons(80);
	th->doff = sizeof(*th) / 4;
	th->ack = 1;
}

/*
 * An inner packet of 'len' bytes: linear when small, else its headers in
 * the head and the rest in frags of 'page', as GRO builds them.  Its
 * transport checksum is left to be done, as a forwarded GSO packet's is.
 */
static struct sk_buff *__init tun_test_skb(int af, unsigned int len,
					   struct page *page)
{
	unsigned int hdrs = (af == AF_INET6 ? sizeof(struct ipv6hdr) :
			     sizeof(struct iphdr)) + sizeof(struct tcphdr);
	unsigned int fsize = PAGE_SIZE << TUN_TEST_PAGE_ORDER;
	unsigned int head = len > 1500 ? hdrs : len;
	struct sk_buff *skb;
	int i;

	skb = alloc_skb(TUN_TEST_HEADROOM + head, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, TUN_TEST_HEADROOM);
	skb_put_zero(skb, head);
	for (i = 0; skb->len < len; i++) {
		unsigned int n = min(len - skb->len, fsize);

		if (i == MAX_SKB_FRAGS) {
			kfree_skb(skb);
			return NULL;
		}
		get_page(page);
		skb_add_rx_frag(skb, i, page, 0, n, fsize);
	}
	tun_inner_headers(skb, af, len);
	/* the flow hash for GUE's source port reads the device's netns */
	skb->dev = init_net.loopback_dev;
	if (!skb_partial_csum_set(skb, skb_transport_offset(skb),
				  offsetof(struct tcphdr, check))) {
		kfree_skb(skb);
		return NULL;
	}
	if (len > 1500) {
		skb_shinfo(skb)->gso_size = 1400;
		skb_shinfo(skb)->gso_type = af == AF_INET6 ? SKB_GSO_TCPV6 :
							     SKB_GSO_TCPV4;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(len - hdrs, 1400);
	}
	return skb;
}

/* The tunnel header: where offloads look for it, and what it says. */
static void __init tun_check_tunnel(struct tun_test *t, struct sk_buff *skb,
				    const struct tun_params *tp,
				    unsigned int outer_hlen, unsigned int hlen)
{
	u8 inner_ipproto = t->inner_af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	unsigned int thoff = skb_transport_header(skb) - skb->data;

	switch (tp->type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE: {
		struct udphdr *uh = (struct udphdr *)(skb->data + outer_hlen);
		struct guehdr *gueh = (struct guehdr *)(uh + 1);

		tun_expect(t, "transport header (UDP) offset", thoff, outer_hlen);
		tun_expect(t, "UDP length", ntohs(uh->len),
			   tun_len16(hlen + t->inner_len));
		tun_expect(t, "UDP port", ntohs(uh->dest), TUN_TEST_PORT);
		tun_expect(t, "GUE protocol", gueh->proto_ctype, inner_ipproto);
		tun_expect(t, "GUE option words", gueh->hlen,
			   (hlen - sizeof(*uh) - sizeof(*gueh)) / 4);
		break;
	}
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE: {
		struct gre_base_hdr *greh;

		greh = (struct gre_base_hdr *)(skb->data + outer_hlen);
		tun_expect(t, "transport header (GRE) offset", thoff, outer_hlen);
		tun_expect(t, "GRE protocol", ntohs(greh->protocol),
			   t->inner_af == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
		tun_expect(t, "GRE checksum flag", !!(greh->flags & GRE_CSUM),
			   !!(tp->flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM));
		/* a GSO packet's is written per segment */
		if ((greh->flags & GRE_CSUM) && !skb_is_gso(skb))
			tun_expect(t, "GRE checksum residue",
				   (__force u16)csum_fold(skb_checksum(skb, outer_hlen,
						skb->len - outer_hlen, 0)), 0);
		break;
	}
	}
}

/* Wrap one packet and check every header in front of the inner one. */
static bool __init tun_test_one(struct tun_test *t, struct l4vs_dest *dest,
				const struct l4vs_route *r, struct page *page)
{
	unsigned int outer_hlen = t->outer_af == AF_INET6 ?
				  sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct tun_params tp = {
		.type	= t->tt->type,
		.flags	= t->tt->flags,
		.port	= htons(TUN_TEST_PORT),
	};
	unsigned int hlen = t->tt->hlen;
	u8 proto = t->tt->proto;
	struct sk_buff *skb;

	skb = tun_test_skb(t->inner_af, t->inner_len, page);
	if (!skb) {
		pr_err("tunnel self-test: no memory for a %u-byte packet\n",
		       t->inner_len);
		return false;
	}
	remcsum_check(skb, &tp);
	if ((tp.flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) && !skb_is_gso(skb))
		hlen += GUE_LEN_PRIV + GUE_PLEN_REMCSUM;
	if (!proto)
		proto = t->inner_af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	tun_expect(t, "tunnel header length (MTU check)", encap_len(&tp), hlen);

	if (tunnel_wrap(&init_net, skb, &tp, dest, r, t->inner_af, 0, 63, 0)) {
		pr_err("tunnel self-test: %s could not wrap a packet\n",
		       t->tt->name);
		kfree_skb(skb);
		return false;
	}
	tun_expect(t, "packet length", skb->len, outer_hlen + hlen + t->inner_len);
	tun_expect(t, "network header offset", skb_network_offset(skb), 0);
	tun_expect(t, "inner network header offset",
		   skb_inner_network_header(skb) - skb->data, outer_hlen + hlen);
	if (t->outer_af == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		tun_expect(t, "IPv6 payload length", ntohs(ip6h->payload_len),
			   tun_len16(hlen + t->inner_len));
		tun_expect(t, "IPv6 next header", ip6h->nexthdr, proto);
	} else {
		struct iphdr *iph = ip_hdr(skb);

		tun_expect(t, "IPv4 total length", ntohs(iph->tot_len),
			   tun_len16(outer_hlen + hlen + t->inner_len));
		tun_expect(t, "IPv4 protocol", iph->protocol, proto);
		tun_expect(t, "IPv4 header checksum residue",
			   (__force u16)ip_fast_csum(iph, iph->ihl), 0);
	}
	tun_check_tunnel(t, skb, &tp, outer_hlen, hlen);
	consume_skb(skb);
	return true;
}

static void __init tun_test_dest(struct l4vs_dest *dest, struct l4vs_route *r,
				 int af)
{
	memset(&r->saddr, 0, sizeof(r->saddr));
	memset(&dest->addr, 0, sizeof(dest->addr));
	dest->af = af;
	if (af == AF_INET6) {
		r->saddr.in6.s6_addr32[0] = htonl(0x20010db8);
		r->saddr.in6.s6_addr32[3] = htonl(1);
		dest->addr.in6.s6_addr32[0] = htonl(0x20010db8);
		dest->addr.in6.s6_addr32[3] = htonl(2);
	} else {
		r->saddr.ip = htonl(0xc0000201);	/* 192.0.2.1 */
		dest->addr.ip = htonl(0xc0000202);
	}
}

bool __init l4vs_tunnel_selftest(void)
{
	static const int afs[] __initconst = { AF_INET, AF_INET6 };
	struct tun_test t = {};
	struct l4vs_route r = {};
	struct l4vs_dest *dest;
	unsigned int i, o, n, s;
	struct page *page;
	bool ok = true;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_ZERO,
			   TUN_TEST_PAGE_ORDER);
	if (!dest || !page) {
		pr_err("tunnel self-test: no memory\n");
		ok = false;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(tun_test_types) && ok; i++) {
		t.tt = &tun_test_types[i];
		for (o = 0; o < ARRAY_SIZE(afs); o++) {
			t.outer_af = afs[o];
			tun_test_dest(dest, &r, t.outer_af);
			for (n = 0; n < ARRAY_SIZE(afs); n++) {
				t.inner_af = afs[n];
				for (s = 0; s < TUN_SIZES && ok; s++) {
					t.inner_len = tun_inner_len(&t, s);
					ok = tun_test_one(&t, dest, &r, page);
				}
			}
		}
	}
	if (t.failed) {
		pr_err("tunnel self-test: %u of %u checks failed\n", t.failed,
		       t.checks);
		ok = false;
	} else if (ok) {
		pr_info("tunnel self-test passed (%u checks)\n", t.checks);
	}
out:
	if (page)
		__free_pages(page, TUN_TEST_PAGE_ORDER);
	kfree(dest);
	return ok;
}
