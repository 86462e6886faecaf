// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: netfilter hooks and the per-packet decisions.
 *
 *   LOCAL_IN  (NAT_SRC - 1)  packets for a virtual service: find or create
 *             the connection, then transmit by its forwarding method.  After
 *             the filter table, so an operator's INPUT rules still apply to
 *             the VIP.
 *             Also, first, replies to clients on this host (below).
 *   FORWARD   (NAT_SRC - 1)  replies of masqueraded connections on their
 *             way back to the client: rewrite the source to the VIP.
 *   LOCAL_OUT (NAT_DST + 2)  what sockets on this host send (below).
 *
 * Clients and real servers on the director itself.  A socket here that
 * connects to a VIP sends through LOCAL_OUT, never LOCAL_IN; a masquerading
 * real server listening on an address of this host answers through
 * LOCAL_OUT, never FORWARD.  So LOCAL_OUT first rewrites a masqueraded
 * reply back to the VIP, and otherwise treats the packet as LOCAL_IN
 * treats a client's: after the nat table's OUTPUT chain (an operator's
 * DNAT to a VIP is balanced) and before the filter table's, as IPVS places
 * it.  The reply of a remote masquerading server to a client here arrives
 * at LOCAL_IN, not FORWARD: LOCAL_IN looks for such replies before
 * anything else, but only once a client here was masqueraded (so a
 * director without local clients pays no second lookup per packet).
 * A client's packet stays this host's own output and goes on its way
 * within LOCAL_OUT (xmit.c, l4vs_xmit_local()); only tunnelling hands it
 * to a new LOCAL_OUT pass, as for forwarded packets.  Every packet l4vs
 * sends through LOCAL_OUT itself goes without a socket, and LOCAL_OUT
 * only looks at packets with one, so none is balanced twice (a direct
 * routing packet still addressed to the VIP would otherwise loop).
 *
 * Both need the ports, which only a datagram's first fragment carries: a
 * reply fragmented by its real server would leave with the server's
 * address.  So while the hooks are on, the namespace reassembles at
 * PRE_ROUTING and LOCAL_OUT (nf_defrag_ipv4, nf_defrag_ipv6: what
 * conntrack uses, without conntrack), and the output path fragments again
 * within the largest fragment's size (IPCB/IP6CB frag_max_size).  A
 * fragment still seen here (defrag failed or timed out) is left alone.
 *
 * Hooks run under rcu_read_lock() with bottom halves off; nothing here
 * sleeps or takes a reference on the connection, its server or service.
 * They are registered per netns while at least one service exists.
 */

#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/icmp.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "xmit.h"
#include "sync.h"	/* connection synchronisation: see l4vs_in_hook() */

static bool parse_ports(const struct sk_buff *skb, struct l4vs_iphdr *p)
{
	__be16 _ports[2];
	const __be16 *ports;

	ports = skb_header_pointer(skb, p->thoff, sizeof(_ports), _ports);
	if (!ports) {
		p->sport = 0;
		p->dport = 0;
		return true;	/* truncated: the header check drops it */
	}
	p->sport = ports[0];
	p->dport = ports[1];
	return true;
}

/*
 * Fill 'p' from an IPv4 packet; its protocol's operations, or NULL if it
 * is not for us to look at.
 */
static const struct l4vs_protocol *parse_ipv4(const struct sk_buff *skb,
					      struct l4vs_iphdr *p)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct l4vs_protocol *pp = l4vs_proto_find(iph->protocol);

	/* fragments carry no ports (or not all): reassembled before us */
	if (!pp || ip_is_fragment(iph))
		return NULL;

	p->af = AF_INET;
	p->protocol = iph->protocol;
	p->thoff = skb_network_offset(skb) + iph->ihl * 4;
	p->saddr.ip = iph->saddr;
	p->daddr.ip = iph->daddr;
	return parse_ports(skb, p) ? pp : NULL;
}

