// SPDX-License-Identifier: GPL-2.0
/*
 * IPVS requests and replies: build the nested service/destination
 * attributes ipvsadm sends and parse what the kernel dumps back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include "l4vsadm.h"

#define REQ_BUFSZ	4096

/* ---- requests ---------------------------------------------------------- */

/* Enough of a service to name it (what GET_DEST and ZERO need). */
static void put_svc_key(struct nlmsghdr *nlh, const struct l4_svc *svc)
{
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, svc->af);
	if (svc->fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, svc->fwmark);
	} else {
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, svc->protocol);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, sizeof(svc->addr),
			     &svc->addr);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(svc->port));
	}
}

static void put_svc(struct nlmsghdr *nlh, const struct l4_svc *svc, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);

	put_svc_key(nlh, svc);
	if (full) {
		/* All flags are ours to set: the mask covers every bit. */
		struct ip_vs_flags fl = { .flags = svc->flags, .mask = ~0U };

		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, svc->sched);
		if (svc->pe[0])
			mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_PE_NAME, svc->pe);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, svc->timeout);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, svc->netmask);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_dest(struct nlmsghdr *nlh, const struct l4_dest *d)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);

	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, d->af);
	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, sizeof(d->addr), &d->addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(d->port));
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD,
			 d->fwd & IP_VS_CONN_F_FWD_MASK);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, d->weight);
	mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, htons(d->tun_port));
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, d->u_thresh);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, d->l_thresh);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * L4VSADM_DRY_RUN=1: print each change request instead of sending it, so
 * that the parser can be tested on a machine without IPVS.
 */
bool dry_run;

static void dry_addr(const char *key, int af, const union l4_addr *a,
		     uint16_t port)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, a, buf, sizeof(buf));
	printf(" %s=%s%s%s:%u", key, af == AF_INET6 ? "[" : "", buf,
	       af == AF_INET6 ? "]" : "", port);
}

static int dry(uint8_t cmd, const struct l4_svc *s, const struct l4_dest *d)
{
	printf("cmd=%u", cmd);
	if (s) {
		if (s->fwmark)
			printf(" af=%u fwmark=%u", s->af, s->fwmark);
		else
			printf(" af=%u proto=%u", s->af, s->protocol),
			dry_addr("vip", s->af, &s->addr, s->port);
		printf(" sched=%s flags=0x%x timeout=%u netmask=0x%08x",
		       s->sched, s->flags, s->timeout,
		       s->af == AF_INET6 ? s->netmask : ntohl(s->netmask));
	}
	if (d) {
		dry_addr("rip", d->af, &d->addr, d->port);
		printf(" fwd=%u weight=%d x=%u y=%u tun=%u/%u/%u", d->fwd,
		       d->weight, d->u_thresh, d->l_thresh, d->tun_type,
		       d->tun_port, d->tun_flags);
	}
	putchar('\n');
	return 0;
}

int ipvs_svc_cmd(uint8_t cmd, const struct l4_svc *svc)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh;

	if (dry_run)
		return dry(cmd, svc, NULL);
	nlh = nl_request(buf, cmd, 0);
	put_svc(nlh, svc, cmd != IPVS_CMD_DEL_SERVICE);
	return nl_talk(nlh, NULL, NULL);
}

int ipvs_dest_cmd(uint8_t cmd, const struct l4_svc *svc,
		  const struct l4_dest *dest)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh;

	if (dry_run)
		return dry(cmd, svc, dest);
	nlh = nl_request(buf, cmd, 0);
	put_svc(nlh, svc, false);
	put_dest(nlh, dest);
	return nl_talk(nlh, NULL, NULL);
}

int ipvs_zero(const struct l4_svc *svc)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh;

	if (dry_run)
		return dry(IPVS_CMD_ZERO, svc, NULL);
	nlh = nl_request(buf, IPVS_CMD_ZERO, 0);
	if (svc)
		put_svc(nlh, svc, false);
	return nl_talk(nlh, NULL, NULL);
}

