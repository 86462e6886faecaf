/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: connection synchronisation between directors (sync.c, sync_msg.c).
 *
 * A master daemon multicasts the state of the connections it balances; a
 * backup daemon listens and keeps a copy of those entries, so that when the
 * VIP moves to it the connections carry on.  The wire format is version 1 of
 * the IPVS sync protocol, so l4vs and the kernel's IPVS sync with each other.
 *
 * Lifetime.  ln->sync is allocated when the first daemon of a netns starts
 * and freed after a grace period once the last one stops (or the netns
 * dies); the packet path reads it, and the master it points to, under
 * rcu_read_lock().  Starting and stopping run under ln->lock.
 */
#ifndef _NET_L4VS_SYNC_H
#define _NET_L4VS_SYNC_H

#include <linux/if.h>
#include "l4vs.h"

/* The IPVS defaults (facts of the protocol, not tunables). */
#define L4VS_SYNC_PORT		8848
#define L4VS_SYNC_GROUP		htonl(0xe0000051)	/* 224.0.0.81 */
#define L4VS_SYNC_VERSION	1

/* ---- wire format, version 1 (all big endian) ------------------------ */

struct l4vs_sync_hdr {
	u8	reserved;	/* 0: tells version 1 from version 0 */
	u8	syncid;
	__be16	size;		/* the whole message, header included */
	u8	nr_conns;
	s8	version;	/* 1 */
	__be16	spare;
} __packed;

/* 'type' bits */
#define L4VS_SYNC_T_INET6	0x01
/* 'ver_size': record size (options included, padding not) and version */
#define L4VS_SYNC_SIZE_MASK	0x0fff
#define L4VS_SYNC_VER_SHIFT	12

/* What IPv4 and IPv6 records share, up to and including the timeout. */
struct l4vs_sync_rec {
	u8	type;
	u8	protocol;
	__be16	ver_size;
	__be32	flags;
	__be16	state;
	__be16	cport;
	__be16	vport;
	__be16	dport;
	__be32	fwmark;
	__be32	timeout;	/* seconds */
} __packed;

struct l4vs_sync_rec4 {
	struct l4vs_sync_rec	c;
	__be32			caddr;
	__be32			vaddr;
	__be32			daddr;
} __packed;

struct l4vs_sync_rec6 {
	struct l4vs_sync_rec	c;
	struct in6_addr		caddr;
	struct in6_addr		vaddr;
	struct in6_addr		daddr;
} __packed;

/* Options after a record: {type, len, data[len]}. */
#define L4VS_SYNC_OPT_SEQ	1	/* TCP sequence adjustment, 24 bytes */
#define L4VS_SYNC_OPT_PE_DATA	2
#define L4VS_SYNC_OPT_PE_NAME	3
#define L4VS_SYNC_OPT_SEQ_LEN	24

/* The largest record l4vs sends: IPv6, no options. */
#define L4VS_SYNC_REC_MAX	sizeof(struct l4vs_sync_rec6)
/* nr_conns is one byte */
#define L4VS_SYNC_CONNS_MAX	255

/* ---- daemons ------------------------------------------------------------ */

/*
 * l4vs's own daemon attribute, numbered well above IPVS's (which end at 8)
 * so that IPVS may grow without a clash: the addresses a backup accepts
 * messages from, an array of 4-byte (IPv4 group) or 16-byte (IPv6 group)
 * addresses, at most L4VS_SYNC_PEERS_MAX.  Stock ipvsadm never sends it, and
 * it is only in a GET_DAEMON answer when set (netlink parsers skip types
 * above the maximum they know).
 */
#define L4VS_DAEMON_ATTR_SYNC_PEERS	32
#define L4VS_DAEMON_ATTR_MAX		L4VS_DAEMON_ATTR_SYNC_PEERS
#define L4VS_SYNC_PEERS_MAX		8

