// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the namespace-wide commands of the "IPVS" family (SET_CONFIG,
 * GET_CONFIG, GET_INFO), run under the family's pre_doit as netlink.c says.
 */

#include <net/genetlink.h>

#include "l4vs.h"
#include "netlink.h"

/* the timeouts in the order of l4vs_timeouts_get()'s arguments */
static const int timeout_types[] = {
	IPVS_CMD_ATTR_TIMEOUT_TCP,
	IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
	IPVS_CMD_ATTR_TIMEOUT_UDP,
};

int l4vs_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct l4vs_net *ln = l4vs_nl_net(info);
	u32 t[ARRAY_SIZE(timeout_types)];
	struct nlattr *a;
	unsigned int i;
	u32 v;

	l4vs_timeouts_get(ln, &t[0], &t[1], &t[2]);
	for (i = 0; i < ARRAY_SIZE(timeout_types); i++) {
		a = info->attrs[timeout_types[i]];
		if (!a)
			continue;
		v = nla_get_u32(a);
		if (v > INT_MAX / HZ) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "timeout too large");
			return -EINVAL;
		}
		/* zero means "leave as it is", as ipvsadm --set documents */
		if (v)
			t[i] = v;
	}
	l4vs_timeouts_set(ln, t[0], t[1], t[2]);
	return 0;
}

static int fill_config(struct sk_buff *skb, void *obj)
{
	u32 t[ARRAY_SIZE(timeout_types)];
	unsigned int i;

	l4vs_timeouts_get(obj, &t[0], &t[1], &t[2]);
	for (i = 0; i < ARRAY_SIZE(timeout_types); i++)
		if (nla_put_u32(skb, timeout_types[i], t[i]))
			return -EMSGSIZE;
	return 0;
}

/* The replies' commands are IPVS's, which clients check. */
int l4vs_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	return l4vs_nl_reply(info, IPVS_CMD_SET_CONFIG, fill_config,
			     l4vs_nl_net(info));
}

static int fill_info(struct sk_buff *skb, void *obj)
{
	if (nla_put_u32(skb, IPVS_INFO_ATTR_VERSION, L4VS_VERSION_CODE) ||
	    nla_put_u32(skb, IPVS_INFO_ATTR_CONN_TAB_SIZE, l4vs_conn_buckets(obj)))
		return -EMSGSIZE;
	return 0;
}

int l4vs_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	return l4vs_nl_reply(info, IPVS_CMD_SET_INFO, fill_info, l4vs_nl_net(info));
}
