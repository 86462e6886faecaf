// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: netfilter hooks and the per-packet decisions.
 *
 *   LOCAL_IN  (NF_IP_PRI_NAT_SRC - 1)  packets for a virtual service: find or
 *             create the connection, then transmit by its forwarding method.
 *             After the filter table, so an operator's INPUT rules still
 *             apply to the VIP, and after local reassembly.
 *   FORWARD   (NF_IP_PRI_NAT_SRC - 1)  replies of masqueraded connections on
 *             their way back to the client: rewrite the source to the VIP.
 *
 * Hooks run under rcu_read_lock() with bottom halves off; nothing here
 * sleeps or takes a reference on the connection, its server or service.
 * They are registered per netns while at least one service exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/icmp.h>

#include "xmit.h"

/* Fill 'p' from an IPv4 packet; false if it is not for us to look at. */
static bool parse_ipv4(const struct sk_buff *skb, struct l4vs_iphdr *p)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be16 _ports[2];
	const __be16 *ports;

	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return false;
	/* non-first fragments carry no ports; LOCAL_IN sees whole datagrams */
	if (ip_is_fragment(iph))
		return false;

	p->af = AF_INET;
	p->protocol = iph->protocol;
	p->thoff = skb_network_offset(skb) + iph->ihl * 4;
	p->saddr.ip = iph->saddr;
	p->daddr.ip = iph->daddr;
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

/* Checked once per flow, on the packet that creates it. */
static bool csum_ok(struct sk_buff *skb, const struct l4vs_iphdr *iph,
		    const struct nf_hook_state *state)
{
	if (iph->protocol == IPPROTO_UDP) {
		__be16 _check, *check;

		check = skb_header_pointer(skb, iph->thoff + 6, sizeof(_check),
					   &_check);
		if (check && !*check)
			return true;	/* IPv4 UDP without a checksum */
	}
	return !nf_ip_checksum(skb, state->hook, iph->thoff, iph->protocol);
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

/* A new flow for 'svc': pick a server and create the entry. */
static unsigned int new_conn(struct l4vs_net *ln, struct l4vs_service *svc,
			     struct sk_buff *skb, const struct l4vs_iphdr *iph,
			     struct l4vs_conn **cpp,
			     const struct nf_hook_state *state)
{
	struct l4vs_scheduler *sched;
	struct l4vs_dest *dest;
	struct l4vs_conn *cp;

	if (!l4vs_proto_may_create(skb, iph))
		return NF_ACCEPT;	/* the local stack answers (RST) */
	if (!csum_ok(skb, iph, state))
		return l4vs_drop(ln, L4VS_DROP_CSUM);

	/* NULL while the scheduler is being swapped: the client retries */
	sched = rcu_dereference(svc->scheduler);
	if (!sched)
		return l4vs_drop(ln, L4VS_DROP_NODEST);
	dest = sched->schedule(svc, skb, iph);
	if (!dest) {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
		return l4vs_drop(ln, L4VS_DROP_NODEST);
	}
	cp = l4vs_conn_new(ln, iph, dest);
	if (!cp)
		return l4vs_drop(ln, L4VS_DROP_NOMEM);
	*cpp = cp;
	return NF_ACCEPT;
}

static unsigned int l4vs_in_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct l4vs_net *ln = l4vs_net(state->net);
	struct l4vs_conn *cp;
	struct l4vs_iphdr iph;
	unsigned int verdict;

	if (!parse_ipv4(skb, &iph))
		return NF_ACCEPT;

	cp = l4vs_conn_in_get(ln, &iph);
	if (!cp) {
		struct l4vs_service *svc;

		svc = find_service(ln, skb, &iph);
		if (!svc)
			return NF_ACCEPT;
		if (!l4vs_proto_header_ok(skb, &iph))
			return l4vs_drop(ln, L4VS_DROP_MALFORMED);
		verdict = new_conn(ln, svc, skb, &iph, &cp, state);
		if (!cp)
			return verdict;
	} else if (!l4vs_proto_header_ok(skb, &iph)) {
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);
	}

	if (!l4vs_dest_available(cp->dest))
		return l4vs_drop(ln, L4VS_DROP_DEST_GONE);

	l4vs_proto_update(ln, cp, skb, &iph, L4VS_DIR_INPUT);
	count_in(ln, cp->dest, skb->len);

	switch (cp->flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		return l4vs_xmit_nat_in(skb, cp, &iph, state);
	case IP_VS_CONN_F_DROUTE:
		return l4vs_xmit_dr(skb, cp, state);
	case IP_VS_CONN_F_TUNNEL:
		if (cp->dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
			return l4vs_xmit_ipip(skb, cp, state);
		break;
	case IP_VS_CONN_F_LOCALNODE:
		return NF_ACCEPT;
	}
	return l4vs_drop(ln, L4VS_DROP_FWD);
}