/* The same for IPv6, past any extension headers. */
static const struct l4vs_protocol *parse_ipv6(struct sk_buff *skb,
					      struct l4vs_iphdr *p)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct l4vs_protocol *pp;
	unsigned short frag_off = 0;
	unsigned int thoff = 0;
	int frag_flags = 0;
	int proto;

	proto = ipv6_find_hdr(skb, &thoff, -1, &frag_off, &frag_flags);
	if (proto < 0)
		return NULL;
	pp = l4vs_proto_find(proto);
	/* a fragment not reassembled: leave it to the stack */
	if (!pp || (frag_flags & IP6_FH_F_FRAG))
		return NULL;

	p->af = AF_INET6;
	p->protocol = proto;
	p->thoff = thoff;
	p->saddr.in6 = ip6h->saddr;
	p->daddr.in6 = ip6h->daddr;
	return parse_ports(skb, p) ? pp : NULL;
}

static const struct l4vs_protocol *parse(struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 struct l4vs_iphdr *p)
{
	if (state->pf == NFPROTO_IPV6)
		return parse_ipv6(skb, p);
	return parse_ipv4(skb, p);
}

static void count_in(struct l4vs_net *ln, struct l4vs_dest *dest,
		     unsigned int len)
{
	l4vs_stats_add(&dest->stats, true, len);
	l4vs_stats_add(&dest->svc->stats, true, len);
	l4vs_stats_add(&ln->tot_stats, true, len);
}

static void count_out(struct l4vs_net *ln, struct l4vs_dest *dest,
		      unsigned int len)
{
	l4vs_stats_add(&dest->stats, false, len);
	l4vs_stats_add(&dest->svc->stats, false, len);
	l4vs_stats_add(&ln->tot_stats, false, len);
}

/*
 * The service a new flow belongs to, in IPVS's order: a firewall-mark
 * service for the packet's mark, then protocol/address/port, then a
 * port-0 ("all ports") service on that address.
 */
static struct l4vs_service *find_service(struct l4vs_net *ln,
					 const struct sk_buff *skb,
					 const struct l4vs_iphdr *iph)
{
	struct l4vs_service *svc = NULL;

	if (skb->mark)
		svc = l4vs_service_find_fwmark(ln, iph->af, skb->mark);
	if (!svc)
		svc = l4vs_service_find(ln, iph->af, iph->protocol, &iph->daddr,
					iph->dport);
	if (!svc && iph->dport)
		svc = l4vs_service_find(ln, iph->af, iph->protocol, &iph->daddr, 0);
	return svc;
}

static struct l4vs_dest *pick_dest(struct l4vs_net *ln,
				   struct l4vs_service *svc,
				   const struct sk_buff *skb,
				   const struct l4vs_iphdr *iph,
				   struct l4vs_conn **ctp)
{
	struct l4vs_scheduler *sched;

	if (svc->flags & IP_VS_SVC_F_PERSISTENT)
		return l4vs_persist_schedule(ln, svc, skb, iph, ctp);
	/* NULL while the scheduler is being swapped: the client retries */
	sched = rcu_dereference(svc->scheduler);
	return sched ? sched->schedule(svc, skb, iph) : NULL;
}

static unsigned int transmit(struct l4vs_net *ln, struct sk_buff *skb,
			     struct l4vs_conn *cp, const struct l4vs_iphdr *iph,
			     const struct nf_hook_state *state)
{
	unsigned int fwd = cp->flags & IP_VS_CONN_F_FWD_MASK;

	if (fwd == IP_VS_CONN_F_LOCALNODE)
		return NF_ACCEPT;
	/* before it leaves: its reply may come back at once */
	if (fwd == IP_VS_CONN_F_MASQ && l4vs_local_origin(state) &&
	    unlikely(!READ_ONCE(ln->local_nat_clients)))
		WRITE_ONCE(ln->local_nat_clients, true);
	l4vs_nfct_out(ln, skb, cp);
	if (fwd == IP_VS_CONN_F_TUNNEL)
		return l4vs_xmit_tunnel(skb, cp, iph->af, state);
	if (iph->af == AF_INET6) {
		if (fwd == IP_VS_CONN_F_MASQ)
			return l4vs_xmit_nat_in6(skb, cp, iph, state);
		if (fwd == IP_VS_CONN_F_DROUTE)
			return l4vs_xmit_dr6(skb, cp, iph, state);
		return l4vs_drop(ln, L4VS_DROP_FWD);
	}
	if (fwd == IP_VS_CONN_F_MASQ)
		return l4vs_xmit_nat_in(skb, cp, iph, state);
	if (fwd == IP_VS_CONN_F_DROUTE)
		return l4vs_xmit_dr(skb, cp, state);
	return l4vs_drop(ln, L4VS_DROP_FWD);
}

