// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: ICMP errors about balanced connections (IPv4).
 *
 * An error quotes the head of the packet that caused it.  Two cases matter:
 *
 *  - a real server (or a router behind it) complains about a packet of a
 *    masqueraded connection, on its way to the client through FORWARD: the
 *    quoted packet is client -> server, which the client never sent, so
 *    the server's address is put back to the VIP, in the quote and in the
 *    outer source, before it goes on;
 *  - someone on the client's side complains about a packet the VIP sent
 *    (a reply), arriving at LOCAL_IN: it is handed to the connection's
 *    real server, rewritten back for masquerading, unchanged for direct
 *    routing and tunnelling.
 *
 * Errors about unknown connections are left alone, unless schedule_icmp
 * says to schedule the second kind as the flow's first packet (IPVS does
 * so for the three error types it knows: not for a parameter problem; an
 * error quoting a tunnel's packet has no ports to schedule by).  Only the
 * addresses and ports of the quote are changed; the quote's own transport
 * checksum covers data that is not there and is left as it is, as routers
 * do.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/icmp.h>
#include <net/checksum.h>

#include "xmit.h"

static bool icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/*
 * Parse an ICMP error and the header it quotes.  'q' gets the quoted
 * packet's tuple as it was sent; *qoff the quote's IP header offset.
 */
static bool parse_quote(const struct sk_buff *skb, unsigned int *qoff,
			struct l4vs_iphdr *q)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb);
	struct icmphdr _ic;
	const struct icmphdr *ic;
	struct iphdr _qh;
	const struct iphdr *qh;
	__be16 _ports[2];
	const __be16 *ports;

	if (ip_is_fragment(ip_hdr(skb)))
		return false;
	ic = skb_header_pointer(skb, off, sizeof(_ic), &_ic);
	if (!ic || !icmp_is_error(ic->type))
		return false;
	off += sizeof(_ic);
	qh = skb_header_pointer(skb, off, sizeof(_qh), &_qh);
	if (!qh || qh->version != 4 || qh->ihl < 5 ||
	    !l4vs_proto_supported(qh->protocol) ||
	    (qh->frag_off & htons(IP_OFFSET)))
		return false;
	ports = skb_header_pointer(skb, off + qh->ihl * 4, sizeof(_ports), _ports);
	if (!ports)
		return false;

	*qoff = off;
	q->af = AF_INET;
	q->protocol = qh->protocol;
	q->thoff = off + qh->ihl * 4;
	q->saddr.ip = qh->saddr;
	q->daddr.ip = qh->daddr;
	q->sport = ports[0];
	q->dport = ports[1];
	return true;
}

/*
 * Rewrite the quote's source (src) or destination address and port, and
 * the matching outer address, then recompute the ICMP checksum.
 */
static int rewrite_quote(struct sk_buff *skb, unsigned int qoff,
			 const struct l4vs_iphdr *q, bool quote_src,
			 __be32 addr, __be16 port, bool outer_src)
{
	unsigned int icmp_off = skb_network_offset(skb) + ip_hdrlen(skb);
	struct iphdr *iph, *qh;
	struct icmphdr *ic;
	__be16 *ports;

	if (csum_fold(skb_checksum(skb, icmp_off, skb->len - icmp_off, 0)))
		return -EINVAL;	/* never launder a corrupted message */
	if (skb_ensure_writable(skb, q->thoff + 4))
		return -ENOMEM;
	iph = ip_hdr(skb);
	qh = (struct iphdr *)(skb->data + qoff);
	ports = (__be16 *)(skb->data + q->thoff);

	if (quote_src) {
		csum_replace4(&qh->check, qh->saddr, addr);
		qh->saddr = addr;
		ports[0] = port;
	} else {
		csum_replace4(&qh->check, qh->daddr, addr);
		qh->daddr = addr;
		ports[1] = port;
	}
	if (outer_src) {
		csum_replace4(&iph->check, iph->saddr, addr);
		iph->saddr = addr;
	} else {
		csum_replace4(&iph->check, iph->daddr, addr);
		iph->daddr = addr;
	}

	ic = (struct icmphdr *)(skb->data + icmp_off);
	ic->checksum = 0;
	ic->checksum = csum_fold(skb_checksum(skb, icmp_off, skb->len - icmp_off, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* FORWARD: an error from a masqueraded connection's server side. */
unsigned int l4vs_icmp_out(struct l4vs_net *ln, struct sk_buff *skb)
{
	struct l4vs_iphdr q;
	struct l4vs_conn *cp;
	unsigned int qoff;

	if (!parse_quote(skb, &qoff, &q))
		return NF_ACCEPT;
	/* the quote went client -> server: look it up by its real server */
	cp = l4vs_conn_dest_find(ln, &q);
	if (!cp || (cp->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		return NF_ACCEPT;
	if (rewrite_quote(skb, qoff, &q, false, cp->vaddr.ip, cp->vport, true))
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);
	return NF_ACCEPT;
}

/*
 * schedule_icmp: an entry for the flow an error about no known connection
 * quotes, or NULL and *verdict.  A corrupted message creates nothing.
 */
static struct l4vs_conn *schedule_error(struct l4vs_net *ln,
					struct sk_buff *skb,
					const struct l4vs_iphdr *key,
					unsigned int *verdict)
{
	unsigned int icmp_off = skb_network_offset(skb) + ip_hdrlen(skb);
	const struct icmphdr *ic;
	struct icmphdr _ic;

	*verdict = NF_ACCEPT;
	if (likely(!READ_ONCE(ln->sysctl.schedule_icmp)))
		return NULL;
	ic = skb_header_pointer(skb, icmp_off, sizeof(_ic), &_ic);
	if (!ic || ic->type == ICMP_PARAMETERPROB)
		return NULL;
	if (csum_fold(skb_checksum(skb, icmp_off, skb->len - icmp_off, 0))) {
		*verdict = l4vs_drop(ln, L4VS_DROP_CSUM);
		return NULL;
	}
	return l4vs_schedule_icmp(ln, skb, key, verdict);
}

/* LOCAL_IN: an error about a reply the VIP sent; goes to the real server. */
unsigned int l4vs_icmp_in(struct l4vs_net *ln, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct l4vs_iphdr q, key;
	unsigned int qoff, verdict;
	struct l4vs_conn *cp;

	if (!parse_quote(skb, &qoff, &q))
		return NF_ACCEPT;
	/* the quote went VIP -> client: the reverse of an inbound packet */
	key = q;
	key.saddr = q.daddr;
	key.daddr = q.saddr;
	key.sport = q.dport;
	key.dport = q.sport;
	cp = l4vs_conn_in_find(ln, &key);
	if (!cp) {
		cp = schedule_error(ln, skb, &key, &verdict);
		if (!cp)
			return verdict;
	}
	if (!l4vs_dest_available(cp->dest))
		return l4vs_drop(ln, L4VS_DROP_DEST_GONE);

	switch (cp->flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		if (rewrite_quote(skb, qoff, &q, true, cp->daddr.ip, cp->dport,
				  false))
			return l4vs_drop(ln, L4VS_DROP_MALFORMED);
		return l4vs_xmit_routed(skb, cp, state);
	case IP_VS_CONN_F_DROUTE:
		return l4vs_xmit_dr(skb, cp, state);
	case IP_VS_CONN_F_TUNNEL:
		return l4vs_xmit_tunnel(skb, cp, AF_INET, state);
	}
	return NF_ACCEPT;
}
