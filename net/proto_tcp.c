// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: TCP connection states.
 *
 * The director sees both directions of a masqueraded connection and only the
 * client's side of a direct-routed or tunnelled one, so the machine is driven
 * by what each direction says rather than by a full TCP model:
 *
 *   input  SYN           NONE, SYN_RECV, TIME_WAIT, CLOSE  -> SYN_RECV
 *   input  ACK           SYN_RECV                          -> ESTABLISHED
 *                        NONE (picked up, sloppy_tcp)      -> ESTABLISHED
 *   input  FIN           SYN_RECV, ESTABLISHED             -> FIN_WAIT
 *                        NONE (picked up, sloppy_tcp)      -> FIN_WAIT
 *                        CLOSE_WAIT                        -> LAST_ACK
 *   output SYN (SYN-ACK) NONE, SYN_RECV                    -> SYN_RECV
 *   output FIN           SYN_RECV, ESTABLISHED             -> CLOSE_WAIT
 *                        FIN_WAIT                          -> TIME_WAIT
 *   output ACK           LAST_ACK                          -> TIME_WAIT
 *   RST either way                                         -> CLOSE
 *
 * Anything else keeps the state and just refreshes the timer.  Only
 * ESTABLISHED counts as an active connection (ipvsadm's ActiveConn); every
 * other state is inactive.  Timeouts default to the values IPVS documents,
 * except for an ESTABLISHED entry a one-sided director has not confirmed
 * (see tcp_confirms()): at most L4VS_UNCONFIRMED_TIMEOUT.
 */
#include <linux/tcp.h>

#include "conn.h"

static const unsigned int tcp_default_timeouts[L4VS_TCP_S_LAST] = {
	[L4VS_TCP_S_NONE]		= 2 * 60,
	[L4VS_TCP_S_ESTABLISHED]	= 15 * 60,
	[L4VS_TCP_S_SYN_SENT]		= 2 * 60,
	[L4VS_TCP_S_SYN_RECV]		= 1 * 60,
	[L4VS_TCP_S_FIN_WAIT]		= 2 * 60,
	[L4VS_TCP_S_TIME_WAIT]		= 2 * 60,
	[L4VS_TCP_S_CLOSE]		= 10,
	[L4VS_TCP_S_CLOSE_WAIT]		= 60,
	[L4VS_TCP_S_LAST_ACK]		= 30,
	[L4VS_TCP_S_LISTEN]		= 2 * 60,
	[L4VS_TCP_S_SYNACK]		= 2 * 60,
};

static const char *const tcp_state_names[L4VS_TCP_S_LAST] = {
	[L4VS_TCP_S_NONE]		= "NONE",
	[L4VS_TCP_S_ESTABLISHED]	= "ESTABLISHED",
	[L4VS_TCP_S_SYN_SENT]		= "SYN_SENT",
	[L4VS_TCP_S_SYN_RECV]		= "SYN_RECV",
	[L4VS_TCP_S_FIN_WAIT]		= "FIN_WAIT",
	[L4VS_TCP_S_TIME_WAIT]		= "TIME_WAIT",
	[L4VS_TCP_S_CLOSE]		= "CLOSE",
	[L4VS_TCP_S_CLOSE_WAIT]		= "CLOSE_WAIT",
	[L4VS_TCP_S_LAST_ACK]		= "LAST_ACK",
	[L4VS_TCP_S_LISTEN]		= "LISTEN",
	[L4VS_TCP_S_SYNACK]		= "SYNACK",
};

INDIRECT_CALLABLE_SCOPE bool l4vs_tcp_header_ok(const struct sk_buff *skb,
						unsigned int thoff,
						union l4vs_l4hdr *h)
{
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(h->tcp), &h->tcp);
	if (!th || th->doff < sizeof(h->tcp) / 4)
		return false;
	if (th != &h->tcp)
		h->tcp = *th;
	return thoff + th->doff * 4 <= skb->len;
}

INDIRECT_CALLABLE_SCOPE bool l4vs_tcp_may_create(const union l4vs_l4hdr *h)
{
	const struct tcphdr *th = &h->tcp;

	return th->syn && !th->ack && !th->rst && !th->fin;
}

/*
 * sloppy_tcp: a director that takes over flows it never saw open (a
 * failover without connection sync, a restart) creates the entry on any
 * packet but a reset, which only ends a connection.  The entry starts where
 * the packet says the connection is (tcp_next_state() from NONE).
 */
INDIRECT_CALLABLE_SCOPE bool l4vs_tcp_may_pick_up(struct l4vs_net *ln,
						  const union l4vs_l4hdr *h)
{
	return READ_ONCE(ln->sysctl.sloppy_tcp) && !h->tcp.rst;
}

static unsigned int tcp_next_state(unsigned int s, const struct tcphdr *th,
				   enum l4vs_dir dir)
{
	if (th->rst)
		return L4VS_TCP_S_CLOSE;