int ipvs_flush(void)
{
	char buf[REQ_BUFSZ];

	if (dry_run)
		return dry(IPVS_CMD_FLUSH, NULL, NULL);
	return nl_talk(nl_request(buf, IPVS_CMD_FLUSH, 0), NULL, NULL);
}

int ipvs_set_timeouts(const struct l4_timeouts *t)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh;

	if (dry_run) {
		printf("cmd=%u tcp=%u tcpfin=%u udp=%u\n", IPVS_CMD_SET_CONFIG,
		       t->tcp, t->tcp_fin, t->udp);
		return 0;
	}
	nlh = nl_request(buf, IPVS_CMD_SET_CONFIG, 0);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, t->tcp);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t->tcp_fin);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP, t->udp);
	return nl_talk(nlh, NULL, NULL);
}

/*
 * Sync daemons.  A start sends what was given (the kernel has defaults for
 * the rest); a stop names only the state, with an empty interface and the
 * syncid, the same attributes ipvsadm sends.
 */
static void dry_daemon(uint8_t cmd, const struct l4_daemon *d)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	printf("cmd=%u state=%u ifn=%s syncid=%u", cmd, d->state, d->mcast_ifn,
	       d->syncid);
	if (d->sync_maxlen)
		printf(" maxlen=%u", d->sync_maxlen);
	if (d->mcast_af) {
		inet_ntop(d->mcast_af, &d->mcast_group, buf, sizeof(buf));
		printf(" group=%s", buf);
	}
	if (d->mcast_port)
		printf(" port=%u", d->mcast_port);
	if (d->mcast_ttl)
		printf(" ttl=%u", d->mcast_ttl);
	for (i = 0; i < d->nr_peers; i++) {
		inet_ntop(d->peer_af, &d->peers[i], buf, sizeof(buf));
		printf("%s%s", i ? "," : " peers=", buf);
	}
	putchar('\n');
}

int ipvs_daemon_cmd(uint8_t cmd, const struct l4_daemon *d)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	bool start = cmd == IPVS_CMD_NEW_DAEMON;

	if (dry_run) {
		dry_daemon(cmd, d);
		return 0;
	}
	nlh = nl_request(buf, cmd, 0);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);
	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE, d->state);
	mnl_attr_put_strz(nlh, IPVS_DAEMON_ATTR_MCAST_IFN,
			  start ? d->mcast_ifn : "");
	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid);
	if (start && d->sync_maxlen)
		mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_SYNC_MAXLEN,
				 d->sync_maxlen);
	if (start && d->mcast_af == AF_INET)
		mnl_attr_put(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP,
			     sizeof(d->mcast_group.in), &d->mcast_group.in);
	if (start && d->mcast_af == AF_INET6)
		mnl_attr_put(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP6,
			     sizeof(d->mcast_group.in6), &d->mcast_group.in6);
	/* the port is in host order on the wire, unlike service ports */
	if (start && d->mcast_port)
		mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_MCAST_PORT,
				 d->mcast_port);
	if (start && d->mcast_ttl)
		mnl_attr_put_u8(nlh, IPVS_DAEMON_ATTR_MCAST_TTL, d->mcast_ttl);
	/* l4vs only: the masters a backup listens to */
	if (start && d->nr_peers) {
		size_t alen = d->peer_af == AF_INET6 ? sizeof(struct in6_addr) :
						      sizeof(struct in_addr);
		uint8_t peers[L4_SYNC_PEERS_MAX * sizeof(struct in6_addr)];
		unsigned int i;

		for (i = 0; i < d->nr_peers; i++)
			memcpy(peers + i * alen, &d->peers[i], alen);
		mnl_attr_put(nlh, L4VS_DAEMON_ATTR_SYNC_PEERS,
			     d->nr_peers * alen, peers);
	}
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(nlh, NULL, NULL);
}

/* ---- replies ----------------------------------------------------------- */

