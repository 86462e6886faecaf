// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the generic netlink family "IPVS", wire-compatible with the
 * kernel's IP Virtual Server (uapi linux/ip_vs.h), so that ipvsadm and
 * keepalived drive l4vs unchanged.  This file holds the family: its policy,
 * the ops table (one handler per command, in netlink_service.c,
 * netlink_daemon.c and netlink_config.c) and what every handler shares.
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
 * Locking.  Requests run under ln->lock, taken by pre_doit and dropped by
 * post_doit, so a doit is the command alone.  Dumps take the lock
 * themselves, one chunk at a time; a dump resumes from a position kept in
 * cb->ctx, so a table changed between chunks may show an entry twice or not
 * at all, as with IPVS.
 */

#include <net/genetlink.h>
#include <net/netlink.h>

#include "l4vs.h"
#include "netlink.h"

static struct genl_family l4vs_genl_family;

static const struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE]		= NLA_POLICY_NESTED(l4vs_svc_policy),
	[IPVS_CMD_ATTR_DEST]		= NLA_POLICY_NESTED(l4vs_dest_policy),
	[IPVS_CMD_ATTR_DAEMON]		= NLA_POLICY_NESTED(l4vs_daemon_policy),
	[IPVS_CMD_ATTR_TIMEOUT_TCP]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[IPVS_CMD_ATTR_TIMEOUT_UDP]	= { .type = NLA_U32 },
};

static int parse_msg(const struct nlmsghdr *nlh, struct nlattr **tb,
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

/*
 * Before every doit.  genetlink has parsed the request liberally into
 * info->attrs; the strict parse fills the same array again (with the same
 * result when it succeeds), so handlers read info->attrs.
 */
static int l4vs_nl_pre_doit(const L4VS_GENL_DOIT_OPS *ops, struct sk_buff *skb,
			    struct genl_info *info)
{
	struct l4vs_net *ln = l4vs_net(genl_info_net(info));
	int ret;

	ret = parse_msg(info->nlhdr, info->attrs, info->extack);
	if (ret)
		return ret;
	info->user_ptr[0] = ln;
	mutex_lock(&ln->lock);
	return 0;
}

/* genetlink calls this only when pre_doit succeeded, whatever doit said. */
static void l4vs_nl_post_doit(const L4VS_GENL_DOIT_OPS *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	mutex_unlock(&l4vs_nl_net(info)->lock);
}

/* A dump's start: no pre_doit there, so the strict parse is made here. */
int l4vs_nl_dump_parse(struct netlink_callback *cb, struct nlattr **tb)
{
	memset(l4vs_nl_dump_ctx(cb), 0, sizeof(struct l4vs_nl_dump_ctx));
	return parse_msg(cb->nlh, tb, cb->extack);
}

static int l4vs_nl_dump_start(struct netlink_callback *cb)
{
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];

	return l4vs_nl_dump_parse(cb, tb);
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

/* The single reply to a GET's doit: command 'cmd', filled by 'fill'. */
int l4vs_nl_reply(struct genl_info *info, u8 cmd,
		  int (*fill)(struct sk_buff *skb, void *obj), void *obj)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &l4vs_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = fill(msg, obj);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* Every op needs CAP_NET_ADMIN, as with IPVS; parsing: see the top. */
#define OP(c, d, s, du) {						\
	.cmd = (c), .doit = (d), .start = (s), .dumpit = (du),		\
	.flags = GENL_ADMIN_PERM,					\
	.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP, \
}

#define DO(c, d)	OP(c, d, NULL, NULL)

static const struct genl_ops l4vs_genl_ops[] = {
	DO(IPVS_CMD_NEW_SERVICE,	l4vs_nl_new_service),
	DO(IPVS_CMD_SET_SERVICE,	l4vs_nl_set_service),
	DO(IPVS_CMD_DEL_SERVICE,	l4vs_nl_del_service),
	OP(IPVS_CMD_GET_SERVICE,	l4vs_nl_get_service,
	   l4vs_nl_dump_start, l4vs_nl_dump_services),
	DO(IPVS_CMD_NEW_DEST,		l4vs_nl_new_dest),
	DO(IPVS_CMD_SET_DEST,		l4vs_nl_set_dest),
	DO(IPVS_CMD_DEL_DEST,		l4vs_nl_del_dest),
	OP(IPVS_CMD_GET_DEST,		NULL,
	   l4vs_nl_dump_dests_start, l4vs_nl_dump_dests),
	DO(IPVS_CMD_NEW_DAEMON,		l4vs_nl_new_daemon),
	DO(IPVS_CMD_DEL_DAEMON,		l4vs_nl_del_daemon),
	OP(IPVS_CMD_GET_DAEMON,		NULL,
	   l4vs_nl_dump_start, l4vs_nl_dump_daemons),
	DO(IPVS_CMD_SET_CONFIG,		l4vs_nl_set_config),
	DO(IPVS_CMD_GET_CONFIG,		l4vs_nl_get_config),
	DO(IPVS_CMD_GET_INFO,		l4vs_nl_get_info),
	DO(IPVS_CMD_ZERO,		l4vs_nl_zero),
	DO(IPVS_CMD_FLUSH,		l4vs_nl_flush),
};

static struct genl_family l4vs_genl_family __ro_after_init = {
	.name		= IPVS_GENL_NAME,
	.version	= IPVS_GENL_VERSION,
	.maxattr	= IPVS_CMD_ATTR_MAX,
	.policy		= cmd_policy,
	.netnsok	= true,
	.parallel_ops	= true,		/* ln->lock serialises what matters */
	.pre_doit	= l4vs_nl_pre_doit,
	.post_doit	= l4vs_nl_post_doit,
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
