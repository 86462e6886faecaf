// SPDX-License-Identifier: GPL-2.0
/*
 * ipvsadm's command-line grammar.  Options are collected first and
 * interpreted afterwards, so their order does not matter (a real server's
 * port name is looked up with the service's protocol wherever -r appears).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "l4vsadm.h"

enum {
	LOPT_SET = CMD_SET,
	LOPT_START_DAEMON = CMD_START_DAEMON,
	LOPT_STOP_DAEMON = CMD_STOP_DAEMON,
	LOPT_SCTP,
	LOPT_TIMEOUT,
	LOPT_STATS,
	LOPT_RATE,
	LOPT_THRESHOLDS,
	LOPT_PERSISTCONN,
	LOPT_NOSORT,
	LOPT_SORT,
	LOPT_TUN_TYPE,
	LOPT_TUN_PORT,
	LOPT_TUN_NOCSUM,
	LOPT_TUN_CSUM,
	LOPT_TUN_REMCSUM,
	LOPT_TUN_INFO,
	LOPT_DAEMON,
	LOPT_MCAST_IFN,
	LOPT_SYNCID,
	LOPT_SYNC_MAXLEN,
	LOPT_MCAST_GROUP,
	LOPT_MCAST_PORT,
	LOPT_MCAST_TTL,
	LOPT_SYNC_PEER,
	LOPT_UNSUPPORTED,
};

static const struct option long_opts[] = {
	{ "add-service",	no_argument,		NULL, 'A' },
	{ "edit-service",	no_argument,		NULL, 'E' },
	{ "delete-service",	no_argument,		NULL, 'D' },
	{ "clear",		no_argument,		NULL, 'C' },
	{ "restore",		no_argument,		NULL, 'R' },
	{ "save",		no_argument,		NULL, 'S' },
	{ "add-server",		no_argument,		NULL, 'a' },
	{ "edit-server",	no_argument,		NULL, 'e' },
	{ "delete-server",	no_argument,		NULL, 'd' },
	{ "list",		no_argument,		NULL, 'L' },
	{ "zero",		no_argument,		NULL, 'Z' },
	{ "set",		no_argument,		NULL, LOPT_SET },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'v' },
	{ "tcp-service",	required_argument,	NULL, 't' },
	{ "udp-service",	required_argument,	NULL, 'u' },
	{ "sctp-service",	required_argument,	NULL, LOPT_SCTP },
	{ "fwmark-service",	required_argument,	NULL, 'f' },
	{ "ipv6",		no_argument,		NULL, '6' },
	{ "scheduler",		required_argument,	NULL, 's' },
	{ "persistent",		optional_argument,	NULL, 'p' },
	{ "netmask",		required_argument,	NULL, 'M' },
	{ "real-server",	required_argument,	NULL, 'r' },
	{ "masquerading",	no_argument,		NULL, 'm' },
	{ "gatewaying",		no_argument,		NULL, 'g' },
	{ "ipip",		no_argument,		NULL, 'i' },
	{ "weight",		required_argument,	NULL, 'w' },
	{ "u-threshold",	required_argument,	NULL, 'x' },
	{ "l-threshold",	required_argument,	NULL, 'y' },
	{ "numeric",		no_argument,		NULL, 'n' },
	{ "connection",		no_argument,		NULL, 'c' },
	{ "timeout",		no_argument,		NULL, LOPT_TIMEOUT },
	{ "stats",		no_argument,		NULL, LOPT_STATS },
	{ "rate",		no_argument,		NULL, LOPT_RATE },
	{ "thresholds",		no_argument,		NULL, LOPT_THRESHOLDS },
	{ "persistent-conn",	no_argument,		NULL, LOPT_PERSISTCONN },
	{ "nosort",		no_argument,		NULL, LOPT_NOSORT },
	{ "sort",		no_argument,		NULL, LOPT_SORT },
	{ "exact",		no_argument,		NULL, 'X' },
	{ "ops",		no_argument,		NULL, 'o' },
	{ "sched-flags",	required_argument,	NULL, 'b' },
	{ "json",		no_argument,		NULL, 'j' },
	{ "tun-type",		required_argument,	NULL, LOPT_TUN_TYPE },
	{ "tun-port",		required_argument,	NULL, LOPT_TUN_PORT },
	{ "tun-nocsum",		no_argument,		NULL, LOPT_TUN_NOCSUM },
	{ "tun-csum",		no_argument,		NULL, LOPT_TUN_CSUM },
	{ "tun-remcsum",	no_argument,		NULL, LOPT_TUN_REMCSUM },
	{ "tun-info",		no_argument,		NULL, LOPT_TUN_INFO },
	{ "start-daemon",	required_argument,	NULL, LOPT_START_DAEMON },
	{ "stop-daemon",	required_argument,	NULL, LOPT_STOP_DAEMON },
	{ "daemon",		no_argument,		NULL, LOPT_DAEMON },
	{ "mcast-interface",	required_argument,	NULL, LOPT_MCAST_IFN },
	{ "syncid",		required_argument,	NULL, LOPT_SYNCID },
	{ "sync-maxlen",	required_argument,	NULL, LOPT_SYNC_MAXLEN },
	{ "mcast-group",	required_argument,	NULL, LOPT_MCAST_GROUP },
	{ "mcast-port",		required_argument,	NULL, LOPT_MCAST_PORT },
	{ "mcast-ttl",		required_argument,	NULL, LOPT_MCAST_TTL },
	{ "sync-peer",		required_argument,	NULL, LOPT_SYNC_PEER },
	/* persistence engines: not implemented */
	{ "pe",			required_argument,	NULL, LOPT_UNSUPPORTED },
	{ NULL, 0, NULL, 0 }
};

