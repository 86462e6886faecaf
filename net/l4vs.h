/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: what every file of the core module includes: the object lifetimes
 * below, the protocols' states, and through the headers it includes, the
 * scheduler API, services, counters, connections and per-netns state.
 * Scheduler modules include only <l4vs/sched.h>.
 *
 * Object lifetimes (the rules the code relies on):
 *
 *  - A connection holds a reference on its destination; a destination holds
 *    a reference on its service.  The last put frees through RCU, so the
 *    packet path may use svc/dest pointers found under rcu_read_lock()
 *    without taking references of its own.  A reference taken from such a
 *    pointer (a new connection) must be refcount_inc_not_zero(): the count
 *    may already have dropped to zero, the free waiting only for the grace
 *    period (Documentation/design.md, "Object lifetimes").
 *  - A persistence template is pinned for a new connection with
 *    l4vs_conn_template_pin(), which fails once the collector has claimed
 *    the template for reaping.
 *  - Services live in l4vs_net.svc_tab and destinations in svc->dests; both
 *    are written only under l4vs_net.lock (a mutex: control plane only) and
 *    read under RCU on the packet path.
 *  - A destination that is removed from its service loses
 *    L4VS_DEST_F_AVAILABLE before it is unlinked; connections still bound to
 *    it drop their packets, as IPVS does with expire_nodest_conn=0.
 *  - Connections are hashed once, on (protocol, client address, client port):
 *    that tuple is the source of an inbound packet and the destination of a
 *    reply, so one chain serves both directions.  Chains are RCU lists
 *    written under a striped spinlock.  Connections carry no timer: a
 *    per-netns garbage collector walks the table and reaps entries whose
 *    'expires' has passed, so the packet path only stores a jiffies value.
 */
#ifndef _NET_L4VS_H
#define _NET_L4VS_H

#include <linux/types.h>
#include <linux/ip_vs.h>

#include <l4vs/sched.h>
#include "sched.h"
#include "stats.h"
#include "service.h"
#include "conn_tab.h"

#define L4VS_VERSION_CODE	IP_VS_VERSION_CODE	/* what clients expect */

/* TCP states, numbered as IPVS numbers them (clients print them by name). */
enum l4vs_tcp_state {
	L4VS_TCP_S_NONE = 0,
	L4VS_TCP_S_ESTABLISHED,
	L4VS_TCP_S_SYN_SENT,
	L4VS_TCP_S_SYN_RECV,
	L4VS_TCP_S_FIN_WAIT,
	L4VS_TCP_S_TIME_WAIT,
	L4VS_TCP_S_CLOSE,
	L4VS_TCP_S_CLOSE_WAIT,
	L4VS_TCP_S_LAST_ACK,
	L4VS_TCP_S_LISTEN,
	L4VS_TCP_S_SYNACK,
	L4VS_TCP_S_LAST
};

/* SCTP states, numbered as IPVS numbers them. */
enum l4vs_sctp_state {
	L4VS_SCTP_S_NONE = 0,
	L4VS_SCTP_S_INIT1,
	L4VS_SCTP_S_INIT,
	L4VS_SCTP_S_COOKIE_SENT,
	L4VS_SCTP_S_COOKIE_REPLIED,
	L4VS_SCTP_S_COOKIE_WAIT,
	L4VS_SCTP_S_COOKIE_ECHOED,
	L4VS_SCTP_S_ESTABLISHED,
	L4VS_SCTP_S_SHUTDOWN_SENT,
	L4VS_SCTP_S_SHUTDOWN_RECEIVED,
	L4VS_SCTP_S_SHUTDOWN_ACK_SENT,
	L4VS_SCTP_S_REJECTED,
	L4VS_SCTP_S_CLOSED,
	L4VS_SCTP_S_LAST
};

enum l4vs_udp_state {
	L4VS_UDP_S_NORMAL = 0,
	L4VS_UDP_S_LAST
};

/* Direction of a packet relative to a connection. */
enum l4vs_dir {
	L4VS_DIR_INPUT = 0,	/* client -> real server */
	L4VS_DIR_OUTPUT,	/* real server -> client */
};

#include "netns.h"

#endif /* _NET_L4VS_H */