/*
 * One-packet scheduling (UDP, -o): every datagram is scheduled on its own
 * and nothing is remembered, so the entry lives on the stack.
 */
static unsigned int one_packet(struct l4vs_net *ln, struct sk_buff *skb,
			       struct l4vs_dest *dest,
			       const struct l4vs_iphdr *iph,
			       const struct nf_hook_state *state)
{
	struct l4vs_conn cp;

	l4vs_conn_fill(&cp, iph, dest, IP_VS_CONN_F_ONE_PACKET);
	l4vs_stats_add_conn(&dest->stats);
	l4vs_stats_add_conn(&dest->svc->stats);
	l4vs_stats_add_conn(&ln->tot_stats);
	count_in(ln, dest, skb->len);
	return transmit(ln, skb, &cp, iph, state);
}

/* A new flow for 'svc': pick a server, create the entry and send. */
static unsigned int new_flow(struct l4vs_net *ln, struct l4vs_service *svc,
			     struct sk_buff *skb, const struct l4vs_iphdr *iph,
			     const struct l4vs_protocol *pp,
			     const struct nf_hook_state *state)
{
	struct l4vs_conn *cp, *ct = NULL;
	struct l4vs_dest *dest;
	union l4vs_l4hdr h;

	if (!l4vs_proto_header_ok(pp, skb, iph->thoff, &h))
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);
	if (!l4vs_proto_may_create(pp, &h) && !l4vs_proto_may_pick_up(ln, pp, &h))
		return NF_ACCEPT;	/* the local stack answers (RST) */
	if (!l4vs_proto_csum_ok(pp, skb, iph, state->hook))
		return l4vs_drop(ln, L4VS_DROP_CSUM);

	dest = pick_dest(ln, svc, skb, iph, &ct);
	if (!dest) {
		if (iph->af == AF_INET6)
			icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
		else
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
		return l4vs_drop(ln, L4VS_DROP_NODEST);
	}
	if ((svc->flags & IP_VS_SVC_F_ONEPACKET) && iph->protocol == IPPROTO_UDP)
		return one_packet(ln, skb, dest, iph, state);

	cp = l4vs_conn_new(ln, iph, dest, 0, ct);
	if (!cp)
		return NF_DROP;		/* counted by l4vs_conn_new() */
	l4vs_proto_update(ln, cp, pp, &h, L4VS_DIR_INPUT);
	count_in(ln, cp->dest, skb->len);
	return transmit(ln, skb, cp, iph, state);
}

/*
 * Port reuse: the client opens a new connection (TCP SYN, SCTP INIT) on
 * the ports of an entry that should not hand it to its old server, so the
 * entry goes and the packet is scheduled afresh.  Which entries:
 *  - expire_nodest_conn: one whose server left its service or was drained
 *    (weight 0), whatever conn_reuse_mode says (IPVS since Linux 5.16);
 *  - conn_reuse_mode bit 0: one whose connection is over (TCP TIME_WAIT,
 *    CLOSE; SCTP CLOSED: the protocol's finished states);
 *  - bit 1 also: one a director without replies (DR, TUN) last saw the
 *    client close (TCP FIN_WAIT).
 * Every packet of an established flow pays two reads of knobs and of the
 * entry it already has; the protocol is asked only about a candidate.
 */