	if (dir == L4VS_DIR_INPUT) {
		if (th->syn) {
			switch (s) {
			case L4VS_TCP_S_NONE:
			case L4VS_TCP_S_SYN_RECV:
			case L4VS_TCP_S_TIME_WAIT:
			case L4VS_TCP_S_CLOSE:
				return L4VS_TCP_S_SYN_RECV;
			}
			return s;
		}
		if (th->fin) {
			switch (s) {
			case L4VS_TCP_S_NONE:
			case L4VS_TCP_S_SYN_RECV:
			case L4VS_TCP_S_ESTABLISHED:
				return L4VS_TCP_S_FIN_WAIT;
			case L4VS_TCP_S_CLOSE_WAIT:
				return L4VS_TCP_S_LAST_ACK;
			}
			return s;
		}
		/* NONE: only an entry sloppy_tcp picked up mid-stream */
		if (th->ack && (s == L4VS_TCP_S_SYN_RECV || s == L4VS_TCP_S_NONE))
			return L4VS_TCP_S_ESTABLISHED;
		return s;
	}

	if (th->syn)
		return s == L4VS_TCP_S_NONE ? L4VS_TCP_S_SYN_RECV : s;
	if (th->fin) {
		switch (s) {
		case L4VS_TCP_S_SYN_RECV:
		case L4VS_TCP_S_ESTABLISHED:
			return L4VS_TCP_S_CLOSE_WAIT;
		case L4VS_TCP_S_FIN_WAIT:
			return L4VS_TCP_S_TIME_WAIT;
		}
		return s;
	}
	if (th->ack && s == L4VS_TCP_S_LAST_ACK)
		return L4VS_TCP_S_TIME_WAIT;
	return s;
}

/*
 * Evidence that a real client is at the other end of an established
 * connection.  Masquerading: the server sent something other than a
 * SYN-ACK or a reset after the handshake (a spoofed SYN and a blind ACK
 * only earn a reset from it).  DR, TUN: the director never sees the
 * server, so it takes a client packet after the one that completed the
 * handshake; a blind attacker must then spend a third packet per entry,
 * and until it does its entries stay evictable and age fast.
 */
static bool tcp_confirms(const struct l4vs_conn *cp, const struct tcphdr *th,
			 unsigned int prev, unsigned int next, enum l4vs_dir dir)
{
	if (next != L4VS_TCP_S_ESTABLISHED || th->syn || th->rst)
		return false;
	if (l4vs_conn_two_sided(cp))
		return dir == L4VS_DIR_OUTPUT;
	return dir == L4VS_DIR_INPUT && prev == L4VS_TCP_S_ESTABLISHED;
}

INDIRECT_CALLABLE_SCOPE void l4vs_tcp_update(struct l4vs_net *ln,
					     struct l4vs_conn *cp,
					     const union l4vs_l4hdr *h,
					     enum l4vs_dir dir)
{
	const struct tcphdr *th = &h->tcp;
	unsigned int prev, next;
	unsigned long expires;

	prev = READ_ONCE(cp->state);
	next = tcp_next_state(prev, th, dir);
	if (next != prev) {
		spin_lock(&cp->lock);
		/* re-read: the other direction may have moved it meanwhile */
		prev = cp->state;
		next = tcp_next_state(prev, th, dir);
		if (next != prev) {
			l4vs_conn_set_active(cp, next == L4VS_TCP_S_ESTABLISHED);
			WRITE_ONCE(cp->state, next);
		}
		spin_unlock(&cp->lock);
	}
	if (tcp_confirms(cp, th, prev, next, dir))
		l4vs_conn_set_flag(cp, L4VS_CONN_F_CONFIRMED);

	expires = jiffies +
		  l4vs_proto_conn_timeout(ln, &l4vs_proto_tcp, cp, next);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}

/* what a backup can use: established or closing */
#define TCP_SYNC_STATES	(BIT(L4VS_TCP_S_ESTABLISHED) | BIT(L4VS_TCP_S_FIN_WAIT) | \
			 BIT(L4VS_TCP_S_CLOSE) | BIT(L4VS_TCP_S_CLOSE_WAIT) | \
			 BIT(L4VS_TCP_S_TIME_WAIT))

const struct l4vs_protocol l4vs_proto_tcp = {
	.name			= "TCP",
	.protocol		= IPPROTO_TCP,
	.nr_states		= L4VS_TCP_S_LAST,
	.state_names		= tcp_state_names,
	.default_timeouts	= tcp_default_timeouts,
	.timeouts_off		= offsetof(struct l4vs_net, tcp_timeouts),
	.established		= L4VS_TCP_S_ESTABLISHED,
	/* late packets only earn a reset or a new schedule */
	.finished_states	= BIT(L4VS_TCP_S_TIME_WAIT) | BIT(L4VS_TCP_S_CLOSE),
	/* the client's FIN is the last a director without replies sees */
	.one_way_closed_states	= BIT(L4VS_TCP_S_FIN_WAIT),
	.sync_states		= TCP_SYNC_STATES,
	.csum_offset		= offsetof(struct tcphdr, check),
	.csum_size		= sizeof(__sum16),
	.header_ok		= l4vs_tcp_header_ok,
	.may_create		= l4vs_tcp_may_create,
	.may_pick_up		= l4vs_tcp_may_pick_up,
	.csum_ok		= l4vs_inet_csum_ok,
	.update			= l4vs_tcp_update,
};
