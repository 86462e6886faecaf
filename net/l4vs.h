/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: internal definitions shared by the core module and the scheduler
 * modules.
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
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/seqlock.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/ip_vs.h>
#include <net/net_namespace.h>

#define L4VS_VERSION_CODE	IP_VS_VERSION_CODE	/* what clients expect */

/* conn_tab_bits module parameter: clamped to this range. */
#define L4VS_CONN_TAB_BITS_MIN	8
#define L4VS_CONN_TAB_BITS_MAX	20
#define L4VS_CONN_TAB_BITS_DEF	12

#define L4VS_SVC_TAB_BITS	8
#define L4VS_SVC_TAB_SIZE	(1U << L4VS_SVC_TAB_BITS)

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

/* ---- statistics ------------------------------------------------------- */

struct l4vs_cpu_stats {
	u64_stats_t		conns;
	u64_stats_t		inpkts;
	u64_stats_t		outpkts;
	u64_stats_t		inbytes;
	u64_stats_t		outbytes;
	struct u64_stats_sync	syncp;
};

/* A snapshot of counters, summed over CPUs. */
struct l4vs_stats_sum {
	u64	conns;
	u64	inpkts;
	u64	outpkts;
	u64	inbytes;
	u64	outbytes;
};

/* Rates as clients see them (per second). */
struct l4vs_rates {
	u64	cps;
	u64	inpps;
	u64	outpps;
	u64	inbps;
	u64	outbps;
};

/*
 * Counters are per CPU and never reset: "zero" records a base that readers
 * subtract.  The estimator fields are written only by the per-netns
 * estimator work and by zeroing, both under 'lock'.
 */
struct l4vs_stats {
	struct l4vs_cpu_stats __percpu	*cpustats;
	spinlock_t			lock;
	struct l4vs_stats_sum		base;	/* value at the last zero */
	struct l4vs_stats_sum		last;	/* value at the last estimate */
	/* smoothed rates, scaled: see stats.c */
	u64				est_cps;
	u64				est_inpps;
	u64				est_outpps;
	u64				est_inbps;
	u64				est_outbps;
};

int l4vs_stats_init(struct l4vs_stats *s);
void l4vs_stats_destroy(struct l4vs_stats *s);
/* Counters since the last zero, and the current smoothed rates. */
void l4vs_stats_read(struct l4vs_stats *s, struct l4vs_stats_sum *sum,
		     struct l4vs_rates *rates);
void l4vs_stats_zero(struct l4vs_stats *s);
/* One estimator step for one object: 'elapsed' in jiffies. */
void l4vs_stats_estimate(struct l4vs_stats *s, unsigned long elapsed);
/* stats.c: one CPU's raw counters, not adjusted by zeroing (for /proc). */
void l4vs_stats_read_cpu(struct l4vs_stats *s, int cpu,
			 struct l4vs_stats_sum *sum);

static inline void l4vs_stats_add(struct l4vs_stats *s, bool in,
				  unsigned int bytes)
{
	struct l4vs_cpu_stats *c = this_cpu_ptr(s->cpustats);

	u64_stats_update_begin(&c->syncp);
	if (in) {
		u64_stats_inc(&c->inpkts);
		u64_stats_add(&c->inbytes, bytes);
	} else {
		u64_stats_inc(&c->outpkts);
		u64_stats_add(&c->outbytes, bytes);
	}
	u64_stats_update_end(&c->syncp);
}

static inline void l4vs_stats_add_conn(struct l4vs_stats *s)
{
	struct l4vs_cpu_stats *c = this_cpu_ptr(s->cpustats);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->conns);
	u64_stats_update_end(&c->syncp);
}

/* ---- services and destinations ----------------------------------------- */

struct l4vs_scheduler;

#define L4VS_DEST_F_AVAILABLE	0x0001	/* in its service, may be used */
#define L4VS_DEST_F_OVERLOAD	0x0002	/* over u_threshold */

struct l4vs_dest_route;