static bool reuse_reschedules(struct l4vs_net *ln, const struct l4vs_conn *cp,
			      const struct l4vs_protocol *pp,
			      const union l4vs_l4hdr *h)
{
	int mode = READ_ONCE(ln->sysctl.conn_reuse_mode);
	const struct l4vs_dest *dest = cp->dest;
	unsigned long states;

	if (READ_ONCE(ln->sysctl.expire_nodest_conn) &&
	    (!l4vs_dest_available(dest) || !atomic_read(&dest->weight)))
		return l4vs_proto_opens(pp, h);
	if (!mode)
		return false;
	states = pp->finished_states;
	if ((mode & 2) && !(READ_ONCE(cp->flags) & L4VS_CONN_F_REPLIED))
		states |= pp->one_way_closed_states;
	return (states & BIT(READ_ONCE(cp->state))) && l4vs_proto_opens(pp, h);
}

/* A packet that starts a connection: its service, if any, picks a server. */
static unsigned int schedule_new(struct l4vs_net *ln, struct sk_buff *skb,
				 const struct l4vs_iphdr *iph,
				 const struct l4vs_protocol *pp,
				 const struct nf_hook_state *state)
{
	struct l4vs_service *svc = find_service(ln, skb, iph);

	return svc ? new_flow(ln, svc, skb, iph, pp, state) : NF_ACCEPT;
}

/*
 * ignore_tunneled: what this host unwraps from a protocol l4vs does not
 * handle (ipip, sit, GRE, ip6ip6...) is not balanced: a director that is
 * also a tunnelling real server of another director must deliver the
 * inner packet, not balance it again (or loop).  IPVS marks the outer
 * packet (skb->ipvs_property) for its inner one to carry, but the kernel
 * clears that bit when it unwraps (skb_scrub_packet(), 6.1 at least), so
 * on such kernels ip_vs balances the inner packet all the same.  What does
 * survive is where the inner packet comes from: the tunnel's device, one
 * of these types.  (GRE carrying Ethernet, gretap, is not recognised.)
 */
static const unsigned short tunnel_dev_types[] = {
	ARPHRD_TUNNEL, ARPHRD_TUNNEL6, ARPHRD_SIT, ARPHRD_IPGRE, ARPHRD_IP6GRE,
};

static bool unwrapped_here(const struct nf_hook_state *state)
{
	unsigned int i;

	if (!state->in)
		return false;	/* LOCAL_OUT */
	for (i = 0; i < ARRAY_SIZE(tunnel_dev_types); i++)
		if (state->in->type == tunnel_dev_types[i])
			return true;
	return false;
}

static unsigned int l4vs_in_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct l4vs_net *ln = l4vs_net(state->net);
	const struct l4vs_protocol *pp;
	struct l4vs_conn *cp;
	struct l4vs_iphdr iph;
	union l4vs_l4hdr h;
	u8 old_state;	/* for the sync daemon */

	/* backup_only=1 with a backup sync daemon: no balancing here */
	if (l4vs_sync_backup_only(ln))
		return NF_ACCEPT;
	if (unlikely(READ_ONCE(ln->sysctl.ignore_tunneled)) &&
	    unwrapped_here(state))
		return NF_ACCEPT;
	pp = parse(skb, state, &iph);
	if (!pp) {
		if (state->pf == NFPROTO_IPV6)
			return l4vs_icmp6_in(ln, skb, state);
		if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
			return l4vs_icmp_in(ln, skb, state);
		return NF_ACCEPT;
	}

	cp = l4vs_conn_in_find(ln, &iph);
	if (!cp)
		return schedule_new(ln, skb, &iph, pp, state);
	if (!l4vs_proto_header_ok(pp, skb, iph.thoff, &h))
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);

	if (unlikely(reuse_reschedules(ln, cp, pp, &h))) {
		/* lost to the collector or another CPU: unlinked all the same */
		l4vs_conn_unlink(ln, cp);
		/* a conntrack entry of the old connection must not stall it */
		l4vs_nfct_reuse(ln, skb, state);
		return schedule_new(ln, skb, &iph, pp, state);
	}

	if (!l4vs_dest_available(cp->dest)) {
		/* expire_nodest_conn: let the client start over sooner */
		if (READ_ONCE(ln->sysctl.expire_nodest_conn))
			WRITE_ONCE(cp->expires, jiffies);
		return l4vs_drop(ln, L4VS_DROP_DEST_GONE);
	}

	/* sync daemon: the state before this packet, then maybe a message */
	old_state = READ_ONCE(cp->state);
	l4vs_proto_update(ln, cp, pp, &h, L4VS_DIR_INPUT);
	if (READ_ONCE(ln->sync))
		l4vs_sync_conn(ln, cp, old_state);
	count_in(ln, cp->dest, skb->len);
	return transmit(ln, skb, cp, &iph, state);
}

