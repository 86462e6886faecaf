// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: sync messages, version 1 of the IPVS sync protocol.
 *
 *   header   {reserved 0, syncid, size, nr_conns, version 1, spare}
 *   records  nr_conns times, each starting on a 4-byte boundary:
 *            {type, protocol, ver_size, flags, state, cport, vport, dport,
 *             fwmark, timeout, caddr, vaddr, daddr} then options
 *
 * The backup checks a whole message before it touches the table: a message
 * whose header, record count, record sizes or option framing is wrong is
 * dropped as a whole, so a forged message that lies about nr_conns creates
 * nothing.  Then each record is checked on its own (address family,
 * protocol, state, flags, options) and applied only if its service and real
 * server exist locally; a record that fails is dropped and counted, the
 * others still apply.  Unlike IPVS, a missing real server is not created
 * (inactive): the record is dropped and counted as no_dest.
 */

#include <linux/in.h>
#include <net/ipv6.h>

#include "conn.h"
#include "sync.h"

static unsigned int rec_base_size(u8 type)
{
	return type & L4VS_SYNC_T_INET6 ? sizeof(struct l4vs_sync_rec6) :
					  sizeof(struct l4vs_sync_rec4);
}

/*
 * A firewall-mark template has protocol IP, port 0, and the mark where the
 * virtual address goes.  On the wire (IPVS's layout) the mark is the first
 * 32-bit word of the address for both families; in l4vs's table it is
 * where persist.c's template_key() puts it (the last word for IPv6).  The
 * two are translated here, so that IPv6 templates sync with IPVS both ways
 * whatever the table's layout.
 */
static bool fwmark_template(const struct l4vs_conn *cp)
{
	return (cp->flags & IP_VS_CONN_F_TEMPLATE) && cp->protocol == IPPROTO_IP;
}

static void template_vaddr_local(int af, u32 fwmark, union nf_inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET6)
		a->ip6[3] = htonl(fwmark);
	else
		a->ip = htonl(fwmark);
}

/* The timeout of the entry's current state, as the peer should arm it. */
static unsigned long conn_timeout(struct l4vs_net *ln,
				  const struct l4vs_conn *cp)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);

	if ((cp->flags & IP_VS_CONN_F_TEMPLATE) || !pp)
		return READ_ONCE(cp->dest->svc->timeout);
	return l4vs_proto_state_timeout(ln, pp, READ_ONCE(cp->state));
}

/*
 * Write the record for 'cp' at 'buf' (room for L4VS_SYNC_REC_MAX bytes);
 * returns its size.  Only the flags a peer can use go out: the forwarding
 * method, TEMPLATE, and INACTIVE for a connection not established.
 */
unsigned int l4vs_sync_encode(struct l4vs_net *ln, const struct l4vs_conn *cp,
			      u8 *buf)
{
	struct l4vs_sync_rec *r = (struct l4vs_sync_rec *)buf;
	bool tmpl = cp->flags & IP_VS_CONN_F_TEMPLATE;
	u8 type = cp->af == AF_INET6 ? L4VS_SYNC_T_INET6 : 0;
	unsigned int size = rec_base_size(type);
	u32 flags;

	memset(buf, 0, size);
	flags = cp->flags & (IP_VS_CONN_F_FWD_MASK | IP_VS_CONN_F_TEMPLATE);
	if (!tmpl && !(READ_ONCE(cp->flags) & L4VS_CONN_F_ACTIVE))
		flags |= IP_VS_CONN_F_INACTIVE;

	r->type = type;
	r->protocol = cp->protocol;
	r->ver_size = htons(size);
	r->flags = htonl(flags);
	r->state = htons(tmpl ? 0 : READ_ONCE(cp->state));
	r->cport = cp->cport;
	r->vport = cp->vport;
	r->dport = cp->dport;
	r->fwmark = htonl(cp->dest->svc->fwmark);
	r->timeout = htonl(conn_timeout(ln, cp) / HZ);
	if (type & L4VS_SYNC_T_INET6) {
		struct l4vs_sync_rec6 *r6 = (struct l4vs_sync_rec6 *)buf;

		r6->caddr = cp->caddr.in6;
		r6->vaddr = cp->vaddr.in6;
		r6->daddr = cp->daddr.in6;
		if (fwmark_template(cp)) {
			memset(&r6->vaddr, 0, sizeof(r6->vaddr));
			r6->vaddr.s6_addr32[0] = htonl(cp->dest->svc->fwmark);
		}
	} else {
		struct l4vs_sync_rec4 *r4 = (struct l4vs_sync_rec4 *)buf;

		r4->caddr = cp->caddr.ip;
		r4->vaddr = cp->vaddr.ip;
		r4->daddr = cp->daddr.ip;
	}
	return size;
}

