// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the service and destination commands of the "IPVS" family, one
 * handler per command.  Each runs with the request parsed and ln->lock held
 * by the family's pre_doit (netlink.c); the dumps lock per chunk.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "l4vs.h"
#include "netlink.h"

static const struct nla_policy stats_policy[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS]		= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_INPKTS]	= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_OUTPKTS]	= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_INBYTES]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTBYTES]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_CPS]		= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_INPPS]		= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_OUTPPS]	= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_INBPS]		= { .type = NLA_U32 },
	[IPVS_STATS_ATTR_OUTBPS]	= { .type = NLA_U32 },
};

static const struct nla_policy stats64_policy[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS]		= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INPKTS]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTPKTS]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INBYTES]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTBYTES]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_CPS]		= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INPPS]		= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTPPS]	= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INBPS]		= { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTBPS]	= { .type = NLA_U64 },
};

/* Addresses are 4 or 16 bytes depending on the family: checked by hand. */
const struct nla_policy l4vs_svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF]		= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL]	= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(union nf_inet_addr) },
	[IPVS_SVC_ATTR_PORT]		= { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME]	= { .type = NLA_NUL_STRING,
					    .len = IP_VS_SCHEDNAME_MAXLEN - 1 },
	[IPVS_SVC_ATTR_FLAGS]		=
		NLA_POLICY_EXACT_LEN(sizeof(struct ip_vs_flags)),
	[IPVS_SVC_ATTR_TIMEOUT]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK]		= { .type = NLA_U32 },
	[IPVS_SVC_ATTR_STATS]		= NLA_POLICY_NESTED(stats_policy),
	[IPVS_SVC_ATTR_PE_NAME]		= { .type = NLA_NUL_STRING,
					    .len = IP_VS_PENAME_MAXLEN - 1 },
	[IPVS_SVC_ATTR_STATS64]		= NLA_POLICY_NESTED(stats64_policy),
};

const struct nla_policy l4vs_dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(union nf_inet_addr) },
	[IPVS_DEST_ATTR_PORT]		= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT]		= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_PERSIST_CONNS]	= { .type = NLA_U32 },
	[IPVS_DEST_ATTR_STATS]		= NLA_POLICY_NESTED(stats_policy),
	[IPVS_DEST_ATTR_ADDR_FAMILY]	= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_STATS64]	= NLA_POLICY_NESTED(stats64_policy),
	[IPVS_DEST_ATTR_TUN_TYPE]	= { .type = NLA_U8 },
	[IPVS_DEST_ATTR_TUN_PORT]	= { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_FLAGS]	= { .type = NLA_U16 },
};

/* ---- parsing ------------------------------------------------------------ */

static int parse_af(const struct nlattr *nla, u16 *af,
		    struct netlink_ext_ack *extack)
{
	*af = nla_get_u16(nla);
	if (*af == AF_INET || *af == AF_INET6)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, nla, "address family must be AF_INET or AF_INET6");
	return -EAFNOSUPPORT;
}

/* ipvsadm sends 16 bytes whatever the family; 4 are fine for IPv4 too. */
static int parse_addr(const struct nlattr *nla, u16 af, union nf_inet_addr *addr,
		      struct netlink_ext_ack *extack)
{
	int len = nla_len(nla);

	memset(addr, 0, sizeof(*addr));
	if (af == AF_INET && (len == sizeof(struct in_addr) ||
			      len == sizeof(union nf_inet_addr))) {
		memcpy(&addr->ip, nla_data(nla), sizeof(addr->ip));
		return 0;
	}
	if (af == AF_INET6 && len == sizeof(struct in6_addr)) {
		memcpy(&addr->in6, nla_data(nla), sizeof(addr->in6));
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, nla, "address length does not match the address family");
	return -EINVAL;
}

/*
 * The service key: af plus fwmark, or af plus protocol, address and port.
 * Leaves the nest's attributes in stb for the caller's further parsing.
 */