static unsigned int l4vs_out_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct l4vs_net *ln = l4vs_net(state->net);
	struct l4vs_conn *cp;
	struct l4vs_iphdr iph;

	if (!parse_ipv4(skb, &iph))
		return NF_ACCEPT;
	cp = l4vs_conn_out_get(ln, &iph);
	if (!cp || (cp->flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
		return NF_ACCEPT;
	if (!l4vs_proto_header_ok(skb, &iph))
		return l4vs_drop(ln, L4VS_DROP_MALFORMED);
	if (!l4vs_dest_available(cp->dest))
		return l4vs_drop(ln, L4VS_DROP_DEST_GONE);

	l4vs_proto_update(ln, cp, skb, &iph, L4VS_DIR_OUTPUT);
	count_out(ln, cp->dest, skb->len);
	return l4vs_xmit_nat_out(skb, cp, &iph);
}

static const struct nf_hook_ops l4vs_hook_ops[] = {
	{
		.hook		= l4vs_in_hook,
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
};

int l4vs_hooks_get(struct l4vs_net *ln)
{
	int ret;

	lockdep_assert_held(&ln->lock);
	if (ln->hook_users++)
		return 0;
	ret = nf_register_net_hooks(ln->net, l4vs_hook_ops,
				    ARRAY_SIZE(l4vs_hook_ops));
	if (ret) {
		ln->hook_users--;
		return ret;
	}
	ln->hooks_on = true;
	return 0;
}

void l4vs_hooks_put(struct l4vs_net *ln)
{
	lockdep_assert_held(&ln->lock);
	if (WARN_ON_ONCE(!ln->hook_users) || --ln->hook_users)
		return;
	nf_unregister_net_hooks(ln->net, l4vs_hook_ops, ARRAY_SIZE(l4vs_hook_ops));
	ln->hooks_on = false;
}

static const char *const drop_names[L4VS_DROP_MAX] = {
	[L4VS_DROP_MALFORMED]	= "malformed",
	[L4VS_DROP_CSUM]	= "bad_checksum",
	[L4VS_DROP_NODEST]	= "no_dest",
	[L4VS_DROP_DEST_GONE]	= "dest_gone",
	[L4VS_DROP_NOMEM]	= "no_memory",
	[L4VS_DROP_NOROUTE]	= "no_route",
	[L4VS_DROP_MTU]		= "frag_needed",
	[L4VS_DROP_FWD]		= "bad_forwarding",
};

static int drops_show(struct seq_file *seq, void *v)
{
	struct l4vs_net *ln = l4vs_net(seq_file_single_net(seq));
	int i, cpu;

	for (i = 0; i < L4VS_DROP_MAX; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(ln->drop_stats, cpu)->n[i];
		seq_printf(seq, "%-16s %lu\n", drop_names[i], sum);
	}
	return 0;
}

int l4vs_drops_net_init(struct l4vs_net *ln)
{
	ln->drop_stats = alloc_percpu(struct l4vs_drop_stats);
	if (!ln->drop_stats)
		return -ENOMEM;
	if (!proc_create_net_single("l4vs_drops", 0444, ln->net->proc_net,
				    drops_show, NULL)) {
		free_percpu(ln->drop_stats);
		return -ENOMEM;
	}
	return 0;
}

void l4vs_drops_net_exit(struct l4vs_net *ln)
{
	remove_proc_entry("l4vs_drops", ln->net->proc_net);
	free_percpu(ln->drop_stats);
}
