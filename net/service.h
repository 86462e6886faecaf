/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vs: services and their destinations as the rest of the core sees them:
 * the packet path's lookups and the configuration interface netlink uses.
 * A service is keyed by (af, protocol, addr, port), or by (af, fwmark) when
 * fwmark is non-zero.  Everything here runs under ln->lock except the
 * *_find() lookups, which run under RCU on the packet path.
 */
#ifndef _NET_L4VS_SERVICE_H
#define _NET_L4VS_SERVICE_H

#include <linux/limits.h>
#include <l4vs/sched.h>

#define L4VS_SVC_TAB_BITS	8
#define L4VS_SVC_TAB_SIZE	(1U << L4VS_SVC_TAB_BITS)

/* Upper bound of a persistence timeout and of a destination weight. */
#define L4VS_PERSIST_TIMEOUT_MAX	(INT_MAX / HZ)
#define L4VS_WEIGHT_MAX			INT_MAX

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

struct netlink_ext_ack;

struct l4vs_service *l4vs_service_find(struct l4vs_net *ln, int af, u16 proto,
				       const union nf_inet_addr *addr,
				       __be16 port);
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
void l4vs_service_flush(struct l4vs_net *ln);
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

/* Set or clear L4VS_DEST_F_OVERLOAD from the thresholds. */
void l4vs_dest_update_overload(struct l4vs_dest *dest);

void l4vs_dest_release(struct l4vs_dest *dest);

static inline void l4vs_dest_put(struct l4vs_dest *dest)
{
	if (refcount_dec_and_test(&dest->refcnt))
		l4vs_dest_release(dest);
}

/* Walk services under ln->lock (or rcu_read_lock()). */
#define l4vs_for_each_service(ln, bucket, svc)				\
	for ((bucket) = 0; (bucket) < L4VS_SVC_TAB_SIZE; (bucket)++)	\
		hlist_for_each_entry_rcu(svc, &(ln)->svc_tab[bucket], s_list, \
					 lockdep_is_held(&(ln)->lock))

#endif /* _NET_L4VS_SERVICE_H */
