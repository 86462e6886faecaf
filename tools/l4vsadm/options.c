// SPDX-License-Identifier: GPL-2.0
/*
 * Every option of l4vsadm, once: its names, its argument, the OPT_* bit a
 * command checks it by, what it stores and its help.  cmdline.c derives
 * getopt's lists, the names in messages and the help text from this table.
 * Commands are in main.c's l4_commands[].
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

#define XSTR(x)		STR(x)
#define STR(x)		#x

/* ---- handlers ------------------------------------------------------------ */

static void opt_service(struct opt_ctx *ctx, const struct l4_option *o,
			const char *arg)
{
	ctx->svc = arg;
	ctx->svc_proto = o->val;
}

static void opt_fwmark(struct opt_ctx *ctx, const struct l4_option *o,
		       const char *arg)
{
	opt_service(ctx, o, arg);
	ctx->cl->svc.fwmark = parse_number(ctx->cl, arg, 1, UINT32_MAX,
					   "fwmark");
}

static void opt_scheduler(struct opt_ctx *ctx, const struct l4_option *o,
			  const char *arg)
{
	struct l4_svc *svc = &ctx->cl->svc;

	(void)o;
	if (!*arg || strlen(arg) >= sizeof(svc->sched))
		usage_error(ctx->cl, "illegal scheduler name '%s'", arg);
	strcpy(svc->sched, arg);
}

static void opt_persistent(struct opt_ctx *ctx, const struct l4_option *o,
			   const char *arg)
{
	(void)o;
	/* ipvsadm (popt) takes "-p 300" as well as "-p300" */
	if (!arg && optind < ctx->argc && ctx->argv[optind][0] != '-')
		arg = ctx->argv[optind++];
	ctx->persist = arg;
}

static void opt_netmask(struct opt_ctx *ctx, const struct l4_option *o,
			const char *arg)
{
	(void)o;
	ctx->netmask = arg;
}

static void opt_server(struct opt_ctx *ctx, const struct l4_option *o,
		       const char *arg)
{
	(void)o;
	ctx->server = arg;
}

static void opt_forward(struct opt_ctx *ctx, const struct l4_option *o,
			const char *arg)
{
	(void)arg;
	ctx->cl->dest.fwd = o->val;
}

static void opt_one_packet(struct opt_ctx *ctx, const struct l4_option *o,
			   const char *arg)
{
	(void)o;
	(void)arg;
	ctx->cl->svc.flags |= IP_VS_SVC_F_ONEPACKET;
}

static void opt_sched_flags(struct opt_ctx *ctx, const struct l4_option *o,
			    const char *arg)
{
	(void)o;
	ctx->cl->sched_flags_arg = arg;
}

/* Numbers go straight to their field, whatever its width. */
static void store_number(struct cmdline *cl, const struct l4_option *o,
			 unsigned long v)
{
	void *field = (char *)cl + o->off;
	uint32_t v32 = v;
	uint16_t v16 = v;
	uint8_t v8 = v;

	switch (o->size) {
	case sizeof(v32):
		memcpy(field, &v32, sizeof(v32));
		break;
	case sizeof(v16):
		memcpy(field, &v16, sizeof(v16));
		break;
	case sizeof(v8):
		memcpy(field, &v8, sizeof(v8));
		break;
	default:
		abort();	/* a table entry the switch does not know */
	}
}

static void opt_number(struct opt_ctx *ctx, const struct l4_option *o,
		       const char *arg)
{
	store_number(ctx->cl, o,
		     parse_number(ctx->cl, arg, o->min, o->max, o->what));
}

static void opt_daemon_number(struct opt_ctx *ctx, const struct l4_option *o,
			      const char *arg)
{
	store_number(ctx->cl, o,
		     parse_daemon_number(ctx->cl, arg, o->min, o->max, o->what));
}