/* ---- backup: checking --------------------------------------------------- */

/* Option framing of one record: every option must fit.  0 or a counter. */
static int check_options(const u8 *p, const u8 *end)
{
	while (p < end) {
		if (end - p < 2 || p[1] > end - p - 2)
			return L4VS_SYNC_C_BAD_RECORD;
		p += 2 + p[1];
	}
	return 0;
}

/*
 * First pass: the framing of the whole message.  Returns 0 or the counter
 * to bump; the message is then dropped without touching anything.
 */
static int check_message(const u8 *msg, unsigned int len, u8 syncid)
{
	const struct l4vs_sync_hdr *h = (const struct l4vs_sync_hdr *)msg;
	const u8 *p, *end = msg + len;
	unsigned int i, size, vs;

	if (len < sizeof(*h))
		return L4VS_SYNC_C_BAD_LEN;
	/* version 0 has nr_conns where version 1 has 'reserved' */
	if (h->reserved || h->version != L4VS_SYNC_VERSION)
		return L4VS_SYNC_C_BAD_VERSION;
	if (ntohs(h->size) != len)
		return L4VS_SYNC_C_BAD_LEN;
	if (syncid && h->syncid != syncid)
		return L4VS_SYNC_C_BAD_SYNCID;

	p = msg + sizeof(*h);
	for (i = 0; i < h->nr_conns; i++) {
		const struct l4vs_sync_rec *r = (const struct l4vs_sync_rec *)p;

		/* fewer records than announced */
		if (p >= end || end - p < sizeof(*r))
			return L4VS_SYNC_C_BAD_COUNT;
		vs = ntohs(r->ver_size);
		size = vs & L4VS_SYNC_SIZE_MASK;
		if (vs >> L4VS_SYNC_VER_SHIFT)
			return L4VS_SYNC_C_BAD_RECORD;
		if (size < rec_base_size(r->type) || size > end - p)
			return L4VS_SYNC_C_BAD_RECORD;
		if (check_options(p + rec_base_size(r->type), p + size))
			return L4VS_SYNC_C_BAD_RECORD;
		p += ALIGN(size, 4);
	}
	/* more bytes than the announced records fill (padding aside) */
	if (p < end)
		return L4VS_SYNC_C_BAD_COUNT;
	return 0;
}

/* ---- backup: applying one record ---------------------------------------- */

struct sync_entry {
	struct l4vs_iphdr	key;	/* client -> virtual, as the table keys it */
	union nf_inet_addr	daddr;
	__be16			dport;
	u32			flags;
	u32			fwmark;
	u16			state;
	unsigned long		timeout;	/* jiffies, 0: local default */
};