static const char short_opts[] = "+:AEDCRSaedLlZhvt:u:f:6s:p::M:r:mgiw:x:y:ncXob:j";

/* Names for messages, indexed by OPT_* bit number. */
static const char *const opt_names[OPT_COUNT] = {
	"numeric", "connection", "service-address", "scheduler", "persistent",
	"netmask", "real-server", "forwarding-method", "weight", "u-threshold",
	"l-threshold", "timeout", "stats", "rate", "thresholds",
	"persistent-conn", "nosort", "exact", "ops", "sched-flags", "json",
	"tun-type", "tun-port", "tun-csum", "tun-info", "ipv6", "daemon",
	"mcast-interface", "syncid", "sync-maxlen", "mcast-group", "mcast-port",
	"mcast-ttl", "sync-peer",
};

static const char *opt_name(opt_mask bit)
{
	unsigned int i;

	for (i = 0; i < OPT_COUNT; i++)
		if (bit == 1ULL << i)
			return opt_names[i];
	return "?";
}

void usage_error(const struct cmdline *cl, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	if (cl && cl->lineno)
		fprintf(stderr, "line %d: ", cl->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* Raw option arguments, interpreted once the command is known. */
struct raw {
	const char	*svc;
	const char	*server;
	const char	*netmask;
	const char	*persist;
	int		svc_proto;	/* IPPROTO_*, or -1 for a fwmark */
};

static void set_opt(struct cmdline *cl, opt_mask bit)
{
	if (cl->opts & bit)
		usage_error(cl, "multiple '%s' options specified", opt_name(bit));
	cl->opts |= bit;
}

static const struct l4_command *find_command(int c)
{
	const struct l4_command *cmd;

	for (cmd = l4_commands; cmd->name; cmd++)
		if (cmd->short_opt == c)
			return cmd;
	return NULL;
}

static void set_command(struct cmdline *cl, int c)
{
	if (cl->cmd)
		usage_error(cl, "multiple commands specified");
	/* -l is the same as -L */
	cl->cmd = find_command(c == 'l' ? 'L' : c);
}

static unsigned long number(struct cmdline *cl, const char *arg,
			    unsigned long min, unsigned long max,
			    const char *what)
{
	unsigned long v;

	if (parse_uint(arg, min, max, &v))
		usage_error(cl, "illegal %s specified: '%s'", what, arg);
	return v;
}

/* The daemon options' numbers, refused in ipvsadm's words. */
static unsigned long daemon_number(struct cmdline *cl, const char *arg,
				   unsigned long min, unsigned long max,
				   const char *what)
{
	unsigned long v;

	if (parse_uint(arg, min, max, &v))
		usage_error(cl, "illegal %s specified", what);
	return v;
}

static void parse_tun_type(struct cmdline *cl, const char *arg)
{
	int i;

	for (i = 0; i < IP_VS_CONN_F_TUNNEL_TYPE_MAX; i++) {
		if (!strcmp(arg, tun_names[i])) {
			cl->dest.tun_type = i;
			return;
		}
	}
	usage_error(cl, "illegal tunnel type specified: '%s'", arg);
}

/* The daemon's role: ipvsadm's words, and its message for --stop-daemon. */
static void parse_daemon_state(struct cmdline *cl, int c, const char *arg)
{
	if (!strcmp(arg, "master"))
		cl->daemon.state = IP_VS_STATE_MASTER;
	else if (!strcmp(arg, "backup"))
		cl->daemon.state = IP_VS_STATE_BACKUP;
	else if (c == LOPT_START_DAEMON)
		usage_error(cl, "illegal start-daemon parameter specified");
	else
		usage_error(cl, "illegal start_daemon specified");
}

/*
 * A multicast group: IPv6 if it has a colon, else IPv4, and it must be a
 * multicast address.  No names, as in ipvsadm.
 */
static void parse_mcast_group(struct cmdline *cl, const char *arg)
{
	struct l4_daemon *d = &cl->daemon;

	if (strchr(arg, ':')) {
		if (inet_pton(AF_INET6, arg, &d->mcast_group.in6) != 1 ||
		    !IN6_IS_ADDR_MULTICAST(&d->mcast_group.in6))
			usage_error(cl, "invalid IPv6 mcast-group `%s'", arg);
		d->mcast_af = AF_INET6;
	} else {
		if (inet_pton(AF_INET, arg, &d->mcast_group.in) != 1 ||
		    !IN_MULTICAST(ntohl(d->mcast_group.in.s_addr)))
			usage_error(cl, "invalid IPv4 mcast-group `%s'", arg);
		d->mcast_af = AF_INET;
	}
}

/*
 * --sync-peer ADDR[,ADDR...]: the masters a backup listens to (l4vs only).
 * May be given again; numeric unicast addresses, all of one family, which
 * must be the multicast group's (checked once the group is known).
 */
static void parse_sync_peers(struct cmdline *cl, const char *arg)
{
	struct l4_daemon *d = &cl->daemon;
	char buf[INET6_ADDRSTRLEN + 1];
	const char *p = arg, *end;
	union l4_addr *a;
	size_t len;
	int af;

	cl->opts |= OPT_SYNC_PEER;
	do {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (!len || len >= sizeof(buf))
			usage_error(cl, "invalid sync-peer `%s'", arg);
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (d->nr_peers == L4_SYNC_PEERS_MAX)
			usage_error(cl, "too many sync peers (at most %d)",
				    L4_SYNC_PEERS_MAX);
		a = &d->peers[d->nr_peers];
		af = strchr(buf, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, buf, a) != 1 ||
		    (af == AF_INET6 ? IN6_IS_ADDR_MULTICAST(&a->in6) ||
				      IN6_IS_ADDR_UNSPECIFIED(&a->in6) :
				      IN_MULTICAST(ntohl(a->in.s_addr)) ||
				      !a->in.s_addr ||
				      a->in.s_addr == INADDR_BROADCAST))
			usage_error(cl, "invalid sync-peer `%s'", buf);
		if (d->peer_af && d->peer_af != af)
			usage_error(cl, "sync peers of both families given");
		d->peer_af = af;
		d->nr_peers++;
		p = end ? end + 1 : NULL;
	} while (p);
}

static void set_service(struct cmdline *cl, struct raw *raw, int proto,
			const char *arg)
{
	set_opt(cl, OPT_SERVICE);
	raw->svc = arg;
	raw->svc_proto = proto;
}

static void collect(int argc, char **argv, struct cmdline *cl, struct raw *raw)
{
	int c;

	opterr = 0;
	optind = 0;	/* full reset: restore parses many argument vectors */
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'A': case 'E': case 'D': case 'C': case 'R': case 'S':
		case 'a': case 'e': case 'd': case 'L': case 'l': case 'Z':
		case 'h': case 'v': case LOPT_SET:
			set_command(cl, c);
			break;
		case LOPT_START_DAEMON:
		case LOPT_STOP_DAEMON:
			set_command(cl, c);
			parse_daemon_state(cl, c, optarg);
			break;
		case LOPT_DAEMON:
			set_opt(cl, OPT_DAEMON);
			break;
		case LOPT_MCAST_IFN:
			set_opt(cl, OPT_MCAST_IFN);
			/* a longer name is cut, as ipvsadm does; the kernel
			 * then finds no such device */
			snprintf(cl->daemon.mcast_ifn,
				 sizeof(cl->daemon.mcast_ifn), "%s", optarg);
			break;
		case LOPT_SYNCID:
			set_opt(cl, OPT_SYNCID);
			cl->daemon.syncid = daemon_number(cl, optarg, 0, 255,
							   "syncid");
			break;
		case LOPT_SYNC_MAXLEN:
			set_opt(cl, OPT_SYNC_MAXLEN);
			/* a UDP payload in an IPv4 packet without options */
			cl->daemon.sync_maxlen =
				daemon_number(cl, optarg, 1, 65535 - 20 - 8,
					      "sync-maxlen");
			break;
		case LOPT_MCAST_GROUP:
			set_opt(cl, OPT_MCAST_GROUP);
			parse_mcast_group(cl, optarg);
			break;
		case LOPT_MCAST_PORT:
			set_opt(cl, OPT_MCAST_PORT);
			cl->daemon.mcast_port =
				daemon_number(cl, optarg, 1, 65535, "mcast-port");
			break;
		case LOPT_MCAST_TTL:
			set_opt(cl, OPT_MCAST_TTL);
			cl->daemon.mcast_ttl =
				daemon_number(cl, optarg, 1, 255, "mcast-ttl");
			break;
		case LOPT_SYNC_PEER:
			parse_sync_peers(cl, optarg);
			break;
		case 't':
			set_service(cl, raw, IPPROTO_TCP, optarg);
			break;
		case 'u':
			set_service(cl, raw, IPPROTO_UDP, optarg);
			break;
		case LOPT_SCTP:
			set_service(cl, raw, IPPROTO_SCTP, optarg);
			break;
		case 'f':
			set_service(cl, raw, -1, optarg);
			cl->svc.fwmark = number(cl, optarg, 1, UINT32_MAX,
						"fwmark");
			break;
		case '6':
			set_opt(cl, OPT_IPV6);
			break;
		case 's':
			set_opt(cl, OPT_SCHEDULER);
			if (!*optarg || strlen(optarg) >= sizeof(cl->svc.sched))
				usage_error(cl, "illegal scheduler name '%s'",
					    optarg);
			strcpy(cl->svc.sched, optarg);
			break;
		case 'p':
			set_opt(cl, OPT_PERSISTENT);
			/* ipvsadm (popt) takes "-p 300" as well as "-p300" */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			raw->persist = optarg;
			break;
		case 'M':
			set_opt(cl, OPT_NETMASK);
			raw->netmask = optarg;
			break;
		case 'r':
			set_opt(cl, OPT_SERVER);
			raw->server = optarg;
			break;
		case 'm':
			set_opt(cl, OPT_FORWARD);
			cl->dest.fwd = IP_VS_CONN_F_MASQ;
			break;
		case 'g':
			set_opt(cl, OPT_FORWARD);
			cl->dest.fwd = IP_VS_CONN_F_DROUTE;
			break;
		case 'i':
			set_opt(cl, OPT_FORWARD);
			cl->dest.fwd = IP_VS_CONN_F_TUNNEL;
			break;
		case 'w':
			set_opt(cl, OPT_WEIGHT);
			cl->dest.weight = number(cl, optarg, 0, 65535, "weight");
			break;
		case 'x':
			set_opt(cl, OPT_UTHRESHOLD);
			cl->dest.u_thresh = number(cl, optarg, 0, INT32_MAX,
						   "u_threshold");
			break;
		case 'y':
			set_opt(cl, OPT_LTHRESHOLD);
			cl->dest.l_thresh = number(cl, optarg, 0, INT32_MAX,
						   "l_threshold");
			break;
		case 'n':
			set_opt(cl, OPT_NUMERIC);
			break;
		case 'c':
			set_opt(cl, OPT_CONNECTION);
			break;
		case LOPT_TIMEOUT:
			set_opt(cl, OPT_TIMEOUT);
			break;
		case LOPT_STATS:
			set_opt(cl, OPT_STATS);
			break;
		case LOPT_RATE:
			set_opt(cl, OPT_RATE);
			break;
		case LOPT_THRESHOLDS:
			set_opt(cl, OPT_THRESHOLDS);
			break;
		case LOPT_PERSISTCONN:
			set_opt(cl, OPT_PERSISTCONN);
			break;
		case LOPT_NOSORT:
			set_opt(cl, OPT_NOSORT);
			break;
		case LOPT_SORT:
			break;
		case 'X':
			set_opt(cl, OPT_EXACT);
			break;
		case 'o':
			set_opt(cl, OPT_ONEPACKET);
			cl->svc.flags |= IP_VS_SVC_F_ONEPACKET;
			break;
		case 'b':
			set_opt(cl, OPT_SCHED_FLAGS);
			cl->sched_flags_arg = optarg;
			break;
		case 'j':
			set_opt(cl, OPT_JSON);
			break;
		case LOPT_TUN_TYPE:
			set_opt(cl, OPT_TUN_TYPE);
			parse_tun_type(cl, optarg);
			break;
		case LOPT_TUN_PORT:
			set_opt(cl, OPT_TUN_PORT);
			cl->dest.tun_port = number(cl, optarg, 1, 65535,
						   "tunnel port");
			break;
		case LOPT_TUN_NOCSUM:
		case LOPT_TUN_CSUM:
		case LOPT_TUN_REMCSUM:
			set_opt(cl, OPT_TUN_CSUM);
			cl->dest.tun_flags =
				c == LOPT_TUN_CSUM ? IP_VS_TUNNEL_ENCAP_FLAG_CSUM :
				c == LOPT_TUN_REMCSUM ?
				IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM : 0;
			break;
		case LOPT_TUN_INFO:
			set_opt(cl, OPT_TUN_INFO);
			break;
		case LOPT_UNSUPPORTED:
			usage_error(cl, "option '%s' is not supported",
				    argv[optind - 1]);
			break;
		case ':':
			if (optopt && optopt < 256)
				usage_error(cl, "option '-%c' requires an argument",
					    optopt);
			usage_error(cl, "option '%s' requires an argument",
				    argv[optind - 1]);
			break;
		default:
			if (optopt && optopt < 256)
				usage_error(cl, "invalid option '-%c'", optopt);
			usage_error(cl, "invalid option '%s'", argv[optind - 1]);
		}
	}
}

