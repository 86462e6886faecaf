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
#include "options.h"

/* getopt's value for an option without a letter: above the CMD_* numbers */
#define OPTVAL_BASE	1024

static const char *opt_name(opt_mask bit)
{
	const struct l4_option *o;

	for (o = l4_options; o->name; o++)
		if (o->bit == bit)
			return o->group ?: o->name;
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

/* ---- getopt's lists, from l4_commands[] and l4_options[] ----------------- */

struct getopt_lists {
	struct option	*longs;
	char		*shorts;
};

static char *add_short(char *p, int letter, int has_arg)
{
	if (!letter || letter >= 256)
		return p;
	*p++ = letter;
	if (has_arg != no_argument)
		*p++ = ':';
	if (has_arg == optional_argument)
		*p++ = ':';
	return p;
}

static void add_long(struct option *lo, const char *name, int has_arg,
		     int val)
{
	lo->name = name;
	lo->has_arg = has_arg;
	lo->flag = NULL;
	lo->val = val;
}

/* Built once: restore parses one command line per input line. */
static const struct getopt_lists *getopt_lists(void)
{
	static struct getopt_lists g;
	const struct l4_command *cmd;
	const struct l4_option *o;
	struct option *lo;
	size_t n = 0;
	char *p;
	int arg;

	if (g.longs)
		return &g;
	for (cmd = l4_commands; cmd->name; cmd++)
		n++;
	for (o = l4_options; o->name; o++)
		n++;
	g.longs = calloc(n + 1, sizeof(*g.longs));
	/* "+:", then up to two letters and two colons an entry, then NUL */
	g.shorts = malloc(2 + 4 * n + 1);
	if (!g.longs || !g.shorts) {
		fputs(PROG_NAME ": out of memory\n", stderr);
		exit(EXIT_ERR);
	}
	/* stop at the first non-option; a missing argument returns ':' */
	p = stpcpy(g.shorts, "+:");
	lo = g.longs;
	for (cmd = l4_commands; cmd->name; cmd++) {
		arg = cmd->parse_arg ? required_argument : no_argument;
		add_long(lo++, cmd->name, arg, cmd->short_opt);
		p = add_short(p, cmd->short_opt, arg);
		p = add_short(p, cmd->short_alias, arg);
	}
	for (o = l4_options; o->name; o++) {
		add_long(lo++, o->name, o->has_arg, o->short_opt ?:
			 OPTVAL_BASE + (int)(o - l4_options));
		p = add_short(p, o->short_opt, o->has_arg);
	}
	*p = '\0';
	return &g;
}

static const struct l4_command *find_command(int c)
{
	const struct l4_command *cmd;

	for (cmd = l4_commands; cmd->name; cmd++)
		if (cmd->short_opt == c || (c && cmd->short_alias == c))
			return cmd;
	return NULL;
}

static const struct l4_option *find_option(int c)
{
	const struct l4_option *o;

	for (o = l4_options; o->name; o++)
		if (o->short_opt ? o->short_opt == c :
				   OPTVAL_BASE + (o - l4_options) == c)
			return o;
	return NULL;
}

/* ---- collecting ---------------------------------------------------------- */

static void set_opt(struct cmdline *cl, opt_mask bit)
{
	if (cl->opts & bit)
		usage_error(cl, "multiple '%s' options specified", opt_name(bit));
	cl->opts |= bit;
}

static void take_command(struct opt_ctx *ctx, const struct l4_command *cmd,
			 const char *arg)
{
	if (ctx->cl->cmd)
		usage_error(ctx->cl, "multiple commands specified");
	ctx->cl->cmd = cmd;
	if (cmd->parse_arg)
		cmd->parse_arg(ctx->cl, arg);
}

static void take_option(struct opt_ctx *ctx, const struct l4_option *o,
			const char *arg)
{
	if (o->repeat)
		ctx->cl->opts |= o->bit;
	else if (o->bit)
		set_opt(ctx->cl, o->bit);
	if (o->parse)
		o->parse(ctx, o, arg);
}

/*
 * getopt's '?' or ':'.  For a long option optopt holds its value, a letter
 * or a number past 255; the argument as typed names it then.
 */
static void refuse(struct opt_ctx *ctx, int c)
{
	const char *typed = ctx->argv[optind - 1];

	if (c == ':') {
		if (optopt && optopt < 256)
			usage_error(ctx->cl, "option '-%c' requires an argument",
				    optopt);
		usage_error(ctx->cl, "option '%s' requires an argument", typed);
	}
	if (optopt && optopt < 256)
		usage_error(ctx->cl, "invalid option '-%c'", optopt);
	usage_error(ctx->cl, "invalid option '%s'", typed);
}

static void collect(struct opt_ctx *ctx)
{
	const struct getopt_lists *g = getopt_lists();
	const struct l4_command *cmd;
	const struct l4_option *o;
	int c;

	opterr = 0;
	optind = 0;	/* full reset: restore parses many argument vectors */
	while ((c = getopt_long(ctx->argc, ctx->argv, g->shorts, g->longs,
				NULL)) != -1) {
		cmd = find_command(c);
		o = cmd ? NULL : find_option(c);
		if (cmd)
			take_command(ctx, cmd, optarg);
		else if (o)
			take_option(ctx, o, optarg);
		else
			refuse(ctx, c);
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
			    opt_name(other & -other), opt_name(1ULL << i), cmd->name);
	}
}