struct l4vs_dest {
	struct list_head	n_list;		/* svc->dests, RCU */
	struct list_head	t_list;		/* svc->trash, once removed */
	struct l4vs_service	*svc;		/* holds a reference */
	u16			af;
	__be16			port;
	union nf_inet_addr	addr;
	unsigned long		flags;		/* L4VS_DEST_F_*, atomic bitops */
	atomic_t		conn_flags;	/* IP_VS_CONN_F_FWD_MASK bits */
	atomic_t		weight;
	atomic_t		activeconns;
	atomic_t		inactconns;
	atomic_t		persistconns;
	u32			u_threshold;	/* 0: no limit */
	u32			l_threshold;
	u8			tun_type;
	__be16			tun_port;
	u16			tun_flags;
	struct l4vs_stats	stats;
	struct l4vs_dest_route __rcu *route;	/* route.c */
	refcount_t		refcnt;
	struct rcu_head		rcu;
};

struct l4vs_net;
struct l4vs_drop_stats;
struct l4vs_sync;

struct l4vs_service {
	struct hlist_node	s_list;		/* ln->svc_tab, RCU */
	struct l4vs_net		*ln;
	u16			af;
	u16			protocol;
	union nf_inet_addr	addr;
	__be16			port;
	u32			fwmark;
	u32			flags;		/* IP_VS_SVC_F_* */
	u32			timeout;	/* persistence, jiffies */
	__be32			netmask;	/* or prefix length for IPv6 */
	/* written under ln->lock; the packet path reads it under RCU */
	struct l4vs_scheduler __rcu *scheduler;
	void			*sched_data;
	struct list_head	dests;		/* RCU, written under ln->lock */
	unsigned int		num_dests;
	/* removed servers that connections still use, ready to come back */
	struct list_head	trash;
	struct l4vs_stats	stats;
	refcount_t		refcnt;
	struct rcu_head		rcu;
};

/* Scheduler modules' interface.  Every hook runs under ln->lock except
 * schedule(), which runs on the packet path under rcu_read_lock() with
 * bottom halves disabled and must not sleep.
 */
struct l4vs_iphdr {
	int			af;
	u8			protocol;
	unsigned int		thoff;		/* transport header offset */
	union nf_inet_addr	saddr;
	union nf_inet_addr	daddr;
	__be16			sport;
	__be16			dport;
};

struct l4vs_scheduler {
	struct list_head	list;
	const char		*name;
	struct module		*module;
	int (*init_service)(struct l4vs_service *svc);
	void (*done_service)(struct l4vs_service *svc);
	int (*add_dest)(struct l4vs_service *svc, struct l4vs_dest *dest);
	int (*del_dest)(struct l4vs_service *svc, struct l4vs_dest *dest);
	int (*upd_dest)(struct l4vs_service *svc, struct l4vs_dest *dest);
	struct l4vs_dest *(*schedule)(struct l4vs_service *svc,
				      const struct sk_buff *skb,
				      const struct l4vs_iphdr *iph);
};

int l4vs_sched_register(struct l4vs_scheduler *sched);
void l4vs_sched_unregister(struct l4vs_scheduler *sched);
/* Find by name, loading "l4vs_<name>" on demand; takes a module reference. */
struct l4vs_scheduler *l4vs_sched_get(const char *name);
void l4vs_sched_put(struct l4vs_scheduler *sched);
/*
 * Attach/detach a scheduler to a service (under ln->lock).  bind() calls
 * init_service() and publishes the scheduler; it takes over the module
 * reference from l4vs_sched_get().  unbind() unpublishes it, waits for a
 * grace period (a packet may be inside schedule()), calls done_service() and
 * drops the module reference.  __l4vs_sched_unbind() is the same without the
 * wait, for a caller that unpublished the service itself and already waited
 * (flushing many services costs one synchronize_rcu(), not one each).
 */
int l4vs_sched_bind(struct l4vs_service *svc, struct l4vs_scheduler *sched);
void l4vs_sched_unbind(struct l4vs_service *svc);
void __l4vs_sched_unbind(struct l4vs_service *svc);

