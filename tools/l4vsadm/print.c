// SPDX-License-Identifier: GPL-2.0
/*
 * Service tables.  The text layout is ipvsadm 1.31's, column for column:
 * people and scripts read these tables, so they must not notice the switch.
 * -j prints the same data as JSON (see l4vsadm.8 for the schema).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "l4vsadm.h"

const char *const tun_names[] = { "ipip", "gue", "gre" };
/* ipvsadm's short forms in --tun-info; JSON spells them out */
static const char *const tun_csum_short[] = { "-c", "+c", "r+c" };
static const char *const tun_csum_names[] = { "nocsum", "csum", "remcsum" };

/* ---- scheduler flags ----------------------------------------------------- */

void sched_flags_str(const struct l4_svc *svc, char *buf, size_t len)
{
	size_t used = 0;
	int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 3; bit++) {
		if (!(svc->flags & (IP_VS_SVC_F_SCHED1 << bit)))
			continue;
		used += snprintf(buf + used, len > used ? len - used : 0, "%s%s",
				 used ? "," : "", sched_flag_name(svc->sched, bit));
	}
}

/* ---- text ---------------------------------------------------------------- */

static void print_largenum(uint64_t v, unsigned int fmt)
{
	unsigned long long i = v;
	char tmp[32];
	int len;

	if (fmt & FMT_EXACT) {
		len = snprintf(tmp, sizeof(tmp), "%llu", i);
		printf("%*llu", len <= 8 ? 9 : len + 1, i);
	} else if (i < 100000000ULL) {
		printf("%9llu", i);
	} else if (i < 1000000000ULL) {
		printf("%8lluK", i / 1000);
	} else if (i < 100000000000ULL) {
		printf("%8lluM", i / 1000000);
	} else if (i < 100000000000000ULL) {
		printf("%8lluG", i / 1000000000ULL);
	} else {
		printf("%8lluT", i / 1000000000000ULL);
	}
}

