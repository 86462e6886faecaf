// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: ICMPv6 errors about balanced connections, the IPv6 twin of icmp.c
 * (same two cases, same rules; schedule_icmp schedules every error type,
 * as IPVS does for IPv6).  The ICMPv6 checksum covers a
 * pseudo-header, so it is recomputed over the whole message after the
 * rewrite, with the outer addresses as they leave.
 */
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>

#include "xmit.h"

static bool icmp6_is_error(u8 type)
{
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

/* The ICMPv6 header's offset, if this is an ICMPv6 error. */
static bool find_icmp6(struct sk_buff *skb, unsigned int *icoff)
{
	struct icmp6hdr _ic;
	const struct icmp6hdr *ic;
	unsigned int off = 0;

	if (ipv6_find_hdr(skb, &off, IPPROTO_ICMPV6, NULL, NULL) < 0)
		return false;
	ic = skb_header_pointer(skb, off, sizeof(_ic), &_ic);
	if (!ic || !icmp6_is_error(ic->icmp6_type))
		return false;
	*icoff = off;
	return true;
}

static bool parse_quote6(const struct sk_buff *skb, unsigned int icoff,
			 unsigned int *qoff, struct l4vs_iphdr *q)
{
	unsigned int off = icoff + sizeof(struct icmp6hdr);
	struct ipv6hdr _qh;
	const struct ipv6hdr *qh;
	__be16 _ports[2];
	const __be16 *ports;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	qh = skb_header_pointer(skb, off, sizeof(_qh), &_qh);
	if (!qh || qh->version != 6)
		return false;
	nexthdr = qh->nexthdr;
	thoff = ipv6_skip_exthdr(skb, off + sizeof(_qh), &nexthdr, &frag_off);
	if (thoff < 0 || (frag_off & htons(~0x7)) || !l4vs_proto_supported(nexthdr))
		return false;
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return false;

	*qoff = off;
	q->af = AF_INET6;
	q->protocol = nexthdr;
	q->thoff = thoff;
	q->saddr.in6 = qh->saddr;
	q->daddr.in6 = qh->daddr;
	q->sport = ports[0];
	q->dport = ports[1];
	return true;
}

static __sum16 icmp6_csum(struct sk_buff *skb, unsigned int icoff)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int len = skb->len - icoff;

	return csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, IPPROTO_ICMPV6,
			       skb_checksum(skb, icoff, len, 0));
}

static int rewrite_quote6(struct sk_buff *skb, unsigned int icoff,
			  unsigned int qoff, const struct l4vs_iphdr *q,
			  bool quote_src, const struct in6_addr *addr,
			  __be16 port, bool outer_src)
{
	struct ipv6hdr *ip6h, *qh;
	struct icmp6hdr *ic;
	__be16 *ports;

	if (icmp6_csum(skb, icoff))
		return -EINVAL;	/* never launder a corrupted message */
	if (skb_ensure_writable(skb, q->thoff + 4))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	qh = (struct ipv6hdr *)(skb->data + qoff);
	ports = (__be16 *)(skb->data + q->thoff);

	if (quote_src) {
		qh->saddr = *addr;
		ports[0] = port;
	} else {
		qh->daddr = *addr;
		ports[1] = port;
	}
	if (outer_src)
		ip6h->saddr = *addr;
	else
		ip6h->daddr = *addr;

	ic = (struct icmp6hdr *)(skb->data + icoff);
	ic->icmp6_cksum = 0;
	ic->icmp6_cksum = icmp6_csum(skb, icoff);
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* FORWARD: an error from a masqueraded connection's server side. */
unsigned int l4vs_icmp6_out(struct l4vs_net *ln, struct sk_buff *skb)
{
	unsigned int icoff, qoff;
	struct l4vs_iphdr q;
	struct l4vs_conn *cp;

	if (!find_icmp6(skb, &icoff) || !parse_quote6(skb, icoff, &qoff, &q))
		return NF_ACCEPT;
	cp = l4vs_conn_dest_find(ln, &q);
	if (!cp || (cp->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		return NF_ACCEPT;
	if (rewrite_quote6(skb, icoff, qoff, &q, false, &cp->vaddr.in6,
			   cp->vport, true))
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);
	return NF_ACCEPT;
}

/*
 * schedule_icmp: an entry for the flow an error about no known connection
 * quotes, or NULL and *verdict.  A corrupted message creates nothing.
 */
static struct l4vs_conn *schedule_error6(struct l4vs_net *ln,
					 struct sk_buff *skb, unsigned int icoff,
					 const struct l4vs_iphdr *key,
					 unsigned int *verdict)
{
	*verdict = NF_ACCEPT;
	if (likely(!READ_ONCE(ln->sysctl.schedule_icmp)))
		return NULL;
	if (icmp6_csum(skb, icoff)) {
		*verdict = l4vs_drop(ln, L4VS_DROP_CSUM);
		return NULL;
	}
	return l4vs_schedule_icmp(ln, skb, key, verdict);
}

/* LOCAL_IN: an error about a reply the VIP sent; goes to the real server. */
unsigned int l4vs_icmp6_in(struct l4vs_net *ln, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	unsigned int icoff, qoff, verdict;
	struct l4vs_iphdr q, key;
	struct l4vs_conn *cp;

	if (!find_icmp6(skb, &icoff) || !parse_quote6(skb, icoff, &qoff, &q))
		return NF_ACCEPT;
	key = q;
	key.saddr = q.daddr;
	key.daddr = q.saddr;
	key.sport = q.dport;
	key.dport = q.sport;
	cp = l4vs_conn_in_find(ln, &key);
	if (!cp) {
		cp = schedule_error6(ln, skb, icoff, &key, &verdict);
		if (!cp)
			return verdict;
	}
	if (!l4vs_dest_available(cp->dest))
		return l4vs_drop(ln, L4VS_DROP_DEST_GONE);

	switch (cp->flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		if (rewrite_quote6(skb, icoff, qoff, &q, true, &cp->daddr.in6,
				   cp->dport, false))
			return l4vs_drop(ln, L4VS_DROP_MALFORMED);
		return l4vs_xmit_routed6(skb, cp, state);
	case IP_VS_CONN_F_DROUTE:
		return l4vs_xmit_dr6(skb, cp, &key, state);
	case IP_VS_CONN_F_TUNNEL:
		return l4vs_xmit_tunnel(skb, cp, AF_INET6, state);
	}
	return NF_ACCEPT;
}
