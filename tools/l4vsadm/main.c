// SPDX-License-Identifier: GPL-2.0
/*
 * l4vsadm: administer l4vs (or the kernel's ip_vs) with ipvsadm's grammar.
 * The command table below is the single list of what the tool can do and
 * options.c's table the single list of its options; the parser, the option
 * checks and the help text are all derived from the two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "l4vsadm.h"

#define VERSION_STR	"0.1"

static unsigned int list_format(const struct cmdline *cl)
{
	static const struct {
		opt_mask opt;
		unsigned int fmt;
	} map[] = {
		{ OPT_NUMERIC, FMT_NUMERIC },	{ OPT_STATS, FMT_STATS },
		{ OPT_RATE, FMT_RATE },		{ OPT_THRESHOLDS, FMT_THRESHOLDS },
		{ OPT_PERSISTCONN, FMT_PERSISTCONN }, { OPT_NOSORT, FMT_NOSORT },
		{ OPT_EXACT, FMT_EXACT },	{ OPT_TUN_INFO, FMT_TUN_INFO },
		{ OPT_JSON, FMT_JSON },
	};
	unsigned int fmt = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cl->opts & map[i].opt)
			fmt |= map[i].fmt;
	return fmt;
}

static int svc_request(struct cmdline *cl, uint8_t cmd)
{
	int err = ipvs_svc_cmd(cmd, &cl->svc);

	return err ? report_error(err, cmd) : 0;
}

static int dest_request(struct cmdline *cl, uint8_t cmd)
{
	int err = ipvs_dest_cmd(cmd, &cl->svc, &cl->dest);

	return err ? report_error(err, cmd) : 0;
}

static int do_add_service(struct cmdline *cl)
{
	return svc_request(cl, IPVS_CMD_NEW_SERVICE);
}

static int do_edit_service(struct cmdline *cl)
{
	return svc_request(cl, IPVS_CMD_SET_SERVICE);
}

static int do_del_service(struct cmdline *cl)
{
	return svc_request(cl, IPVS_CMD_DEL_SERVICE);
}

static int do_add_server(struct cmdline *cl)
{
	return dest_request(cl, IPVS_CMD_NEW_DEST);
}

static int do_edit_server(struct cmdline *cl)
{
	return dest_request(cl, IPVS_CMD_SET_DEST);
}

static int do_del_server(struct cmdline *cl)
{
	return dest_request(cl, IPVS_CMD_DEL_DEST);
}

static int do_clear(struct cmdline *cl)
{
	int err = ipvs_flush();

	(void)cl;
	return err ? report_error(err, IPVS_CMD_FLUSH) : 0;
}

static int do_zero(struct cmdline *cl)
{
	int err = ipvs_zero(cl->opts & OPT_SERVICE ? &cl->svc : NULL);

	return err ? report_error(err, IPVS_CMD_ZERO) : 0;
}

static int do_set(struct cmdline *cl)
{
	int err = ipvs_set_timeouts(&cl->timeouts);

	return err ? report_error(err, IPVS_CMD_SET_CONFIG) : 0;
}

static int do_list(struct cmdline *cl)
{
	unsigned int fmt = list_format(cl);
	opt_mask detail = OPT_STATS | OPT_RATE | OPT_THRESHOLDS |
			  OPT_PERSISTCONN;

	if ((cl->opts & (OPT_CONNECTION | OPT_TIMEOUT | OPT_DAEMON)) &&
	    (cl->opts & detail))
		usage_error(cl, "options conflicts in the list command");
	if (cl->opts & OPT_CONNECTION)
		return list_conns(fmt);
	if (cl->opts & OPT_TIMEOUT)
		return list_timeouts(fmt);
	if (cl->opts & OPT_DAEMON)
		return list_daemons(fmt);
	return list_services(cl->opts & OPT_SERVICE ? &cl->svc : NULL, fmt);
}

static int do_start_daemon(struct cmdline *cl)
{
	int err = ipvs_daemon_cmd(IPVS_CMD_NEW_DAEMON, &cl->daemon);

	return err ? report_error(err, IPVS_CMD_NEW_DAEMON) : 0;
}

static int do_stop_daemon(struct cmdline *cl)
{
	int err = ipvs_daemon_cmd(IPVS_CMD_DEL_DAEMON, &cl->daemon);

	return err ? report_error(err, IPVS_CMD_DEL_DAEMON) : 0;
}

static int do_save(struct cmdline *cl)
{
	return save_rules(list_format(cl) | FMT_RULE);
}

static int do_restore(struct cmdline *cl)
{
	if (cl->lineno)
		usage_error(cl, "-R is not allowed inside a restore file");
	return restore_rules(stdin);
}

static int do_help(struct cmdline *cl)
{
	(void)cl;
	print_usage(stdout);
	return 0;
}

static int do_version(struct cmdline *cl)
{
	(void)cl;
	printf(PROG_NAME " v" VERSION_STR " (IPVS generic netlink, v%d.%d.%d)\n",
	       NVERSION(IP_VS_VERSION_CODE));
	return 0;
}

#define SVC_OPTS	(OPT_SCHEDULER | OPT_PERSISTENT | OPT_NETMASK | \
			 OPT_ONEPACKET | OPT_SCHED_FLAGS | OPT_IPV6)
#define DEST_OPTS	(OPT_FORWARD | OPT_WEIGHT | OPT_UTHRESHOLD | \
			 OPT_LTHRESHOLD | OPT_TUN_TYPE | OPT_TUN_PORT | \
			 OPT_TUN_CSUM | OPT_IPV6)
#define LIST_OPTS	(OPT_NUMERIC | OPT_CONNECTION | OPT_SERVICE | \
			 OPT_TIMEOUT | OPT_STATS | OPT_RATE | OPT_THRESHOLDS | \
			 OPT_PERSISTCONN | OPT_NOSORT | OPT_EXACT | OPT_JSON | \
			 OPT_TUN_INFO | OPT_IPV6 | OPT_DAEMON | OPT_SYNCID)
#define DAEMON_OPTS	(OPT_MCAST_IFN | OPT_SYNCID | OPT_SYNC_MAXLEN | \
			 OPT_MCAST_GROUP | OPT_MCAST_PORT | OPT_MCAST_TTL | \
			 OPT_SYNC_PEER)

const struct l4_command l4_commands[] = {
	{ .name = "add-service", .short_opt = 'A', .fn = do_add_service,
	  .need = OPT_SERVICE, .allow = SVC_OPTS,
	  .args = "virtual-service [-s sched] [-p [secs]] [-M mask] [-b flags]",
	  .help = "add a virtual service" },
	{ .name = "edit-service", .short_opt = 'E', .fn = do_edit_service,
	  .need = OPT_SERVICE, .allow = SVC_OPTS,
	  .args = "virtual-service [-s sched] [-p [secs]] [-M mask] [-b flags]",
	  .help = "edit a virtual service" },
	{ .name = "delete-service", .short_opt = 'D', .fn = do_del_service,
	  .need = OPT_SERVICE, .allow = OPT_IPV6,
	  .args = "virtual-service", .help = "delete a virtual service" },
	{ .name = "clear", .short_opt = 'C', .fn = do_clear,
	  .args = "", .help = "clear the whole table" },
	{ .name = "restore", .short_opt = 'R', .fn = do_restore,
	  .args = "< file",
	  .help = "restore rules from stdin (ipvsadm -S format)" },
	{ .name = "save", .short_opt = 'S', .fn = do_save,
	  .allow = OPT_NUMERIC, .args = "[-n]",
	  .help = "save rules to stdout" },
	{ .name = "add-server", .short_opt = 'a', .fn = do_add_server,
	  .need = OPT_SERVICE | OPT_SERVER, .allow = DEST_OPTS,
	  .args = "virtual-service -r server [options]",
	  .help = "add a real server" },
	{ .name = "edit-server", .short_opt = 'e', .fn = do_edit_server,
	  .need = OPT_SERVICE | OPT_SERVER, .allow = DEST_OPTS,
	  .args = "virtual-service -r server [options]",
	  .help = "edit a real server" },
	{ .name = "delete-server", .short_opt = 'd', .fn = do_del_server,
	  .need = OPT_SERVICE | OPT_SERVER, .allow = OPT_IPV6,
	  .args = "virtual-service -r server", .help = "delete a real server" },
	{ .name = "list", .short_opt = 'L', .short_alias = 'l', .fn = do_list,
	  .allow = LIST_OPTS,
	  .one_of = OPT_CONNECTION | OPT_SERVICE | OPT_TIMEOUT | OPT_DAEMON,
	  .args = "[virtual-service] [options]",
	  .help = "list the table (also -l)" },
	{ .name = "zero", .short_opt = 'Z', .fn = do_zero,
	  .allow = OPT_SERVICE | OPT_IPV6, .args = "[virtual-service]",
	  .help = "zero counters of a service or of all" },
	{ .name = "set", .short_opt = CMD_SET, .fn = do_set,
	  .args = "tcp tcpfin udp",
	  .help = "set connection timeouts (seconds)" },
	/*
	 * As ipvsadm, --stop-daemon takes --syncid (and sends it, though the
	 * kernel needs only the state), and -L takes it and does nothing.
	 */
	{ .name = "start-daemon", .short_opt = CMD_START_DAEMON,
	  .parse_arg = parse_start_daemon_arg, .fn = do_start_daemon,
	  .allow = DAEMON_OPTS, .args = "master|backup [daemon options]",
	  .help = "start the connection sync daemon" },
	{ .name = "stop-daemon", .short_opt = CMD_STOP_DAEMON,
	  .parse_arg = parse_stop_daemon_arg, .fn = do_stop_daemon,
	  .allow = OPT_SYNCID, .args = "master|backup",
	  .help = "stop the connection sync daemon" },
	{ .name = "help", .short_opt = 'h', .fn = do_help,
	  .args = "", .help = "display this help" },
	{ .name = "version", .short_opt = 'v', .fn = do_version,
	  .args = "", .help = "display the version" },
	{ .name = NULL }
};