static int parse_svc_key(struct nlattr **tb, struct nlattr **stb,
			 struct l4vs_service_conf *c,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *nest = tb[IPVS_CMD_ATTR_SERVICE];
	int ret;

	if (!l4vs_nl_need(tb, IPVS_CMD_ATTR_SERVICE, NULL, "missing service attribute", extack))
		return -EINVAL;
	ret = l4vs_nl_parse_nest(stb, IPVS_SVC_ATTR_MAX, nest, l4vs_svc_policy, extack);
	if (ret)
		return ret;

	memset(c, 0, sizeof(*c));
	if (!l4vs_nl_need(stb, IPVS_SVC_ATTR_AF, nest, "missing service address family", extack))
		return -EINVAL;
	ret = parse_af(stb[IPVS_SVC_ATTR_AF], &c->af, extack);
	if (ret)
		return ret;

	if (stb[IPVS_SVC_ATTR_FWMARK]) {
		c->fwmark = nla_get_u32(stb[IPVS_SVC_ATTR_FWMARK]);
		if (!c->fwmark) {
			NL_SET_ERR_MSG_ATTR(extack, stb[IPVS_SVC_ATTR_FWMARK],
					    "firewall mark must not be zero");
			return -EINVAL;
		}
		c->protocol = IPPROTO_TCP;
		return 0;
	}

	if (!l4vs_nl_need(stb, IPVS_SVC_ATTR_PROTOCOL, nest,
			  "missing service protocol (or firewall mark)", extack) ||
	    !l4vs_nl_need(stb, IPVS_SVC_ATTR_ADDR, nest, "missing service address", extack) ||
	    !l4vs_nl_need(stb, IPVS_SVC_ATTR_PORT, nest, "missing service port", extack))
		return -EINVAL;
	c->protocol = nla_get_u16(stb[IPVS_SVC_ATTR_PROTOCOL]);
	c->port = nla_get_be16(stb[IPVS_SVC_ATTR_PORT]);
	return parse_addr(stb[IPVS_SVC_ATTR_ADDR], c->af, &c->addr, extack);
}

/*
 * The rest of a full service entry, as NEW and SET need it.  Flags come with
 * a mask: bits outside it keep their current value ('cur' is NULL when the
 * service does not exist yet).
 */
static int parse_svc_rest(struct nlattr **stb, const struct nlattr *nest,
			  const struct l4vs_service *cur,
			  struct l4vs_service_conf *c,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *pe = stb[IPVS_SVC_ATTR_PE_NAME];
	struct ip_vs_flags flags;

	if (!l4vs_nl_need(stb, IPVS_SVC_ATTR_SCHED_NAME, nest, "missing scheduler name", extack) ||
	    !l4vs_nl_need(stb, IPVS_SVC_ATTR_FLAGS, nest, "missing service flags", extack) ||
	    !l4vs_nl_need(stb, IPVS_SVC_ATTR_TIMEOUT, nest,
			  "missing persistence timeout", extack) ||
	    !l4vs_nl_need(stb, IPVS_SVC_ATTR_NETMASK, nest, "missing persistence netmask", extack))
		return -EINVAL;

	if (pe && nla_len(pe) > 0 && *(char *)nla_data(pe)) {
		NL_SET_ERR_MSG_ATTR(extack, pe, "persistence engines are not supported");
		return -EOPNOTSUPP;
	}

	nla_strscpy(c->sched_name, stb[IPVS_SVC_ATTR_SCHED_NAME],
		    sizeof(c->sched_name));
	if (!c->sched_name[0]) {
		NL_SET_ERR_MSG_ATTR(extack, stb[IPVS_SVC_ATTR_SCHED_NAME],
				    "empty scheduler name");
		return -EINVAL;
	}
	nla_memcpy(&flags, stb[IPVS_SVC_ATTR_FLAGS], sizeof(flags));
	c->flags = cur ? cur->flags : 0;
	c->flags = (c->flags & ~flags.mask) | (flags.flags & flags.mask);
	/* clients echo back what they were shown, which includes HASHED */
	c->flags &= ~IP_VS_SVC_F_HASHED;
	c->timeout = nla_get_u32(stb[IPVS_SVC_ATTR_TIMEOUT]);
	c->netmask = nla_get_be32(stb[IPVS_SVC_ATTR_NETMASK]);
	return 0;
}

