// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the generic netlink family "IPVS", wire-compatible with the
 * kernel's IP Virtual Server (uapi linux/ip_vs.h), so that ipvsadm and
 * keepalived drive l4vs unchanged.
 *
 * Validation.  The stock clients build nests with libnl, whose
 * nla_nest_start() does not set NLA_F_NESTED, so genetlink's strict mode
 * (which demands the flag) would turn them away.  The ops therefore ask
 * genetlink for liberal parsing only, and every request is parsed again
 * here with everything strict mode checks except NLA_F_NESTED: unknown
 * attribute types, bad lengths and trailing bytes are all refused.  That is
 * also why resv_start_op lies past the last command: the core refuses
 * relaxed validation flags on newer commands.
 *
 * Locking.  Requests run under ln->lock and so do the dumps, one chunk at a
 * time; a dump resumes from a position kept in cb->ctx, so a table changed
 * between chunks may show an entry twice or not at all, as with IPVS.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "l4vs.h"
#include "sync.h"
#include "netlink.h"

static struct genl_family l4vs_genl_family;

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
static const struct nla_policy svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
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

static const struct nla_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
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

static const struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE]		= NLA_POLICY_NESTED(svc_policy),
	[IPVS_CMD_ATTR_DEST]		= NLA_POLICY_NESTED(dest_policy),
	[IPVS_CMD_ATTR_DAEMON]		= NLA_POLICY_NESTED(l4vs_daemon_policy),
	[IPVS_CMD_ATTR_TIMEOUT_TCP]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_UDP]	= { .type = NLA_U32 },
};

/* ---- parsing ------------------------------------------------------------ */

int l4vs_nl_parse_msg(const struct nlmsghdr *nlh, struct nlattr **tb,
		     struct netlink_ext_ack *extack)
{
	const struct genlmsghdr *ghdr = nlmsg_data(nlh);

	if (ghdr->reserved) {
		NL_SET_ERR_MSG(extack, "reserved genetlink header field must be zero");
		return -EINVAL;
	}
	return __nlmsg_parse(nlh, GENL_HDRLEN, tb, IPVS_CMD_ATTR_MAX, cmd_policy,
			     L4VS_NL_VALIDATE, extack);
}

/* The nest was checked with the whole message; this only indexes it. */
int l4vs_nl_parse_nest(struct nlattr **tb, int maxtype, const struct nlattr *nla,
		      const struct nla_policy *policy,
		      struct netlink_ext_ack *extack)
{
	return __nla_parse(tb, maxtype, nla_data(nla), nla_len(nla), policy,
			   L4VS_NL_VALIDATE, extack);
}

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
	ret = l4vs_nl_parse_nest(stb, IPVS_SVC_ATTR_MAX, nest, svc_policy, extack);
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
	ret = l4vs_nl_parse_nest(dtb, IPVS_DEST_ATTR_MAX, nest, dest_policy, extack);
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

/* One dump message: a header and one nest filled by 'fill'. */
int l4vs_nl_dump_one(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		    int (*fill)(struct sk_buff *skb, void *obj), void *obj)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &l4vs_genl_family,
				NLM_F_MULTI, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (fill(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

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

/* NEW, SET and DEL_SERVICE: which one is told by 'cmd'. */
static int cmd_service(struct l4vs_net *ln, u8 cmd, struct nlattr **tb,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf c;
	struct l4vs_service *svc;
	int ret;

	ret = parse_svc_key(tb, stb, &c, extack);
	if (ret)
		return ret;
	svc = l4vs_service_lookup(ln, &c);
	if (cmd == IPVS_CMD_NEW_SERVICE && svc) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_CMD_ATTR_SERVICE], "service already exists");
		return -EEXIST;
	}
	if (cmd != IPVS_CMD_NEW_SERVICE && !svc) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_CMD_ATTR_SERVICE], "no such service");
		return -ESRCH;
	}

	if (cmd == IPVS_CMD_DEL_SERVICE) {
		l4vs_service_del(svc);
		return 0;
	}
	ret = parse_svc_rest(stb, tb[IPVS_CMD_ATTR_SERVICE], svc, &c, extack);
	if (ret)
		return ret;
	if (!svc)
		return l4vs_service_add(ln, &c, extack);
	return l4vs_service_edit(svc, &c, extack);
}