/* One daemon's configuration, as IPVS_CMD_ATTR_DAEMON carries it. */
struct l4vs_sync_conf {
	u32			state;		/* IP_VS_STATE_MASTER or _BACKUP */
	char			ifname[IP_VS_IFNAME_MAXLEN];
	u8			syncid;
	u16			maxlen;		/* UDP payload; 0: from the MTU */
	u16			mcast_af;
	union nf_inet_addr	mcast_group;
	u16			mcast_port;
	u8			mcast_ttl;
	/* backup: accept messages from these sources only (0: from anyone) */
	u8			nr_peers;
	union nf_inet_addr	peers[L4VS_SYNC_PEERS_MAX];
};

/* Counters shown in /proc/net/l4vs_sync; see sync.c for their meaning. */
enum {
	L4VS_SYNC_C_TX_MSGS,
	L4VS_SYNC_C_TX_CONNS,
	L4VS_SYNC_C_TX_QUEUE_FULL,
	L4VS_SYNC_C_TX_NOMEM,
	L4VS_SYNC_C_TX_ERRORS,
	L4VS_SYNC_C_RX_MSGS,
	L4VS_SYNC_C_RX_CONNS,
	L4VS_SYNC_C_RX_CREATED,
	L4VS_SYNC_C_RX_UPDATED,
	/* whole message dropped */
	L4VS_SYNC_C_BAD_SENDER,
	L4VS_SYNC_C_BAD_LEN,
	L4VS_SYNC_C_BAD_VERSION,
	L4VS_SYNC_C_BAD_SYNCID,
	L4VS_SYNC_C_BAD_COUNT,
	L4VS_SYNC_C_BAD_RECORD,
	/* one record dropped */
	L4VS_SYNC_C_BAD_AF,
	L4VS_SYNC_C_BAD_PROTO,
	L4VS_SYNC_C_BAD_STATE,
	L4VS_SYNC_C_BAD_FLAGS,
	L4VS_SYNC_C_BAD_OPTION,
	L4VS_SYNC_C_NO_SERVICE,
	L4VS_SYNC_C_NO_DEST,
	L4VS_SYNC_C_CONN_LIMIT,
	L4VS_SYNC_C_NO_MEM,
	L4VS_SYNC_C_MAX
};

struct l4vs_sync_master;
struct l4vs_sync_backup;

struct l4vs_sync {
	struct l4vs_net			*ln;
	struct l4vs_sync_master		*master;	/* RCU, or NULL */
	struct l4vs_sync_backup		*backup;	/* or NULL */
	atomic_long_t			cnt[L4VS_SYNC_C_MAX];
	struct rcu_head			rcu;
};

static inline void l4vs_sync_count(struct l4vs_sync *s, int what)
{
	atomic_long_inc(&s->cnt[what]);
}

/* Under ln->lock.  -EEXIST: that role runs; -ESRCH: it does not. */
int l4vs_sync_start(struct l4vs_net *ln, struct l4vs_sync_conf *c,
		    struct netlink_ext_ack *extack);
int l4vs_sync_stop(struct l4vs_net *ln, u32 state,
		   struct netlink_ext_ack *extack);
/* The configuration of the daemon in that role; false if none runs. */
bool l4vs_sync_get_conf(struct l4vs_net *ln, u32 state,
			struct l4vs_sync_conf *c);

/*
 * Packet path (core.c), under rcu_read_lock() with bottom halves off, after
 * the state of a known connection was updated for a packet from the client.
 */
void l4vs_sync_conn(struct l4vs_net *ln, struct l4vs_conn *cp, u8 old_state);

/*
 * backup_only=1 while a backup daemon runs: the director does not balance
 * (core.c's hook lets the packets through untouched).  Under RCU.
 */
static inline bool l4vs_sync_backup_only(struct l4vs_net *ln)
{
	struct l4vs_sync *s = READ_ONCE(ln->sync);

	return s && READ_ONCE(s->backup) && READ_ONCE(ln->sysctl.backup_only);
}

/* Encoding (master) and decoding (backup) of messages. */
unsigned int l4vs_sync_encode(struct l4vs_net *ln, const struct l4vs_conn *cp,
			      u8 *buf);
void l4vs_sync_process(struct l4vs_sync *s, u8 backup_syncid,
		       const u8 *msg, unsigned int len);

#endif /* _NET_L4VS_SYNC_H */
