/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: the scheduler API, everything a scheduler module may use.
 *
 * A scheduler is a module named "l4vs_<name>" that registers a struct
 * l4vs_scheduler at load (module_l4vs_scheduler()).  The core binds it to a
 * service and calls its hooks:
 *
 *  - init_service, done_service, add_dest, del_dest, upd_dest run in process
 *    context with the service's configuration lock held
 *    (l4vs_sched_assert_locked()), so they may sleep and may read the
 *    service's servers without RCU.  done_service runs a grace period after
 *    the scheduler was unpublished: no packet is still inside schedule().
 *  - schedule() runs on the packet path under rcu_read_lock() with bottom
 *    halves disabled and must not sleep.  It walks svc->dests under RCU and
 *    returns a server that l4vs_sched_candidate() accepts, or NULL.
 *
 * A scheduler takes no references: a server it returns is kept alive by
 * the RCU read section, and the core takes the connection's reference.  It
 * reads the service and server fields below and writes only
 * svc->sched_data; the counters, routes and lists belong to the core.
 * Helpers are inline here, so a scheduler module depends on no other one.
 */
#ifndef _L4VS_SCHED_H
#define _L4VS_SCHED_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/gcd.h>
#include <linux/in.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/netfilter.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/ip_vs.h>

#include <l4vs/stats.h>

/* The uapi header only names the sh flavours of the scheduler flags. */
#ifndef IP_VS_SVC_F_SCHED_MH_FALLBACK
#define IP_VS_SVC_F_SCHED_MH_FALLBACK	IP_VS_SVC_F_SCHED1
#endif
#ifndef IP_VS_SVC_F_SCHED_MH_PORT
#define IP_VS_SVC_F_SCHED_MH_PORT	IP_VS_SVC_F_SCHED2
#endif

struct l4vs_net;
struct l4vs_scheduler;
struct l4vs_service;
struct l4vs_dest_route;

#define L4VS_DEST_F_AVAILABLE	0x0001	/* in its service, may be used */
#define L4VS_DEST_F_OVERLOAD	0x0002	/* over u_threshold */

/* A real server of a service. */
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
	struct l4vs_dest_route __rcu *route;
	refcount_t		refcnt;
	struct rcu_head		rcu;
};

/* A virtual service. */
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
	/* written under the configuration lock; packets read it under RCU */
	struct l4vs_scheduler __rcu *scheduler;
	void			*sched_data;	/* the scheduler's own */
	struct list_head	dests;		/* RCU, written under the lock */
	unsigned int		num_dests;
	/* removed servers that connections still use, ready to come back */
	struct list_head	trash;
	struct l4vs_stats	stats;
	refcount_t		refcnt;
	struct rcu_head		rcu;
};

/* The packet being scheduled, parsed once by the core. */
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
	struct list_head	list;		/* the core's registry */
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

