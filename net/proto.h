/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: the protocols l4vs balances, one constant table of operations and
 * facts each (proto_tcp.c, proto_udp.c, proto_sctp.c), found by protocol
 * number in an array: no lock, no list, NULL for a protocol l4vs leaves
 * alone.  The packet path (core.c) looks the protocol up once and calls
 * out; a protocol's code never calls back into core.c.
 */
#ifndef _NET_L4VS_PROTO_H
#define _NET_L4VS_PROTO_H

#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/sctp.h>
#include <linux/indirect_call_wrapper.h>

#include "l4vs.h"

/*
 * What a protocol's header check copied out of the packet, for the
 * operations that follow on the same packet: the header is read once.  A
 * copy rather than a pointer, as the checksum check may move the data.
 */
union l4vs_l4hdr {
	struct tcphdr		tcp;
	struct udphdr		udp;
	struct sctp_chunkhdr	sctp_chunk;	/* the first chunk's */
};

struct l4vs_protocol {
	const char		*name;		/* as /proc and ipvsadm print it */
	u8			protocol;	/* IPPROTO_* */
	/* states: names (-Lnc), default timeouts (seconds), by number */
	u8			nr_states;
	const char *const	*state_names;
	const unsigned int	*default_timeouts;
	/* where its timeouts (jiffies, by state) live in struct l4vs_net */
	size_t			timeouts_off;
	/*
	 * The one state that counts as an active connection, -1: none (its
	 * state says nothing of progress: replies and returns tell instead).
	 */
	int			established;
	/*
	 * states whose entries go first when the table is full; also those
	 * a new connection on the same ports replaces (conn_reuse_mode)
	 */
	unsigned long		finished_states;
	/*
	 * conn_reuse_mode bit 1: further states a new connection replaces
	 * when no reply was ever seen (the last a DR/TUN director sees)
	 */
	unsigned long		one_way_closed_states;
	/* states a sync master tells (on change); 0: by packet count only */
	unsigned long		sync_states;
	/* the checksum field, in the transport header */
	u8			csum_offset;
	u8			csum_size;
	/* a zero checksum field means "none" (UDP) */
	bool			csum_zero_is_none;
	/*
	 * NULL: the checksum covers a pseudo-header and is updated in place
	 * on a rewrite; else it is computed afresh over the packet.
	 */
	void (*csum_update)(struct sk_buff *skb, unsigned int thoff);

	/* false: drop.  Fills 'h' for the operations below. */
	bool (*header_ok)(const struct sk_buff *skb, unsigned int thoff,
			  union l4vs_l4hdr *h);
	/* may this packet open a new connection?  NULL: any may */
	bool (*may_create)(const union l4vs_l4hdr *h);
	/* may it create an entry mid-stream (sloppy_*)?  NULL: never */
	bool (*may_pick_up)(struct l4vs_net *ln, const union l4vs_l4hdr *h);
	bool (*csum_ok)(struct sk_buff *skb, const struct l4vs_iphdr *iph,
			unsigned int hook);
	/* advance the state machine, refresh the expiry time */
	void (*update)(struct l4vs_net *ln, struct l4vs_conn *cp,
		       const union l4vs_l4hdr *h, enum l4vs_dir dir);
};

extern const struct l4vs_protocol l4vs_proto_tcp;
extern const struct l4vs_protocol l4vs_proto_udp;
extern const struct l4vs_protocol l4vs_proto_sctp;

/* Indexed by protocol number, up to the highest l4vs balances (proto.c). */
extern const struct l4vs_protocol *const l4vs_protocols[IPPROTO_SCTP + 1];

static inline const struct l4vs_protocol *l4vs_proto_find(unsigned int protocol)
{
	return protocol < ARRAY_SIZE(l4vs_protocols) ?
	       l4vs_protocols[protocol] : NULL;
}

static inline bool l4vs_proto_supported(int protocol)
{
	return l4vs_proto_find(protocol);
}

static inline bool l4vs_proto_state_in(unsigned long states, unsigned int state)
{
	return state < BITS_PER_LONG && (BIT(state) & states);
}

static inline bool l4vs_proto_established(const struct l4vs_protocol *pp,
					  unsigned int state)
{
	return (int)state == pp->established;
}

/* The configured timeout of 'state' (jiffies). */
static inline unsigned long l4vs_proto_state_timeout(struct l4vs_net *ln,
						     const struct l4vs_protocol *pp,
						     unsigned int state)
{
	const unsigned long *t = (const void *)ln + pp->timeouts_off;

	return READ_ONCE(t[state < pp->nr_states ? state : 0]);
}

/* The pseudo-header checksum of TCP and UDP, as the stack checks it. */
bool l4vs_inet_csum_ok(struct sk_buff *skb, const struct l4vs_iphdr *iph,
		       unsigned int hook);

/*
 * The operations the packet path calls, as direct calls to the three
 * known protocols where indirect calls are costly (retpolines).
 */