static void opt_tun_type(struct opt_ctx *ctx, const struct l4_option *o,
			 const char *arg)
{
	(void)o;
	parse_tun_type(ctx->cl, arg);
}

static void opt_tun_csum(struct opt_ctx *ctx, const struct l4_option *o,
			 const char *arg)
{
	(void)arg;
	ctx->cl->dest.tun_flags = o->val;
}

static void opt_mcast_ifn(struct opt_ctx *ctx, const struct l4_option *o,
			  const char *arg)
{
	struct l4_daemon *d = &ctx->cl->daemon;

	(void)o;
	/* a longer name is cut, as ipvsadm does; the kernel then finds no
	 * such device */
	snprintf(d->mcast_ifn, sizeof(d->mcast_ifn), "%s", arg);
}

static void opt_mcast_group(struct opt_ctx *ctx, const struct l4_option *o,
			    const char *arg)
{
	(void)o;
	parse_mcast_group(ctx->cl, arg);
}

static void opt_sync_peer(struct opt_ctx *ctx, const struct l4_option *o,
			  const char *arg)
{
	(void)o;
	parse_sync_peers(ctx->cl, arg);
}

/* Named in the message as given: "--pe=sip", or "sip" after "--pe sip". */
static void opt_unsupported(struct opt_ctx *ctx, const struct l4_option *o,
			    const char *arg)
{
	(void)o;
	(void)arg;
	usage_error(ctx->cl, "option '%s' is not supported",
		    ctx->argv[optind - 1]);
}

/* ---- the table ----------------------------------------------------------- */

#define FLAG		no_argument
#define ARG		required_argument
#define OPTARG		optional_argument
#define FIELD(member)	.off = offsetof(struct cmdline, member), \
			.size = sizeof(((struct cmdline *)0)->member)
#define NUMBER(member, lo, hi, name) \
	.parse = opt_number, FIELD(member), .min = lo, .max = hi, .what = name
#define DAEMON_NUMBER(member, lo, hi, name) \
	.parse = opt_daemon_number, FIELD(member), .min = lo, .max = hi, \
	.what = name