/* ---- interpretation ---------------------------------------------------- */

static void check_options(struct cmdline *cl)
{
	const struct l4_command *cmd = cl->cmd;
	opt_mask bad, missing, many, other;
	unsigned int i;

	missing = cmd->need & ~cl->opts;
	if (missing)
		usage_error(cl, "the '%s' command needs the '%s' option",
			    cmd->name, opt_name(missing & -missing));
	bad = cl->opts & ~(cmd->need | cmd->allow);
	if (bad)
		usage_error(cl, "Illegal '%s' option with the '%s' command",
			    opt_name(bad & -bad), cmd->name);
	many = cl->opts & cmd->one_of;
	if (many & (many - 1)) {
		for (i = 0; !(many & (1ULL << i)); i++)
			;
		other = many & ~(1ULL << i);
		usage_error(cl, "The option '%s' conflicts with the '%s' option in the '%s' command",
			    opt_name(other & -other), opt_names[i], cmd->name);
	}
}

static void parse_svc(struct cmdline *cl, struct raw *raw)
{
	struct l4_svc *svc = &cl->svc;
	bool port_given;

	svc->af = AF_INET;
	svc->netmask = 0xffffffff;
	if (!raw->svc)
		return;
	if (raw->svc_proto < 0) {
		/* fwmark services carry a protocol only to look up names */
		svc->protocol = IPPROTO_TCP;
		if (cl->opts & OPT_IPV6) {
			svc->af = AF_INET6;
			svc->netmask = 128;
		}
		return;
	}
	if (cl->opts & OPT_IPV6)
		usage_error(cl, "-6 is only for fwmark services");
	svc->protocol = raw->svc_proto;
	if (parse_service_addr(raw->svc, svc->protocol, &svc->addr, &svc->af,
			       &svc->port, &port_given))
		usage_error(cl, "illegal virtual server address[:port] '%s'",
			    raw->svc);
	if (svc->af == AF_INET6)
		svc->netmask = 128;
}

