// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: SCTP associations.
 *
 * The state follows the first chunk of each packet, in the direction it
 * travels, with IPVS's state names so that -Lnc reads the same:
 *
 *   input  INIT                    any but ESTABLISHED      -> INIT1
 *   output INIT_ACK                INIT1                    -> INIT
 *   input  COOKIE_ECHO             NONE, INIT1, INIT        -> COOKIE_ECHOED
 *   output COOKIE_ACK              COOKIE_ECHOED            -> ESTABLISHED
 *   input  DATA/SACK/HEARTBEAT...  COOKIE_ECHOED            -> ESTABLISHED
 *          (a director that sees only the input direction: DR, TUN)
 *                                  NONE                     -> ESTABLISHED
 *          (NONE: an association sloppy_sctp picked up mid-stream)
 *   either SHUTDOWN                                         -> SHUTDOWN_SENT /
 *                                                              SHUTDOWN_RECEIVED
 *   either SHUTDOWN_ACK                                     -> SHUTDOWN_ACK_SENT
 *   either SHUTDOWN_COMPLETE, ABORT                         -> CLOSED
 *
 * Only ESTABLISHED counts as active.  SCTP's checksum is a CRC32c over the
 * whole packet with no pseudo-header, so a rewritten packet gets a freshly
 * computed one (unless the device will compute it: CHECKSUM_PARTIAL).
 */
#include <linux/sctp.h>
#include <linux/skbuff.h>
#include <net/sctp/checksum.h>

#include "conn.h"

/*
 * The checksum the packet should carry; its own field counts as zero.  The
 * kernel's helper walks the fragments, and follows the CRC32c library's
 * changes between kernels (6.16 removed the skb_checksum_ops way).
 */
static __le32 sctp_crc(struct sk_buff *skb, unsigned int thoff)
{
	return sctp_compute_cksum(skb, thoff);
}

static const unsigned int sctp_default_timeouts[L4VS_SCTP_S_LAST] = {
	[L4VS_SCTP_S_NONE]		= 2,
	[L4VS_SCTP_S_INIT1]		= 10,
	[L4VS_SCTP_S_INIT]		= 10,
	[L4VS_SCTP_S_COOKIE_SENT]	= 10,
	[L4VS_SCTP_S_COOKIE_REPLIED]	= 10,
	[L4VS_SCTP_S_COOKIE_WAIT]	= 10,
	[L4VS_SCTP_S_COOKIE_ECHOED]	= 10,
	[L4VS_SCTP_S_ESTABLISHED]	= 15 * 60,
	[L4VS_SCTP_S_SHUTDOWN_SENT]	= 10,
	[L4VS_SCTP_S_SHUTDOWN_RECEIVED]	= 10,
	[L4VS_SCTP_S_SHUTDOWN_ACK_SENT]	= 10,
	[L4VS_SCTP_S_REJECTED]		= 10,
	[L4VS_SCTP_S_CLOSED]		= 10,
};

static const char *const sctp_state_names[L4VS_SCTP_S_LAST] = {
	[L4VS_SCTP_S_NONE]		= "NONE",
	[L4VS_SCTP_S_INIT1]		= "INIT1",
	[L4VS_SCTP_S_INIT]		= "INIT",
	[L4VS_SCTP_S_COOKIE_SENT]	= "C-SENT",
	[L4VS_SCTP_S_COOKIE_REPLIED]	= "C-REPLIED",
	[L4VS_SCTP_S_COOKIE_WAIT]	= "C-WAIT",
	[L4VS_SCTP_S_COOKIE_ECHOED]	= "C-ECHOED",
	[L4VS_SCTP_S_ESTABLISHED]	= "ESTABLISHED",
	[L4VS_SCTP_S_SHUTDOWN_SENT]	= "S-SENT",
	[L4VS_SCTP_S_SHUTDOWN_RECEIVED]	= "S-RECEIVED",
	[L4VS_SCTP_S_SHUTDOWN_ACK_SENT]	= "S-ACK-SENT",
	[L4VS_SCTP_S_REJECTED]		= "REJECTED",
	[L4VS_SCTP_S_CLOSED]		= "CLOSED",
};