static int parse_dest(struct nlattr **tb, const struct l4vs_service *svc,
		      bool full, struct l4vs_dest_conf *c,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *nest = tb[IPVS_CMD_ATTR_DEST];
	struct nlattr *dtb[IPVS_DEST_ATTR_MAX + 1];
	int ret;

	if (!l4vs_nl_need(tb, IPVS_CMD_ATTR_DEST, NULL, "missing destination attribute", extack))
		return -EINVAL;
	ret = l4vs_nl_parse_nest(dtb, IPVS_DEST_ATTR_MAX, nest, l4vs_dest_policy, extack);
	if (ret)
		return ret;

	memset(c, 0, sizeof(*c));
	c->af = svc->af;
	if (dtb[IPVS_DEST_ATTR_ADDR_FAMILY]) {
		ret = parse_af(dtb[IPVS_DEST_ATTR_ADDR_FAMILY], &c->af, extack);
		if (ret)
			return ret;
	}
	if (!l4vs_nl_need(dtb, IPVS_DEST_ATTR_ADDR, nest, "missing destination address", extack) ||
	    !l4vs_nl_need(dtb, IPVS_DEST_ATTR_PORT, nest, "missing destination port", extack))
		return -EINVAL;
	ret = parse_addr(dtb[IPVS_DEST_ATTR_ADDR], c->af, &c->addr, extack);
	if (ret)
		return ret;
	c->port = nla_get_be16(dtb[IPVS_DEST_ATTR_PORT]);
	if (!full)
		return 0;

	if (!l4vs_nl_need(dtb, IPVS_DEST_ATTR_FWD_METHOD, nest,
			  "missing forwarding method", extack) ||
	    !l4vs_nl_need(dtb, IPVS_DEST_ATTR_WEIGHT, nest, "missing destination weight", extack) ||
	    !l4vs_nl_need(dtb, IPVS_DEST_ATTR_U_THRESH, nest, "missing upper threshold", extack) ||
	    !l4vs_nl_need(dtb, IPVS_DEST_ATTR_L_THRESH, nest, "missing lower threshold", extack))
		return -EINVAL;
	/* no masking as IPVS does: stray bits are an error, not MASQ */
	c->fwd = nla_get_u32(dtb[IPVS_DEST_ATTR_FWD_METHOD]);
	if (c->fwd > IP_VS_CONN_F_DROUTE) {
		NL_SET_ERR_MSG_ATTR(extack, dtb[IPVS_DEST_ATTR_FWD_METHOD],
				    "unknown forwarding method");
		return -EINVAL;
	}
	c->weight = nla_get_u32(dtb[IPVS_DEST_ATTR_WEIGHT]);
	if (c->weight > L4VS_WEIGHT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, dtb[IPVS_DEST_ATTR_WEIGHT],
				    "weight out of range");
		return -ERANGE;
	}
	c->u_threshold = nla_get_u32(dtb[IPVS_DEST_ATTR_U_THRESH]);
	c->l_threshold = nla_get_u32(dtb[IPVS_DEST_ATTR_L_THRESH]);
	if (dtb[IPVS_DEST_ATTR_TUN_TYPE])
		c->tun_type = nla_get_u8(dtb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (dtb[IPVS_DEST_ATTR_TUN_PORT])
		c->tun_port = nla_get_be16(dtb[IPVS_DEST_ATTR_TUN_PORT]);
	if (dtb[IPVS_DEST_ATTR_TUN_FLAGS])
		c->tun_flags = nla_get_u16(dtb[IPVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

/* ---- replies ------------------------------------------------------------ */

/*
 * One stats nest.  In the 32-bit flavour only the byte counters are 64-bit;
 * the others are truncated, as IPVS does.
 */
static int fill_stats(struct sk_buff *skb, int type, bool all64,
		      const struct l4vs_stats_sum *s, const struct l4vs_rates *r)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, type);
	const u64 v[IPVS_STATS_ATTR_MAX + 1] = {
		[IPVS_STATS_ATTR_CONNS]		= s->conns,
		[IPVS_STATS_ATTR_INPKTS]	= s->inpkts,
		[IPVS_STATS_ATTR_OUTPKTS]	= s->outpkts,
		[IPVS_STATS_ATTR_INBYTES]	= s->inbytes,
		[IPVS_STATS_ATTR_OUTBYTES]	= s->outbytes,
		[IPVS_STATS_ATTR_CPS]		= r->cps,
		[IPVS_STATS_ATTR_INPPS]		= r->inpps,
		[IPVS_STATS_ATTR_OUTPPS]	= r->outpps,
		[IPVS_STATS_ATTR_INBPS]		= r->inbps,
		[IPVS_STATS_ATTR_OUTBPS]	= r->outbps,
	};
	int t, err;

	if (!nest)
		return -EMSGSIZE;
	for (t = IPVS_STATS_ATTR_CONNS; t <= IPVS_STATS_ATTR_OUTBPS; t++) {
		if (all64 || t == IPVS_STATS_ATTR_INBYTES ||
		    t == IPVS_STATS_ATTR_OUTBYTES)
			err = nla_put_u64_64bit(skb, t, v[t], IPVS_STATS_ATTR_PAD);
		else
			err = nla_put_u32(skb, t, (u32)v[t]);
		if (err) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_all_stats(struct sk_buff *skb, struct l4vs_stats *stats,
			  int type32, int type64)
{
	struct l4vs_stats_sum sum;
	struct l4vs_rates rates;

	l4vs_stats_read(stats, &sum, &rates);
	if (fill_stats(skb, type32, false, &sum, &rates) ||
	    fill_stats(skb, type64, true, &sum, &rates))
		return -EMSGSIZE;
	return 0;
}

static int fill_service(struct sk_buff *skb, void *obj)
{
	struct l4vs_service *svc = obj;
	struct l4vs_scheduler *sched;
	struct ip_vs_flags flags = {
		/* every listed service is in the table: IPVS calls that hashed */
		.flags = svc->flags | IP_VS_SVC_F_HASHED,
		.mask = ~0U,
	};
	struct nlattr *nest;

	sched = rcu_dereference_protected(svc->scheduler,
					  lockdep_is_held(&svc->ln->lock));
	nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_SERVICE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, IPVS_SVC_ATTR_AF, svc->af))
		goto err_cancel;
	if (svc->fwmark) {
		if (nla_put_u32(skb, IPVS_SVC_ATTR_FWMARK, svc->fwmark))
			goto err_cancel;
	} else {
		if (nla_put_u16(skb, IPVS_SVC_ATTR_PROTOCOL, svc->protocol) ||
		    nla_put(skb, IPVS_SVC_ATTR_ADDR, sizeof(svc->addr), &svc->addr) ||
		    nla_put_be16(skb, IPVS_SVC_ATTR_PORT, svc->port))
			goto err_cancel;
	}
	if (nla_put_string(skb, IPVS_SVC_ATTR_SCHED_NAME, sched ? sched->name : "") ||
	    nla_put(skb, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags) ||
	    nla_put_u32(skb, IPVS_SVC_ATTR_TIMEOUT, svc->timeout / HZ) ||
	    nla_put_be32(skb, IPVS_SVC_ATTR_NETMASK, svc->netmask) ||
	    fill_all_stats(skb, &svc->stats, IPVS_SVC_ATTR_STATS,
			   IPVS_SVC_ATTR_STATS64))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int fill_dest(struct sk_buff *skb, void *obj)
{
	struct l4vs_dest *dest = obj;
	struct nlattr *nest = nla_nest_start_noflag(skb, IPVS_CMD_ATTR_DEST);
	u32 fwd = atomic_read(&dest->conn_flags) & IP_VS_CONN_F_FWD_MASK;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, IPVS_DEST_ATTR_ADDR, sizeof(dest->addr), &dest->addr) ||
	    nla_put_u16(skb, IPVS_DEST_ATTR_ADDR_FAMILY, dest->af) ||
	    nla_put_be16(skb, IPVS_DEST_ATTR_PORT, dest->port) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_FWD_METHOD, fwd) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_WEIGHT, atomic_read(&dest->weight)) ||
	    nla_put_u8(skb, IPVS_DEST_ATTR_TUN_TYPE, dest->tun_type) ||
	    nla_put_be16(skb, IPVS_DEST_ATTR_TUN_PORT, dest->tun_port) ||
	    nla_put_u16(skb, IPVS_DEST_ATTR_TUN_FLAGS, dest->tun_flags) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_U_THRESH, dest->u_threshold) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_L_THRESH, dest->l_threshold) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_ACTIVE_CONNS,
			atomic_read(&dest->activeconns)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_INACT_CONNS,
			atomic_read(&dest->inactconns)) ||
	    nla_put_u32(skb, IPVS_DEST_ATTR_PERSIST_CONNS,
			atomic_read(&dest->persistconns)) ||
	    fill_all_stats(skb, &dest->stats, IPVS_DEST_ATTR_STATS,
			   IPVS_DEST_ATTR_STATS64)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