static void parse_persistence(struct cmdline *cl, struct raw *raw)
{
	struct l4_svc *svc = &cl->svc;
	unsigned long v;

	if (cl->opts & OPT_PERSISTENT) {
		svc->flags |= IP_VS_SVC_F_PERSISTENT;
		svc->timeout = DEF_PERSIST_TIMEOUT;
		if (raw->persist) {
			if (parse_uint(raw->persist, 1, MAX_TIMEOUT, &v))
				usage_error(cl, "invalid timeout value '%s' specified",
					    raw->persist);
			svc->timeout = v;
		}
	}
	if (!raw->netmask)
		return;
	if (svc->af == AF_INET6) {
		svc->netmask = (uint32_t)number(cl, raw->netmask, 1, 128,
						"ipv6 netmask");
	} else {
		struct in_addr m;

		if (inet_pton(AF_INET, raw->netmask, &m) != 1)
			usage_error(cl, "illegal virtual server persistent mask '%s'",
				    raw->netmask);
		svc->netmask = m.s_addr;
	}
}

static void parse_server(struct cmdline *cl, struct raw *raw)
{
	struct l4_dest *d = &cl->dest;
	bool port_given = false;

	d->af = cl->svc.af;
	if (!raw->server)
		return;
	if (parse_service_addr(raw->server, cl->svc.protocol, &d->addr, &d->af,
			       &d->port, &port_given))
		usage_error(cl, "illegal real server address[:port] '%s'",
			    raw->server);
	cl->dest_port_given = port_given;
	if (!port_given)
		d->port = cl->svc.port;
}

