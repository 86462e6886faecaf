/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4vsadm: shared definitions.  The tool speaks the kernel's IPVS generic
 * netlink family, so the same binary drives l4vs and the stock ip_vs.
 */
#ifndef L4VSADM_H
#define L4VSADM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/ip_vs.h>

#define PROG_NAME		"l4vsadm"
#define DEF_SCHED		"wlc"
#define DEF_PERSIST_TIMEOUT	360		/* seconds, as ipvsadm */
#define MAX_TIMEOUT		(86400 * 31)
#define CONN_PROC_FILE		"/proc/net/ip_vs_conn"

/* Exit codes: 0 ok, 1 error from the kernel or the system, 2 usage. */
#define EXIT_ERR		1
#define EXIT_USAGE		2

union l4_addr {
	struct in_addr	in;
	struct in6_addr	in6;
	uint8_t		raw[16];
};

struct l4_stats {
	uint64_t	conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t	cps, inpps, outpps, inbps, outbps;
};

struct l4_svc {
	uint16_t	af;
	uint16_t	protocol;
	union l4_addr	addr;
	uint16_t	port;		/* host order */
	uint32_t	fwmark;
	char		sched[IP_VS_SCHEDNAME_MAXLEN + 1];
	char		pe[IP_VS_PENAME_MAXLEN + 1];
	uint32_t	flags;
	uint32_t	timeout;
	uint32_t	netmask;	/* network order for IPv4, prefix for IPv6 */
	struct l4_stats	stats;
};

struct l4_dest {
	uint16_t	af;
	union l4_addr	addr;
	uint16_t	port;		/* host order */
	uint32_t	fwd;		/* IP_VS_CONN_F_* forwarding method */
	int32_t		weight;
	uint32_t	u_thresh;
	uint32_t	l_thresh;
	uint32_t	activeconns;
	uint32_t	inactconns;
	uint32_t	persistconns;
	uint8_t		tun_type;
	uint16_t	tun_port;	/* host order */
	uint16_t	tun_flags;
	struct l4_stats	stats;
};

struct l4_timeouts {
	uint32_t	tcp, tcp_fin, udp;
};

/*
 * A connection synchronisation daemon.  Zero in an optional field means
 * "not given" (none of them can be 0): the kernel then picks its default.
 */
/*
 * l4vs's own daemon attribute (net/sync.h): the masters a backup accepts
 * messages from, addresses of the group's family one after the other.
 */
#define L4VS_DAEMON_ATTR_SYNC_PEERS	32
#define L4_SYNC_PEERS_MAX		8

struct l4_daemon {
	uint32_t	state;		/* IP_VS_STATE_MASTER or _BACKUP */
	char		mcast_ifn[IP_VS_IFNAME_MAXLEN];
	uint32_t	syncid;
	uint16_t	sync_maxlen;
	uint16_t	mcast_af;	/* AF_UNSPEC: no group */
	union l4_addr	mcast_group;
	uint16_t	mcast_port;	/* host order, as on the wire */
	uint8_t		mcast_ttl;
	uint8_t		nr_peers;	/* --sync-peer, backup only */
	uint16_t	peer_af;
	union l4_addr	peers[L4_SYNC_PEERS_MAX];
};

struct l4_info {
	uint32_t	version;
	uint32_t	conn_tab_size;
};

/* ---- command line ------------------------------------------------------ */

/*
 * Option bits: a command lists which it needs and which it allows.  There
 * are more than 32 of them, so masks are 64 bits wide (opt_mask).  The
 * options that set each bit, and the bit's name in messages, are in
 * options.c's table.
 */
typedef uint64_t opt_mask;
#define OPT_NUMERIC	(1ULL << 0)
#define OPT_CONNECTION	(1ULL << 1)
#define OPT_SERVICE	(1ULL << 2)
#define OPT_SCHEDULER	(1ULL << 3)
#define OPT_PERSISTENT	(1ULL << 4)
#define OPT_NETMASK	(1ULL << 5)
#define OPT_SERVER	(1ULL << 6)
#define OPT_FORWARD	(1ULL << 7)
#define OPT_WEIGHT	(1ULL << 8)
#define OPT_UTHRESHOLD	(1ULL << 9)
#define OPT_LTHRESHOLD	(1ULL << 10)
#define OPT_TIMEOUT	(1ULL << 11)
#define OPT_STATS	(1ULL << 12)
#define OPT_RATE	(1ULL << 13)
#define OPT_THRESHOLDS	(1ULL << 14)
#define OPT_PERSISTCONN	(1ULL << 15)
#define OPT_NOSORT	(1ULL << 16)
#define OPT_EXACT	(1ULL << 17)
#define OPT_ONEPACKET	(1ULL << 18)
#define OPT_SCHED_FLAGS	(1ULL << 19)
#define OPT_JSON	(1ULL << 20)
#define OPT_TUN_TYPE	(1ULL << 21)
#define OPT_TUN_PORT	(1ULL << 22)
#define OPT_TUN_CSUM	(1ULL << 23)	/* any of --tun-{no,rem,}csum */
#define OPT_TUN_INFO	(1ULL << 24)
#define OPT_IPV6	(1ULL << 25)
#define OPT_DAEMON	(1ULL << 26)	/* -L --daemon */
#define OPT_MCAST_IFN	(1ULL << 27)
#define OPT_SYNCID	(1ULL << 28)
#define OPT_SYNC_MAXLEN	(1ULL << 29)
#define OPT_MCAST_GROUP	(1ULL << 30)
#define OPT_MCAST_PORT	(1ULL << 31)
#define OPT_MCAST_TTL	(1ULL << 32)
#define OPT_SYNC_PEER	(1ULL << 33)	/* may be repeated */