/* The service a request names, which must exist. */
static struct l4vs_service *find_svc(struct l4vs_net *ln, struct nlattr **tb,
				     struct nlattr **stb,
				     struct l4vs_service_conf *c,
				     struct netlink_ext_ack *extack)
{
	struct l4vs_service *svc;
	int ret;

	ret = parse_svc_key(tb, stb, c, extack);
	if (ret)
		return ERR_PTR(ret);
	svc = l4vs_service_lookup(ln, c);
	if (!svc) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_CMD_ATTR_SERVICE], "no such service");
		return ERR_PTR(-ESRCH);
	}
	return svc;
}

/*
 * The one check that the key is free: service.c relies on it, and this one
 * can point at the attribute.
 */
int l4vs_nl_new_service(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[IPVS_CMD_ATTR_SERVICE];
	struct l4vs_net *ln = l4vs_nl_net(info);
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	int ret;

	ret = parse_svc_key(info->attrs, stb, &c, info->extack);
	if (ret)
		return ret;
	if (l4vs_service_lookup(ln, &c)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "service already exists");
		return -EEXIST;
	}
	ret = parse_svc_rest(stb, nest, NULL, &c, info->extack);
	if (ret)
		return ret;
	return l4vs_service_add(ln, &c, info->extack);
}

int l4vs_nl_set_service(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	struct l4vs_service *svc;
	int ret;

	svc = find_svc(l4vs_nl_net(info), info->attrs, stb, &c, info->extack);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	ret = parse_svc_rest(stb, info->attrs[IPVS_CMD_ATTR_SERVICE], svc, &c,
			     info->extack);
	if (ret)
		return ret;
	return l4vs_service_edit(svc, &c, info->extack);
}

