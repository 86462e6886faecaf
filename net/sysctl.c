// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: per-namespace run-time knobs under /proc/sys/net/ipv4/vs/.
 *
 * The directory, names, defaults and meanings are IPVS's, so that the
 * sysctl.conf lines of LVS guides and kube-proxy apply unchanged; l4vs's
 * own knobs (conn_max) live in the same directory.  l4vs and ip_vs never
 * run together (both own the IPVS netlink family), so the tree is not
 * shared.  Every knob is one of three kinds, documented per knob in
 * Documentation/parameters.md:
 *  - implemented with IPVS's meaning;
 *  - moot: l4vs's design makes it meaningless (the defence strategies next
 *    to conn_max's eviction): any value in range is accepted and ignored;
 *  - pending: the behaviour is not built yet: the knob reads what l4vs does
 *    today and refuses any other value (EINVAL), rather than pretending.
 */
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/mm.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include "l4vs.h"

static int sync_ports_max = 1024;
static int sync_retries_max = 3;
static int sync_threshold_max = 1000;

/* .data holds the offset into struct l4vs_sysctl until it is made real */
#define KNOB_N(name_, n_, min_, max_) {					\
	.procname	= #name_,					\
	.data		= (void *)offsetof(struct l4vs_sysctl, name_),	\
	.maxlen		= sizeof(int) * (n_),				\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= (void *)(min_),				\
	.extra2		= (void *)(max_),				\
}

#define KNOB(name_, min_, max_)		KNOB_N(name_, 1, min_, max_)
#define BOOL_KNOB(name_)		KNOB(name_, SYSCTL_ZERO, SYSCTL_ONE)
/* seconds to the user, jiffies inside, as IPVS's */
#define JIFFIES_KNOB(name_) {						\
	.procname	= #name_,					\
	.data		= (void *)offsetof(struct l4vs_sysctl, name_),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_jiffies,			\
}

/* pending: only the value that describes what l4vs does today */
#define ONLY_KNOB(name_, val_)		KNOB(name_, val_, val_)

static struct ctl_table l4vs_sysctl_template[] = {
	/* implemented */
	BOOL_KNOB(expire_nodest_conn),
	BOOL_KNOB(expire_quiescent_template),
	BOOL_KNOB(conntrack),
	BOOL_KNOB(pmtu_disc),
	BOOL_KNOB(run_estimation),
	KNOB(conn_max, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB_N(sync_threshold, 2, SYSCTL_ZERO, &sync_threshold_max),
	KNOB(sync_refresh_period, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB(sync_retries, SYSCTL_ZERO, &sync_retries_max),
	KNOB(sync_qlen_max, SYSCTL_ONE, SYSCTL_INT_MAX),
	KNOB(sync_sock_size, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB(sync_ports, SYSCTL_ONE, &sync_ports_max),
	BOOL_KNOB(sync_persist_mode),
	/* l4vs sends version 1 only: 0 is refused (Documentation/sync.md) */
	KNOB(sync_version, SYSCTL_ONE, SYSCTL_ONE),
	BOOL_KNOB(backup_only),
	JIFFIES_KNOB(lblc_expiration),
	JIFFIES_KNOB(lblcr_expiration),
	/* bit 0: TIME_WAIT/CLOSE; bit 1: also FIN_WAIT without replies */
	KNOB(conn_reuse_mode, SYSCTL_ZERO, SYSCTL_THREE),
	BOOL_KNOB(sloppy_tcp),
	BOOL_KNOB(sloppy_sctp),
	BOOL_KNOB(nat_icmp_send),
	BOOL_KNOB(schedule_icmp),
	BOOL_KNOB(snat_reroute),
	BOOL_KNOB(ignore_tunneled),
	/* moot: conn_max and its eviction defend the table instead */
	KNOB(amemthresh, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB(am_droprate, SYSCTL_ZERO, SYSCTL_INT_MAX),
	KNOB(drop_entry, SYSCTL_ZERO, SYSCTL_THREE),
	KNOB(drop_packet, SYSCTL_ZERO, SYSCTL_THREE),
	KNOB(secure_tcp, SYSCTL_ZERO, SYSCTL_THREE),
	/* pending */
	ONLY_KNOB(cache_bypass, SYSCTL_ZERO),
	{ }
};

/*
 * conn_max's default, as conntrack sizes nf_conntrack_max from the memory:
 * one entry per 4 KiB of RAM, i.e. about 3.5% of it at 144 bytes an entry
 * (136 of slab, 8 of bucket).  At least 1024, at most 2^24 (the table's
 * largest size: beyond it chains would only get longer).
 */
static int conn_max_from_ram(void)
{
	u64 n = ((u64)totalram_pages() << PAGE_SHIFT) >> 12;

	return clamp_t(u64, n, 1024, 1U << 24);
}

/* IPVS's defaults (zero where not set here). */
static void l4vs_sysctl_defaults(struct l4vs_sysctl *s)
{
	s->pmtu_disc = 1;
	s->snat_reroute = 1;
	s->run_estimation = 1;
	s->lblc_expiration = 24 * 60 * 60 * HZ;
	s->lblcr_expiration = 24 * 60 * 60 * HZ;
	s->conn_max_default = conn_max_from_ram();
	s->conn_max = s->conn_max_default;
	s->sync_threshold[0] = 3;
	s->sync_threshold[1] = 50;
	s->sync_qlen_max = max_t(unsigned long, nr_free_buffer_pages() / 32, 1);
	s->sync_ports = 1;
	s->sync_version = 1;
	s->conn_reuse_mode = 1;
	s->amemthresh = 1024;
	s->am_droprate = 10;
}

/*
 * A namespace owned by a user namespace other than the initial one (a
 * container, "unshare --user --map-root-user --net") must not size kernel
 * memory: IPVS does not even show such knobs there.  The sync daemon's
 * socket buffer, queue and thread count become read-only, and conn_max
 * may only be lowered: 1 to the default, never 0 ("no limit").
 */
static void sysctl_unprivileged(struct l4vs_net *ln, struct ctl_table *t,
				unsigned int n)
{
	static const char *const read_only[] = {
		"sync_sock_size", "sync_qlen_max", "sync_ports",
	};
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ARRAY_SIZE(read_only); k++)
			if (!strcmp(t[i].procname, read_only[k]))
				t[i].mode = 0444;
		if (!strcmp(t[i].procname, "conn_max")) {
			t[i].extra1 = SYSCTL_ONE;
			t[i].extra2 = &ln->sysctl.conn_max_default;
		}
	}
}

int l4vs_sysctl_net_init(struct l4vs_net *ln)
{
	struct ctl_table *t;
	unsigned int i, n = ARRAY_SIZE(l4vs_sysctl_template) - 1;

	l4vs_sysctl_defaults(&ln->sysctl);

	t = kmemdup(l4vs_sysctl_template, sizeof(l4vs_sysctl_template),
		    GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		t[i].data = (char *)&ln->sysctl + (uintptr_t)t[i].data;
	if (ln->net->user_ns != &init_user_ns)
		sysctl_unprivileged(ln, t, n);

	ln->sysctl_hdr = l4vs_register_net_sysctl(ln->net, "net/ipv4/vs", t, n);
	if (!ln->sysctl_hdr) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

void l4vs_sysctl_net_exit(struct l4vs_net *ln)
{
	const struct ctl_table *t = ln->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(ln->sysctl_hdr);
	kfree(t);
}
