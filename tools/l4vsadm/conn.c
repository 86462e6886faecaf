// SPDX-License-Identifier: GPL-2.0
/*
 * Connection listing (-Lc).  Like ipvsadm, read the kernel's text table in
 * /proc: IPv4 addresses there are hex words, IPv6 ones are in colon form.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "l4vsadm.h"

/* l4vs may expose its table under its own name when ip_vs is also loaded. */
static const char *const conn_files[] = {
	CONN_PROC_FILE,
	"/proc/net/l4vs_conn",
};

struct conn {
	char		proto[8];
	uint16_t	protocol;
	int		af;		/* client and virtual address */
	int		daf;		/* real server */
	union l4_addr	caddr, vaddr, daddr;
	unsigned short	cport, vport, dport;
	char		state[16];
	unsigned int	expires;
	char		pe_name[IP_VS_PENAME_MAXLEN + 1];
	char		pe_data[IP_VS_PEDATA_MAXLEN + 1];
	bool		has_pe;
};

/*
 * One address of a /proc line: IPv6 in colon form, IPv4 as a hex word (or
 * dotted, to be lenient).  Each address is read on its own because a
 * tunnelled real server may be of the other family than its client.
 */
static int parse_addr(const char *s, union l4_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, s, &a->in6) == 1)
		return AF_INET6;
	if (inet_pton(AF_INET, s, &a->in) != 1)
		a->in.s_addr = htonl(strtoul(s, NULL, 16));
	return AF_INET;
}

static int parse_conn(const char *line, struct conn *c)
{
	char a1[INET6_ADDRSTRLEN + 1], a2[INET6_ADDRSTRLEN + 1];
	char a3[INET6_ADDRSTRLEN + 1];
	int n;

	memset(c, 0, sizeof(*c));
	n = sscanf(line, "%7s %46s %hX %46s %hX %46s %hX %15s %u %16s %255s",
		   c->proto, a1, &c->cport, a2, &c->vport, a3, &c->dport,
		   c->state, &c->expires, c->pe_name, c->pe_data);
	if (n < 9)
		return -EINVAL;
	c->has_pe = n == 11;
	c->protocol = !strcmp(c->proto, "TCP") ? IPPROTO_TCP :
		      !strcmp(c->proto, "UDP") ? IPPROTO_UDP :
		      !strcmp(c->proto, "SCTP") ? IPPROTO_SCTP : 0;
	c->af = parse_addr(a1, &c->caddr);
	parse_addr(a2, &c->vaddr);
	c->daf = parse_addr(a3, &c->daddr);
	return 0;
}

static void print_conn_text(const struct conn *c, unsigned int fmt)
{
	char cn[64], vn[64], dn[64], exp[16];
	bool numeric = fmt & FMT_NUMERIC;

	format_addrport(cn, sizeof(cn), c->af, &c->caddr, c->cport,
			c->protocol, numeric);
	format_addrport(vn, sizeof(vn), c->af, &c->vaddr, c->vport,
			c->protocol, numeric);
	format_addrport(dn, sizeof(dn), c->daf, &c->daddr, c->dport,
			c->protocol, numeric);
	snprintf(exp, sizeof(exp), "%02u:%02u", c->expires / 60,
		 c->expires % 60);
	if ((fmt & FMT_PERSISTCONN) && c->has_pe)
		printf("%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s\n",
		       c->proto, exp, c->state, cn, vn, dn, c->pe_name,
		       c->pe_data);
	else
		printf("%-3s %-6s %-11s %-18s %-18s %s\n", c->proto, exp,
		       c->state, cn, vn, dn);
}

static void json_endpoint(struct json *j, const char *key, int af,
			  const union l4_addr *a, unsigned int port)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, a, buf, sizeof(buf));
	json_obj_open(j, key);
	json_str(j, "family", af == AF_INET6 ? "inet6" : "inet");
	json_str(j, "address", buf);
	json_u64(j, "port", port);
	json_obj_close(j);
}

static void print_conn_json(struct json *j, const struct conn *c)
{
	const char *p = proto_name(c->protocol);

	json_obj_open(j, NULL);
	json_str(j, "protocol", p ? p : c->proto);
	json_str(j, "state", c->state);
	json_u64(j, "expires", c->expires);
	json_endpoint(j, "client", c->af, &c->caddr, c->cport);
	json_endpoint(j, "virtual", c->af, &c->vaddr, c->vport);
	json_endpoint(j, "destination", c->daf, &c->daddr, c->dport);
	if (c->has_pe) {
		json_str(j, "pe_name", c->pe_name);
		json_str(j, "pe_data", c->pe_data);
	}
	json_obj_close(j);
}

static FILE *open_conn_file(void)
{
	const char *env = getenv("L4VSADM_CONN_FILE");
	FILE *f;
	size_t i;

	if (env)
		return fopen(env, "r");
	for (i = 0; i < sizeof(conn_files) / sizeof(conn_files[0]); i++) {
		f = fopen(conn_files[i], "r");
		if (f)
			return f;
	}
	return NULL;
}

int list_conns(unsigned int fmt)
{
	struct json *j = NULL;
	char line[512];
	struct conn c;
	FILE *f;

	f = open_conn_file();
	if (!f) {
		fprintf(stderr, PROG_NAME ": cannot open file %s: %s\n",
			CONN_PROC_FILE, strerror(errno));
		return EXIT_ERR;
	}
	/* the first line is the kernel's column header */
	if (!fgets(line, sizeof(line), f)) {
		fprintf(stderr, PROG_NAME ": unexpected input from %s\n",
			CONN_PROC_FILE);
		fclose(f);
		return EXIT_ERR;
	}
	if (fmt & FMT_JSON) {
		j = json_new(stdout);
		if (!j) {
			fclose(f);
			return report_error(-ENOMEM, 0);
		}
		json_obj_open(j, NULL);
		json_arr_open(j, "connections");
	} else {
		printf("IPVS connection entries\n");
		if (fmt & FMT_PERSISTCONN)
			printf("pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
			       "state", "source", "virtual", "destination",
			       "pe name", "pe_data");
		else
			printf("pro expire %-11s %-18s %-18s %s\n", "state",
			       "source", "virtual", "destination");
	}
	while (fgets(line, sizeof(line), f)) {
		if (parse_conn(line, &c))
			continue;
		if (j)
			print_conn_json(j, &c);
		else
			print_conn_text(&c, fmt);
	}
	fclose(f);
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
		json_free(j);
	}
	return 0;
}
