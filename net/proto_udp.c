// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: UDP "connections".
 *
 * UDP has one state; an entry lives for the udp timeout after its last
 * datagram in either direction and always counts as inactive, as in IPVS.
 */
#include <linux/udp.h>

#include "conn.h"

static const unsigned int udp_default_timeouts[L4VS_UDP_S_LAST] = {
	[L4VS_UDP_S_NORMAL]	= 5 * 60,
};

static const char *const udp_state_names[L4VS_UDP_S_LAST] = {
	[L4VS_UDP_S_NORMAL]	= "UDP",
};

INDIRECT_CALLABLE_SCOPE bool l4vs_udp_header_ok(const struct sk_buff *skb,
						unsigned int thoff,
						union l4vs_l4hdr *h)
{
	const struct udphdr *uh;
	unsigned int len;

	uh = skb_header_pointer(skb, thoff, sizeof(h->udp), &h->udp);
	if (!uh)
		return false;
	if (uh != &h->udp)
		h->udp = *uh;
	len = ntohs(uh->len);
	/* the length must cover the header and fit in the packet */
	return len >= sizeof(*uh) && thoff + len <= skb->len;
}

/* IPv4 UDP may carry no checksum at all (a zero) */
INDIRECT_CALLABLE_SCOPE bool l4vs_udp_csum_ok(struct sk_buff *skb,
					      const struct l4vs_iphdr *iph,
					      unsigned int hook)
{
	if (iph->af == AF_INET) {
		__be16 _check, *check;

		check = skb_header_pointer(skb, iph->thoff +
					   offsetof(struct udphdr, check),
					   sizeof(_check), &_check);
		if (check && !*check)
			return true;
	}
	return l4vs_inet_csum_ok(skb, iph, hook);
}

/*
 * Evidence of a real client, for conn_max's early drop: with masquerading,
 * a datagram from the client after the server answered (a spoofed source
 * never sees the answer, so it cannot know when to come back; it can still
 * send twice, which is the price).  DR and TUN see no answer and never
 * confirm a UDP flow: a flow the client came back to only ranks above
 * one-datagram flows (conn.c).
 */
INDIRECT_CALLABLE_SCOPE void l4vs_udp_update(struct l4vs_net *ln,
					     struct l4vs_conn *cp,
					     const union l4vs_l4hdr *h,
					     enum l4vs_dir dir)
{
	unsigned long expires = jiffies + READ_ONCE(ln->udp_timeout);

	if (dir == L4VS_DIR_INPUT && l4vs_conn_two_sided(cp) &&
	    (READ_ONCE(cp->flags) & L4VS_CONN_F_REPLIED))
		l4vs_conn_set_flag(cp, L4VS_CONN_F_CONFIRMED);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}

const struct l4vs_protocol l4vs_proto_udp = {
	.name			= "UDP",
	.protocol		= IPPROTO_UDP,
	.nr_states		= L4VS_UDP_S_LAST,
	.state_names		= udp_state_names,
	.default_timeouts	= udp_default_timeouts,
	.timeouts_off		= offsetof(struct l4vs_net, udp_timeout),
	.established		= -1,
	.csum_zero_is_none	= true,
	.csum_offset		= offsetof(struct udphdr, check),
	.csum_size		= sizeof(__sum16),
	.header_ok		= l4vs_udp_header_ok,
	.csum_ok		= l4vs_udp_csum_ok,
	.update			= l4vs_udp_update,
};