INDIRECT_CALLABLE_DECLARE(bool l4vs_tcp_header_ok(const struct sk_buff *skb,
						  unsigned int thoff,
						  union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_udp_header_ok(const struct sk_buff *skb,
						  unsigned int thoff,
						  union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_sctp_header_ok(const struct sk_buff *skb,
						   unsigned int thoff,
						   union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_tcp_may_create(const union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_sctp_may_create(const union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_tcp_may_pick_up(struct l4vs_net *ln,
						    const union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_sctp_may_pick_up(struct l4vs_net *ln,
						     const union l4vs_l4hdr *h));
INDIRECT_CALLABLE_DECLARE(bool l4vs_udp_csum_ok(struct sk_buff *skb,
						const struct l4vs_iphdr *iph,
						unsigned int hook));
INDIRECT_CALLABLE_DECLARE(bool l4vs_sctp_csum_ok_op(struct sk_buff *skb,
						    const struct l4vs_iphdr *iph,
						    unsigned int hook));
INDIRECT_CALLABLE_DECLARE(void l4vs_tcp_update(struct l4vs_net *ln,
					       struct l4vs_conn *cp,
					       const union l4vs_l4hdr *h,
					       enum l4vs_dir dir));
INDIRECT_CALLABLE_DECLARE(void l4vs_udp_update(struct l4vs_net *ln,
					       struct l4vs_conn *cp,
					       const union l4vs_l4hdr *h,
					       enum l4vs_dir dir));
INDIRECT_CALLABLE_DECLARE(void l4vs_sctp_update(struct l4vs_net *ln,
						struct l4vs_conn *cp,
						const union l4vs_l4hdr *h,
						enum l4vs_dir dir));

/* Header sanity at iph->thoff, the header kept in 'h'; false: drop. */
static inline bool l4vs_proto_header_ok(const struct l4vs_protocol *pp,
					const struct sk_buff *skb,
					unsigned int thoff, union l4vs_l4hdr *h)
{
	return INDIRECT_CALL_3(pp->header_ok, l4vs_tcp_header_ok,
			       l4vs_udp_header_ok, l4vs_sctp_header_ok,
			       skb, thoff, h);
}

/* May this packet open a new connection (TCP: a plain SYN)? */
static inline bool l4vs_proto_may_create(const struct l4vs_protocol *pp,
					 const union l4vs_l4hdr *h)
{
	return !pp->may_create ||
	       INDIRECT_CALL_2(pp->may_create, l4vs_tcp_may_create,
			       l4vs_sctp_may_create, h);
}

/*
 * Does this packet open a new connection of a connection-oriented protocol
 * (TCP SYN, SCTP INIT), one that may replace an old entry (port reuse)?
 */
static inline bool l4vs_proto_opens(const struct l4vs_protocol *pp,
				    const union l4vs_l4hdr *h)
{
	return pp->may_create && l4vs_proto_may_create(pp, h);
}

/* May a packet that opens nothing create an entry (sloppy_tcp/sctp)? */
static inline bool l4vs_proto_may_pick_up(struct l4vs_net *ln,
					  const struct l4vs_protocol *pp,
					  const union l4vs_l4hdr *h)
{
	return pp->may_pick_up &&
	       INDIRECT_CALL_2(pp->may_pick_up, l4vs_tcp_may_pick_up,
			       l4vs_sctp_may_pick_up, ln, h);
}

/* Checked once per flow, on the packet that creates it. */
static inline bool l4vs_proto_csum_ok(const struct l4vs_protocol *pp,
				      struct sk_buff *skb,
				      const struct l4vs_iphdr *iph,
				      unsigned int hook)
{
	return INDIRECT_CALL_3(pp->csum_ok, l4vs_inet_csum_ok,
			       l4vs_udp_csum_ok, l4vs_sctp_csum_ok_op,
			       skb, iph, hook);
}

void l4vs_proto_net_init(struct l4vs_net *ln);
unsigned long l4vs_proto_initial_timeout(struct l4vs_net *ln, u8 protocol);
/* The timeout the entry's state gives it (jiffies), as its last packet set. */
unsigned long l4vs_proto_timeout(struct l4vs_net *ln, const struct l4vs_conn *cp);
/* The same for 'state', as the state machines arm it. */
unsigned long l4vs_proto_conn_timeout(struct l4vs_net *ln,
				      const struct l4vs_protocol *pp,
				      const struct l4vs_conn *cp,
				      unsigned int state);
void l4vs_proto_update(struct l4vs_net *ln, struct l4vs_conn *cp,
		       const struct l4vs_protocol *pp,
		       const union l4vs_l4hdr *h, enum l4vs_dir dir);

/* After a rewrite, a new CRC32c (header made writable). */
void l4vs_sctp_csum_update(struct sk_buff *skb, unsigned int thoff);
bool l4vs_sctp_csum_ok(struct sk_buff *skb, unsigned int thoff);

#endif /* _NET_L4VS_PROTO_H */