/* -Lc only reads /proc, so it works (and can be tested) without netlink. */
static bool needs_kernel(const struct cmdline *cl)
{
	if (cl->cmd->fn == do_list && (cl->opts & OPT_CONNECTION))
		return false;
	return cl->cmd->fn != do_help && cl->cmd->fn != do_version;
}

int main(int argc, char **argv)
{
	static char list_opt[] = "-L";
	char *list_argv[] = { argv[0], list_opt, NULL };
	struct cmdline cl = { 0 };
	int err, ret;

	/* No arguments: list the table, as ipvsadm does. */
	if (argc == 1) {
		argc = 2;
		argv = list_argv;
	}
	cmdline_parse(argc, argv, &cl);
	dry_run = getenv("L4VSADM_DRY_RUN") != NULL;
	if (needs_kernel(&cl) && !dry_run) {
		err = nl_open();
		if (err) {
			/* ENOENT: no such family, which ipvsadm words so */
			fprintf(stderr, PROG_NAME
				": Can't initialize ipvs: %s (is l4vs or ip_vs loaded?)\n",
				strerror(-err == ENOENT ? ENOPROTOOPT : -err));
			return EXIT_ERR;
		}
	}
	ret = cl.cmd->fn(&cl);
	nl_close();
	return ret;
}
