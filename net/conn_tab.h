/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: connection entries and the per-netns table that holds them, as the
 * packet path, /proc, netlink and the sync daemons read them.
 */
#ifndef _NET_L4VS_CONN_TAB_H
#define _NET_L4VS_CONN_TAB_H

#include <linux/seqlock.h>
#include <l4vs/sched.h>

/* conn_tab_bits module parameter: clamped to this range. */
#define L4VS_CONN_TAB_BITS_MIN	8
#define L4VS_CONN_TAB_BITS_MAX	20
#define L4VS_CONN_TAB_BITS_DEF	12

extern unsigned int l4vs_conn_tab_bits;

#define L4VS_CONN_F_ACTIVE	0x8000	/* counted in dest->activeconns */

struct l4vs_conn {
	struct hlist_node	c_list;		/* table chain, RCU */
	u16			af;
	u8			protocol;
	u8			state;
	u16			flags;		/* IP_VS_CONN_F_* low bits */
	__be16			cport;
	__be16			vport;
	__be16			dport;
	spinlock_t		lock;		/* state transitions */
	union nf_inet_addr	caddr;		/* client */
	union nf_inet_addr	vaddr;		/* virtual */
	union nf_inet_addr	daddr;		/* real server */
	unsigned long		expires;	/* jiffies; read by the gc */
	struct l4vs_dest	*dest;		/* holds a reference */
	/*
	 * Persistence: a connection points at the template that chose its
	 * server; a template is not reaped while n_control > 0, so the
	 * pointer stays valid for the connection's whole life.  n_control is
	 * -1 once the collector has claimed the template.
	 */
	struct l4vs_conn	*control;
	atomic_t		n_control;
	/* connection synchronisation: packets since creation and the
	 * jiffies (low 32 bits) of the last sync message sent for it
	 */
	u32			sync_pkts;
	u32			sync_stamp;
	struct rcu_head		rcu;
};

/*
 * A bucket array.  The table a netns uses is replaced by one of another size
 * when the number of entries calls for it (conn.c: "Resizing"), so a reader
 * must fetch ln->conn_tab under RCU and not keep it past its read section.
 */
struct l4vs_conn_tab {
	unsigned int		bits;
	struct rcu_head		rcu;
	struct hlist_head	buckets[];
};

/*
 * Writers' locks, one per stripe of hash values.  The stripe of an entry is
 * taken from the low bits of its hash, which every table size shares, so it
 * does not change when the entry moves to a new table.  'seq' changes while
 * a resize moves the stripe's entries: lookups that miss retry on it.
 */
struct l4vs_conn_lock {
	spinlock_t		lock;	/* the stripe's buckets: insert, unlink */
	seqcount_spinlock_t	seq;
} ____cacheline_aligned_in_smp;

#define l4vs_conn_tab_size(t)	(1U << (t)->bits)
/* Buckets of the table in use now (for -Ln's "size=" and /proc). */
unsigned int l4vs_conn_buckets(struct l4vs_net *ln);

struct l4vs_conn *l4vs_conn_in_find(struct l4vs_net *ln,
				    const struct l4vs_iphdr *iph);
struct l4vs_conn *l4vs_conn_out_find(struct l4vs_net *ln,
				     const struct l4vs_iphdr *iph);
const char *l4vs_conn_state_name(const struct l4vs_conn *cp);
/* Seconds left before the entry expires (>= 0). */
unsigned int l4vs_conn_expires_secs(const struct l4vs_conn *cp);
/* Drop every connection of this netns (on flush and netns exit). */
void l4vs_conn_flush(struct l4vs_net *ln);

#endif /* _NET_L4VS_CONN_TAB_H */