static void print_title(unsigned int fmt)
{
	static const char *const stats[] = {
		"Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" };
	static const char *const rates[] = {
		"CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" };
	const char *const *cols = fmt & FMT_STATS ? stats : rates;

	if (fmt & (FMT_STATS | FMT_RATE))
		printf("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
		       "Prot LocalAddress:Port", cols[0], cols[1], cols[2],
		       cols[3], cols[4]);
	else if (fmt & FMT_THRESHOLDS)
		printf("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
		       "Prot LocalAddress:Port", "Uthreshold", "Lthreshold",
		       "ActiveConn", "InActConn");
	else if (fmt & FMT_PERSISTCONN)
		printf("%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
		       "Prot LocalAddress:Port", "Weight", "PersistConn",
		       "ActiveConn", "InActConn");
	else if (fmt & FMT_TUN_INFO)
		printf("Prot LocalAddress:Port Scheduler Flags\n"
		       "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
	else
		printf("Prot LocalAddress:Port Scheduler Flags\n"
		       "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
}

static const char *fwd_name(uint32_t fwd)
{
	switch (fwd & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		return "Masq";
	case IP_VS_CONN_F_LOCALNODE:
		return "Local";
	case IP_VS_CONN_F_TUNNEL:
		return "Tunnel";
	case IP_VS_CONN_F_DROUTE:
		return "Route";
	}
	return "(null)";
}

static void tun_info(const struct l4_dest *d, char *buf, size_t len)
{
	const char *csum = d->tun_flags < 3 ? tun_csum_short[d->tun_flags] : "?";

	snprintf(buf, len, "n/a");
	if ((d->fwd & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
		return;
	switch (d->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
		snprintf(buf, len, "%s", tun_names[d->tun_type]);
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		snprintf(buf, len, "%s:%d:%s", tun_names[d->tun_type],
			 d->tun_port, csum);
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		snprintf(buf, len, "%s:%s", tun_names[d->tun_type], csum);
		break;
	}
}

/* "TCP  10.0.0.1:80", cut to the 33 columns ipvsadm allows for IPv4. */
static void svc_label(const struct l4_svc *s, unsigned int fmt, char *buf,
		      size_t len)
{
	char addr[64];
	const char *p;

	if (s->fwmark) {
		snprintf(buf, len, s->af == AF_INET6 ? "FWM  %u IPv6" : "FWM  %u",
			 s->fwmark);
		return;
	}
	format_addrport(addr, sizeof(addr), s->af, &s->addr, s->port,
			s->protocol, fmt & FMT_NUMERIC);
	p = s->protocol == IPPROTO_TCP ? "TCP" :
	    s->protocol == IPPROTO_UDP ? "UDP" : "SCTP";
	snprintf(buf, len, "%-4s %s", p, addr);
	if (s->af != AF_INET6 && len > 33)
		buf[33] = '\0';
}

static void print_svc_text(const struct l4_svc *s, unsigned int fmt)
{
	char label[128], flags[64];
	const struct l4_stats *st = &s->stats;

	svc_label(s, fmt, label, sizeof(label));
	if (fmt & (FMT_STATS | FMT_RATE)) {
		bool r = fmt & FMT_STATS ? false : true;

		printf("%-33s", label);
		print_largenum(r ? st->cps : st->conns, fmt);
		print_largenum(r ? st->inpps : st->inpkts, fmt);
		print_largenum(r ? st->outpps : st->outpkts, fmt);
		print_largenum(r ? st->inbps : st->inbytes, fmt);
		print_largenum(r ? st->outbps : st->outbytes, fmt);
		putchar('\n');
		return;
	}
	printf("%s %s", label, s->sched);
	sched_flags_str(s, flags, sizeof(flags));
	if (flags[0])
		printf(" (%s)", flags);
	if (s->flags & IP_VS_SVC_F_PERSISTENT) {
		printf(" persistent %u", s->timeout);
		if (s->af == AF_INET && s->netmask != 0xffffffff)
			printf(" mask %s",
			       inet_ntoa((struct in_addr){ s->netmask }));
		if (s->af == AF_INET6 && s->netmask != 128)
			printf(" mask %i", (int)s->netmask);
		if (s->pe[0])
			printf(" pe %s", s->pe);
	}
	if (s->flags & IP_VS_SVC_F_ONEPACKET)
		printf(" ops");
	putchar('\n');
}

static void print_dest_text(const struct l4_svc *s, const struct l4_dest *d,
			    unsigned int fmt)
{
	const struct l4_stats *st = &d->stats;
	char name[64], ti[32];

	format_addrport(name, sizeof(name), d->af, &d->addr, d->port,
			s->protocol, fmt & FMT_NUMERIC);
	if (d->af != AF_INET6)
		name[28] = '\0';

	if (fmt & FMT_STATS) {
		printf("  -> %-28s", name);
		print_largenum(st->conns, fmt);
		print_largenum(st->inpkts, fmt);
		print_largenum(st->outpkts, fmt);
		print_largenum(st->inbytes, fmt);
		print_largenum(st->outbytes, fmt);
		putchar('\n');
	} else if (fmt & FMT_RATE) {
		printf("  -> %-28s %8llu %8llu %8llu", name,
		       (unsigned long long)st->cps,
		       (unsigned long long)st->inpps,
		       (unsigned long long)st->outpps);
		print_largenum(st->inbps, fmt);
		print_largenum(st->outbps, fmt);
		putchar('\n');
	} else if (fmt & FMT_THRESHOLDS) {
		printf("  -> %-28s %-10u %-10u %-10u %-10u\n", name,
		       d->u_thresh, d->l_thresh, d->activeconns, d->inactconns);
	} else if (fmt & FMT_PERSISTCONN) {
		printf("  -> %-28s %-9u %-11u %-10u %-10u\n", name,
		       (unsigned int)d->weight, d->persistconns, d->activeconns,
		       d->inactconns);
	} else if (fmt & FMT_TUN_INFO) {
		tun_info(d, ti, sizeof(ti));
		printf("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", name,
		       fwd_name(d->fwd), ti, d->weight, d->activeconns,
		       d->inactconns);
	} else {
		printf("  -> %-28s %-7s %-6d %-10u %-10u\n", name,
		       fwd_name(d->fwd), d->weight, d->activeconns,
		       d->inactconns);
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *family_name(int af)
{
	return af == AF_INET6 ? "inet6" : "inet";
}

static void json_stats(struct json *j, const struct l4_stats *st,
		       unsigned int fmt)
{
	if (fmt & FMT_STATS) {
		json_obj_open(j, "stats");
		json_u64(j, "conns", st->conns);
		json_u64(j, "inpkts", st->inpkts);
		json_u64(j, "outpkts", st->outpkts);
		json_u64(j, "inbytes", st->inbytes);
		json_u64(j, "outbytes", st->outbytes);
		json_obj_close(j);
	}
	if (fmt & FMT_RATE) {
		json_obj_open(j, "rates");
		json_u64(j, "cps", st->cps);
		json_u64(j, "inpps", st->inpps);
		json_u64(j, "outpps", st->outpps);
		json_u64(j, "inbps", st->inbps);
		json_u64(j, "outbps", st->outbps);
		json_obj_close(j);
	}
}

static void json_addr(struct json *j, const char *key, int af,
		      const union l4_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, a, buf, sizeof(buf));
	json_str(j, key, buf);
}

static void json_dest(struct json *j, const struct l4_dest *d,
		      unsigned int fmt)
{
	static const char *const fwd[] = { "masq", "local", "tunnel", "route" };
	uint32_t f = d->fwd & IP_VS_CONN_F_FWD_MASK;

	json_obj_open(j, NULL);
	json_str(j, "family", family_name(d->af));
	json_addr(j, "address", d->af, &d->addr);
	json_u64(j, "port", d->port);
	json_str(j, "forward", f < 4 ? fwd[f] : "unknown");
	json_int(j, "weight", d->weight);
	json_u64(j, "u_threshold", d->u_thresh);
	json_u64(j, "l_threshold", d->l_thresh);
	json_u64(j, "active_conns", d->activeconns);
	json_u64(j, "inactive_conns", d->inactconns);
	json_u64(j, "persist_conns", d->persistconns);
	if (f == IP_VS_CONN_F_TUNNEL) {
		json_obj_open(j, "tunnel");
		json_str(j, "type", d->tun_type < IP_VS_CONN_F_TUNNEL_TYPE_MAX ?
			 tun_names[d->tun_type] : "unknown");
		if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
			json_u64(j, "port", d->tun_port);
		if (d->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
			json_str(j, "csum", d->tun_flags < 3 ?
				 tun_csum_names[d->tun_flags] : "unknown");
		json_obj_close(j);
	}
	json_stats(j, &d->stats, fmt);
	json_obj_close(j);
}

static void json_svc(struct json *j, const struct l4_svc *s,
		     const struct l4_dest *d, size_t nd, unsigned int fmt)
{
	char flags[64], *tok, *save = NULL;
	size_t i;

	json_obj_open(j, NULL);
	json_str(j, "family", family_name(s->af));
	if (s->fwmark) {
		json_u64(j, "fwmark", s->fwmark);
	} else {
		json_str(j, "protocol", proto_name(s->protocol) ?: "unknown");
		json_addr(j, "address", s->af, &s->addr);
		json_u64(j, "port", s->port);
	}
	json_str(j, "scheduler", s->sched);
	json_arr_open(j, "sched_flags");
	sched_flags_str(s, flags, sizeof(flags));
	for (tok = strtok_r(flags, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_str(j, NULL, tok);
	json_arr_close(j);
	if (s->flags & IP_VS_SVC_F_PERSISTENT) {
		json_obj_open(j, "persistence");
		json_u64(j, "timeout", s->timeout);
		if (s->af == AF_INET6)
			json_u64(j, "prefix_len", s->netmask);
		else
			json_str(j, "netmask",
				 inet_ntoa((struct in_addr){ s->netmask }));
		if (s->pe[0])
			json_str(j, "pe", s->pe);
		json_obj_close(j);
	} else {
		json_null(j, "persistence");
	}
	json_bool(j, "one_packet", s->flags & IP_VS_SVC_F_ONEPACKET);
	/* all IP_VS_SVC_F_* bits as the kernel reported them, HASHED too */
	json_u64(j, "flags", s->flags);
	json_stats(j, &s->stats, fmt);
	json_arr_open(j, "dests");
	for (i = 0; i < nd; i++)
		json_dest(j, &d[i], fmt);
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- listing ------------------------------------------------------------- */

int list_services(const struct l4_svc *only, unsigned int fmt)
{
	struct l4_svc *svcs = NULL;
	struct json *j = NULL;
	struct l4_info info;
	char ver[16];
	size_t n = 0, i;
	int err, ret = 0;

	err = ipvs_get_info(&info);
	if (err)
		return report_error(err, IPVS_CMD_GET_INFO);
	if (only) {
		svcs = malloc(sizeof(*svcs));
		if (!svcs)
			return report_error(-ENOMEM, 0);
		err = ipvs_get_service(only, svcs);
		n = 1;
	} else {
		err = ipvs_get_services(&svcs, &n);
	}
	if (err) {
		free(svcs);
		return report_error(err, IPVS_CMD_GET_SERVICE);
	}
	if (!(fmt & FMT_NOSORT))
		ipvs_sort_services(svcs, n);

	if (fmt & FMT_JSON) {
		j = json_new(stdout);
		if (!j) {
			free(svcs);
			return report_error(-ENOMEM, 0);
		}
		snprintf(ver, sizeof(ver), "%d.%d.%d", NVERSION(info.version));
		json_obj_open(j, NULL);
		json_str(j, "version", ver);
		json_u64(j, "conn_tab_size", info.conn_tab_size);
		json_arr_open(j, "services");
	} else {
		/* ipvsadm prints the version line only for the whole table */
		if (!only)
			printf("IP Virtual Server version %d.%d.%d (size=%u)\n",
			       NVERSION(info.version), info.conn_tab_size);
		print_title(fmt);
	}
	for (i = 0; i < n; i++) {
		struct l4_dest *d = NULL;
		size_t nd = 0, k;

		err = ipvs_get_dests(&svcs[i], &d, &nd);
		if (err) {
			ret = report_error(err, IPVS_CMD_GET_DEST);
			break;
		}
		if (!(fmt & FMT_NOSORT))
			ipvs_sort_dests(d, nd);
		if (j) {
			json_svc(j, &svcs[i], d, nd, fmt);
		} else {
			print_svc_text(&svcs[i], fmt);
			for (k = 0; k < nd; k++)
				print_dest_text(&svcs[i], &d[k], fmt);
		}
		free(d);
	}
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
		json_free(j);
	}
	free(svcs);
	return ret;
}

int list_timeouts(unsigned int fmt)
{
	struct l4_timeouts t;
	struct json *j;
	int err = ipvs_get_timeouts(&t);

	if (err)
		return report_error(err, IPVS_CMD_GET_CONFIG);
	if (!(fmt & FMT_JSON)) {
		printf("Timeout (tcp tcpfin udp): %d %d %d\n", (int)t.tcp,
		       (int)t.tcp_fin, (int)t.udp);
		return 0;
	}
	j = json_new(stdout);
	if (!j)
		return report_error(-ENOMEM, 0);
	json_obj_open(j, NULL);
	json_obj_open(j, "timeouts");
	json_u64(j, "tcp", t.tcp);
	json_u64(j, "tcp_fin", t.tcp_fin);
	json_u64(j, "udp", t.udp);
	json_obj_close(j);
	json_obj_close(j);
	json_free(j);
	return 0;
}

/* ---- sync daemons -------------------------------------------------------- */

static const char *daemon_role(uint32_t state)
{
	if (state & IP_VS_STATE_MASTER)
		return "master";
	if (state & IP_VS_STATE_BACKUP)
		return "backup";
	return NULL;
}

static void print_daemon_text(const struct l4_daemon *d)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	printf("%s sync daemon (mcast=%s, syncid=%u", daemon_role(d->state),
	       d->mcast_ifn, d->syncid);
	/* what older kernels do not report is left out, not shown as 0 */
	if (d->sync_maxlen)
		printf(", maxlen=%u", d->sync_maxlen);
	if (d->mcast_af && inet_ntop(d->mcast_af, &d->mcast_group, buf,
				     sizeof(buf)))
		printf(", group=%s", buf);
	if (d->mcast_port)
		printf(", port=%u", d->mcast_port);
	if (d->mcast_ttl)
		printf(", ttl=%u", d->mcast_ttl);
	/* l4vs only, and only when set: otherwise ipvsadm's line */
	for (i = 0; i < d->nr_peers; i++)
		if (inet_ntop(d->peer_af, &d->peers[i], buf, sizeof(buf)))
			printf("%s%s", i ? "," : ", peers=", buf);
	printf(")\n");
}

static void json_daemon(struct json *j, const struct l4_daemon *d)
{
	json_obj_open(j, NULL);
	json_str(j, "state", daemon_role(d->state));
	json_str(j, "mcast_interface", d->mcast_ifn);
	json_u64(j, "syncid", d->syncid);
	if (d->sync_maxlen)
		json_u64(j, "sync_maxlen", d->sync_maxlen);
	if (d->mcast_af) {
		json_str(j, "mcast_family", family_name(d->mcast_af));
		json_addr(j, "mcast_group", d->mcast_af, &d->mcast_group);
	}
	if (d->mcast_port)
		json_u64(j, "mcast_port", d->mcast_port);
	if (d->mcast_ttl)
		json_u64(j, "mcast_ttl", d->mcast_ttl);
	if (d->nr_peers) {
		unsigned int i;

		json_arr_open(j, "sync_peers");
		for (i = 0; i < d->nr_peers; i++)
			json_addr(j, NULL, d->peer_af, &d->peers[i]);
		json_arr_close(j);
	}
	json_obj_close(j);
}

/* -L --daemon: the master first, then the backup, as ipvsadm lists them. */
int list_daemons(unsigned int fmt)
{
	static const uint32_t order[] = { IP_VS_STATE_MASTER, IP_VS_STATE_BACKUP };
	struct l4_daemon *d = NULL;
	struct json *j = NULL;
	size_t n = 0, i, k;
	int err;

	err = ipvs_get_daemons(&d, &n);
	if (err)
		return report_error(err, IPVS_CMD_GET_DAEMON);
	if (fmt & FMT_JSON) {
		j = json_new(stdout);
		if (!j) {
			free(d);
			return report_error(-ENOMEM, 0);
		}
		json_obj_open(j, NULL);
		json_arr_open(j, "daemons");
	}
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = 0; i < n; i++) {
			/* a state with both bits counts as a master */
			if (!daemon_role(d[i].state) ||
			    strcmp(daemon_role(d[i].state),
				   daemon_role(order[k])))
				continue;
			if (j)
				json_daemon(j, &d[i]);
			else
				print_daemon_text(&d[i]);
		}
	}
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
		json_free(j);
	}
	free(d);
	return 0;
}