int l4vs_nl_del_service(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	struct l4vs_service *svc;

	svc = find_svc(l4vs_nl_net(info), info->attrs, stb, &c, info->extack);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	l4vs_service_del(svc);
	return 0;
}

/* The reply's command is IPVS's, which clients check. */
int l4vs_nl_get_service(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	struct l4vs_service *svc;

	svc = find_svc(l4vs_nl_net(info), info->attrs, stb, &c, info->extack);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	return l4vs_nl_reply(info, IPVS_CMD_NEW_SERVICE, fill_service, svc);
}

int l4vs_nl_dump_services(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l4vs_net *ln = l4vs_net(sock_net(skb->sk));
	struct l4vs_nl_dump_ctx *ctx = l4vs_nl_dump_ctx(cb);
	struct l4vs_service *svc;
	unsigned int idx;

	mutex_lock(&ln->lock);
	for (; ctx->bucket < L4VS_SVC_TAB_SIZE; ctx->bucket++, ctx->idx = 0) {
		idx = 0;
		hlist_for_each_entry(svc, &ln->svc_tab[ctx->bucket], s_list) {
			if (idx++ < ctx->idx)
				continue;
			if (l4vs_nl_dump_one(skb, cb, IPVS_CMD_NEW_SERVICE,
					     fill_service, svc))
				goto out;
			ctx->idx++;
		}
	}
out:
	mutex_unlock(&ln->lock);
	return skb->len;
}

/*
 * The destination a request names, in the service it names (which must
 * exist); 'full' asks for the settings NEW and SET carry as well.
 */