/*
 * schedule_icmp: an ICMP error about a flow without an entry, arriving for
 * a VIP.  The quote went VIP -> client, so 'key' (the quote reversed) reads
 * as the client's packet to the service, and the error is scheduled as
 * that flow's first packet would be: the server picked gets an entry and
 * the error, by its forwarding method (icmp.c, icmp6.c).  NULL with
 * *verdict set when nothing was scheduled: NF_ACCEPT (no service, a
 * one-packet UDP service that keeps no entry: left to the stack as
 * without the knob) or a counted drop.
 */
struct l4vs_conn *l4vs_schedule_icmp(struct l4vs_net *ln, struct sk_buff *skb,
				     const struct l4vs_iphdr *key,
				     unsigned int *verdict)
{
	struct l4vs_conn *cp, *ct = NULL;
	struct l4vs_service *svc;
	struct l4vs_dest *dest;

	*verdict = NF_ACCEPT;
	svc = find_service(ln, skb, key);
	if (!svc || ((svc->flags & IP_VS_SVC_F_ONEPACKET) &&
		     key->protocol == IPPROTO_UDP))
		return NULL;
	dest = pick_dest(ln, svc, skb, key, &ct);
	if (!dest) {
		*verdict = l4vs_drop(ln, L4VS_DROP_NODEST);
		return NULL;
	}
	cp = l4vs_conn_new(ln, key, dest, 0, ct);
	if (!cp)
		*verdict = NF_DROP;	/* counted by l4vs_conn_new() */
	return cp;
}

static bool same_addr(int af, const union nf_inet_addr *a,
		      const union nf_inet_addr *b)
{
	return af == AF_INET6 ? ipv6_addr_equal(&a->in6, &b->in6) : a->ip == b->ip;
}

/*
 * Is the packet's source a masquerading real server of some service, on its
 * service's port?  A walk of every service's servers: it runs only with
 * nat_icmp_send on, for a packet no entry claimed.
 */
static bool is_nat_real_server(struct l4vs_net *ln,
			       const struct l4vs_iphdr *iph)
{
	struct l4vs_service *svc;
	struct l4vs_dest *dest;
	unsigned int bucket;

	l4vs_for_each_service(ln, bucket, svc) {
		/* a firewall-mark service's servers answer on any protocol */
		if (svc->af != iph->af ||
		    (!svc->fwmark && svc->protocol != iph->protocol))
			continue;
		list_for_each_entry_rcu(dest, &svc->dests, n_list)
			if (dest->port == iph->sport && dest->af == iph->af &&
			    same_addr(iph->af, &dest->addr, &iph->saddr) &&
			    (atomic_read(&dest->conn_flags) &
			     IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ)
				return true;
	}
	return false;
}

/* A reset ends what it is about: nothing to tell its sender. */
static bool is_reset(const struct l4vs_iphdr *iph, const union l4vs_l4hdr *h)
{
	if (iph->protocol == IPPROTO_TCP)
		return h->tcp.rst;
	if (iph->protocol == IPPROTO_SCTP)
		return h->sctp_chunk.type == SCTP_CID_ABORT;
	return false;
}

/* LOCAL_OUT: bound for a socket of this host (local routes use loopback) */
static bool to_this_host(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);

	return dst && dst->dev && (dst->dev->flags & IFF_LOOPBACK);
}

/*
 * nat_icmp_send: a packet from a masquerading real server's service port
 * that matches no entry (its client's entry expired, or the director
 * restarted) is dropped, and the server told with a port unreachable so
 * that it gives up at once instead of retransmitting into the void; a
 * reset is left to pass.  Not for this host (LOCAL_IN, or LOCAL_OUT from
 * a server on the director to a socket here): that socket answers for
 * itself, and the director's own health checks of a server come back that
 * way.  True when it was such a packet.
 */
