// SPDX-License-Identifier: GPL-2.0
/*
 * Option values: numbers, names and addresses read from the command line.
 * A bad value is a usage error, in ipvsadm's words where ipvsadm has them
 * (scripts match on those).  Service and server addresses are in addr.c.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "options.h"

unsigned long parse_number(struct cmdline *cl, const char *arg,
			   unsigned long min, unsigned long max,
			   const char *what)
{
	unsigned long v;

	if (parse_uint(arg, min, max, &v))
		usage_error(cl, "illegal %s specified: '%s'", what, arg);
	return v;
}

/* The daemon options' numbers, refused in ipvsadm's words. */
unsigned long parse_daemon_number(struct cmdline *cl, const char *arg,
				  unsigned long min, unsigned long max,
				  const char *what)
{
	unsigned long v;

	if (parse_uint(arg, min, max, &v))
		usage_error(cl, "illegal %s specified", what);
	return v;
}

void parse_tun_type(struct cmdline *cl, const char *arg)
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

static bool parse_daemon_state(struct cmdline *cl, const char *arg)
{
	if (!strcmp(arg, "master"))
		cl->daemon.state = IP_VS_STATE_MASTER;
	else if (!strcmp(arg, "backup"))
		cl->daemon.state = IP_VS_STATE_BACKUP;
	else
		return false;
	return true;
}

/* The daemon's role; ipvsadm words the refusal differently for each. */
void parse_start_daemon_arg(struct cmdline *cl, const char *arg)
{
	if (!parse_daemon_state(cl, arg))
		usage_error(cl, "illegal start-daemon parameter specified");
}

void parse_stop_daemon_arg(struct cmdline *cl, const char *arg)
{
	if (!parse_daemon_state(cl, arg))
		usage_error(cl, "illegal start_daemon specified");
}

/*
 * A multicast group: IPv6 if it has a colon, else IPv4, and it must be a
 * multicast address.  No names, as in ipvsadm.
 */
void parse_mcast_group(struct cmdline *cl, const char *arg)
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
void parse_sync_peers(struct cmdline *cl, const char *arg)
{
	struct l4_daemon *d = &cl->daemon;
	char buf[INET6_ADDRSTRLEN + 1];
	const char *p = arg, *end;
	union l4_addr *a;
	size_t len;
	int af;

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

/* ---- scheduler flags ----------------------------------------------------- */

static const char *const generic_sched_flags[] = { "flag-1", "flag-2", "flag-3" };

/* IP_VS_SVC_F_SCHED1 << bit: sh and mh name their first two. */
const char *sched_flag_name(const char *sched, int bit)
{
	if (!strcmp(sched, "sh") && bit < 2)
		return bit ? "sh-port" : "sh-fallback";
	if (!strcmp(sched, "mh") && bit < 2)
		return bit ? "mh-port" : "mh-fallback";
	return generic_sched_flags[bit];
}

/* A comma-separated list; sh-* and mh-* only for their own scheduler. */
int parse_sched_flags(const char *sched, const char *arg, uint32_t *flags)
{
	char buf[128], *tok, *save = NULL;
	int bit;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (bit = 0; bit < 3; bit++)
			if (!strcmp(tok, sched_flag_name(sched, bit)) ||
			    !strcmp(tok, generic_sched_flags[bit]))
				break;
		if (bit == 3)
			return -1;
		*flags |= IP_VS_SVC_F_SCHED1 << bit;
	}
	return 0;
}