/* NEW, SET and DEL_DEST: which one is told by 'cmd'. */
static int cmd_dest(struct l4vs_net *ln, u8 cmd, struct nlattr **tb,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service_conf sc;
	struct l4vs_service *svc;
	struct l4vs_dest_conf c;
	struct l4vs_dest *dest;
	int ret;

	svc = find_svc(ln, tb, stb, &sc, extack);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	ret = parse_dest(tb, svc, cmd != IPVS_CMD_DEL_DEST, &c, extack);
	if (ret)
		return ret;

	dest = l4vs_dest_lookup(svc, c.af, &c.addr, c.port);
	if (cmd == IPVS_CMD_NEW_DEST)
		return l4vs_dest_add(svc, &c, extack);
	if (!dest) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPVS_CMD_ATTR_DEST], "no such destination");
		return -ENOENT;
	}
	if (cmd == IPVS_CMD_SET_DEST)
		return l4vs_dest_edit(dest, &c, extack);
	l4vs_dest_del(dest);
	return 0;
}

static int cmd_set_config(struct l4vs_net *ln, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	static const int types[] = {
		IPVS_CMD_ATTR_TIMEOUT_TCP,
		IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
		IPVS_CMD_ATTR_TIMEOUT_UDP,
	};
	u32 t[ARRAY_SIZE(types)];
	unsigned int i;
	u32 v;

	l4vs_timeouts_get(ln, &t[0], &t[1], &t[2]);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		if (!tb[types[i]])
			continue;
		v = nla_get_u32(tb[types[i]]);
		if (v > INT_MAX / HZ) {
			NL_SET_ERR_MSG_ATTR(extack, tb[types[i]], "timeout too large");
			return -EINVAL;
		}
		/* zero means "leave as it is", as ipvsadm --set documents */
		if (v)
			t[i] = v;
	}
	l4vs_timeouts_set(ln, t[0], t[1], t[2]);
	return 0;
}

static int cmd_zero(struct l4vs_net *ln, struct nlattr **tb,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct l4vs_service *svc = NULL;
	struct l4vs_service_conf c;

	if (tb[IPVS_CMD_ATTR_SERVICE]) {
		svc = find_svc(ln, tb, stb, &c, extack);
		if (IS_ERR(svc))
			return PTR_ERR(svc);
	}
	l4vs_service_zero(ln, svc);
	return 0;
}

/* Every command that changes state goes through here, under ln->lock. */
static int l4vs_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct l4vs_net *ln = l4vs_net(genl_info_net(info));
	u8 cmd = info->genlhdr->cmd;
	int ret;

	ret = l4vs_nl_parse_msg(info->nlhdr, tb, extack);
	if (ret)
		return ret;

	mutex_lock(&ln->lock);
	switch (cmd) {
	case IPVS_CMD_NEW_SERVICE:
	case IPVS_CMD_SET_SERVICE:
	case IPVS_CMD_DEL_SERVICE:
		ret = cmd_service(ln, cmd, tb, extack);
		break;
	case IPVS_CMD_NEW_DEST:
	case IPVS_CMD_SET_DEST:
	case IPVS_CMD_DEL_DEST:
		ret = cmd_dest(ln, cmd, tb, extack);
		break;
	case IPVS_CMD_SET_CONFIG:
		ret = cmd_set_config(ln, tb, extack);
		break;
	case IPVS_CMD_ZERO:
		ret = cmd_zero(ln, tb, extack);
		break;
	case IPVS_CMD_FLUSH:
		l4vs_service_flush(ln);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	mutex_unlock(&ln->lock);
	return ret;
}