/* up to L4VS_DAEMON_ATTR_SYNC_PEERS, the highest type read */
#define ATTRS_MAX	(L4VS_DAEMON_ATTR_SYNC_PEERS + 1)

struct attrs {
	const struct nlattr	*tb[ATTRS_MAX];
};

static int table_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type < ATTRS_MAX)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_nested(const struct nlattr *nest, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	mnl_attr_parse_nested(nest, table_cb, a);
}

static void parse_top(const struct nlmsghdr *nlh, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_cb, a);
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static uint16_t get_u16(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 2 ? mnl_attr_get_u16(a) : 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 8 ? mnl_attr_get_u64(a) : 0;
}

/* Prefer the 64-bit counters; older kernels only have the 32-bit set. */
static void parse_stats(const struct nlattr *s32, const struct nlattr *s64,
			struct l4_stats *st)
{
	static const uint8_t ids[] = {
		IPVS_STATS_ATTR_CONNS, IPVS_STATS_ATTR_INPKTS,
		IPVS_STATS_ATTR_OUTPKTS, IPVS_STATS_ATTR_INBYTES,
		IPVS_STATS_ATTR_OUTBYTES, IPVS_STATS_ATTR_CPS,
		IPVS_STATS_ATTR_INPPS, IPVS_STATS_ATTR_OUTPPS,
		IPVS_STATS_ATTR_INBPS, IPVS_STATS_ATTR_OUTBPS,
	};
	uint64_t *out[] = {
		&st->conns, &st->inpkts, &st->outpkts, &st->inbytes,
		&st->outbytes, &st->cps, &st->inpps, &st->outpps, &st->inbps,
		&st->outbps,
	};
	struct attrs a;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (s64) {
		parse_nested(s64, &a);
		for (i = 0; i < sizeof(ids); i++)
			*out[i] = get_u64(a.tb[ids[i]]);
		return;
	}
	if (!s32)
		return;
	parse_nested(s32, &a);
	for (i = 0; i < sizeof(ids); i++) {
		const struct nlattr *x = a.tb[ids[i]];

		/* bytes are u64 even in the old set */
		if (x && mnl_attr_get_payload_len(x) == 8)
			*out[i] = get_u64(x);
		else
			*out[i] = get_u32(x);
	}
}

static int parse_svc(const struct nlattr *nest, struct l4_svc *s)
{
	struct ip_vs_flags fl = { 0, 0 };
	struct attrs a;

	parse_nested(nest, &a);
	memset(s, 0, sizeof(*s));
	if (!a.tb[IPVS_SVC_ATTR_AF] || !a.tb[IPVS_SVC_ATTR_SCHED_NAME])
		return -EBADMSG;
	s->af = get_u16(a.tb[IPVS_SVC_ATTR_AF]);
	if (a.tb[IPVS_SVC_ATTR_FWMARK]) {
		s->fwmark = get_u32(a.tb[IPVS_SVC_ATTR_FWMARK]);
	} else {
		const struct nlattr *ad = a.tb[IPVS_SVC_ATTR_ADDR];

		if (!ad || !a.tb[IPVS_SVC_ATTR_PORT])
			return -EBADMSG;
		s->protocol = get_u16(a.tb[IPVS_SVC_ATTR_PROTOCOL]);
		memcpy(&s->addr, mnl_attr_get_payload(ad),
		       mnl_attr_get_payload_len(ad) < sizeof(s->addr) ?
		       mnl_attr_get_payload_len(ad) : sizeof(s->addr));
		s->port = ntohs(get_u16(a.tb[IPVS_SVC_ATTR_PORT]));
	}
	snprintf(s->sched, sizeof(s->sched), "%s",
		 mnl_attr_get_str(a.tb[IPVS_SVC_ATTR_SCHED_NAME]));
	if (a.tb[IPVS_SVC_ATTR_PE_NAME])
		snprintf(s->pe, sizeof(s->pe), "%s",
			 mnl_attr_get_str(a.tb[IPVS_SVC_ATTR_PE_NAME]));
	if (a.tb[IPVS_SVC_ATTR_FLAGS] &&
	    mnl_attr_get_payload_len(a.tb[IPVS_SVC_ATTR_FLAGS]) >= sizeof(fl))
		memcpy(&fl, mnl_attr_get_payload(a.tb[IPVS_SVC_ATTR_FLAGS]),
		       sizeof(fl));
	s->flags = fl.flags & fl.mask;
	s->timeout = get_u32(a.tb[IPVS_SVC_ATTR_TIMEOUT]);
	s->netmask = get_u32(a.tb[IPVS_SVC_ATTR_NETMASK]);
	parse_stats(a.tb[IPVS_SVC_ATTR_STATS], a.tb[IPVS_SVC_ATTR_STATS64],
		    &s->stats);
	return 0;
}