const struct l4_option l4_options[] = {
	/* virtual services: any one of these sets OPT_SERVICE */
	{ "tcp-service", 't', ARG, OPT_SERVICE, .group = "service-address",
	  .parse = opt_service, .val = IPPROTO_TCP,
	  .section = SEC_SERVICE, .argname = "host[:port]",
	  .help = "a TCP service" },
	{ "udp-service", 'u', ARG, OPT_SERVICE, .group = "service-address",
	  .parse = opt_service, .val = IPPROTO_UDP,
	  .section = SEC_SERVICE, .argname = "host[:port]",
	  .help = "a UDP service" },
	{ "sctp-service", 0, ARG, OPT_SERVICE, .group = "service-address",
	  .parse = opt_service, .val = IPPROTO_SCTP,
	  .section = SEC_SERVICE, .argname = "host[:port]",
	  .help = "an SCTP service" },
	{ "fwmark-service", 'f', ARG, OPT_SERVICE, .group = "service-address",
	  .parse = opt_fwmark, .val = -1,
	  .section = SEC_SERVICE, .argname = "mark",
	  .help = "a firewall-mark service (IPv4 unless -6)" },
	{ "ipv6", '6', FLAG, OPT_IPV6,
	  .section = SEC_SERVICE, .help = "the fwmark service is IPv6" },

	/* services */
	{ "scheduler", 's', ARG, OPT_SCHEDULER, .parse = opt_scheduler,
	  .section = SEC_OPTIONS, .argname = "name",
	  .help = "rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos\n"
		  "(default " DEF_SCHED ")" },
	{ "persistent", 'p', OPTARG, OPT_PERSISTENT, .parse = opt_persistent,
	  .section = SEC_OPTIONS, .argname = "[secs]",
	  .help = "persistent service (default "
		  XSTR(DEF_PERSIST_TIMEOUT) " s)" },
	{ "netmask", 'M', ARG, OPT_NETMASK, .parse = opt_netmask,
	  .section = SEC_OPTIONS, .argname = "mask",
	  .help = "persistence granularity" },
	{ "sched-flags", 'b', ARG, OPT_SCHED_FLAGS, .parse = opt_sched_flags,
	  .section = SEC_OPTIONS, .argname = "list",
	  .help = "flag-1,flag-2,flag-3; sh-fallback,sh-port (sh);\n"
		  "mh-fallback,mh-port (mh)" },
	{ "ops", 'o', FLAG, OPT_ONEPACKET, .parse = opt_one_packet,
	  .section = SEC_OPTIONS, .help = "one-packet scheduling (UDP)" },
	{ "pe", 0, ARG, 0, .parse = opt_unsupported },

	/* real servers: -g, -i and -m set OPT_FORWARD */
	{ "real-server", 'r', ARG, OPT_SERVER, .parse = opt_server,
	  .section = SEC_OPTIONS, .argname = "addr",
	  .help = "real server host[:port]" },
	{ "gatewaying", 'g', FLAG, OPT_FORWARD, .group = "forwarding-method",
	  .parse = opt_forward, .val = IP_VS_CONN_F_DROUTE,
	  .section = SEC_OPTIONS, .help = "direct routing (default)" },
	{ "ipip", 'i', FLAG, OPT_FORWARD, .group = "forwarding-method",
	  .parse = opt_forward, .val = IP_VS_CONN_F_TUNNEL,
	  .section = SEC_OPTIONS, .help = "tunneling" },
	{ "masquerading", 'm', FLAG, OPT_FORWARD, .group = "forwarding-method",
	  .parse = opt_forward, .val = IP_VS_CONN_F_MASQ,
	  .section = SEC_OPTIONS, .help = "NAT" },
	{ "weight", 'w', ARG, OPT_WEIGHT,
	  NUMBER(dest.weight, 0, 65535, "weight"),
	  .section = SEC_OPTIONS, .argname = "n",
	  .help = "0..65535 (default 1)" },
	{ "u-threshold", 'x', ARG, OPT_UTHRESHOLD,
	  NUMBER(dest.u_thresh, 0, INT32_MAX, "u_threshold"),
	  .section = SEC_OPTIONS, .argname = "n",
	  .help = "upper connection threshold (0: none)" },
	{ "l-threshold", 'y', ARG, OPT_LTHRESHOLD,
	  NUMBER(dest.l_thresh, 0, INT32_MAX, "l_threshold"),
	  .section = SEC_OPTIONS, .argname = "n",
	  .help = "lower connection threshold" },
	{ "tun-type", 0, ARG, OPT_TUN_TYPE, .parse = opt_tun_type,
	  .section = SEC_OPTIONS, .argname = "ipip|gue|gre",
	  .help = "tunnel type for -i (default ipip)" },
	{ "tun-port", 0, ARG, OPT_TUN_PORT,
	  NUMBER(dest.tun_port, 1, 65535, "tunnel port"),
	  .section = SEC_OPTIONS, .argname = "port",
	  .help = "the gue tunnel's destination port" },
	{ "tun-nocsum", 0, FLAG, OPT_TUN_CSUM, .group = "tun-csum",
	  .parse = opt_tun_csum, .val = 0,
	  .section = SEC_OPTIONS, .help = "gue/gre: no checksum (default)" },
	{ "tun-csum", 0, FLAG, OPT_TUN_CSUM, .group = "tun-csum",
	  .parse = opt_tun_csum, .val = IP_VS_TUNNEL_ENCAP_FLAG_CSUM,
	  .section = SEC_OPTIONS, .help = "gue/gre: checksum" },
	{ "tun-remcsum", 0, FLAG, OPT_TUN_CSUM, .group = "tun-csum",
	  .parse = opt_tun_csum, .val = IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM,
	  .section = SEC_OPTIONS, .help = "gue: remote checksum offload" },

	/* listing */
	{ "numeric", 'n', FLAG, OPT_NUMERIC,
	  .section = SEC_OPTIONS, .help = "addresses and ports as numbers" },
	{ "connection", 'c', FLAG, OPT_CONNECTION,
	  .section = SEC_OPTIONS, .help = "-L: the connection table" },
	{ "timeout", 0, FLAG, OPT_TIMEOUT,
	  .section = SEC_OPTIONS, .help = "-L: the connection timeouts" },
	{ "daemon", 0, FLAG, OPT_DAEMON,
	  .section = SEC_OPTIONS, .help = "-L: the sync daemons" },
	{ "stats", 0, FLAG, OPT_STATS,
	  .section = SEC_OPTIONS, .help = "-L: with counters" },
	{ "rate", 0, FLAG, OPT_RATE,
	  .section = SEC_OPTIONS, .help = "-L: with rates" },
	{ "exact", 'X', FLAG, OPT_EXACT,
	  .section = SEC_OPTIONS, .help = "-L: numbers unabbreviated" },
	{ "thresholds", 0, FLAG, OPT_THRESHOLDS,
	  .section = SEC_OPTIONS, .help = "-L: with connection thresholds" },
	{ "persistent-conn", 0, FLAG, OPT_PERSISTCONN,
	  .section = SEC_OPTIONS, .help = "-L: with persistent connections" },
	{ "tun-info", 0, FLAG, OPT_TUN_INFO,
	  .section = SEC_OPTIONS, .help = "-L: with tunnel details" },
	{ "nosort", 0, FLAG, OPT_NOSORT,
	  .section = SEC_OPTIONS, .help = "-L: in the kernel's order" },
	{ "sort", 0, FLAG, 0, .section = SEC_HIDDEN },	/* ipvsadm: the default */
	{ "json", 'j', FLAG, OPT_JSON,
	  .section = SEC_OPTIONS,
	  .help = "JSON output for -L, -Lc, --timeout and --daemon" },

	/* sync daemons */
	{ "mcast-interface", 0, ARG, OPT_MCAST_IFN, .parse = opt_mcast_ifn,
	  .section = SEC_DAEMON, .argname = "if", .help = "(default eth0)" },
	{ "syncid", 0, ARG, OPT_SYNCID,
	  DAEMON_NUMBER(daemon.syncid, 0, 255, "syncid"),
	  .section = SEC_DAEMON, .argname = "id", .help = "0..255" },
	/* a UDP payload in an IPv4 packet without options */
	{ "sync-maxlen", 0, ARG, OPT_SYNC_MAXLEN,
	  DAEMON_NUMBER(daemon.sync_maxlen, 1, 65535 - 20 - 8, "sync-maxlen"),
	  .section = SEC_DAEMON, .argname = "n", .help = "1..65507" },
	{ "mcast-group", 0, ARG, OPT_MCAST_GROUP, .parse = opt_mcast_group,
	  .section = SEC_DAEMON, .argname = "addr",
	  .help = "IPv4 or IPv6 multicast address" },
	{ "mcast-port", 0, ARG, OPT_MCAST_PORT,
	  DAEMON_NUMBER(daemon.mcast_port, 1, 65535, "mcast-port"),
	  .section = SEC_DAEMON, .argname = "n", .help = "1..65535" },
	{ "mcast-ttl", 0, ARG, OPT_MCAST_TTL,
	  DAEMON_NUMBER(daemon.mcast_ttl, 1, 255, "mcast-ttl"),
	  .section = SEC_DAEMON, .argname = "n", .help = "1..255" },
	{ "sync-peer", 0, ARG, OPT_SYNC_PEER, .repeat = true,
	  .parse = opt_sync_peer, .section = SEC_DAEMON,
	  .argname = "addr[,addr]",
	  .help = "backup: accept messages from these masters only" },
	{ NULL }
};
