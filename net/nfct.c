// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: living next to nf_conntrack.
 *
 * When conntrack runs in the namespace, the first packet of a flow arrives
 * at LOCAL_IN carrying an unconfirmed entry for client -> VIP.  l4vs sends
 * the packet elsewhere, so that entry would describe a flow that never
 * exists on the wire, and the real server's replies would not match it.
 *
 *   conntrack = 0 (default, as IPVS): packets l4vs transmits leave
 *             untracked; conntrack sees the replies as flows of their own.
 *   conntrack = 1: the client -> VIP entry is kept.
 *             Masquerading: the entry's reply direction is rewritten to
 *             come from the real server, so the whole connection is one
 *             consistent conntrack entry that NAT rules, conntrack(8) and
 *             stateful filters can use.
 *             Direct routing and tunnelling: the real server answers the
 *             client without crossing this host, so conntrack only ever
 *             sees the client's half.  Left alone, its TCP tracker would
 *             call the client's second packet (an ACK to a SYN-ACK it
 *             never saw) INVALID, and every later one out of window.  So
 *             the new entry is moved on to SYN_RECV, as if it had seen the
 *             server's SYN-ACK, and window checks are relaxed for it (per
 *             entry, as conntrack's own "be liberal" flag does).  Later
 *             packets stay "ct state new" (conntrack never sees a reply).
 *             Direct routing keeps the entry on the packet: it is confirmed
 *             as the packet leaves (POST_ROUTING), addressed as it arrived.
 *             Tunnelling confirms it here, before the packet is wrapped,
 *             and the outer packet (director -> real server) is then
 *             tracked as a flow of its own, as IPVS does.
 *
 * Port reuse (conn_reuse_mode, expire_nodest_conn): a client's new
 * connection on the ports of an old one is scheduled afresh, possibly to
 * another server, but conntrack may have handed its first packet the old
 * connection's entry: it does start a new one itself for a SYN on an entry
 * it saw close (TIME_WAIT, CLOSE), but not on one still open or half
 * closed as far as it knows (DR and TUN, where it never sees the server's
 * FIN; a drained server's connection), where it lets the SYN pass on the
 * old entry.  That entry is confirmed, so its reply direction can no longer
 * be pointed at the new server, and the server's answers would be
 * conntrack INVALID.  IPVS drops such a packet and lets the old entry go
 * with its own, so the client waits for its SYN retransmission (a second).
 * l4vs instead ends the old conntrack entry there and then and tracks the
 * packet again, at LOCAL_IN, as conntrack would have at PRE_ROUTING had the
 * old entry been gone: the first SYN leaves with a new, unconfirmed entry
 * that the rules above then fit to the new server.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "xmit.h"

/* Masquerading: replies come from the real server, to the client. */
static void nfct_masq(struct nf_conn *ct, enum ip_conntrack_info ctinfo,
		      const struct l4vs_conn *cp)
{
	struct nf_conntrack_tuple reply;

	/* only a new entry can change; later packets just follow it */
	if (nf_ct_is_confirmed(ct) || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return;
	reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	reply.src.u3 = cp->daddr;
	reply.src.u.all = cp->dport;
	nf_conntrack_alter_reply(ct, &reply);
}

/* Direct routing and tunnelling: conntrack sees one direction only. */
static void nfct_one_way(struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	if (nf_ct_is_confirmed(ct) || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL ||
	    nf_ct_protonum(ct) != IPPROTO_TCP)
		return;
	/* unconfirmed: nobody else uses the entry, but keep the tracker's rule */
	spin_lock_bh(&ct->lock);
	if (ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT)
		ct->proto.tcp.state = TCP_CONNTRACK_SYN_RECV;
	ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	spin_unlock_bh(&ct->lock);
}

void l4vs_nfct_out(struct l4vs_net *ln, struct sk_buff *skb,
		   struct l4vs_conn *cp)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	/*
	 * Also a packet without an entry (none here, or one conntrack called
	 * INVALID, such as a FIN it never saw the connection of) leaves
	 * marked untracked, or LOCAL_OUT would track it (or a tunnel's outer
	 * packet) as a new flow.
	 */
	if (!READ_ONCE(ln->sysctl.conntrack))
		goto untrack;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return;		/* untracked already, or no entry to keep */

	switch (cp->flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		nfct_masq(ct, ctinfo, cp);
		return;
	case IP_VS_CONN_F_DROUTE:
		nfct_one_way(ct, ctinfo);
		return;
	case IP_VS_CONN_F_TUNNEL:
		nfct_one_way(ct, ctinfo);
		/*
		 * The entry describes the inner packet: confirm it now, the
		 * outer header must not be looked up, NATed or confirmed
		 * with it.  If it cannot be inserted (it lost a race to an
		 * identical entry that is dying), the packet still goes,
		 * untracked.
		 */
		if (nf_conntrack_confirm(skb) != NF_ACCEPT)
			goto untrack;
		nf_reset_ct(skb);
		return;
	}
untrack:
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

void l4vs_nfct_reuse(struct l4vs_net *ln, struct sk_buff *skb,
		     const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	/* conntrack = 0: the packet leaves untracked anyway (l4vs_nfct_out) */
	if (!READ_ONCE(ln->sysctl.conntrack))
		return;
	ct = nf_ct_get(skb, &ctinfo);
	/* none, or a new one already: conntrack saw the old connection end */
	if (!ct || !nf_ct_is_confirmed(ct))
		return;
	nf_ct_kill(ct);
	nf_reset_ct(skb);
	/* no entry (invalid, no memory): it goes untracked, as IPVS's would */
	if (nf_conntrack_in(skb, state) != NF_ACCEPT) {
		nf_reset_ct(skb);
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	}
}