static struct l4vs_service *dest_req(struct genl_info *info, bool full,
				     struct l4vs_dest_conf *c)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf sc;
	struct l4vs_service *svc;
	int ret;

	svc = find_svc(l4vs_nl_net(info), info->attrs, stb, &sc, info->extack);
	if (IS_ERR(svc))
		return svc;
	ret = parse_dest(info->attrs, svc, full, c, info->extack);
	return ret ? ERR_PTR(ret) : svc;
}

/* A destination already there is refused by service.c (EEXIST). */
int l4vs_nl_new_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_service *svc;
	struct l4vs_dest_conf c;

	svc = dest_req(info, true, &c);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	return l4vs_dest_add(svc, &c, info->extack);
}

static struct l4vs_dest *find_dest(struct genl_info *info, bool full,
				   struct l4vs_dest_conf *c)
{
	struct l4vs_service *svc = dest_req(info, full, c);
	struct l4vs_dest *dest;

	if (IS_ERR(svc))
		return ERR_CAST(svc);
	dest = l4vs_dest_lookup(svc, c->af, &c->addr, c->port);
	if (!dest) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IPVS_CMD_ATTR_DEST],
				    "no such destination");
		return ERR_PTR(-ENOENT);
	}
	return dest;
}

int l4vs_nl_set_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_dest_conf c;
	struct l4vs_dest *dest;

	dest = find_dest(info, true, &c);
	if (IS_ERR(dest))
		return PTR_ERR(dest);
	return l4vs_dest_edit(dest, &c, info->extack);
}

int l4vs_nl_del_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_dest_conf c;
	struct l4vs_dest *dest;

	dest = find_dest(info, false, &c);
	if (IS_ERR(dest))
		return PTR_ERR(dest);
	l4vs_dest_del(dest);
	return 0;
}

/* The service's key is kept for each chunk to look the service up again. */
int l4vs_nl_dump_dests_start(struct netlink_callback *cb)
{
	struct l4vs_nl_dump_ctx *ctx = l4vs_nl_dump_ctx(cb);
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	int ret;

	ret = l4vs_nl_dump_parse(cb, tb);
	if (ret)
		return ret;
	ret = parse_svc_key(tb, stb, &c, cb->extack);
	if (ret)
		return ret;
	ctx->af = c.af;
	ctx->protocol = c.protocol;
	ctx->port = c.port;
	ctx->fwmark = c.fwmark;
	ctx->addr = c.addr;
	return 0;
}

int l4vs_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l4vs_net *ln = l4vs_net(sock_net(skb->sk));
	struct l4vs_nl_dump_ctx *ctx = l4vs_nl_dump_ctx(cb);
	struct l4vs_service_conf c = {
		.af = ctx->af,
		.protocol = ctx->protocol,
		.port = ctx->port,
		.fwmark = ctx->fwmark,
		.addr = ctx->addr,
	};
	struct l4vs_service *svc;
	struct l4vs_dest *dest;
	unsigned int idx = 0;

	mutex_lock(&ln->lock);
	/* a service gone between two chunks (or before) dumps nothing */
	svc = l4vs_service_lookup(ln, &c);
	if (!svc)
		goto out;
	l4vs_for_each_dest(svc, dest) {
		if (idx++ < ctx->idx)
			continue;
		if (l4vs_nl_dump_one(skb, cb, IPVS_CMD_NEW_DEST, fill_dest, dest))
			break;
		ctx->idx++;
	}
out:
	mutex_unlock(&ln->lock);
	return skb->len;
}

/* One service's counters, or without a service attribute every one's. */
int l4vs_nl_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_net *ln = l4vs_nl_net(info);
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service *svc = NULL;
	struct l4vs_service_conf c;

	if (info->attrs[IPVS_CMD_ATTR_SERVICE]) {
		svc = find_svc(ln, info->attrs, stb, &c, info->extack);
		if (IS_ERR(svc))
			return PTR_ERR(svc);
	}
	l4vs_service_zero(ln, svc);
	return 0;
}

int l4vs_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	l4vs_service_flush(l4vs_nl_net(info));
	return 0;
}
