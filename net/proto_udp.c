// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: UDP "connections".
 *
 * UDP has one state; an entry lives for the udp timeout after its last
 * datagram in either direction and always counts as inactive, as in IPVS.
 */
#include <linux/udp.h>

#include "conn.h"

bool l4vs_udp_header_ok(const struct sk_buff *skb, unsigned int thoff)
{
	struct udphdr _uh;
	const struct udphdr *uh;
	unsigned int len;

	uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
	if (!uh)
		return false;
	len = ntohs(uh->len);
	/* the length must cover the header and fit in the packet */
	return len >= sizeof(_uh) && thoff + len <= skb->len;
}

/*
 * Evidence of a real client, for conn_max's early drop: with masquerading,
 * a datagram from the client after the server answered (a spoofed source
 * never sees the answer, so it cannot know when to come back; it can still
 * send twice, which is the price).  DR and TUN see no answer and never
 * confirm a UDP flow: a flow the client came back to only ranks above
 * one-datagram flows (conn.c).
 */
void l4vs_udp_update(struct l4vs_net *ln, struct l4vs_conn *cp,
		     enum l4vs_dir dir)
{
	unsigned long expires = jiffies + READ_ONCE(ln->udp_timeout);

	if (dir == L4VS_DIR_INPUT && l4vs_conn_two_sided(cp) &&
	    (READ_ONCE(cp->flags) & L4VS_CONN_F_REPLIED))
		l4vs_conn_set_flag(cp, L4VS_CONN_F_CONFIRMED);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}
