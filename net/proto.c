// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: per-protocol dispatch (TCP, UDP, SCTP) and the timeouts clients set with
 * "--set tcp tcpfin udp" (ESTABLISHED, FIN_WAIT and UDP, in seconds).
 */
#include <linux/in.h>

#include "conn.h"

#define L4VS_UDP_TIMEOUT_DEF	(5 * 60)

void l4vs_proto_net_init(struct l4vs_net *ln)
{
	l4vs_tcp_net_init(ln);
	l4vs_sctp_net_init(ln);
	ln->udp_timeout = L4VS_UDP_TIMEOUT_DEF * HZ;
}

unsigned long l4vs_proto_initial_timeout(struct l4vs_net *ln, u8 protocol)
{
	if (protocol == IPPROTO_TCP)
		return READ_ONCE(ln->tcp_timeouts[L4VS_TCP_S_NONE]);
	if (protocol == IPPROTO_SCTP)
		return READ_ONCE(ln->sctp_timeouts[L4VS_SCTP_S_NONE]);
	return READ_ONCE(ln->udp_timeout);
}

bool l4vs_proto_header_ok(const struct sk_buff *skb, const struct l4vs_iphdr *iph)
{
	switch (iph->protocol) {
	case IPPROTO_TCP:
		return l4vs_tcp_header_ok(skb, iph->thoff);
	case IPPROTO_UDP:
		return l4vs_udp_header_ok(skb, iph->thoff);
	case IPPROTO_SCTP:
		return l4vs_sctp_header_ok(skb, iph->thoff);
	}
	return false;
}

bool l4vs_proto_may_create(const struct sk_buff *skb, const struct l4vs_iphdr *iph)
{
	if (iph->protocol == IPPROTO_TCP)
		return l4vs_tcp_may_create(skb, iph->thoff);
	if (iph->protocol == IPPROTO_SCTP)
		return l4vs_sctp_may_create(skb, iph->thoff);
	return true;
}

unsigned long l4vs_proto_timeout(struct l4vs_net *ln, const struct l4vs_conn *cp)
{
	if (cp->protocol == IPPROTO_TCP)
		return l4vs_tcp_timeout(ln, cp, READ_ONCE(cp->state));
	if (cp->protocol == IPPROTO_SCTP)
		return l4vs_sctp_timeout(ln, cp, READ_ONCE(cp->state));
	return READ_ONCE(ln->udp_timeout);
}

/*
 * Evidence for conn_max's early drop is gathered by each protocol's update
 * (L4VS_CONN_F_CONFIRMED); here only what is common: a reply seen, and a
 * client that came back.
 */
void l4vs_proto_update(struct l4vs_net *ln, struct l4vs_conn *cp,
		       const struct sk_buff *skb, const struct l4vs_iphdr *iph,
		       enum l4vs_dir dir)
{
	if (cp->protocol == IPPROTO_TCP)
		l4vs_tcp_update(ln, cp, skb, iph->thoff, dir);
	else if (cp->protocol == IPPROTO_SCTP)
		l4vs_sctp_update(ln, cp, skb, iph->thoff, dir);
	else
		l4vs_udp_update(ln, cp, dir);
	if (dir == L4VS_DIR_OUTPUT) {
		l4vs_conn_set_flag(cp, L4VS_CONN_F_REPLIED);
	} else if (unlikely(READ_ONCE(cp->flags) & L4VS_CONN_F_FRESH)) {
		/* the packet that created the entry */
		spin_lock(&cp->lock);
		cp->flags &= ~L4VS_CONN_F_FRESH;
		spin_unlock(&cp->lock);
	} else {
		l4vs_conn_set_flag(cp, L4VS_CONN_F_AGAIN);
	}
}

const char *l4vs_conn_state_name(const struct l4vs_conn *cp)
{
	if (cp->flags & IP_VS_CONN_F_TEMPLATE)
		return "NONE";
	if (cp->protocol == IPPROTO_TCP)
		return l4vs_tcp_state_name(READ_ONCE(cp->state));
	if (cp->protocol == IPPROTO_SCTP)
		return l4vs_sctp_state_name(READ_ONCE(cp->state));
	return "UDP";
}

void l4vs_timeouts_get(struct l4vs_net *ln, u32 *tcp, u32 *tcp_fin, u32 *udp)
{
	*tcp = READ_ONCE(ln->tcp_timeouts[L4VS_TCP_S_ESTABLISHED]) / HZ;
	*tcp_fin = READ_ONCE(ln->tcp_timeouts[L4VS_TCP_S_FIN_WAIT]) / HZ;
	*udp = READ_ONCE(ln->udp_timeout) / HZ;
}

/* A zero leaves that timeout as it is, as with ipvsadm --set. */
void l4vs_timeouts_set(struct l4vs_net *ln, u32 tcp, u32 tcp_fin, u32 udp)
{
	lockdep_assert_held(&ln->lock);
	if (tcp)
		WRITE_ONCE(ln->tcp_timeouts[L4VS_TCP_S_ESTABLISHED],
			   (unsigned long)tcp * HZ);
	if (tcp_fin)
		WRITE_ONCE(ln->tcp_timeouts[L4VS_TCP_S_FIN_WAIT],
			   (unsigned long)tcp_fin * HZ);
	if (udp)
		WRITE_ONCE(ln->udp_timeout, (unsigned long)udp * HZ);
}