struct cmdline;

/* Commands without a short option are numbered from here. */
#define CMD_SET			256
#define CMD_START_DAEMON	257
#define CMD_STOP_DAEMON		258

struct l4_command {
	const char	*name;		/* long option, also the command's name */
	int		short_opt;	/* letter, or CMD_* for a long-only one */
	int		short_alias;	/* another letter for it, or 0 */
	/* the command's own argument (--start-daemon master); NULL: none */
	void		(*parse_arg)(struct cmdline *cl, const char *arg);
	int		(*fn)(struct cmdline *cl);
	opt_mask	need;		/* OPT_* that must be given */
	opt_mask	allow;		/* OPT_* that may be given */
	opt_mask	one_of;		/* at most one of these */
	const char	*args;		/* synopsis after the command */
	const char	*help;
};

struct cmdline {
	const struct l4_command	*cmd;
	opt_mask		opts;
	struct l4_svc		svc;
	struct l4_dest		dest;
	struct l4_timeouts	timeouts;
	struct l4_daemon	daemon;
	const char		*sched_flags_arg;
	bool			dest_port_given;
	int			lineno;		/* restore: input line, else 0 */
};

extern const struct l4_command l4_commands[];

/* cmdline.c */
int cmdline_parse(int argc, char **argv, struct cmdline *cl);
void usage_error(const struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void print_usage(FILE *f);

/* parse.c: option values; a bad one is a usage error */
void parse_start_daemon_arg(struct cmdline *cl, const char *arg);
void parse_stop_daemon_arg(struct cmdline *cl, const char *arg);
int parse_sched_flags(const char *sched, const char *arg, uint32_t *flags);
const char *sched_flag_name(const char *sched, int bit);

/* addr.c */
int parse_service_addr(const char *arg, uint16_t proto, union l4_addr *addr,
		       uint16_t *af, uint16_t *port, bool *port_given);
int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out);
void format_addrport(char *buf, size_t len, int af, const union l4_addr *a,
		     uint16_t port, uint16_t proto, bool numeric);
const char *proto_name(uint16_t proto);

/* nl.c: one request, replies fed to cb; returns 0 or -errno. */
typedef int (*nl_reply_cb)(const struct nlmsghdr *nlh, void *data);
int nl_open(void);
void nl_close(void);
struct nlmsghdr *nl_request(void *buf, uint8_t cmd, uint16_t flags);
int nl_talk(struct nlmsghdr *nlh, nl_reply_cb cb, void *data);
const char *nl_extack(void);

/* ipvs.c */
int ipvs_get_info(struct l4_info *info);
int ipvs_get_services(struct l4_svc **svcs, size_t *n);
int ipvs_get_service(const struct l4_svc *key, struct l4_svc *out);
int ipvs_get_dests(const struct l4_svc *svc, struct l4_dest **dests, size_t *n);
int ipvs_get_timeouts(struct l4_timeouts *t);
int ipvs_set_timeouts(const struct l4_timeouts *t);
int ipvs_svc_cmd(uint8_t cmd, const struct l4_svc *svc);
int ipvs_dest_cmd(uint8_t cmd, const struct l4_svc *svc,
		  const struct l4_dest *dest);
int ipvs_zero(const struct l4_svc *svc);	/* NULL: all */
int ipvs_flush(void);
int ipvs_daemon_cmd(uint8_t cmd, const struct l4_daemon *d);
int ipvs_get_daemons(struct l4_daemon **daemons, size_t *n);
void ipvs_sort_services(struct l4_svc *s, size_t n);
void ipvs_sort_dests(struct l4_dest *d, size_t n);
int report_error(int err, uint8_t cmd);
extern bool dry_run;		/* L4VSADM_DRY_RUN: print requests, send none */
extern int report_lineno;	/* restore: prefix errors with this line */

/* print.c */
#define FMT_NUMERIC	0x0001
#define FMT_RULE	0x0002
#define FMT_STATS	0x0004
#define FMT_RATE	0x0008
#define FMT_THRESHOLDS	0x0010
#define FMT_PERSISTCONN	0x0020
#define FMT_NOSORT	0x0040
#define FMT_EXACT	0x0080
#define FMT_TUN_INFO	0x0100
#define FMT_JSON	0x0200
int list_services(const struct l4_svc *only, unsigned int fmt);
int list_timeouts(unsigned int fmt);
int list_conns(unsigned int fmt);
int list_daemons(unsigned int fmt);
void sched_flags_str(const struct l4_svc *svc, char *buf, size_t len);
extern const char *const tun_names[];

/* json.c: a tiny streaming writer, enough for our flat schema. */
struct json;
struct json *json_new(FILE *f);
void json_free(struct json *j);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* save.c */
int save_rules(unsigned int fmt);
int restore_rules(FILE *in);

#endif /* L4VSADM_H */