static bool nat_orphan(struct l4vs_net *ln, struct sk_buff *skb,
		       const struct l4vs_iphdr *iph,
		       const struct l4vs_protocol *pp,
		       const struct nf_hook_state *state, unsigned int *verdict)
{
	union l4vs_l4hdr h;

	if (likely(!READ_ONCE(ln->sysctl.nat_icmp_send)) ||
	    state->hook == NF_INET_LOCAL_IN || to_this_host(skb) ||
	    !is_nat_real_server(ln, iph) ||
	    !l4vs_proto_header_ok(pp, skb, iph->thoff, &h) || is_reset(iph, &h))
		return false;

	if (iph->af == AF_INET6) {
		/* icmpv6_send() finds the namespace through skb->dev */
		if (!skb->dev)
			skb->dev = state->net->loopback_dev;
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	} else {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	}
	*verdict = l4vs_drop(ln, L4VS_DROP_NAT_ORPHAN);
	return true;
}

/*
 * A packet of a masqueraded connection on its way back to the client gets
 * the VIP back as its source, and so does an ICMP error about one.  True
 * when the packet was one of those: *verdict is the final word; false
 * when the caller may look further (an ICMP error it rewrote included: as
 * an inbound error it matches nothing).
 */
static bool nat_reply(struct l4vs_net *ln, struct sk_buff *skb,
		      const struct nf_hook_state *state, unsigned int *verdict)
{
	const struct l4vs_protocol *pp;
	struct l4vs_conn *cp;
	struct l4vs_iphdr iph;
	union l4vs_l4hdr h;

	*verdict = NF_ACCEPT;
	pp = parse(skb, state, &iph);
	if (!pp) {
		if (state->pf == NFPROTO_IPV6)
			*verdict = l4vs_icmp6_out(ln, skb);
		else if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
			*verdict = l4vs_icmp_out(ln, skb);
		return *verdict != NF_ACCEPT;
	}
	cp = l4vs_conn_out_find(ln, &iph);
	if (!cp)
		return nat_orphan(ln, skb, &iph, pp, state, verdict);
	if ((cp->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		return false;
	if (!l4vs_proto_header_ok(pp, skb, iph.thoff, &h)) {
		*verdict = l4vs_drop(ln, L4VS_DROP_MALFORMED);
		return true;
	}
	if (!l4vs_dest_available(cp->dest)) {
		*verdict = l4vs_drop(ln, L4VS_DROP_DEST_GONE);
		return true;
	}

	l4vs_proto_update(ln, cp, pp, &h, L4VS_DIR_OUTPUT);
	count_out(ln, cp->dest, skb->len);
	if (iph.af == AF_INET6)
		*verdict = l4vs_xmit_nat_out6(skb, cp, &iph);
	else
		*verdict = l4vs_xmit_nat_out(skb, cp, &iph);
	return true;
}

/*
 * snat_reroute (IPVS's default, 1): a masqueraded reply now comes from the
 * VIP, so route it again as this host routes what it sends from there:
 * rules by source address ("ip rule add from VIP ...") then choose its way
 * rather than the route the stack found for the real server's address.
 * For replies leaving this host only: FORWARD (a remote real server) and
 * LOCAL_OUT (one on this host, as the nat table reroutes after a NAT in
 * OUTPUT); a reply to a client on this host (LOCAL_IN, or a local route)
 * has no way to choose.  Costs a route lookup per reply while on.
 */
static unsigned int snat_reroute(struct l4vs_net *ln, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct dst_entry *dst = skb_dst(skb);
	int err;

	if (!READ_ONCE(ln->sysctl.snat_reroute) || !dst)
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV6) {
		if (dst->dev->flags & IFF_LOOPBACK)
			return NF_ACCEPT;
		err = ip6_route_me_harder(state->net, state->sk, skb);
	} else {
		if (skb_rtable(skb)->rt_flags & RTCF_LOCAL)
			return NF_ACCEPT;
		err = ip_route_me_harder(state->net, state->sk, skb, RTN_UNSPEC);
	}
	return err ? l4vs_drop(ln, L4VS_DROP_NOROUTE) : NF_ACCEPT;
}

static unsigned int l4vs_out_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct l4vs_net *ln = l4vs_net(state->net);
	unsigned int verdict;

	if (nat_reply(ln, skb, state, &verdict) && verdict == NF_ACCEPT)
		return snat_reroute(ln, skb, state);
	return verdict;
}

