// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the synchronisation daemon commands of the "IPVS" family
 * (NEW_DAEMON, DEL_DAEMON, GET_DAEMON), validated and locked as netlink.c
 * explains.
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "l4vs.h"
#include "sync.h"
#include "netlink.h"

const struct nla_policy l4vs_daemon_policy[L4VS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_IFN]	= { .type = NLA_NUL_STRING,
					    .len = IP_VS_IFNAME_MAXLEN - 1 },
	[IPVS_DAEMON_ATTR_SYNC_ID]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN]	= { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP]	= { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP6]	=
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IPVS_DAEMON_ATTR_MCAST_PORT]	= { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_TTL]	= { .type = NLA_U8 },
	[L4VS_DAEMON_ATTR_SYNC_PEERS]	= { .type = NLA_BINARY,
					    .len = L4VS_SYNC_PEERS_MAX *
						   sizeof(struct in6_addr) },
};

/*
 * The masters a backup listens to: addresses of the group's family, one
 * after the other.  Each must be a unicast address a datagram can come
 * from.
 */
static int parse_peers(const struct nlattr *a, struct l4vs_sync_conf *c,
		       struct netlink_ext_ack *extack)
{
	int af = c->mcast_af ?: AF_INET;
	unsigned int alen = af == AF_INET6 ? sizeof(struct in6_addr) :
					     sizeof(__be32);
	const u8 *p = nla_data(a);
	unsigned int i, n;

	if (!nla_len(a) || nla_len(a) % alen) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "sync peers: addresses of the multicast group's family");
		return -EINVAL;
	}
	n = nla_len(a) / alen;
	if (n > L4VS_SYNC_PEERS_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, a, "too many sync peers (at most 8)");
		return -EINVAL;
	}
	for (i = 0; i < n; i++, p += alen) {
		union nf_inet_addr *addr = &c->peers[i];

		memcpy(addr, p, alen);
		if (af == AF_INET6 ?
		    ipv6_addr_any(&addr->in6) || ipv6_addr_is_multicast(&addr->in6) :
		    !addr->ip || ipv4_is_multicast(addr->ip) ||
		    ipv4_is_lbcast(addr->ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a sync peer must be a unicast address");
			return -EINVAL;
		}
	}
	c->nr_peers = n;
	return 0;
}

/*
 * NEW_DAEMON / DEL_DAEMON, as IPVS takes them: state, interface and sync id
 * are mandatory to start, the state alone to stop; the multicast group
 * decides the family (IPv4 unless MCAST_GROUP6 is given).
 */
static int parse_daemon(struct nlattr **tb, struct l4vs_sync_conf *c,
			bool start, struct netlink_ext_ack *extack)
{
	struct nlattr *nest = tb[IPVS_CMD_ATTR_DAEMON];
	struct nlattr *dtb[L4VS_DAEMON_ATTR_MAX + 1];
	struct nlattr *a;
	int ret;

	if (!l4vs_nl_need(tb, IPVS_CMD_ATTR_DAEMON, NULL, "missing daemon attribute", extack))
		return -EINVAL;
	ret = l4vs_nl_parse_nest(dtb, L4VS_DAEMON_ATTR_MAX, nest, l4vs_daemon_policy, extack);
	if (ret)
		return ret;
	memset(c, 0, sizeof(*c));
	if (!l4vs_nl_need(dtb, IPVS_DAEMON_ATTR_STATE, nest, "missing daemon state", extack))
		return -EINVAL;
	c->state = nla_get_u32(dtb[IPVS_DAEMON_ATTR_STATE]);
	if (c->state != IP_VS_STATE_MASTER && c->state != IP_VS_STATE_BACKUP) {
		NL_SET_ERR_MSG_ATTR(extack, dtb[IPVS_DAEMON_ATTR_STATE],
				    "daemon state must be master or backup");
		return -EINVAL;
	}
	if (!start)
		return 0;

	if (!l4vs_nl_need(dtb, IPVS_DAEMON_ATTR_MCAST_IFN, nest,
			  "missing multicast interface", extack) ||
	    !l4vs_nl_need(dtb, IPVS_DAEMON_ATTR_SYNC_ID, nest, "missing sync id", extack))
		return -EINVAL;
	nla_strscpy(c->ifname, dtb[IPVS_DAEMON_ATTR_MCAST_IFN], sizeof(c->ifname));
	/* one byte on the wire: IPVS truncates the same way */
	c->syncid = nla_get_u32(dtb[IPVS_DAEMON_ATTR_SYNC_ID]);
	a = dtb[IPVS_DAEMON_ATTR_SYNC_MAXLEN];
	if (a)
		c->maxlen = nla_get_u16(a);
	a = dtb[IPVS_DAEMON_ATTR_MCAST_GROUP];
	if (a) {
		c->mcast_af = AF_INET;
		c->mcast_group.ip = nla_get_in_addr(a);
		if (!ipv4_is_multicast(c->mcast_group.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not a multicast group");
			return -EINVAL;
		}
	} else if (dtb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		a = dtb[IPVS_DAEMON_ATTR_MCAST_GROUP6];
		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "no IPv6 in this kernel");
			return -EAFNOSUPPORT;
		}
		c->mcast_af = AF_INET6;
		c->mcast_group.in6 = nla_get_in6_addr(a);
		if (!ipv6_addr_is_multicast(&c->mcast_group.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not a multicast group");
			return -EINVAL;
		}
	}
	a = dtb[IPVS_DAEMON_ATTR_MCAST_PORT];
	if (a)
		c->mcast_port = nla_get_u16(a);
	a = dtb[IPVS_DAEMON_ATTR_MCAST_TTL];
	if (a)
		c->mcast_ttl = nla_get_u8(a);
	a = dtb[L4VS_DAEMON_ATTR_SYNC_PEERS];
	if (a)
		return parse_peers(a, c, extack);
	return 0;
}