static bool addr_eq(int af, const union nf_inet_addr *a,
		    const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

/* Field checks of one record; fills 'e'.  0 or a counter. */
static int parse_record(const u8 *p, struct sync_entry *e)
{
	const struct l4vs_sync_rec *r = (const struct l4vs_sync_rec *)p;
	const struct l4vs_protocol *pp = l4vs_proto_find(r->protocol);
	unsigned int size = ntohs(r->ver_size) & L4VS_SYNC_SIZE_MASK;
	unsigned int base = rec_base_size(r->type);
	const u8 *o, *end = p + size;
	bool tmpl;
	u32 t;

	memset(e, 0, sizeof(*e));
	if (r->type & ~L4VS_SYNC_T_INET6)
		return L4VS_SYNC_C_BAD_AF;
	if (r->type & L4VS_SYNC_T_INET6) {
		const struct l4vs_sync_rec6 *r6 = (const struct l4vs_sync_rec6 *)p;

		if (!IS_ENABLED(CONFIG_IPV6))
			return L4VS_SYNC_C_BAD_AF;
		e->key.af = AF_INET6;
		e->key.saddr.in6 = r6->caddr;
		e->key.daddr.in6 = r6->vaddr;
		e->daddr.in6 = r6->daddr;
	} else {
		const struct l4vs_sync_rec4 *r4 = (const struct l4vs_sync_rec4 *)p;

		e->key.af = AF_INET;
		e->key.saddr.ip = r4->caddr;
		e->key.daddr.ip = r4->vaddr;
		e->daddr.ip = r4->daddr;
	}

	e->flags = ntohl(r->flags);
	tmpl = e->flags & IP_VS_CONN_F_TEMPLATE;
	e->fwmark = ntohl(r->fwmark);
	e->state = ntohs(r->state);
	e->key.protocol = r->protocol;
	e->key.sport = r->cport;
	e->key.dport = r->vport;
	e->dport = r->dport;

	/* the methods l4vs forwards by; no one-packet or FTP-style entries */
	if ((e->flags & IP_VS_CONN_F_FWD_MASK) > IP_VS_CONN_F_DROUTE ||
	    (e->flags & (IP_VS_CONN_F_ONE_PACKET | IP_VS_CONN_F_NO_CPORT)))
		return L4VS_SYNC_C_BAD_FLAGS;

	/* a firewall-mark template has protocol IP; anything else a real one */
	if (!pp && !(tmpl && r->protocol == IPPROTO_IP && e->fwmark))
		return L4VS_SYNC_C_BAD_PROTO;

	if (tmpl) {
		/* IPVS marks templates NONE (0) or ASSURED (1); l4vs keeps none */
		if (e->state > 1)
			return L4VS_SYNC_C_BAD_STATE;
		e->state = 0;
	} else if (e->state >= pp->nr_states) {
		return L4VS_SYNC_C_BAD_STATE;
	}

	/* a connection needs its ports; so does a real server */
	if (!tmpl && (!e->key.sport || !e->dport))
		return L4VS_SYNC_C_BAD_RECORD;

	/*
	 * Sequence adjustment data is accepted and ignored (l4vs does not
	 * rewrite sequence numbers).  Persistence engines (sip) do not exist
	 * in l4vs: their entries cannot be kept faithfully, so they go.
	 */
	for (o = p + base; o < end; o += 2 + o[1]) {
		if (o[0] == L4VS_SYNC_OPT_SEQ && o[1] == L4VS_SYNC_OPT_SEQ_LEN)
			continue;
		return L4VS_SYNC_C_BAD_OPTION;
	}

	t = ntohl(r->timeout);
	if (t)
		e->timeout = (unsigned long)min_t(u32, t, L4VS_PERSIST_TIMEOUT_MAX) * HZ;
	return 0;
}

static struct l4vs_service *entry_service(struct l4vs_net *ln,
					  const struct sync_entry *e)
{
	const struct l4vs_iphdr *k = &e->key;
	struct l4vs_service *svc;

	/*
	 * The record's mark is the packet's (IPVS sends skb->mark): a master
	 * whose traffic is marked for another reason (kube-proxy's 0x4000)
	 * names an address service with a mark.  As IPVS, a firewall-mark
	 * service first, then the address.
	 */
	if (e->fwmark) {
		svc = l4vs_service_find_fwmark(ln, k->af, e->fwmark);
		if (svc)
			return svc;
	}
	svc = l4vs_service_find(ln, k->af, k->protocol, &k->daddr, k->dport);
	/* a connection of an all-ports service */
	if (!svc && k->dport && !(e->flags & IP_VS_CONN_F_TEMPLATE))
		svc = l4vs_service_find(ln, k->af, k->protocol, &k->daddr, 0);
	return svc;
}

/* The service's real server the record names, if it may be used. */
static struct l4vs_dest *entry_dest(struct l4vs_service *svc,
				    const struct sync_entry *e)
{
	struct l4vs_dest *dest;

	l4vs_for_each_dest(svc, dest) {
		if (dest->af != e->key.af || !addr_eq(dest->af, &dest->addr, &e->daddr))
			continue;
		/*
		 * A port-0 server keeps the client's destination port.  IPVS's
		 * templates of firewall-mark and port-0 services name the
		 * server with port 0: the address alone says which.
		 */
		if (dest->port != e->dport &&
		    (dest->port || e->dport != e->key.dport) &&
		    !((e->flags & IP_VS_CONN_F_TEMPLATE) && !e->dport))
			continue;
		return l4vs_dest_available(dest) ? dest : NULL;
	}
	return NULL;
}

/* The persistence template a connection of 'svc' belongs under. */
static struct l4vs_conn *entry_template(struct l4vs_net *ln,
					struct l4vs_service *svc,
					const struct sync_entry *e)
{
	struct l4vs_iphdr key = {
		.af = e->key.af,
		.protocol = svc->fwmark ? IPPROTO_IP : e->key.protocol,
	};

	/* an IPv6 service keeps a prefix length, host order, in 'netmask' */
	if (key.af == AF_INET6)
		ipv6_addr_prefix(&key.saddr.in6, &e->key.saddr.in6,
				 min_t(u32, (__force u32)svc->netmask, 128));
	else
		key.saddr.ip = e->key.saddr.ip & svc->netmask;
	if (svc->fwmark) {
		template_vaddr_local(key.af, svc->fwmark, &key.daddr);
	} else {
		key.daddr = e->key.daddr;
		key.dport = svc->port;
	}
	return l4vs_conn_template_find(ln, &key);
}

/* An entry now bound elsewhere: hide it and let the collector reap it. */
static void retire(struct l4vs_conn *cp)
{
	spin_lock(&cp->lock);
	cp->flags |= L4VS_CONN_F_STALE;
	spin_unlock(&cp->lock);
	WRITE_ONCE(cp->expires, jiffies);
}

static bool state_active(const struct l4vs_conn *cp, u16 state)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);

	return pp && l4vs_proto_established(pp, state);
}