struct vec {
	void	*items;
	size_t	n, cap, size;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->items, cap * v->size);

		if (!p)
			return NULL;
		v->items = p;
		v->cap = cap;
	}
	return (char *)v->items + v->n++ * v->size;
}

static int svc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *v = data;
	struct l4_svc *s;
	struct attrs a;

	parse_top(nlh, &a);
	if (!a.tb[IPVS_CMD_ATTR_SERVICE])
		return -EBADMSG;
	s = vec_push(v);
	if (!s)
		return -ENOMEM;
	return parse_svc(a.tb[IPVS_CMD_ATTR_SERVICE], s);
}

int ipvs_get_services(struct l4_svc **svcs, size_t *n)
{
	char buf[REQ_BUFSZ];
	struct vec v = { .size = sizeof(struct l4_svc) };
	int err;

	err = nl_talk(nl_request(buf, IPVS_CMD_GET_SERVICE, NLM_F_DUMP),
		      svc_cb, &v);
	if (err) {
		free(v.items);
		return err;
	}
	*svcs = v.items;
	*n = v.n;
	return 0;
}

int ipvs_get_service(const struct l4_svc *key, struct l4_svc *out)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh = nl_request(buf, IPVS_CMD_GET_SERVICE, 0);
	struct vec v = { .size = sizeof(struct l4_svc) };
	int err;

	put_svc(nlh, key, false);
	err = nl_talk(nlh, svc_cb, &v);
	if (!err && v.n != 1)
		err = -ESRCH;
	if (!err)
		*out = *(struct l4_svc *)v.items;
	free(v.items);
	return err;
}

struct dest_ctx {
	struct vec		v;
	const struct l4_svc	*svc;
};