static void finish_dest(struct cmdline *cl)
{
	struct l4_dest *d = &cl->dest;
	opt_mask tun = OPT_TUN_TYPE | OPT_TUN_PORT | OPT_TUN_CSUM;

	/* DR and tunnels cannot change the port: the packet is not rewritten */
	if (!cl->svc.fwmark &&
	    (!cl->dest_port_given || d->fwd == IP_VS_CONN_F_TUNNEL ||
	     d->fwd == IP_VS_CONN_F_DROUTE))
		d->port = cl->svc.port;
	if (d->af != cl->svc.af && d->fwd != IP_VS_CONN_F_TUNNEL)
		usage_error(cl, "different address family is allowed only for tunneling servers");
	if ((cl->opts & tun) && d->fwd != IP_VS_CONN_F_TUNNEL)
		usage_error(cl, "tunnel options conflict with forward method");
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE &&
	    !(cl->opts & OPT_TUN_PORT))
		usage_error(cl, "the 'gue' tunnel type needs the 'tun-port' option");
	if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_GUE &&
	    (cl->opts & OPT_TUN_PORT))
		usage_error(cl, "illegal 'tun-port' option with the '%s' tunnel type",
			    tun_names[d->tun_type]);
	if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_IPIP &&
	    (cl->opts & OPT_TUN_CSUM))
		usage_error(cl, "illegal checksum option with the 'ipip' tunnel type");
}

