/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: per network namespace state, its run-time knobs, and the steps that
 * set it up and tear it down (l4vs_net_init() runs them in the order they
 * are listed here).
 */
#ifndef _NET_L4VS_NETNS_H
#define _NET_L4VS_NETNS_H

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "l4vs.h"	/* the protocol states that size the timeout arrays */

enum {
	L4VS_TIMEOUT_TCP,	/* ESTABLISHED */
	L4VS_TIMEOUT_TCP_FIN,	/* FIN_WAIT */
	L4VS_TIMEOUT_UDP,
	L4VS_TIMEOUT_MAX
};

/* Run-time knobs, /proc/sys/net/ipv4/vs/, IPVS's names (sysctl.c). */
struct l4vs_sysctl {
	int	expire_nodest_conn;
	int	expire_quiescent_template;
	int	conntrack;
	int	pmtu_disc;		/* 1: DF honoured, ICMP "frag needed" */
	int	conn_max;		/* 0: no limit */
	int	conn_max_default;	/* from RAM; the most an unprivileged netns may set */
	/* connection synchronisation, as IPVS names them */
	int	sync_threshold[2];	/* threshold, period (packets) */
	int	sync_refresh_period;	/* seconds, 0: by state change */
	int	sync_retries;
	int	sync_qlen_max;
	int	sync_sock_size;
	int	sync_ports;
	int	sync_persist_mode;
	int	sync_version;
	int	backup_only;
	int	conn_reuse_mode;	/* port reuse: bits, see core.c */
	int	sloppy_tcp;		/* any packet but a reset may create */
	int	sloppy_sctp;		/* any chunk but ABORT, SHUTDOWN_COMPLETE */
	int	nat_icmp_send;		/* port unreachable to orphan NAT replies */
	int	schedule_icmp;		/* errors about unknown flows scheduled */
	int	snat_reroute;		/* NAT replies routed by the VIP */
	int	ignore_tunneled;	/* unwrapped packets not balanced */
	int	run_estimation;
	int	lblc_expiration;	/* jiffies, seconds to the user */
	int	lblcr_expiration;
	/* accepted for IPVS's sake, moot beside conn_max */
	int	amemthresh;
	int	am_droprate;
	int	drop_entry;
	int	drop_packet;
	int	secure_tcp;
	/* not built yet: held at the value that describes l4vs today */
	int	cache_bypass;
};

struct l4vs_drop_stats;
struct l4vs_sync;

struct l4vs_net {
	struct net		*net;
	struct l4vs_sysctl	sysctl;
	struct ctl_table_header	*sysctl_hdr;
	struct mutex		lock;		/* services, dests, config */
	struct hlist_head	svc_tab[L4VS_SVC_TAB_SIZE];
	unsigned int		num_services;
	u32			svc_seed;
	/* netfilter hooks, registered while services exist */
	unsigned int		hook_users;
	bool			hooks_on;
	/* a client on this host was masqueraded: look for its replies (core.c) */
	bool			local_nat_clients;
	/* connections */
	struct l4vs_conn_tab __rcu *conn_tab;
	struct l4vs_conn_tab __rcu *conn_tab_next;	/* while resizing */
	struct l4vs_conn_lock	*conn_locks;
	unsigned int		conn_lock_mask;
	unsigned int		conn_min_bits;	/* never shrunk below */
	struct mutex		conn_tab_mutex;	/* collector, resize, flush */
	unsigned long		conn_flags;	/* L4VS_CONN_TAB_* bits */
	atomic_t		conn_count;
	u32			conn_seed;
	struct delayed_work	gc_work;
	unsigned int		gc_next_bucket;
	/* timeouts in jiffies, by TCP state; udp separately */
	unsigned long		tcp_timeouts[L4VS_TCP_S_LAST];
	unsigned long		udp_timeout;
	unsigned long		sctp_timeouts[L4VS_SCTP_S_LAST];
	struct l4vs_stats	tot_stats;
	struct delayed_work	est_work;
	unsigned long		est_last;
	/* dropped packets, by reason (see xmit.h) */
	struct l4vs_drop_stats __percpu *drop_stats;
	/* synchronisation daemons; NULL while none runs */
	struct l4vs_sync	*sync;
	/* bumped when devices change: cached routes are stale */
	atomic_t		route_gen;
};

struct l4vs_net *l4vs_net(struct net *net);

/* Netfilter hooks, registered while a service exists.  Under ln->lock. */
int l4vs_hooks_get(struct l4vs_net *ln);
void l4vs_hooks_put(struct l4vs_net *ln);

/* Timeouts exchanged with clients (seconds). */
void l4vs_timeouts_get(struct l4vs_net *ln, u32 *tcp, u32 *tcp_fin, u32 *udp);
void l4vs_timeouts_set(struct l4vs_net *ln, u32 tcp, u32 tcp_fin, u32 udp);

/* Module-wide state: the connection cache and the netlink family. */
int l4vs_conn_init(void);
void l4vs_conn_uninit(void);
int l4vs_genl_init(void);
void l4vs_genl_uninit(void);

/* Per-netns steps, in the order a namespace is set up. */
int l4vs_sysctl_net_init(struct l4vs_net *ln);
void l4vs_sysctl_net_exit(struct l4vs_net *ln);
int l4vs_drops_net_init(struct l4vs_net *ln);
void l4vs_drops_net_exit(struct l4vs_net *ln);
int l4vs_conn_net_init(struct l4vs_net *ln);
void l4vs_conn_net_exit(struct l4vs_net *ln);
int l4vs_service_net_init(struct l4vs_net *ln);
void l4vs_service_net_exit(struct l4vs_net *ln);
int l4vs_est_net_init(struct l4vs_net *ln);
void l4vs_est_net_exit(struct l4vs_net *ln);
int l4vs_proc_net_init(struct l4vs_net *ln);
void l4vs_proc_net_exit(struct l4vs_net *ln);
/* Stops the sync daemons, before the namespace's devices go. */
void l4vs_sync_net_exit(struct l4vs_net *ln);

#endif /* _NET_L4VS_NETNS_H */