/* GET_SERVICE (one), GET_INFO and GET_CONFIG: a single reply. */
static int l4vs_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct l4vs_net *ln = l4vs_net(genl_info_net(info));
	u8 cmd = info->genlhdr->cmd, reply_cmd;
	struct l4vs_service_conf c;
	struct l4vs_service *svc;
	u32 tcp, tcp_fin, udp;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = l4vs_nl_parse_msg(info->nlhdr, tb, extack);
	if (ret)
		return ret;

	/* the reply commands are those IPVS uses, which clients check */
	switch (cmd) {
	case IPVS_CMD_GET_SERVICE:
		reply_cmd = IPVS_CMD_NEW_SERVICE;
		break;
	case IPVS_CMD_GET_INFO:
		reply_cmd = IPVS_CMD_SET_INFO;
		break;
	case IPVS_CMD_GET_CONFIG:
		reply_cmd = IPVS_CMD_SET_CONFIG;
		break;
	default:
		return -EOPNOTSUPP;
	}

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &l4vs_genl_family, 0, reply_cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&ln->lock);
	switch (cmd) {
	case IPVS_CMD_GET_SERVICE:
		svc = find_svc(ln, tb, stb, &c, extack);
		ret = IS_ERR(svc) ? PTR_ERR(svc) : fill_service(msg, svc);
		break;
	case IPVS_CMD_GET_INFO:
		ret = nla_put_u32(msg, IPVS_INFO_ATTR_VERSION, L4VS_VERSION_CODE) ?:
		      nla_put_u32(msg, IPVS_INFO_ATTR_CONN_TAB_SIZE,
				  l4vs_conn_buckets(ln));
		break;
	default:
		l4vs_timeouts_get(ln, &tcp, &tcp_fin, &udp);
		ret = nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP, tcp) ?:
		      nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, tcp_fin) ?:
		      nla_put_u32(msg, IPVS_CMD_ATTR_TIMEOUT_UDP, udp);
		break;
	}
	mutex_unlock(&ln->lock);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* Dumps too get strict checks, made here since genetlink made none. */
static int l4vs_nl_dump_start(struct netlink_callback *cb)
{
	struct nlattr *stb[IPVS_SVC_ATTR_MAX + 1];
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	struct l4vs_nl_dump_ctx *ctx = l4vs_nl_dump_ctx(cb);
	struct l4vs_service_conf c;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ret = l4vs_nl_parse_msg(cb->nlh, tb, cb->extack);
	if (ret)
		return ret;
	if (((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd != IPVS_CMD_GET_DEST)
		return 0;

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

static int l4vs_nl_dump_services(struct sk_buff *skb,
				 struct netlink_callback *cb)
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

static int l4vs_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb)
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

/* Every op needs CAP_NET_ADMIN, as with IPVS; parsing: see the top. */
#define OP(c, d, s, du) {						\
	.cmd = (c), .doit = (d), .start = (s), .dumpit = (du),		\
	.flags = GENL_ADMIN_PERM,					\
	.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP, \
}

static const struct genl_ops l4vs_genl_ops[] = {
	OP(IPVS_CMD_NEW_SERVICE, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_SET_SERVICE, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_DEL_SERVICE, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_GET_SERVICE, l4vs_nl_get, l4vs_nl_dump_start,
	   l4vs_nl_dump_services),
	OP(IPVS_CMD_NEW_DEST, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_SET_DEST, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_DEL_DEST, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_GET_DEST, NULL, l4vs_nl_dump_start, l4vs_nl_dump_dests),
	OP(IPVS_CMD_NEW_DAEMON, l4vs_nl_daemon, NULL, NULL),
	OP(IPVS_CMD_DEL_DAEMON, l4vs_nl_daemon, NULL, NULL),
	OP(IPVS_CMD_GET_DAEMON, NULL, l4vs_nl_dump_start, l4vs_nl_dump_daemons),
	OP(IPVS_CMD_SET_CONFIG, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_GET_CONFIG, l4vs_nl_get, NULL, NULL),
	OP(IPVS_CMD_GET_INFO, l4vs_nl_get, NULL, NULL),
	OP(IPVS_CMD_ZERO, l4vs_nl_set, NULL, NULL),
	OP(IPVS_CMD_FLUSH, l4vs_nl_set, NULL, NULL),
};

static struct genl_family l4vs_genl_family __ro_after_init = {
	.name		= IPVS_GENL_NAME,
	.version	= IPVS_GENL_VERSION,
	.maxattr	= IPVS_CMD_ATTR_MAX,
	.policy		= cmd_policy,
	.netnsok	= true,
	.parallel_ops	= true,		/* ln->lock serialises what matters */
	.module		= THIS_MODULE,
	.ops		= l4vs_genl_ops,
	.n_ops		= ARRAY_SIZE(l4vs_genl_ops),
	.resv_start_op	= IPVS_CMD_FLUSH + 1,
};

/* -EEXIST means the kernel's own ip_vs holds the name; main.c says so. */
int l4vs_genl_init(void)
{
	return genl_register_family(&l4vs_genl_family);
}

void l4vs_genl_uninit(void)
{
	genl_unregister_family(&l4vs_genl_family);
}