/* The common header and a whole first chunk header must be there. */
INDIRECT_CALLABLE_SCOPE bool l4vs_sctp_header_ok(const struct sk_buff *skb,
						 unsigned int thoff,
						 union l4vs_l4hdr *h)
{
	const struct sctp_chunkhdr *ch;

	if (thoff + sizeof(struct sctphdr) > skb->len)
		return false;
	ch = skb_header_pointer(skb, thoff + sizeof(struct sctphdr),
				sizeof(h->sctp_chunk), &h->sctp_chunk);
	if (!ch)
		return false;
	if (ch != &h->sctp_chunk)
		h->sctp_chunk = *ch;
	return ntohs(ch->length) >= sizeof(*ch);
}

INDIRECT_CALLABLE_SCOPE bool l4vs_sctp_may_create(const union l4vs_l4hdr *h)
{
	return h->sctp_chunk.type == SCTP_CID_INIT;
}

/*
 * sloppy_sctp: any chunk may create the entry, but those that only end an
 * association (as TCP's reset is left out of sloppy_tcp): an ABORT or a
 * SHUTDOWN_COMPLETE for an association this director never saw has
 * nothing to take over.
 */
INDIRECT_CALLABLE_SCOPE bool l4vs_sctp_may_pick_up(struct l4vs_net *ln,
						   const union l4vs_l4hdr *h)
{
	u8 type = h->sctp_chunk.type;

	return READ_ONCE(ln->sysctl.sloppy_sctp) && type != SCTP_CID_ABORT &&
	       type != SCTP_CID_SHUTDOWN_COMPLETE;
}

bool l4vs_sctp_csum_ok(struct sk_buff *skb, unsigned int thoff)
{
	struct sctphdr *sh;

	if (skb->ip_summed == CHECKSUM_UNNECESSARY ||
	    (skb->ip_summed == CHECKSUM_PARTIAL && skb->csum_not_inet))
		return true;
	if (skb_ensure_writable(skb, thoff + sizeof(*sh)))
		return false;
	sh = (struct sctphdr *)(skb->data + thoff);
	return sh->checksum == sctp_crc(skb, thoff);
}

void l4vs_sctp_csum_update(struct sk_buff *skb, unsigned int thoff)
{
	struct sctphdr *sh = (struct sctphdr *)(skb->data + thoff);

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb->csum_not_inet)
		return;
	sh->checksum = sctp_crc(skb, thoff);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
}

static unsigned int sctp_next_state(unsigned int s, int chunk,
				    enum l4vs_dir dir)
{
	bool in = dir == L4VS_DIR_INPUT;

	switch (chunk) {
	case SCTP_CID_INIT:
		return in && s != L4VS_SCTP_S_ESTABLISHED ? L4VS_SCTP_S_INIT1 : s;
	case SCTP_CID_INIT_ACK:
		return !in && s == L4VS_SCTP_S_INIT1 ? L4VS_SCTP_S_INIT : s;
	case SCTP_CID_COOKIE_ECHO:
		return in && (s == L4VS_SCTP_S_NONE || s == L4VS_SCTP_S_INIT1 ||
			      s == L4VS_SCTP_S_INIT) ?
		       L4VS_SCTP_S_COOKIE_ECHOED : s;
	case SCTP_CID_COOKIE_ACK:
		return s == L4VS_SCTP_S_COOKIE_ECHOED ? L4VS_SCTP_S_ESTABLISHED : s;
	case SCTP_CID_SHUTDOWN:
		return in ? L4VS_SCTP_S_SHUTDOWN_SENT : L4VS_SCTP_S_SHUTDOWN_RECEIVED;
	case SCTP_CID_SHUTDOWN_ACK:
		return L4VS_SCTP_S_SHUTDOWN_ACK_SENT;
	case SCTP_CID_SHUTDOWN_COMPLETE:
	case SCTP_CID_ABORT:
		return L4VS_SCTP_S_CLOSED;
	}
	/*
	 * data after the cookie: established even if we never see replies;
	 * from NONE, an association picked up mid-stream (sloppy_sctp)
	 */
	if (in && (s == L4VS_SCTP_S_COOKIE_ECHOED || s == L4VS_SCTP_S_NONE))
		return L4VS_SCTP_S_ESTABLISHED;
	return s;
}

