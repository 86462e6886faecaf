/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option table and what its handlers share with the command-line
 * driver (cmdline.c) and the value parsers (parse.c).  Private to those.
 */
#ifndef L4VSADM_OPTIONS_H
#define L4VSADM_OPTIONS_H

#include <stddef.h>
#include "l4vsadm.h"

/*
 * One command line being collected.  Some arguments can only be read once
 * the whole line is known (a real server's port name needs the service's
 * protocol), so their handlers keep the text here for cmdline.c.
 */
struct opt_ctx {
	struct cmdline	*cl;
	int		argc;
	char		**argv;
	const char	*svc;
	const char	*server;
	const char	*netmask;
	const char	*persist;
	int		svc_proto;	/* IPPROTO_*, or -1 for a fwmark */
};

/* Where an option appears in the help text. */
enum opt_section {
	SEC_HIDDEN,			/* accepted, not listed */
	SEC_SERVICE,
	SEC_OPTIONS,
	SEC_DAEMON,
};

struct l4_option;
typedef void (*opt_handler)(struct opt_ctx *ctx, const struct l4_option *o,
			    const char *arg);

struct l4_option {
	const char		*name;		/* long option */
	int			short_opt;	/* letter, or 0 */
	int			has_arg;	/* getopt's no/required/optional */
	opt_mask		bit;		/* OPT_* it sets, or 0 */
	bool			repeat;		/* may be given more than once */
	const char		*group;		/* the bit's name, if shared */
	opt_handler		parse;		/* NULL: the bit is all */
	/* handler parameters: a constant, or a number's field and range */
	long			val;
	size_t			off, size;	/* in struct cmdline */
	unsigned long		min, max;
	const char		*what;		/* the number in messages */
	/* help */
	enum opt_section	section;
	const char		*argname;
	const char		*help;		/* '\n' continues the line */
};

extern const struct l4_option l4_options[];	/* ends with a NULL name */

/* parse.c */
unsigned long parse_number(struct cmdline *cl, const char *arg,
			   unsigned long min, unsigned long max,
			   const char *what);
unsigned long parse_daemon_number(struct cmdline *cl, const char *arg,
				  unsigned long min, unsigned long max,
				  const char *what);
void parse_tun_type(struct cmdline *cl, const char *arg);
void parse_mcast_group(struct cmdline *cl, const char *arg);
void parse_sync_peers(struct cmdline *cl, const char *arg);

#endif /* L4VSADM_OPTIONS_H */
