// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the protocol table, what is common to every protocol's state
 * machine, and the timeouts clients set with "--set tcp tcpfin udp"
 * (ESTABLISHED, FIN_WAIT and UDP, in seconds).
 */
#include <linux/in.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

#include "conn.h"

const struct l4vs_protocol *const l4vs_protocols[IPPROTO_SCTP + 1] = {
	[IPPROTO_TCP]	= &l4vs_proto_tcp,
	[IPPROTO_UDP]	= &l4vs_proto_udp,
	[IPPROTO_SCTP]	= &l4vs_proto_sctp,
};

static unsigned long *proto_timeouts(struct l4vs_net *ln,
				     const struct l4vs_protocol *pp)
{
	return (void *)ln + pp->timeouts_off;
}

void l4vs_proto_net_init(struct l4vs_net *ln)
{
	const struct l4vs_protocol *pp;
	unsigned int p, s;

	for (p = 0; p < ARRAY_SIZE(l4vs_protocols); p++) {
		pp = l4vs_protocols[p];
		if (!pp)
			continue;
		for (s = 0; s < pp->nr_states; s++)
			proto_timeouts(ln, pp)[s] = pp->default_timeouts[s] * HZ;
	}
}

/* A new entry's: that of its protocol's first state (NONE). */
unsigned long l4vs_proto_initial_timeout(struct l4vs_net *ln, u8 protocol)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(protocol);

	return pp ? l4vs_proto_state_timeout(ln, pp, 0) : 0;
}

/*
 * The timeout of 'state' for this entry: the table's, except that an
 * unconfirmed established entry of a one-sided director ages fast.
 */
unsigned long l4vs_proto_conn_timeout(struct l4vs_net *ln,
				      const struct l4vs_protocol *pp,
				      const struct l4vs_conn *cp,
				      unsigned int state)
{
	unsigned long t = l4vs_proto_state_timeout(ln, pp, state);

	if (l4vs_proto_established(pp, state) && !l4vs_conn_two_sided(cp) &&
	    !(READ_ONCE(cp->flags) & L4VS_CONN_F_CONFIRMED))
		t = min_t(unsigned long, t, L4VS_UNCONFIRMED_TIMEOUT);
	return t;
}

unsigned long l4vs_proto_timeout(struct l4vs_net *ln, const struct l4vs_conn *cp)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);

	return pp ? l4vs_proto_conn_timeout(ln, pp, cp, READ_ONCE(cp->state)) : 0;
}

bool l4vs_inet_csum_ok(struct sk_buff *skb, const struct l4vs_iphdr *iph,
		       unsigned int hook)
{
	if (iph->af == AF_INET6)
		return !nf_ip6_checksum(skb, hook, iph->thoff, iph->protocol);
	return !nf_ip_checksum(skb, hook, iph->thoff, iph->protocol);
}

/*
 * Evidence for conn_max's early drop is gathered by each protocol's update
 * (L4VS_CONN_F_CONFIRMED); here only what is common: a reply seen, and a
 * client that came back.
 */
void l4vs_proto_update(struct l4vs_net *ln, struct l4vs_conn *cp,
		       const struct l4vs_protocol *pp,
		       const union l4vs_l4hdr *h, enum l4vs_dir dir)
{
	INDIRECT_CALL_3(pp->update, l4vs_tcp_update, l4vs_udp_update,
			l4vs_sctp_update, ln, cp, h, dir);
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
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);
	unsigned int state = READ_ONCE(cp->state);

	if ((cp->flags & IP_VS_CONN_F_TEMPLATE) || !pp)
		return "NONE";
	return state < pp->nr_states ? pp->state_names[state] : "ERR!";
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