/* A destination may take new connections: weight > 0, not overloaded. */
static inline bool l4vs_dest_usable(const struct l4vs_dest *dest)
{
	return atomic_read(&dest->weight) > 0 &&
	       !test_bit(ilog2(L4VS_DEST_F_OVERLOAD), &dest->flags);
}

static inline bool l4vs_dest_available(const struct l4vs_dest *dest)
{
	return test_bit(ilog2(L4VS_DEST_F_AVAILABLE), &dest->flags);
}

void l4vs_dest_release(struct l4vs_dest *dest);
/* conn.c: set or clear L4VS_DEST_F_OVERLOAD from the thresholds. */
void l4vs_dest_update_overload(struct l4vs_dest *dest);

static inline void l4vs_dest_put(struct l4vs_dest *dest)
{
	if (refcount_dec_and_test(&dest->refcnt))
		l4vs_dest_release(dest);
}

/* service.c: all of these but the lookup run under ln->lock. */
struct l4vs_service *l4vs_service_find(struct l4vs_net *ln, int af, u16 proto,
				       const union nf_inet_addr *addr,
				       __be16 port);
void l4vs_service_flush(struct l4vs_net *ln);
int l4vs_service_net_init(struct l4vs_net *ln);
void l4vs_service_net_exit(struct l4vs_net *ln);

/*
 * service.c: configuration interface for netlink.c.  A service is keyed by
 * (af, protocol, addr, port), or by (af, fwmark) when fwmark is non-zero.
 * Everything below runs under ln->lock, except l4vs_service_find_fwmark()
 * which, like l4vs_service_find(), is an RCU lookup for the packet path.
 */
struct l4vs_service_conf {
	u16			af;
	u16			protocol;
	union nf_inet_addr	addr;
	__be16			port;
	u32			fwmark;
	char			sched_name[IP_VS_SCHEDNAME_MAXLEN];
	u32			flags;		/* IP_VS_SVC_F_*, already merged */
	u32			timeout;	/* persistence, seconds */
	__be32			netmask;	/* or prefix length for IPv6 */
};

struct l4vs_dest_conf {
	u16			af;
	union nf_inet_addr	addr;
	__be16			port;
	u32			fwd;		/* IP_VS_CONN_F_MASQ..DROUTE */
	u32			weight;
	u32			u_threshold;
	u32			l_threshold;
	u8			tun_type;
	__be16			tun_port;
	u16			tun_flags;
};

/* Upper bound of a persistence timeout and of a destination weight. */
#define L4VS_PERSIST_TIMEOUT_MAX	(INT_MAX / HZ)
#define L4VS_WEIGHT_MAX			INT_MAX

struct netlink_ext_ack;

struct l4vs_service *l4vs_service_find_fwmark(struct l4vs_net *ln, int af,
					      u32 fwmark);
struct l4vs_service *l4vs_service_lookup(struct l4vs_net *ln,
					 const struct l4vs_service_conf *c);
int l4vs_service_add(struct l4vs_net *ln, const struct l4vs_service_conf *c,
		     struct netlink_ext_ack *extack);
int l4vs_service_edit(struct l4vs_service *svc,
		      const struct l4vs_service_conf *c,
		      struct netlink_ext_ack *extack);
void l4vs_service_del(struct l4vs_service *svc);
/* Zero the counters of one service and its destinations, or with svc NULL
 * of everything in the netns.
 */
void l4vs_service_zero(struct l4vs_net *ln, struct l4vs_service *svc);

struct l4vs_dest *l4vs_dest_lookup(struct l4vs_service *svc, int af,
				   const union nf_inet_addr *addr, __be16 port);
int l4vs_dest_add(struct l4vs_service *svc, const struct l4vs_dest_conf *c,
		  struct netlink_ext_ack *extack);
int l4vs_dest_edit(struct l4vs_dest *dest, const struct l4vs_dest_conf *c,
		   struct netlink_ext_ack *extack);