int l4vs_nl_new_daemon(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_sync_conf c;
	int ret;

	ret = parse_daemon(info->attrs, &c, true, info->extack);
	if (ret)
		return ret;
	return l4vs_sync_start(l4vs_nl_net(info), &c, info->extack);
}

int l4vs_nl_del_daemon(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_sync_conf c;
	int ret;

	ret = parse_daemon(info->attrs, &c, false, info->extack);
	if (ret)
		return ret;
	return l4vs_sync_stop(l4vs_nl_net(info), c.state, info->extack);
}

static int fill_daemon(struct sk_buff *skb, void *obj)
{
	const struct l4vs_sync_conf *c = obj;
	struct nlattr *nest;

	nest = nla_nest_start(skb, IPVS_CMD_ATTR_DAEMON);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IPVS_DAEMON_ATTR_STATE, c->state) ||
	    nla_put_string(skb, IPVS_DAEMON_ATTR_MCAST_IFN, c->ifname) ||
	    nla_put_u32(skb, IPVS_DAEMON_ATTR_SYNC_ID, c->syncid) ||
	    nla_put_u16(skb, IPVS_DAEMON_ATTR_SYNC_MAXLEN, c->maxlen) ||
	    nla_put_u16(skb, IPVS_DAEMON_ATTR_MCAST_PORT, c->mcast_port) ||
	    nla_put_u8(skb, IPVS_DAEMON_ATTR_MCAST_TTL, c->mcast_ttl))
		goto err;
	if (c->mcast_af == AF_INET6) {
		if (nla_put_in6_addr(skb, IPVS_DAEMON_ATTR_MCAST_GROUP6,
				     &c->mcast_group.in6))
			goto err;
	} else if (nla_put_in_addr(skb, IPVS_DAEMON_ATTR_MCAST_GROUP,
				   c->mcast_group.ip)) {
		goto err;
	}
	/* only when set: stock ipvsadm has no use for it */
	if (c->nr_peers) {
		unsigned int i, alen = c->mcast_af == AF_INET6 ?
				       sizeof(struct in6_addr) : sizeof(__be32);
		struct nlattr *a;

		a = nla_reserve(skb, L4VS_DAEMON_ATTR_SYNC_PEERS, c->nr_peers * alen);
		if (!a)
			goto err;
		for (i = 0; i < c->nr_peers; i++)
			memcpy((u8 *)nla_data(a) + i * alen, &c->peers[i], alen);
	}
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* One IPVS_CMD_NEW_DAEMON per running role, master first; ctx->idx holds
 * the roles already sent.
 */
int l4vs_nl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb)
{
	static const u32 roles[] = { IP_VS_STATE_MASTER, IP_VS_STATE_BACKUP };
	struct l4vs_net *ln = l4vs_net(sock_net(skb->sk));
	struct l4vs_nl_dump_ctx *ctx = l4vs_nl_dump_ctx(cb);
	struct l4vs_sync_conf c;
	unsigned int i;

	mutex_lock(&ln->lock);
	for (i = 0; i < ARRAY_SIZE(roles); i++) {
		if (ctx->idx & roles[i])
			continue;
		if (l4vs_sync_get_conf(ln, roles[i], &c) &&
		    l4vs_nl_dump_one(skb, cb, IPVS_CMD_NEW_DAEMON, fill_daemon, &c))
			break;
		ctx->idx |= roles[i];
	}
	mutex_unlock(&ln->lock);
	return skb->len;
}