/*
 * LOCAL_OUT: what sockets on this host send, see the top of this file.
 * Packets without a socket are left alone: l4vs's own transmissions (which
 * would be balanced again) and the few the stack sends without one (resets
 * of the REJECT target).
 */
static unsigned int l4vs_local_out_hook(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	bool borrowed_dev = false;
	struct l4vs_net *ln;
	unsigned int verdict;

	if (!state->sk)
		return NF_ACCEPT;
	ln = l4vs_net(state->net);
	if (nat_reply(ln, skb, state, &verdict))
		return verdict == NF_ACCEPT ?
		       snat_reroute(ln, skb, state) : verdict;

	/*
	 * icmpv6_send() finds its namespace through skb->dev, which a packet
	 * has no use for before ip6_output(): lend it loopback meanwhile.
	 */
	if (state->pf == NFPROTO_IPV6 && !skb->dev) {
		skb->dev = state->net->loopback_dev;
		borrowed_dev = true;
	}
	verdict = l4vs_in_hook(priv, skb, state);
	if (borrowed_dev && verdict == NF_ACCEPT)
		skb->dev = NULL;
	return verdict;
}

/* LOCAL_IN: replies to clients on this host first, see the top of the file. */
static unsigned int l4vs_local_in_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct l4vs_net *ln = l4vs_net(state->net);
	unsigned int verdict;

	if (READ_ONCE(ln->local_nat_clients) &&
	    nat_reply(ln, skb, state, &verdict))
		return verdict;
	return l4vs_in_hook(priv, skb, state);
}

static const struct nf_hook_ops l4vs_hook_ops[] = {
	{
		.hook		= l4vs_local_in_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
	{
		.hook		= l4vs_out_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
	{
		.hook		= l4vs_local_out_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_NAT_DST + 2,
	},
	{
		.hook		= l4vs_local_in_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_NAT_SRC - 1,
	},
	{
		.hook		= l4vs_out_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_NAT_SRC - 1,
	},
	{
		.hook		= l4vs_local_out_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_NAT_DST + 2,
	},
};

int l4vs_hooks_get(struct l4vs_net *ln)
{
	int ret;

	lockdep_assert_held(&ln->lock);
	if (ln->hook_users++)
		return 0;
	ret = nf_defrag_ipv4_enable(ln->net);
	if (ret)
		goto err_users;
	ret = nf_defrag_ipv6_enable(ln->net);
	if (ret)
		goto err_defrag4;
	ret = nf_register_net_hooks(ln->net, l4vs_hook_ops,
				    ARRAY_SIZE(l4vs_hook_ops));
	if (ret)
		goto err_defrag6;
	ln->hooks_on = true;
	return 0;

err_defrag6:
	nf_defrag_ipv6_disable(ln->net);
err_defrag4:
	nf_defrag_ipv4_disable(ln->net);
err_users:
	ln->hook_users--;
	return ret;
}

void l4vs_hooks_put(struct l4vs_net *ln)
{
	lockdep_assert_held(&ln->lock);
	if (WARN_ON_ONCE(!ln->hook_users) || --ln->hook_users)
		return;
	nf_unregister_net_hooks(ln->net, l4vs_hook_ops, ARRAY_SIZE(l4vs_hook_ops));
	nf_defrag_ipv6_disable(ln->net);
	nf_defrag_ipv4_disable(ln->net);
	ln->hooks_on = false;
	/* the hooks are gone: the next one on starts without local clients */
	WRITE_ONCE(ln->local_nat_clients, false);
}

int l4vs_drops_net_init(struct l4vs_net *ln)
{
	ln->drop_stats = alloc_percpu(struct l4vs_drop_stats);
	return ln->drop_stats ? 0 : -ENOMEM;
}

void l4vs_drops_net_exit(struct l4vs_net *ln)
{
	free_percpu(ln->drop_stats);
}
