/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels l4vs builds against (6.1, 6.12, 7.x) live
 * here and only here; the .c files never test LINUX_VERSION_CODE.
 */
#ifndef _L4VS_COMPAT_H
#define _L4VS_COMPAT_H

#include <linux/version.h>

/*
 * netlink (service.c, netlink.c): formatted extack messages arrived in 6.2;
 * before that extack only holds a pointer to a constant string, so 6.1
 * reports the fixed 'plain' text instead.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define L4VS_SET_ERR_MSG_FMT(extack, plain, fmt, args...) \
	NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
#define L4VS_SET_ERR_MSG_FMT(extack, plain, fmt, args...) \
	NL_SET_ERR_MSG(extack, plain)
#endif

/*
 * netlink.c: 6.2 split genetlink's ops into do and dump halves, and the
 * family's pre_doit/post_doit take the do half since; before, the full op.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define L4VS_GENL_DOIT_OPS	struct genl_split_ops
#else
#define L4VS_GENL_DOIT_OPS	struct genl_ops
#endif

/*
 * sysctl.c: 6.6 made tables sized instead of terminated by an empty entry;
 * l4vs's tables keep the terminator and pass the count without it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define l4vs_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define l4vs_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/*
 * xmit.h: skb_gso_validate_network_len() moved from skbuff.h to net/gso.h
 * in 6.4; said here, included there (this file comes before any other, so
 * it includes nothing itself).
 * (skb_clear_tstamp(), used on forwarded packets, means the same on both
 * kernels: it keeps a sender's departure time - 6.1 mono_delivery_time,
 * 6.12 tstamp_type - and clears a receive time stamp.)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define L4VS_HAVE_NET_GSO_H
#endif

/*
 * sync.c: 6.19 typed kernel_bind()'s address as struct sockaddr_unsized
 * (a sockaddr whose size only the length argument tells); the cast names
 * the type each kernel's prototype wants.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define l4vs_bind_addr(ss)	((struct sockaddr_unsized *)(ss))
#else
#define l4vs_bind_addr(ss)	((struct sockaddr *)(ss))
#endif

#endif /* _L4VS_COMPAT_H */
