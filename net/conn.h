/* SPDX-License-Identifier: GPL-2.0 */
/* l4vs: connection table and protocol helpers used by the packet path. */
#ifndef _NET_L4VS_CONN_H
#define _NET_L4VS_CONN_H

#include "l4vs.h"
#include "proto.h"

#define L4VS_CONN_F_DEAD	0x4000	/* unlinked: counters already settled */
#define L4VS_CONN_F_STALE	0x0800	/* template replaced: not to be found */
#define L4VS_CONN_F_REPLIED	0x0008	/* a packet came back from the server */
/*
 * Trust, for conn_max's early drop (conn.c: "Eviction"): CONFIRMED once
 * the director has evidence that a real client is at the other end (see
 * Documentation/parameters.md, conn_max); an entry without it may be
 * dropped to make room.  FRESH: no client packet yet but the one that
 * created it (cleared by that one); AGAIN: the client sent more than one.
 */
#define L4VS_CONN_F_CONFIRMED	0x0010
#define L4VS_CONN_F_AGAIN	0x0200
#define L4VS_CONN_F_FRESH	0x0400

/* NULL when there is no room (the drop is counted, by reason) */
struct l4vs_conn *l4vs_conn_new(struct l4vs_net *ln,
				const struct l4vs_iphdr *iph,
				struct l4vs_dest *dest, unsigned int flags,
				struct l4vs_conn *control);
/* Out of the table now, for a new connection on its ports (see conn.c). */
bool l4vs_conn_unlink(struct l4vs_net *ln, struct l4vs_conn *cp);
/* Pin a template found under RCU for a new connection (see conn.c). */
bool l4vs_conn_template_pin(struct l4vs_conn *ct);
void l4vs_conn_template_unpin(struct l4vs_conn *ct);
#ifdef DEBUG
void l4vs_debug_race_window(void);
#else
static inline void l4vs_debug_race_window(void) { }
#endif
void l4vs_conn_fill(struct l4vs_conn *cp, const struct l4vs_iphdr *iph,
		    struct l4vs_dest *dest, unsigned int flags);
struct l4vs_conn *l4vs_conn_template_find(struct l4vs_net *ln,
					  const struct l4vs_iphdr *key);
struct l4vs_conn *l4vs_conn_dest_find(struct l4vs_net *ln,
				      const struct l4vs_iphdr *iph);
/* Move between dest->activeconns and ->inactconns; cp->lock held. */
void l4vs_conn_set_active(struct l4vs_conn *cp, bool active);

struct l4vs_dest *l4vs_persist_schedule(struct l4vs_net *ln,
					struct l4vs_service *svc,
					const struct sk_buff *skb,
					const struct l4vs_iphdr *iph,
					struct l4vs_conn **ctp);

/*
 * An ESTABLISHED entry that a director seeing only the client's half (DR,
 * TUN) has not confirmed lives this long after its last packet, or its
 * state's timeout if that is shorter: a spoofed handshake must not hold a
 * slot for the 15 minutes of a real connection.
 */
#define L4VS_UNCONFIRMED_TIMEOUT	(60 * HZ)

/* Does the director see both directions of this entry (masquerading)? */
static inline bool l4vs_conn_two_sided(const struct l4vs_conn *cp)
{
	return (cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ;
}

/* Set a flag bit under cp->lock, once (the packet path reads without it). */
static inline void l4vs_conn_set_flag(struct l4vs_conn *cp, u16 flag)
{
	if (likely(READ_ONCE(cp->flags) & flag))
		return;
	spin_lock(&cp->lock);
	cp->flags |= flag;
	spin_unlock(&cp->lock);
}

#endif /* _NET_L4VS_CONN_H */