static int dest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dest_ctx *ctx = data;
	const struct nlattr *ad;
	struct l4_dest *d;
	struct attrs top, a;

	parse_top(nlh, &top);
	if (!top.tb[IPVS_CMD_ATTR_DEST])
		return -EBADMSG;
	parse_nested(top.tb[IPVS_CMD_ATTR_DEST], &a);
	ad = a.tb[IPVS_DEST_ATTR_ADDR];
	if (!ad || !a.tb[IPVS_DEST_ATTR_PORT])
		return -EBADMSG;
	d = vec_push(&ctx->v);
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	/* Kernels before dest families existed: same as the service. */
	d->af = a.tb[IPVS_DEST_ATTR_ADDR_FAMILY] ?
		get_u16(a.tb[IPVS_DEST_ATTR_ADDR_FAMILY]) : ctx->svc->af;
	memcpy(&d->addr, mnl_attr_get_payload(ad),
	       mnl_attr_get_payload_len(ad) < sizeof(d->addr) ?
	       mnl_attr_get_payload_len(ad) : sizeof(d->addr));
	d->port = ntohs(get_u16(a.tb[IPVS_DEST_ATTR_PORT]));
	d->fwd = get_u32(a.tb[IPVS_DEST_ATTR_FWD_METHOD]);
	d->weight = get_u32(a.tb[IPVS_DEST_ATTR_WEIGHT]);
	d->u_thresh = get_u32(a.tb[IPVS_DEST_ATTR_U_THRESH]);
	d->l_thresh = get_u32(a.tb[IPVS_DEST_ATTR_L_THRESH]);
	d->activeconns = get_u32(a.tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	d->inactconns = get_u32(a.tb[IPVS_DEST_ATTR_INACT_CONNS]);
	d->persistconns = get_u32(a.tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
	if (a.tb[IPVS_DEST_ATTR_TUN_TYPE])
		d->tun_type = mnl_attr_get_u8(a.tb[IPVS_DEST_ATTR_TUN_TYPE]);
	d->tun_port = ntohs(get_u16(a.tb[IPVS_DEST_ATTR_TUN_PORT]));
	d->tun_flags = get_u16(a.tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	parse_stats(a.tb[IPVS_DEST_ATTR_STATS], a.tb[IPVS_DEST_ATTR_STATS64],
		    &d->stats);
	return 0;
}

int ipvs_get_dests(const struct l4_svc *svc, struct l4_dest **dests, size_t *n)
{
	char buf[REQ_BUFSZ];
	struct nlmsghdr *nlh = nl_request(buf, IPVS_CMD_GET_DEST, NLM_F_DUMP);
	struct dest_ctx ctx = { { .size = sizeof(struct l4_dest) }, svc };
	struct nlattr *nest;
	int err;

	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	put_svc_key(nlh, svc);
	mnl_attr_nest_end(nlh, nest);
	err = nl_talk(nlh, dest_cb, &ctx);
	if (err) {
		free(ctx.v.items);
		return err;
	}
	*dests = ctx.v.items;
	*n = ctx.v.n;
	return 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct l4_info *info = data;
	struct attrs a;

	parse_top(nlh, &a);
	if (!a.tb[IPVS_INFO_ATTR_VERSION] || !a.tb[IPVS_INFO_ATTR_CONN_TAB_SIZE])
		return -EBADMSG;
	info->version = get_u32(a.tb[IPVS_INFO_ATTR_VERSION]);
	info->conn_tab_size = get_u32(a.tb[IPVS_INFO_ATTR_CONN_TAB_SIZE]);
	return 0;
}

int ipvs_get_info(struct l4_info *info)
{
	char buf[REQ_BUFSZ];

	memset(info, 0, sizeof(*info));
	return nl_talk(nl_request(buf, IPVS_CMD_GET_INFO, 0), info_cb, info);
}

static int timeout_cb(const struct nlmsghdr *nlh, void *data)
{
	struct l4_timeouts *t = data;
	struct attrs a;

	parse_top(nlh, &a);
	t->tcp = get_u32(a.tb[IPVS_CMD_ATTR_TIMEOUT_TCP]);
	t->tcp_fin = get_u32(a.tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
	t->udp = get_u32(a.tb[IPVS_CMD_ATTR_TIMEOUT_UDP]);
	return 0;
}

int ipvs_get_timeouts(struct l4_timeouts *t)
{
	char buf[REQ_BUFSZ];

	memset(t, 0, sizeof(*t));
	return nl_talk(nl_request(buf, IPVS_CMD_GET_CONFIG, 0), timeout_cb, t);
}

static int daemon_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *v = data;
	const struct nlattr *at;
	struct l4_daemon *d;
	struct attrs top, a;

	parse_top(nlh, &top);
	if (!top.tb[IPVS_CMD_ATTR_DAEMON])
		return -EBADMSG;
	parse_nested(top.tb[IPVS_CMD_ATTR_DAEMON], &a);
	if (!a.tb[IPVS_DAEMON_ATTR_STATE] || !a.tb[IPVS_DAEMON_ATTR_MCAST_IFN] ||
	    !a.tb[IPVS_DAEMON_ATTR_SYNC_ID])
		return -EBADMSG;
	d = vec_push(v);
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->state = get_u32(a.tb[IPVS_DAEMON_ATTR_STATE]);
	at = a.tb[IPVS_DAEMON_ATTR_MCAST_IFN];
	/* not trusted to be terminated: copy at most the payload */
	snprintf(d->mcast_ifn, sizeof(d->mcast_ifn), "%.*s",
		 (int)mnl_attr_get_payload_len(at),
		 (const char *)mnl_attr_get_payload(at));
	d->syncid = get_u32(a.tb[IPVS_DAEMON_ATTR_SYNC_ID]);
	/* older kernels send only the three above */
	d->sync_maxlen = get_u16(a.tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	d->mcast_port = get_u16(a.tb[IPVS_DAEMON_ATTR_MCAST_PORT]);
	at = a.tb[IPVS_DAEMON_ATTR_MCAST_TTL];
	if (at && mnl_attr_get_payload_len(at) >= 1)
		d->mcast_ttl = mnl_attr_get_u8(at);
	at = a.tb[IPVS_DAEMON_ATTR_MCAST_GROUP6];
	if (at && mnl_attr_get_payload_len(at) >= sizeof(d->mcast_group.in6)) {
		d->mcast_af = AF_INET6;
		memcpy(&d->mcast_group.in6, mnl_attr_get_payload(at),
		       sizeof(d->mcast_group.in6));
	}
	at = a.tb[IPVS_DAEMON_ATTR_MCAST_GROUP];
	if (at && mnl_attr_get_payload_len(at) >= sizeof(d->mcast_group.in)) {
		d->mcast_af = AF_INET;
		memcpy(&d->mcast_group.in, mnl_attr_get_payload(at),
		       sizeof(d->mcast_group.in));
	}
	/* l4vs: the masters a backup listens to, of the group's family */
	at = a.tb[L4VS_DAEMON_ATTR_SYNC_PEERS];
	if (at) {
		size_t alen = d->mcast_af == AF_INET6 ? sizeof(struct in6_addr) :
						       sizeof(struct in_addr);
		size_t i, n = mnl_attr_get_payload_len(at) / alen;

		d->peer_af = d->mcast_af ? d->mcast_af : AF_INET;
		for (i = 0; i < n && i < L4_SYNC_PEERS_MAX; i++)
			memcpy(&d->peers[i],
			       (const uint8_t *)mnl_attr_get_payload(at) + i * alen,
			       alen);
		d->nr_peers = i;
	}
	return 0;
}

int ipvs_get_daemons(struct l4_daemon **daemons, size_t *n)
{
	char buf[REQ_BUFSZ];
	struct vec v = { .size = sizeof(struct l4_daemon) };
	int err;

	err = nl_talk(nl_request(buf, IPVS_CMD_GET_DAEMON, NLM_F_DUMP),
		      daemon_cb, &v);
	if (err) {
		free(v.items);
		return err;
	}
	*daemons = v.items;
	*n = v.n;
	return 0;
}

/* ---- ordering ---------------------------------------------------------- */

/*
 * ipvsadm orders entries by subtracting unsigned fields into an int, so an
 * address more than 2^31 above another can sort first.  The listings must
 * come out in the same order, so the comparison keeps that arithmetic.
 */
static int addr_cmp(int af, const union l4_addr *a, const union l4_addr *b)
{
	int r = 0, i;
	uint32_t x, y;

	if (af != AF_INET6)
		return (int)(ntohl(a->in.s_addr) - ntohl(b->in.s_addr));
	for (i = 0; !r && i < 4; i++) {
		memcpy(&x, a->raw + 4 * i, 4);
		memcpy(&y, b->raw + 4 * i, 4);
		r = (int)(ntohl(x) - ntohl(y));
	}
	return r;
}

static int svc_cmp(const void *pa, const void *pb)
{
	const struct l4_svc *a = pa, *b = pb;
	int r;

	r = (int)(a->fwmark - b->fwmark);
	if (r)
		return r;
	r = a->af - b->af;
	if (r)
		return r;
	r = a->protocol - b->protocol;
	if (r)
		return r;
	r = addr_cmp(a->af, &a->addr, &b->addr);
	if (r)
		return r;
	return a->port - b->port;
}

static int dest_cmp(const void *pa, const void *pb)
{
	const struct l4_dest *a = pa, *b = pb;
	int r;

	r = addr_cmp(a->af, &a->addr, &b->addr);
	if (r)
		return r;
	return a->port - b->port;
}

void ipvs_sort_services(struct l4_svc *s, size_t n)
{
	qsort(s, n, sizeof(*s), svc_cmp);
}

void ipvs_sort_dests(struct l4_dest *d, size_t n)
{
	qsort(d, n, sizeof(*d), dest_cmp);
}

/* ---- errors ------------------------------------------------------------ */

/*
 * Without an extack message, say what ipvsadm says for the same errno and
 * command, so scripts that match its messages keep working.
 */
static const struct {
	uint8_t		cmd;	/* 0: any command */
	int		err;
	const char	*msg;
} err_table[] = {
	{ IPVS_CMD_NEW_SERVICE, EEXIST, "Service already exists" },
	{ IPVS_CMD_NEW_SERVICE, ENOENT, "Scheduler or persistence engine not found" },
	{ IPVS_CMD_SET_SERVICE, ESRCH, "No such service" },
	{ IPVS_CMD_SET_SERVICE, ENOENT, "Scheduler or persistence engine not found" },
	{ IPVS_CMD_DEL_SERVICE, ESRCH, "No such service" },
	{ IPVS_CMD_ZERO, ESRCH, "No such service" },
	{ IPVS_CMD_NEW_DEST, ESRCH, "Service not defined" },
	{ IPVS_CMD_NEW_DEST, EEXIST, "Destination already exists" },
	{ IPVS_CMD_SET_DEST, ESRCH, "Service not defined" },
	{ IPVS_CMD_SET_DEST, ENOENT, "No such destination" },
	{ IPVS_CMD_DEL_DEST, ESRCH, "Service not defined" },
	{ IPVS_CMD_DEL_DEST, ENOENT, "No such destination" },
	{ IPVS_CMD_GET_SERVICE, ESRCH, "No such service" },
	{ IPVS_CMD_GET_DEST, ESRCH, "No such service" },
	{ IPVS_CMD_NEW_DAEMON, EEXIST, "Daemon has already run" },
	{ IPVS_CMD_DEL_DAEMON, ESRCH, "No daemon is running" },
	{ 0, EPERM, "Permission denied (you must be root)" },
	{ 0, EINVAL,
	  "Invalid operation.  Possibly wrong module version, address not unicast, ..." },
	{ 0, ENOPROTOOPT, "Protocol not available" },
	{ 0, ENOMEM, "Memory allocation problem" },
	{ 0, EOPNOTSUPP, "Operation not supported with IPv6" },
	{ 0, EAFNOSUPPORT, "Operation not supported with specified address family" },
	{ 0, EMSGSIZE, "Module is wrong version" },
};

int report_lineno;

/* Print one line for a failed request; returns the exit code. */
int report_error(int err, uint8_t cmd)
{
	const char *ext = nl_extack();
	const char *msg = NULL;
	size_t i;

	if (err < 0)
		err = -err;
	fputs(PROG_NAME ": ", stderr);
	if (report_lineno)
		fprintf(stderr, "line %d: ", report_lineno);
	if (ext) {
		fprintf(stderr, "Error: %s\n", ext);
		return EXIT_ERR;
	}
	for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++) {
		if ((!err_table[i].cmd || err_table[i].cmd == cmd) &&
		    err_table[i].err == err) {
			msg = err_table[i].msg;
			break;
		}
	}
	fprintf(stderr, "%s\n", msg ? msg : strerror(err));
	return EXIT_ERR;
}
