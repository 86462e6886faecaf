// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: module init/exit and per-network-namespace state.
 *
 * Init order: connection cache, pernet state (l4vs_net_init() lists each
 * step a namespace goes through), the netdevice notifier, then the generic
 * netlink family last, so that no request can arrive before the state it
 * would touch exists.  Exit is the mirror image.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/netns/generic.h>
#include <net/genetlink.h>

#include "l4vs.h"
#include "conn.h"	/* l4vs_proto_net_init() */
#include "route.h"
#include "xmit.h"	/* l4vs_tunnel_selftest() */

unsigned int l4vs_conn_tab_bits = L4VS_CONN_TAB_BITS_DEF;
module_param_named(conn_tab_bits, l4vs_conn_tab_bits, uint, 0444);
MODULE_PARM_DESC(conn_tab_bits,
		 "log2 of the connection hash table size per netns (8..20, default 12)");

static unsigned int l4vs_net_id __read_mostly;

struct l4vs_net *l4vs_net(struct net *net)
{
	return net_generic(net, l4vs_net_id);
}

/*
 * Every step of a namespace's setup, in order: the knobs first (later steps
 * read them), the protocols' default timeouts and the drop counters before
 * the connection table whose entries use them, services (which register
 * the hooks that feed the table) after it, then the estimator that walks
 * the services, and the /proc files last, so no reader finds a half-built
 * namespace.
 */
static int __net_init l4vs_net_init(struct net *net)
{
	struct l4vs_net *ln = l4vs_net(net);
	int ret;

	ln->net = net;
	mutex_init(&ln->lock);

	ret = l4vs_sysctl_net_init(ln);
	if (ret)
		return ret;
	l4vs_proto_net_init(ln);
	ret = l4vs_drops_net_init(ln);
	if (ret)
		goto err_sysctl;
	ret = l4vs_conn_net_init(ln);
	if (ret)
		goto err_drops;
	ret = l4vs_service_net_init(ln);
	if (ret)
		goto err_conn;
	ret = l4vs_est_net_init(ln);
	if (ret)
		goto err_service;
	ret = l4vs_proc_net_init(ln);
	if (ret)
		goto err_est;
	return 0;

err_est:
	l4vs_est_net_exit(ln);
err_service:
	l4vs_service_net_exit(ln);
err_conn:
	l4vs_conn_net_exit(ln);
err_drops:
	l4vs_drops_net_exit(ln);
err_sysctl:
	l4vs_sysctl_net_exit(ln);
	return ret;
}

/*
 * The sync daemons go before anything else of the namespace, devices
 * included: a backup's socket caches the input route of the multicast it
 * received, whose device is the namespace's loopback, and in .exit it
 * would still hold it while loopback is unregistered (the devices' exits
 * run before ours), so that "unregister_netdevice: waiting for lo" would
 * wait for ever, with the namespace and the module pinned.
 */
static void __net_exit l4vs_net_pre_exit(struct net *net)
{
	l4vs_sync_net_exit(l4vs_net(net));
}

/*
 * The mirror of l4vs_net_init() but for one swap: the services go first,
 * since the last one to go unregisters the hooks, and only then may the
 * counters the packet path writes (the estimator's netns totals, the drop
 * counters) be freed and the connection table emptied for good.  The
 * protocols' timeouts are plain fields: nothing to undo.
 */
static void __net_exit l4vs_net_exit(struct net *net)
{
	struct l4vs_net *ln = l4vs_net(net);

	l4vs_proc_net_exit(ln);
	l4vs_service_net_exit(ln);
	l4vs_est_net_exit(ln);
	l4vs_conn_net_exit(ln);
	l4vs_drops_net_exit(ln);
	l4vs_sysctl_net_exit(ln);
}

static struct pernet_operations l4vs_net_ops = {
	.init = l4vs_net_init,
	.pre_exit = l4vs_net_pre_exit,
	.exit = l4vs_net_exit,
	.id   = &l4vs_net_id,
	.size = sizeof(struct l4vs_net),
};

/*
 * The kernel's ip_vs owns the same generic netlink family and the same
 * /proc/net names.  Find out before any netns state (and its /proc files)
 * is created, by briefly registering an empty family of that name, so a
 * clash gives one clear line instead of duplicate-entry warnings.
 */
static struct genl_family l4vs_probe_family = {
	.name		= IPVS_GENL_NAME,
	.version	= IPVS_GENL_VERSION,
	.module		= THIS_MODULE,
};

static int ipvs_family_free(void)
{
	int ret = genl_register_family(&l4vs_probe_family);

	if (ret)
		return ret;
	genl_unregister_family(&l4vs_probe_family);
	return 0;
}

static int __init l4vs_init(void)
{
	int ret;

	if (!l4vs_tunnel_selftest())
		return -ENOTRECOVERABLE;
	l4vs_conn_tab_bits = clamp_t(unsigned int, l4vs_conn_tab_bits,
				     L4VS_CONN_TAB_BITS_MIN, L4VS_CONN_TAB_BITS_MAX);

	ret = ipvs_family_free();
	if (ret) {
		if (ret != -EEXIST)
			return ret;
		pr_err("generic netlink family \"IPVS\" is already registered: unload the kernel's ip_vs first\n");
		/* not EEXIST: modprobe would take that for "already loaded" */
		return -EBUSY;
	}
	ret = l4vs_conn_init();
	if (ret)
		return ret;
	ret = register_pernet_subsys(&l4vs_net_ops);
	if (ret) {
		pr_err("per-namespace setup failed: %d\n", ret);
		goto err_conn;
	}
	ret = l4vs_route_init();
	if (ret) {
		pr_err("netdevice notifier registration failed: %d\n", ret);
		goto err_pernet;
	}
	ret = l4vs_genl_init();
	if (ret) {
		pr_err("generic netlink family registration failed: %d\n", ret);
		if (ret == -EEXIST)
			ret = -EBUSY;	/* ip_vs came in meanwhile */
		goto err_route;
	}
	pr_info("loaded, connection table 2^%u buckets per netns\n",
		l4vs_conn_tab_bits);
	return 0;

err_route:
	l4vs_route_uninit();
err_pernet:
	unregister_pernet_subsys(&l4vs_net_ops);
err_conn:
	l4vs_conn_uninit();
	return ret;
}

static void __exit l4vs_exit(void)
{
	l4vs_genl_uninit();
	l4vs_route_uninit();
	unregister_pernet_subsys(&l4vs_net_ops);
	l4vs_conn_uninit();
}

module_init(l4vs_init);
module_exit(l4vs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4vs: Layer-4 virtual server");
MODULE_AUTHOR("l4vs developers");