/*
 * Evidence of a real peer.  Masquerading: anything from the server once
 * established; the first such thing is its COOKIE_ACK, which it only sends
 * for a cookie it issued, i.e. to a client that received its INIT_ACK.
 * DR, TUN: a client packet after the one that established the association
 * (INIT, COOKIE_ECHO and one DATA are what a blind attacker needs to get
 * that far, so it must spend a fourth).
 */
static bool sctp_confirms(const struct l4vs_conn *cp, unsigned int prev,
			  unsigned int next, enum l4vs_dir dir)
{
	if (next != L4VS_SCTP_S_ESTABLISHED)
		return false;
	if (l4vs_conn_two_sided(cp))
		return dir == L4VS_DIR_OUTPUT;
	return dir == L4VS_DIR_INPUT && prev == L4VS_SCTP_S_ESTABLISHED;
}

INDIRECT_CALLABLE_SCOPE void l4vs_sctp_update(struct l4vs_net *ln,
					      struct l4vs_conn *cp,
					      const union l4vs_l4hdr *h,
					      enum l4vs_dir dir)
{
	int chunk = h->sctp_chunk.type;
	unsigned int prev, next;
	unsigned long expires;

	prev = READ_ONCE(cp->state);
	next = sctp_next_state(prev, chunk, dir);
	if (next != prev) {
		spin_lock(&cp->lock);
		prev = cp->state;
		next = sctp_next_state(prev, chunk, dir);
		if (next != prev) {
			l4vs_conn_set_active(cp, next == L4VS_SCTP_S_ESTABLISHED);
			WRITE_ONCE(cp->state, next);
		}
		spin_unlock(&cp->lock);
	}
	if (sctp_confirms(cp, prev, next, dir))
		l4vs_conn_set_flag(cp, L4VS_CONN_F_CONFIRMED);

	expires = jiffies +
		  l4vs_proto_conn_timeout(ln, &l4vs_proto_sctp, cp, next);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}

INDIRECT_CALLABLE_SCOPE bool l4vs_sctp_csum_ok_op(struct sk_buff *skb,
						  const struct l4vs_iphdr *iph,
						  unsigned int hook)
{
	return l4vs_sctp_csum_ok(skb, iph->thoff);
}

/* what a backup can use: established or closing */
#define SCTP_SYNC_STATES (BIT(L4VS_SCTP_S_ESTABLISHED) | \
			  BIT(L4VS_SCTP_S_SHUTDOWN_SENT) | \
			  BIT(L4VS_SCTP_S_SHUTDOWN_RECEIVED) | \
			  BIT(L4VS_SCTP_S_SHUTDOWN_ACK_SENT) | \
			  BIT(L4VS_SCTP_S_CLOSED))

const struct l4vs_protocol l4vs_proto_sctp = {
	.name			= "SCTP",
	.protocol		= IPPROTO_SCTP,
	.nr_states		= L4VS_SCTP_S_LAST,
	.state_names		= sctp_state_names,
	.default_timeouts	= sctp_default_timeouts,
	.timeouts_off		= offsetof(struct l4vs_net, sctp_timeouts),
	.established		= L4VS_SCTP_S_ESTABLISHED,
	.finished_states	= BIT(L4VS_SCTP_S_CLOSED),
	.sync_states		= SCTP_SYNC_STATES,
	.csum_offset		= offsetof(struct sctphdr, checksum),
	.csum_size		= sizeof(__le32),
	.csum_update		= l4vs_sctp_csum_update,
	.header_ok		= l4vs_sctp_header_ok,
	.may_create		= l4vs_sctp_may_create,
	.may_pick_up		= l4vs_sctp_may_pick_up,
	.csum_ok		= l4vs_sctp_csum_ok_op,
	.update			= l4vs_sctp_update,
};
