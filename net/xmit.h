/* SPDX-License-Identifier: GPL-2.0 */
/* l4vs: packet path internals shared by core.c and xmit.c. */
#ifndef _NET_L4VS_XMIT_H
#define _NET_L4VS_XMIT_H

#include <linux/skbuff.h>
#ifdef L4VS_HAVE_NET_GSO_H
#include <net/gso.h>		/* skb_gso_validate_network_len() */
#endif

#include "conn.h"

struct l4vs_route;

/* Why a packet was dropped: counted per CPU, shown in /proc/net/l4vs_drops. */
enum l4vs_drop_reason {
	L4VS_DROP_MALFORMED,	/* bad IP/transport header */
	L4VS_DROP_CSUM,		/* bad checksum on a new flow */
	L4VS_DROP_NODEST,	/* the scheduler found no server */
	L4VS_DROP_DEST_GONE,	/* the connection's server was removed */
	L4VS_DROP_NOMEM,	/* no memory for an entry or a writable copy */
	L4VS_DROP_NOROUTE,	/* no route to the real server */
	L4VS_DROP_MTU,		/* too big, DF set: ICMP sent */
	L4VS_DROP_FWD,		/* forwarding method not supported */
	L4VS_DROP_CONN_LIMIT,	/* conn_max reached, nothing to evict */
	L4VS_DROP_TTL,		/* TTL / hop limit would reach 0: ICMP sent */
	L4VS_DROP_NAT_ORPHAN,	/* a NAT server's packet without entry: ICMP sent */
	L4VS_DROP_MAX
};

struct l4vs_drop_stats {
	unsigned long	n[L4VS_DROP_MAX];
};

static inline unsigned int l4vs_drop(struct l4vs_net *ln,
				     enum l4vs_drop_reason why)
{
	this_cpu_inc(ln->drop_stats->n[why]);
	return NF_DROP;
}

/* What every forwarding method does as a router. */
int l4vs_xmit_hop(struct sk_buff *skb, int af);
void l4vs_xmit_scrub(struct sk_buff *skb);
bool l4vs_exceeds_mtu(const struct sk_buff *skb, unsigned int frag_max,
		      unsigned int mtu);

/* A packet a socket of this host sent: a client on the director. */
static inline bool l4vs_local_origin(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_LOCAL_OUT;
}

/* Such a packet onto route 'r', on its own way out (xmit.c) */
unsigned int l4vs_xmit_local(struct sk_buff *skb, struct l4vs_route *r);

unsigned int l4vs_xmit_nat_in(struct sk_buff *skb, struct l4vs_conn *cp,
			      const struct l4vs_iphdr *iph,
			      const struct nf_hook_state *state);
unsigned int l4vs_xmit_routed(struct sk_buff *skb, struct l4vs_conn *cp,
			      const struct nf_hook_state *state);
unsigned int l4vs_xmit_dr(struct sk_buff *skb, struct l4vs_conn *cp,
			  const struct nf_hook_state *state);
/* 'inner_af' is the family of the packet being wrapped */
unsigned int l4vs_xmit_tunnel(struct sk_buff *skb, struct l4vs_conn *cp,
			      int inner_af, const struct nf_hook_state *state);
unsigned int l4vs_xmit_nat_out(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct l4vs_iphdr *iph);
#ifdef DEBUG
/* tunnel.c's headers checked at load (selftest_tunnel.c) */
bool l4vs_tunnel_selftest(void);
#else
static inline bool l4vs_tunnel_selftest(void)
{
	return true;
}
#endif

unsigned int l4vs_xmit_nat_in6(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct l4vs_iphdr *iph,
			       const struct nf_hook_state *state);
unsigned int l4vs_xmit_dr6(struct sk_buff *skb, struct l4vs_conn *cp,
			   const struct l4vs_iphdr *iph,
			   const struct nf_hook_state *state);
unsigned int l4vs_xmit_routed6(struct sk_buff *skb, struct l4vs_conn *cp,
			       const struct nf_hook_state *state);
unsigned int l4vs_xmit_nat_out6(struct sk_buff *skb, struct l4vs_conn *cp,
				const struct l4vs_iphdr *iph);

/* Before a packet of 'cp' leaves through LOCAL_OUT */
void l4vs_nfct_out(struct l4vs_net *ln, struct sk_buff *skb,
		   struct l4vs_conn *cp);
/* A new connection replaces an entry on its ports (conn_reuse_mode) */
void l4vs_nfct_reuse(struct l4vs_net *ln, struct sk_buff *skb,
		     const struct nf_hook_state *state);

unsigned int l4vs_icmp_in(struct l4vs_net *ln, struct sk_buff *skb,
			  const struct nf_hook_state *state);
unsigned int l4vs_icmp_out(struct l4vs_net *ln, struct sk_buff *skb);
unsigned int l4vs_icmp6_in(struct l4vs_net *ln, struct sk_buff *skb,
			   const struct nf_hook_state *state);
unsigned int l4vs_icmp6_out(struct l4vs_net *ln, struct sk_buff *skb);
/* schedule_icmp: an entry for the flow an error quotes (core.c) */
struct l4vs_conn *l4vs_schedule_icmp(struct l4vs_net *ln, struct sk_buff *skb,
				     const struct l4vs_iphdr *key,
				     unsigned int *verdict);

#endif /* _NET_L4VS_XMIT_H */
