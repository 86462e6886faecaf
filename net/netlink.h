/* SPDX-License-Identifier: GPL-2.0 */
/* l4vs: what the files of the "IPVS" genetlink family share. */
#ifndef _NET_L4VS_NETLINK_H
#define _NET_L4VS_NETLINK_H

#include <net/genetlink.h>
#include <linux/ip_vs.h>

#include "l4vs.h"
#include "sync.h"

#define L4VS_NL_VALIDATE	(NL_VALIDATE_STRICT & ~NL_VALIDATE_NESTED)

/* A mandatory attribute: say which one is missing, and where. */
#define l4vs_nl_need(tb, type, nest, msg, extack) ({			\
	bool __present = !!(tb)[type];					\
									\
	if (!__present) {						\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
		NL_SET_ERR_MSG(extack, msg);				\
	}								\
	__present;							\
})

/*
 * A doit's namespace, resolved by the family's pre_doit, which also took its
 * lock; info->attrs holds the request, strictly parsed.
 */
static inline struct l4vs_net *l4vs_nl_net(const struct genl_info *info)
{
	return info->user_ptr[0];
}

/* Where a dump resumes; lives in cb->ctx. */
struct l4vs_nl_dump_ctx {
	unsigned int	bucket;		/* services: table bucket */
	unsigned int	idx;		/* entries of it already sent */
	/* destinations: the service's key */
	u16		af;
	u16		protocol;
	__be16		port;
	u32		fwmark;
	union nf_inet_addr addr;
};

static inline struct l4vs_nl_dump_ctx *
l4vs_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct l4vs_nl_dump_ctx) > sizeof(cb->ctx));
	return (struct l4vs_nl_dump_ctx *)cb->ctx;
}

/* the nests of a request, each parsed by its own file */
extern const struct nla_policy l4vs_svc_policy[IPVS_SVC_ATTR_MAX + 1];
extern const struct nla_policy l4vs_dest_policy[IPVS_DEST_ATTR_MAX + 1];
extern const struct nla_policy l4vs_daemon_policy[L4VS_DAEMON_ATTR_MAX + 1];

int l4vs_nl_parse_nest(struct nlattr **tb, int maxtype, const struct nlattr *nla,
		       const struct nla_policy *policy,
		       struct netlink_ext_ack *extack);
int l4vs_nl_dump_parse(struct netlink_callback *cb, struct nlattr **tb);
int l4vs_nl_dump_one(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		     int (*fill)(struct sk_buff *skb, void *obj), void *obj);
int l4vs_nl_reply(struct genl_info *info, u8 cmd,
		  int (*fill)(struct sk_buff *skb, void *obj), void *obj);

/* the commands, one handler each */
int l4vs_nl_new_service(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_set_service(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_del_service(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_get_service(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_dump_services(struct sk_buff *skb, struct netlink_callback *cb);
int l4vs_nl_new_dest(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_set_dest(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_del_dest(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_dump_dests_start(struct netlink_callback *cb);
int l4vs_nl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb);
int l4vs_nl_zero(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_flush(struct sk_buff *skb, struct genl_info *info);

int l4vs_nl_new_daemon(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_del_daemon(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb);

int l4vs_nl_set_config(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_get_config(struct sk_buff *skb, struct genl_info *info);
int l4vs_nl_get_info(struct sk_buff *skb, struct genl_info *info);

#endif /* _NET_L4VS_NETLINK_H */
