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
 *   conntrack = 1: for masquerading, the entry's reply direction is
 *             rewritten to come from the real server, so the whole
 *             connection is one consistent conntrack entry that NAT rules,
 *             conntrack(8) and stateful filters can use.  Direct routing and
 *             tunnelling never see replies and stay untracked.
 */
#include <net/netfilter/nf_conntrack.h>

#include "xmit.h"

void l4vs_nfct_out(struct l4vs_net *ln, struct sk_buff *skb,
		   struct l4vs_conn *cp)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conntrack_tuple reply;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return;
	if (READ_ONCE(ln->sysctl.conntrack) &&
	    (cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
		/* only a new entry can change; later packets just follow it */
		if (nf_ct_is_confirmed(ct))
			return;
		reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		reply.src.u3 = cp->daddr;
		reply.src.u.all = cp->dport;
		nf_conntrack_alter_reply(ct, &reply);
		return;
	}
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}