static void finish_svc(struct cmdline *cl)
{
	struct l4_svc *svc = &cl->svc;

	if (!svc->fwmark && !svc->port && !(svc->flags & IP_VS_SVC_F_PERSISTENT))
		usage_error(cl, "zero port specified for non-persistent service");
	if ((svc->flags & IP_VS_SVC_F_ONEPACKET) && !svc->fwmark &&
	    svc->protocol != IPPROTO_UDP)
		usage_error(cl, "one-packet scheduling is only for UDP virtual services");
	/* As ipvsadm, -E without -s also resets the scheduler to the default. */
	if (!svc->sched[0])
		strcpy(svc->sched, DEF_SCHED);
	if (cl->sched_flags_arg &&
	    parse_sched_flags(svc->sched, cl->sched_flags_arg, &svc->flags))
		usage_error(cl, "invalid scheduler flags '%s' for scheduler '%s'",
			    cl->sched_flags_arg, svc->sched);
}

static void parse_set(int argc, char **argv, struct cmdline *cl)
{
	uint32_t *out[] = { &cl->timeouts.tcp, &cl->timeouts.tcp_fin,
			    &cl->timeouts.udp };
	int i;

	if (argc - optind < 3)
		usage_error(cl, "--set option requires 3 timeout values");
	for (i = 0; i < 3; i++) {
		const char *a = argv[optind++];
		unsigned long v;

		if (parse_uint(a, 0, MAX_TIMEOUT, &v))
			usage_error(cl, "invalid timeout value '%s' specified", a);
		*out[i] = v;
	}
}

