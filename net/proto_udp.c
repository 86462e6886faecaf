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

void l4vs_udp_update(struct l4vs_net *ln, struct l4vs_conn *cp)
{
	unsigned long expires = jiffies + READ_ONCE(ln->udp_timeout);

	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}