/*
 * How long the entry lives here: what this director would give it (the
 * timeout of that state, the service's persistence timeout for a
 * template), or less if the master says less.  A record cannot make an
 * entry outlive what local traffic would.
 */
static unsigned long entry_timeout(struct l4vs_net *ln,
				   const struct l4vs_service *svc,
				   const struct sync_entry *e, bool tmpl)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(e->key.protocol);
	unsigned long local;

	if (tmpl || !pp)
		local = READ_ONCE(svc->timeout);
	else
		local = l4vs_proto_state_timeout(ln, pp, e->state);
	return e->timeout ? min(e->timeout, local) : local;
}

/* Under rcu_read_lock() with bottom halves off. */
static int apply_record(struct l4vs_sync *s, const struct sync_entry *e)
{
	bool tmpl = e->flags & IP_VS_CONN_F_TEMPLATE;
	struct l4vs_net *ln = s->ln;
	struct l4vs_conn *cp, *ct = NULL;
	struct l4vs_iphdr key = e->key;
	struct l4vs_service *svc;
	struct l4vs_dest *dest;
	int max;

	svc = entry_service(ln, e);
	/* a template only means something to a persistent service */
	if (!svc || (tmpl && !(svc->flags & IP_VS_SVC_F_PERSISTENT)))
		return L4VS_SYNC_C_NO_SERVICE;
	dest = entry_dest(svc, e);
	if (!dest)
		return L4VS_SYNC_C_NO_DEST;

	/* a template is keyed as persist.c keys it, or nothing finds it */
	if (tmpl) {
		key.sport = 0;
		if (svc->fwmark) {
			key.protocol = IPPROTO_IP;
			key.dport = 0;
			template_vaddr_local(key.af, svc->fwmark, &key.daddr);
		}
	}

	cp = tmpl ? l4vs_conn_template_find(ln, &key) :
		    l4vs_conn_in_find(ln, &key);
	if (cp && cp->dest != dest) {
		/* the master moved it to another server */
		retire(cp);
		cp = NULL;
	}
	if (!cp) {
		if (!tmpl && (svc->flags & IP_VS_SVC_F_PERSISTENT)) {
			ct = entry_template(ln, svc, e);
			/* pinned for l4vs_conn_new(), unless being reaped */
			if (ct && (ct->dest != dest || !l4vs_conn_template_pin(ct)))
				ct = NULL;
		}
		/*
		 * l4vs_conn_new() holds synced entries to conn_max like any
		 * other: at the limit a record may only take the place of an
		 * unanswered entry, else it is dropped.
		 */
		cp = l4vs_conn_new(ln, &key, dest,
				   tmpl ? IP_VS_CONN_F_TEMPLATE : 0, ct);
		if (!cp) {
			max = READ_ONCE(ln->sysctl.conn_max);
			if (max && atomic_read(&ln->conn_count) >= max)
				return L4VS_SYNC_C_CONN_LIMIT;
			return L4VS_SYNC_C_NO_MEM;
		}
		/* /proc/net/ip_vs_conn_sync tells it from local ones */
		spin_lock(&cp->lock);
		cp->flags |= IP_VS_CONN_F_SYNC;
		spin_unlock(&cp->lock);
		l4vs_sync_count(s, L4VS_SYNC_C_RX_CREATED);
	} else {
		l4vs_sync_count(s, L4VS_SYNC_C_RX_UPDATED);
	}

	if (!tmpl) {
		spin_lock(&cp->lock);
		l4vs_conn_set_active(cp, state_active(cp, e->state));
		WRITE_ONCE(cp->state, e->state);
		spin_unlock(&cp->lock);
	}
	/* should this director become master, it syncs afresh */
	WRITE_ONCE(cp->sync_pkts, 0);
	WRITE_ONCE(cp->sync_stamp, (u32)jiffies);
	WRITE_ONCE(cp->expires, jiffies + entry_timeout(ln, svc, e, tmpl));
	return 0;
}

