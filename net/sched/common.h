/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the l4vs scheduler modules.  Header-only on purpose:
 * each scheduler is its own module and must not depend on another one.
 */
#ifndef _L4VS_SCHED_COMMON_H
#define _L4VS_SCHED_COMMON_H

#include <linux/gcd.h>
#include <linux/in.h>

#include "l4vs.h"

/* The uapi header only names the sh flavours of the scheduler flags. */
#ifndef IP_VS_SVC_F_SCHED_MH_FALLBACK
#define IP_VS_SVC_F_SCHED_MH_FALLBACK	IP_VS_SVC_F_SCHED1
#endif
#ifndef IP_VS_SVC_F_SCHED_MH_PORT
#define IP_VS_SVC_F_SCHED_MH_PORT	IP_VS_SVC_F_SCHED2
#endif

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

/* A destination that a least-connection style scheduler may consider. */
static inline bool l4vs_sched_candidate(const struct l4vs_dest *dest)
{
	return l4vs_dest_available(dest) && l4vs_dest_usable(dest);
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

#endif /* _L4VS_SCHED_COMMON_H */