int cmdline_parse(int argc, char **argv, struct cmdline *cl)
{
	struct raw raw = { 0 };
	int lineno = cl->lineno;

	memset(cl, 0, sizeof(*cl));
	cl->lineno = lineno;
	cl->dest.weight = 1;
	cl->dest.fwd = IP_VS_CONN_F_DROUTE;

	collect(argc, argv, cl, &raw);
	if (!cl->cmd)
		usage_error(cl, "no command given; try '" PROG_NAME " -h'");
	if (cl->cmd->short_opt == LOPT_SET)
		parse_set(argc, argv, cl);
	if (optind < argc)
		usage_error(cl, "unexpected argument '%s'", argv[optind]);
	check_options(cl);

	parse_svc(cl, &raw);
	parse_persistence(cl, &raw);
	parse_server(cl, &raw);
	switch (cl->cmd->short_opt) {
	case 'A':
	case 'E':
		finish_svc(cl);
		break;
	case 'a':
	case 'e':
		finish_dest(cl);
		break;
	case CMD_START_DAEMON:
		/* ipvsadm's default interface */
		if (!(cl->opts & OPT_MCAST_IFN))
			strcpy(cl->daemon.mcast_ifn, "eth0");
		if (cl->daemon.nr_peers &&
		    cl->daemon.state != IP_VS_STATE_BACKUP)
			usage_error(cl, "sync-peer is a backup daemon's option");
		if (cl->daemon.nr_peers &&
		    cl->daemon.peer_af != (cl->daemon.mcast_af ?: AF_INET))
			usage_error(cl, "sync-peer family differs from the multicast group's");
		break;
	}
	return 0;
}

void print_usage(FILE *f)
{
	const struct l4_command *cmd;
	char opt[32];

	fprintf(f, "Usage: " PROG_NAME " COMMAND [options]\n\nCommands:\n");
	for (cmd = l4_commands; cmd->name; cmd++) {
		if (cmd->short_opt < 256)
			snprintf(opt, sizeof(opt), "--%s, -%c", cmd->name,
				 cmd->short_opt);
		else
			snprintf(opt, sizeof(opt), "--%s", cmd->name);
		fprintf(f, "  %-22s %-34s %s\n", opt, cmd->args, cmd->help);
	}
	fprintf(f,
		"\nvirtual-service:\n"
		"  -t|--tcp-service host[:port]   -u|--udp-service host[:port]\n"
		"  --sctp-service host[:port]     -f|--fwmark-service mark [-6]\n"
		"  IPv6 addresses as [addr]:port; ports by number or name\n"
		"\nOptions:\n"
		"  -s|--scheduler name    rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh\n"
		"                         (default " DEF_SCHED ")\n"
		"  -p|--persistent [secs] persistent service (default %d s)\n"
		"  -M|--netmask mask      persistence granularity\n"
		"  -b|--sched-flags list  flag-1,flag-2,flag-3; sh-fallback,sh-port (sh);\n"
		"                         mh-fallback,mh-port (mh)\n"
		"  -o|--ops               one-packet scheduling (UDP)\n"
		"  -r|--real-server addr  real server host[:port]\n"
		"  -g|--gatewaying        direct routing (default)\n"
		"  -i|--ipip              tunneling; --tun-type ipip|gue|gre, --tun-port,\n"
		"                         --tun-nocsum|--tun-csum|--tun-remcsum\n"
		"  -m|--masquerading      NAT\n"
		"  -w|--weight n          0..65535 (default 1)\n"
		"  -x|--u-threshold n     -y|--l-threshold n\n"
		"  -n|--numeric  -c|--connection  --timeout  --stats  --rate  --exact\n"
		"  --thresholds  --persistent-conn  --tun-info  --nosort  --daemon\n"
		"  -j|--json              JSON output for -L, -Lc, --timeout and --daemon\n"
		"\nDaemon options (--start-daemon):\n"
		"  --mcast-interface if   (default eth0)   --syncid 0..255\n"
		"  --sync-maxlen 1..65507 --mcast-group addr  --mcast-port n  --mcast-ttl 1..255\n"
		"  --sync-peer addr[,addr] backup: accept messages from these masters only\n",
		DEF_PERSIST_TIMEOUT);
}