/* A scheduler module that only registers its scheduler. */
#define module_l4vs_scheduler(sched)					\
static int __init sched##_init(void)					\
{									\
	return l4vs_sched_register(&(sched));				\
}									\
module_init(sched##_init);						\
static void __exit sched##_exit(void)					\
{									\
	l4vs_sched_unregister(&(sched));				\
}									\
module_exit(sched##_exit)

/*
 * Does the caller hold the service's configuration lock?  Always true
 * without lockdep, so it costs nothing there; for RCU's lockdep conditions
 * and l4vs_sched_assert_locked().
 */
bool l4vs_sched_locked(const struct l4vs_service *svc);
#define l4vs_sched_assert_locked(svc)	lockdep_assert(l4vs_sched_locked(svc))

/*
 * The net.ipv4.vs knobs a scheduler reads, in its service's namespace; the
 * value in jiffies, never negative.
 */
enum l4vs_sched_knob {
	L4VS_SCHED_LBLC_EXPIRATION,
	L4VS_SCHED_LBLCR_EXPIRATION,
};

unsigned long l4vs_sched_expiration(const struct l4vs_service *svc,
				    enum l4vs_sched_knob knob);

/* The service's servers, under its configuration lock or rcu_read_lock(). */
#define l4vs_for_each_dest(svc, dest)					\
	list_for_each_entry_rcu(dest, &(svc)->dests, n_list,		\
				l4vs_sched_locked(svc))

/* A destination may take new connections: weight > 0, not overloaded. */
static inline bool l4vs_dest_usable(const struct l4vs_dest *dest)
{
	return atomic_read(&dest->weight) > 0 &&
	       !test_bit(ilog2(L4VS_DEST_F_OVERLOAD), &dest->flags);
}

/* Still in its service (a removed one lingers while connections use it). */
static inline bool l4vs_dest_available(const struct l4vs_dest *dest)
{
	return test_bit(ilog2(L4VS_DEST_F_AVAILABLE), &dest->flags);
}

/* A destination that a scheduler may return for a new connection. */
static inline bool l4vs_sched_candidate(const struct l4vs_dest *dest)
{
	return l4vs_dest_available(dest) && l4vs_dest_usable(dest);
}

/*
 * What the connection-counting schedulers compare: an active connection
 * costs as much as 256 inactive ones (IPVS's ip_vs_dest_conn_overhead()).
 */
static inline int l4vs_sched_conn_overhead(const struct l4vs_dest *dest)
{
	return (atomic_read(&dest->activeconns) << 8) +
	       atomic_read(&dest->inactconns);
}

static inline s64 l4vs_sched_conn_overhead_s64(const struct l4vs_dest *dest)
{
	return l4vs_sched_conn_overhead(dest);
}

/*
 * The 32-bit key IPVS hashes an address by: the IPv4 address, or the XOR of
 * the four words of an IPv6 one, in host order.
 */
static inline u32 l4vs_sched_addr_fold(int af, const union nf_inet_addr *a)
{
	__be32 f = a->ip;

	if (af == AF_INET6)
		f = a->ip6[0] ^ a->ip6[1] ^ a->ip6[2] ^ a->ip6[3];
	return ntohl(f);
}

/* The client port for the *-port flags; protocols without ports give 0. */
static inline __be16 l4vs_sched_src_port(const struct l4vs_iphdr *iph)
{
	switch (iph->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		return iph->sport;
	default:
		return 0;
	}
}

/*
 * The candidate with the least load per unit of weight.  Loads are compared
 * by cross multiplication, load_a * weight_b > load_b * weight_a, so no
 * division is needed and ties go to the earlier destination, as in IPVS.
 * An idle destination (load 0) cannot be beaten: the walk stops there.
 * 'weighted' false counts every weight as 1 (lc).  Always inlined, so that
 * 'load' is a direct call the compiler folds in.
 */
static __always_inline struct l4vs_dest *
l4vs_sched_least(struct l4vs_service *svc,
		 s64 (*load)(const struct l4vs_dest *dest), bool weighted)
{
	struct l4vs_dest *dest, *least = NULL;
	s64 loh = 0, lw = 1, doh, dw = 1;

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest))
			continue;
		doh = load(dest);
		if (!doh)
			return dest;
		if (weighted)
			dw = atomic_read(&dest->weight);
		/* the first candidate is taken whatever its load */
		if (!least || loh * dw > doh * lw) {
			least = dest;
			loh = doh;
			lw = dw;
		}
	}
	return least;
}

/*
 * The candidate of highest weight (the first of equals) that 'full' does not
 * rule out; 'full' may be NULL.
 */
static __always_inline struct l4vs_dest *
l4vs_sched_heaviest(struct l4vs_service *svc,
		    bool (*full)(const struct l4vs_dest *dest))
{
	struct l4vs_dest *dest, *high = NULL;
	int hw = 0, w;

	list_for_each_entry_rcu(dest, &svc->dests, n_list) {
		if (!l4vs_sched_candidate(dest) || (full && full(dest)))
			continue;
		w = atomic_read(&dest->weight);
		if (w > hw) {
			high = dest;
			hw = w;
		}
	}
	return high;
}

/* Greatest common divisor of the positive entries of w[]; 0 if none. */
static inline u32 l4vs_sched_gcd(const u32 *w, unsigned int n)
{
	unsigned int i;
	u32 g = 0;

	for (i = 0; i < n; i++)
		if (w[i])
			g = g ? gcd(g, w[i]) : w[i];
	return g;
}

#endif /* _L4VS_SCHED_H */