void l4vs_dest_del(struct l4vs_dest *dest);

/* Walk services / destinations under ln->lock (or rcu_read_lock()). */
#define l4vs_for_each_service(ln, bucket, svc)				\
	for ((bucket) = 0; (bucket) < L4VS_SVC_TAB_SIZE; (bucket)++)	\
		hlist_for_each_entry_rcu(svc, &(ln)->svc_tab[bucket], s_list, \
					 lockdep_is_held(&(ln)->lock))

#define l4vs_for_each_dest(svc, dest)					\
	list_for_each_entry_rcu(dest, &(svc)->dests, n_list,		\
				lockdep_is_held(&(svc)->ln->lock))

/* ---- connections -------------------------------------------------------- */

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
	 * -1 once the collector has claimed the template (conn.c).
	 */
	struct l4vs_conn	*control;
	atomic_t		n_control;
	/* connection synchronisation (sync.c): packets since creation and
	 * the jiffies (low 32 bits) of the last sync message sent for it
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
	spinlock_t		lock;
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

/* ---- per network namespace state -------------------------------------- */

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
	/* connection synchronisation (sync.c), as IPVS names them */
	int	sync_threshold[2];	/* threshold, period (packets) */
	int	sync_refresh_period;	/* seconds, 0: by state change */
	int	sync_retries;
	int	sync_qlen_max;
	int	sync_sock_size;
	int	sync_ports;
	int	sync_persist_mode;
	int	sync_version;
	int	backup_only;
	int	run_estimation;
	/* accepted for IPVS's sake, moot beside conn_max */
	int	amemthresh;
	int	am_droprate;
	int	drop_entry;
	int	drop_packet;
	int	secure_tcp;
	/* not built yet: held at the value that describes l4vs today */
	int	conn_reuse_mode;
	int	sloppy_tcp;
	int	sloppy_sctp;
	int	snat_reroute;
	int	cache_bypass;
	int	nat_icmp_send;
	int	schedule_icmp;
	int	ignore_tunneled;
};

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
	/* connections (conn.c) */
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
	/* synchronisation daemons (sync.c); NULL while none runs */
	struct l4vs_sync	*sync;
	/* bumped when devices change: cached routes are stale (route.c) */
	atomic_t		route_gen;
};

struct l4vs_net *l4vs_net(struct net *net);

/* core.c: hooks, registered on first use. Called under ln->lock. */
int l4vs_hooks_get(struct l4vs_net *ln);
void l4vs_hooks_put(struct l4vs_net *ln);

/* Timeouts exchanged with clients (seconds). */
void l4vs_timeouts_get(struct l4vs_net *ln, u32 *tcp, u32 *tcp_fin, u32 *udp);
void l4vs_timeouts_set(struct l4vs_net *ln, u32 tcp, u32 tcp_fin, u32 udp);

/* Subsystem init/exit pairs called from main.c. */
int l4vs_conn_init(void);
void l4vs_conn_uninit(void);
int l4vs_conn_net_init(struct l4vs_net *ln);
void l4vs_conn_net_exit(struct l4vs_net *ln);
/* Drop every connection of this netns (used on flush and netns exit). */
void l4vs_conn_flush(struct l4vs_net *ln);
int l4vs_est_net_init(struct l4vs_net *ln);
void l4vs_est_net_exit(struct l4vs_net *ln);
int l4vs_genl_init(void);
void l4vs_genl_uninit(void);
int l4vs_sysctl_net_init(struct l4vs_net *ln);
void l4vs_sysctl_net_exit(struct l4vs_net *ln);
int l4vs_proc_net_init(struct l4vs_net *ln);
void l4vs_proc_net_exit(struct l4vs_net *ln);
/* sync.c: stops the daemons of a dying netns */
void l4vs_sync_net_exit(struct l4vs_net *ln);

extern unsigned int l4vs_conn_tab_bits;

#endif /* _NET_L4VS_H */