static void parse_svc(struct cmdline *cl, const struct opt_ctx *ctx)
{
	struct l4_svc *svc = &cl->svc;
	bool port_given;

	svc->af = AF_INET;
	svc->netmask = 0xffffffff;
	if (!ctx->svc)
		return;
	if (ctx->svc_proto < 0) {
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
	svc->protocol = ctx->svc_proto;
	if (parse_service_addr(ctx->svc, svc->protocol, &svc->addr, &svc->af,
			       &svc->port, &port_given))
		usage_error(cl, "illegal virtual server address[:port] '%s'",
			    ctx->svc);
	if (svc->af == AF_INET6)
		svc->netmask = 128;
}

static void parse_persistence(struct cmdline *cl, const struct opt_ctx *ctx)
{
	struct l4_svc *svc = &cl->svc;
	unsigned long v;

	if (cl->opts & OPT_PERSISTENT) {
		svc->flags |= IP_VS_SVC_F_PERSISTENT;
		svc->timeout = DEF_PERSIST_TIMEOUT;
		if (ctx->persist) {
			if (parse_uint(ctx->persist, 1, MAX_TIMEOUT, &v))
				usage_error(cl, "invalid timeout value '%s' specified",
					    ctx->persist);
			svc->timeout = v;
		}
	}
	if (!ctx->netmask)
		return;
	if (svc->af == AF_INET6) {
		svc->netmask = (uint32_t)parse_number(cl, ctx->netmask, 1, 128,
						"ipv6 netmask");
	} else {
		struct in_addr m;

		if (inet_pton(AF_INET, ctx->netmask, &m) != 1)
			usage_error(cl, "illegal virtual server persistent mask '%s'",
				    ctx->netmask);
		svc->netmask = m.s_addr;
	}
}

static void parse_server(struct cmdline *cl, const struct opt_ctx *ctx)
{
	struct l4_dest *d = &cl->dest;
	bool port_given = false;

	d->af = cl->svc.af;
	if (!ctx->server)
		return;
	if (parse_service_addr(ctx->server, cl->svc.protocol, &d->addr, &d->af,
			       &d->port, &port_given))
		usage_error(cl, "illegal real server address[:port] '%s'",
			    ctx->server);
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
	struct opt_ctx ctx = { .cl = cl, .argc = argc, .argv = argv };
	int lineno = cl->lineno;

	memset(cl, 0, sizeof(*cl));
	cl->lineno = lineno;
	cl->dest.weight = 1;
	cl->dest.fwd = IP_VS_CONN_F_DROUTE;

	collect(&ctx);
	if (!cl->cmd)
		usage_error(cl, "no command given; try '" PROG_NAME " -h'");
	if (cl->cmd->short_opt == CMD_SET)
		parse_set(argc, argv, cl);
	if (optind < argc)
		usage_error(cl, "unexpected argument '%s'", argv[optind]);
	check_options(cl);

	parse_svc(cl, &ctx);
	parse_persistence(cl, &ctx);
	parse_server(cl, &ctx);
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

/* ---- help, from l4_commands[] and l4_options[] -------------------------- */

static const struct {
	const char	*title;
	const char	*note;		/* after the section's options */
} help_sections[] = {
	[SEC_SERVICE] = { "virtual-service",
			  "IPv6 addresses as [addr]:port; ports by number or name" },
	[SEC_OPTIONS] = { "Options", NULL },
	[SEC_DAEMON] = { "Daemon options (--start-daemon)", NULL },
};

#define HELP_COL	28	/* "-t|--tcp-service host[:port]" fits */

/* "-s|--scheduler name", then the help; '\n' in it starts an indented line */
static void print_option_help(FILE *f, const struct l4_option *o)
{
	char syn[64];
	const char *h, *nl;
	int len;

	len = o->short_opt ? snprintf(syn, sizeof(syn), "-%c|", o->short_opt) : 0;
	snprintf(syn + len, sizeof(syn) - len, "--%s%s%s", o->name,
		 o->argname ? " " : "", o->argname ?: "");
	fprintf(f, "  %-*s", HELP_COL, syn);
	if (strlen(syn) > HELP_COL)
		fprintf(f, "\n  %-*s", HELP_COL, "");
	for (h = o->help; (nl = strchr(h, '\n')); h = nl + 1)
		fprintf(f, " %.*s\n  %-*s", (int)(nl - h), h, HELP_COL, "");
	fprintf(f, " %s\n", h);
}

void print_usage(FILE *f)
{
	const struct l4_command *cmd;
	const struct l4_option *o;
	unsigned int sec;
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
	for (sec = SEC_SERVICE; sec <= SEC_DAEMON; sec++) {
		fprintf(f, "\n%s:\n", help_sections[sec].title);
		for (o = l4_options; o->name; o++)
			if (o->section == sec)
				print_option_help(f, o);
		if (help_sections[sec].note)
			fprintf(f, "  %s\n", help_sections[sec].note);
	}
}