/* One received datagram, in process context (the backup thread). */
void l4vs_sync_process(struct l4vs_sync *s, u8 backup_syncid,
		       const u8 *msg, unsigned int len)
{
	const struct l4vs_sync_hdr *h = (const struct l4vs_sync_hdr *)msg;
	const u8 *p = msg + sizeof(*h);
	struct sync_entry e;
	unsigned int i;
	int bad;

	bad = check_message(msg, len, backup_syncid);
	if (bad) {
		l4vs_sync_count(s, bad);
		return;
	}
	l4vs_sync_count(s, L4VS_SYNC_C_RX_MSGS);

	/* the table's writers take their locks with bottom halves off */
	rcu_read_lock();
	local_bh_disable();
	for (i = 0; i < h->nr_conns; i++) {
		const struct l4vs_sync_rec *r = (const struct l4vs_sync_rec *)p;

		l4vs_sync_count(s, L4VS_SYNC_C_RX_CONNS);
		bad = parse_record(p, &e);
		if (!bad)
			bad = apply_record(s, &e);
		if (bad)
			l4vs_sync_count(s, bad);
		p += ALIGN(ntohs(r->ver_size) & L4VS_SYNC_SIZE_MASK, 4);
	}
	local_bh_enable();
	rcu_read_unlock();
}
