// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: persistence (ipvsadm -p TIMEOUT [-M NETMASK]).
 *
 * A persistent service remembers, per client network, the real server it
 * chose, in a template entry of the connection table:
 *
 *   client  = client address & netmask (IPv6: first 'netmask' bits), port 0
 *   virtual = VIP and service port; port 0 for an all-ports service, and
 *             the mark as address for a firewall-mark service, protocol IP
 *
 * A new connection from that network reuses the template's server while the
 * server is available (and, with expire_quiescent_template, has a non-zero
 * weight); otherwise the scheduler picks again and the template is
 * replaced.  Templates live for the persistence timeout after their last use
 * and never expire while connections they placed are alive.
 */
#include <net/ipv6.h>

#include "xmit.h"

static void template_key(const struct l4vs_service *svc,
			 const struct l4vs_iphdr *iph, struct l4vs_iphdr *key)
{
	memset(key, 0, sizeof(*key));
	key->af = iph->af;
	key->protocol = svc->fwmark ? IPPROTO_IP : iph->protocol;
	/* an IPv6 service keeps a prefix length, not a mask, in host order */
	if (iph->af == AF_INET6)
		ipv6_addr_prefix(&key->saddr.in6, &iph->saddr.in6,
				 min_t(u32, (__force u32)svc->netmask, 128));
	else
		key->saddr.ip = iph->saddr.ip & svc->netmask;
	key->sport = 0;
	if (svc->fwmark) {
		if (iph->af == AF_INET6)
			key->daddr.ip6[3] = htonl(svc->fwmark);
		else
			key->daddr.ip = htonl(svc->fwmark);
		key->dport = 0;
	} else {
		key->daddr = iph->daddr;
		key->dport = svc->port;
	}
}

static bool template_usable(struct l4vs_net *ln, const struct l4vs_conn *ct)
{
	struct l4vs_dest *dest = ct->dest;

	if (!l4vs_dest_available(dest))
		return false;
	if (READ_ONCE(ln->sysctl.expire_quiescent_template) &&
	    atomic_read(&dest->weight) == 0)
		return false;
	return true;
}

/*
 * Pick the server for a new connection of a persistent service.  On
 * success *ctp is the template the connection must be created under,
 * pinned for it (l4vs_conn_new() takes the pin over), or NULL for a
 * one-packet datagram.
 */
struct l4vs_dest *l4vs_persist_schedule(struct l4vs_net *ln,
					struct l4vs_service *svc,
					const struct sk_buff *skb,
					const struct l4vs_iphdr *iph,
					struct l4vs_conn **ctp)
{
	/* one-packet datagrams make no entry, so they pin no template */
	bool pin = !((svc->flags & IP_VS_SVC_F_ONEPACKET) &&
		     iph->protocol == IPPROTO_UDP);
	struct l4vs_scheduler *sched;
	struct l4vs_iphdr key;
	struct l4vs_dest *dest;
	struct l4vs_conn *ct;

	template_key(svc, iph, &key);
	ct = l4vs_conn_template_find(ln, &key);
	l4vs_debug_race_window();
	/* a template the collector is reaping cannot be pinned: start afresh */
	if (ct && template_usable(ln, ct) &&
	    (!pin || l4vs_conn_template_pin(ct))) {
		WRITE_ONCE(ct->expires, jiffies + READ_ONCE(svc->timeout));
		*ctp = pin ? ct : NULL;
		return ct->dest;
	}
	sched = rcu_dereference(svc->scheduler);
	if (!sched)
		return NULL;
	dest = sched->schedule(svc, skb, iph);
	if (!dest)
		return NULL;
	if (ct) {
		/*
		 * The old template stays for the connections it placed
		 * (the collector reaps it after them) but is no longer found.
		 */
		spin_lock(&ct->lock);
		ct->flags |= L4VS_CONN_F_STALE;
		spin_unlock(&ct->lock);
		WRITE_ONCE(ct->expires, jiffies);
	}
	ct = l4vs_conn_new(ln, &key, dest, IP_VS_CONN_F_TEMPLATE, NULL);
	if (!ct || (pin && !l4vs_conn_template_pin(ct)))
		return NULL;
	*ctp = pin ? ct : NULL;
	return ct->dest;
}
