// SPDX-License-Identifier: GPL-2.0
/*
 * Save (-S) and restore (-R) in ipvsadm's rule format, so a file written by
 * either tool loads into the other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "l4vsadm.h"

#define MAX_LINE	1024
#define MAX_WORDS	64

static void svc_rule(const struct l4_svc *s, unsigned int fmt, char *buf,
		     size_t len)
{
	char addr[64];
	const char *opt;

	if (s->fwmark) {
		snprintf(buf, len, s->af == AF_INET6 ? "-f %u -6" : "-f %u",
			 s->fwmark);
		return;
	}
	format_addrport(addr, sizeof(addr), s->af, &s->addr, s->port,
			s->protocol, fmt & FMT_NUMERIC);
	opt = s->protocol == IPPROTO_TCP ? "-t" :
	      s->protocol == IPPROTO_UDP ? "-u" : "--sctp-service";
	snprintf(buf, len, "%s %s", opt, addr);
}

static void save_svc(const struct l4_svc *s, const char *name)
{
	char flags[64];

	printf("-A %s -s %s", name, s->sched);
	if (s->flags & IP_VS_SVC_F_PERSISTENT) {
		printf(" -p %u", s->timeout);
		if (s->af == AF_INET && s->netmask != 0xffffffff)
			printf(" -M %s",
			       inet_ntoa((struct in_addr){ s->netmask }));
		if (s->af == AF_INET6 && s->netmask != 128)
			printf(" -M %i", (int)s->netmask);
	}
	if (s->pe[0])
		printf(" --pe %s", s->pe);
	if (s->flags & IP_VS_SVC_F_ONEPACKET)
		printf(" -o");
	sched_flags_str(s, flags, sizeof(flags));
	if (flags[0])
		printf(" -b %s", flags);
	putchar('\n');
}

static void save_dest(const struct l4_svc *s, const char *name,
		      const struct l4_dest *d, unsigned int fmt)
{
	static const char *const csum[] = {
		"--tun-nocsum", "--tun-csum", "--tun-remcsum" };
	const char *cs = d->tun_flags < 3 ? csum[d->tun_flags] : "";
	const char *sw;
	char dn[64];

	format_addrport(dn, sizeof(dn), d->af, &d->addr, d->port, s->protocol,
			fmt & FMT_NUMERIC);
	switch (d->fwd & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		sw = "-m";
		break;
	case IP_VS_CONN_F_TUNNEL:
		sw = "-i";
		break;
	default:	/* local node is saved as DR, as ipvsadm does */
		sw = "-g";
		break;
	}
	printf("-a %s -r %s %s -w %d", name, dn, sw, d->weight);
	if ((d->fwd & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL) {
		switch (d->tun_type) {
		case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
			printf(" --tun-type %s", tun_names[d->tun_type]);
			break;
		case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
			printf(" --tun-type %s --tun-port %d %s",
			       tun_names[d->tun_type], d->tun_port, cs);
			break;
		case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
			printf(" --tun-type %s %s", tun_names[d->tun_type], cs);
			break;
		}
	}
	putchar('\n');
}

int save_rules(unsigned int fmt)
{
	struct l4_svc *svcs;
	size_t n, i, k;
	int err;

	err = ipvs_get_services(&svcs, &n);
	if (err)
		return report_error(err, IPVS_CMD_GET_SERVICE);
	ipvs_sort_services(svcs, n);
	for (i = 0; i < n; i++) {
		struct l4_dest *d;
		size_t nd;
		char name[96];

		err = ipvs_get_dests(&svcs[i], &d, &nd);
		if (err) {
			free(svcs);
			return report_error(err, IPVS_CMD_GET_DEST);
		}
		ipvs_sort_dests(d, nd);
		svc_rule(&svcs[i], fmt, name, sizeof(name));
		save_svc(&svcs[i], name);
		for (k = 0; k < nd; k++)
			save_dest(&svcs[i], name, &d[k], fmt);
		free(d);
	}
	free(svcs);
	return 0;
}

/* ---- restore ------------------------------------------------------------- */

struct rule {
	struct cmdline	cl;
};

static int split(char *line, char **argv, int max)
{
	static char prog[] = PROG_NAME;
	int argc = 1;	/* argv[0] is the program name */
	char *tok, *save = NULL;

	argv[0] = prog;
	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == max - 1)
			return -E2BIG;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * Every line is parsed before the first one is applied: a typo on line 40
 * must not leave the table half restored.
 */
int restore_rules(FILE *in)
{
	struct rule *rules = NULL;
	char line[MAX_LINE];
	char *argv[MAX_WORDS];
	size_t n = 0, cap = 0, i;
	int lineno = 0, argc, ret = 0;

	while (fgets(line, sizeof(line), in)) {
		struct cmdline *cl;
		char *p = line + strspn(line, " \t");

		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			fprintf(stderr, PROG_NAME ": line %d: line too long\n",
				lineno);
			free(rules);
			return EXIT_USAGE;
		}
		if (*p == '#')
			continue;
		argc = split(line, argv, MAX_WORDS);
		if (argc < 0) {
			fprintf(stderr, PROG_NAME ": line %d: too many words\n",
				lineno);
			free(rules);
			return EXIT_USAGE;
		}
		if (argc < 2)
			continue;
		if (n == cap) {
			struct rule *r;

			cap = cap ? 2 * cap : 64;
			r = realloc(rules, cap * sizeof(*r));
			if (!r) {
				free(rules);
				return report_error(-ENOMEM, 0);
			}
			rules = r;
		}
		cl = &rules[n++].cl;
		cl->lineno = lineno;
		/* exits with a usage error, before anything was changed */
		cmdline_parse(argc, argv, cl);
		if (cl->cmd->short_opt == 'R')
			usage_error(cl, "-R is not allowed inside a restore file");
	}
	for (i = 0; i < n && !ret; i++) {
		report_lineno = rules[i].cl.lineno;
		ret = rules[i].cl.cmd->fn(&rules[i].cl);
	}
	report_lineno = 0;
	free(rules);
	return ret;
}
