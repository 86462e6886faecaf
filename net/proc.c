// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: /proc/net/ip_vs, ip_vs_conn, ip_vs_conn_sync, ip_vs_stats,
 * ip_vs_stats_percpu, and l4vs_drops (l4vs's own: drops by reason).
 *
 * The ip_vs* layouts are those of the kernel's IPVS, byte for byte, quirks
 * included (two spaces after an IPv4 service's scheduler, no "ops" flag on
 * IPv6 services, the persistence timeout in jiffies, unbracketed IPv6
 * addresses in the connection table), because ipvsadm -Lc, monitoring
 * agents and scripts parse them.  The kernel's ip_vs and l4vs are never
 * loaded together, so the names are free.
 *
 * Every walk runs under rcu_read_lock(), taken in ->start() and dropped in
 * ->stop(), so no object pointer survives from one read() to the next: the
 * iterators remember positions, never pointers.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/sched.h>		/* cond_resched_rcu() up to 6.11 */
#include <linux/rcupdate_wait.h>	/* cond_resched_rcu() from 6.12 */

#include "l4vs.h"
#include "proto.h"
#include "xmit.h"	/* drop reasons */

static const char *proto_name(u8 proto, char *buf, size_t len)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(proto);

	if (pp)
		return pp->name;
	switch (proto) {
	case IPPROTO_IP:	/* a firewall-mark template */
		return "IP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	}
	snprintf(buf, len, "IP_%u", proto);
	return buf;
}

static const char *fwd_name(unsigned int conn_flags)
{
	switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_LOCALNODE:
		return "Local";
	case IP_VS_CONN_F_TUNNEL:
		return "Tunnel";
	case IP_VS_CONN_F_DROUTE:
		return "Route";
	}
	return "Masq";
}

/* ---- /proc/net/ip_vs ---------------------------------------------------- */

/*
 * IPVS lists services hashed by address first and firewall-mark services
 * after them; one table holds both here, so it is walked twice.
 */
enum { SVC_PASS_ADDR, SVC_PASS_FWMARK, SVC_PASS_END };

struct svc_iter {
	struct seq_net_private	p;	/* first: seq_file_net() needs it */
	unsigned int		pass;
	unsigned int		bucket;
};

static bool svc_in_pass(const struct l4vs_service *svc, unsigned int pass)
{
	return (pass == SVC_PASS_FWMARK) == (svc->fwmark != 0);
}

/* The first service of the current pass at or after it->bucket. */
static struct l4vs_service *svc_scan(struct l4vs_net *ln, struct svc_iter *it)
{
	struct l4vs_service *svc;

	for (; it->pass < SVC_PASS_END; it->pass++, it->bucket = 0) {
		for (; it->bucket < L4VS_SVC_TAB_SIZE; it->bucket++) {
			hlist_for_each_entry_rcu(svc, &ln->svc_tab[it->bucket],
						 s_list) {
				if (svc_in_pass(svc, it->pass))
					return svc;
			}
		}
	}
	return NULL;
}

static struct l4vs_service *svc_advance(struct l4vs_net *ln,
					struct svc_iter *it,
					struct l4vs_service *svc)
{
	hlist_for_each_entry_continue_rcu(svc, s_list) {
		if (svc_in_pass(svc, it->pass))
			return svc;
	}
	it->bucket++;
	return svc_scan(ln, it);
}

static void *info_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct l4vs_net *ln = l4vs_net(seq_file_net(seq));
	struct svc_iter *it = seq->private;
	struct l4vs_service *svc;
	loff_t n;

	rcu_read_lock();
	if (!*pos)
		return SEQ_START_TOKEN;

	/* Few services: counting from the top each time is cheap enough. */
	it->pass = SVC_PASS_ADDR;
	it->bucket = 0;
	svc = svc_scan(ln, it);
	for (n = *pos - 1; svc && n > 0; n--)
		svc = svc_advance(ln, it, svc);
	return svc;
}

static void *info_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct l4vs_net *ln = l4vs_net(seq_file_net(seq));
	struct svc_iter *it = seq->private;

	++*pos;
	if (v == SEQ_START_TOKEN) {
		it->pass = SVC_PASS_ADDR;
		it->bucket = 0;
		return svc_scan(ln, it);
	}
	return svc_advance(ln, it, v);
}

static void info_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static void info_show_dest(struct seq_file *seq, const struct l4vs_dest *dest)
{
	const char *fwd = fwd_name(atomic_read(&dest->conn_flags));

	if (dest->af == AF_INET6)
		seq_printf(seq, "  -> [%pI6]:%04X", &dest->addr.in6,
			   ntohs(dest->port));
	else
		seq_printf(seq, "  -> %08X:%04X", ntohl(dest->addr.ip),
			   ntohs(dest->port));
	seq_printf(seq, "      %-7s %-6d %-10d %-10d\n", fwd,
		   atomic_read(&dest->weight), atomic_read(&dest->activeconns),
		   atomic_read(&dest->inactconns));
}

static int info_seq_show(struct seq_file *seq, void *v)
{
	const struct l4vs_service *svc = v;
	const struct l4vs_scheduler *sched;
	const struct l4vs_dest *dest;
	const char *sname, *pname, *ops;
	char pbuf[12];

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "IP Virtual Server version %d.%d.%d (size=%u)\n",
			   NVERSION(L4VS_VERSION_CODE),
			   l4vs_conn_buckets(l4vs_net(seq_file_net(seq))));
		seq_puts(seq, "Prot LocalAddress:Port Scheduler Flags\n");
		seq_puts(seq,
			 "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
		return 0;
	}

	sched = rcu_dereference(svc->scheduler);
	sname = sched ? sched->name : "none";
	pname = proto_name(svc->protocol, pbuf, sizeof(pbuf));
	ops = svc->flags & IP_VS_SVC_F_ONEPACKET ? "ops " : "";

	if (svc->fwmark)
		seq_printf(seq, "FWM  %08X %s %s", svc->fwmark, sname, ops);
	else if (svc->af == AF_INET6)
		seq_printf(seq, "%s  [%pI6]:%04X %s ", pname, &svc->addr.in6,
			   ntohs(svc->port), sname);
	else
		seq_printf(seq, "%s  %08X:%04X %s %s ", pname,
			   ntohl(svc->addr.ip), ntohs(svc->port), sname, ops);

	if (svc->flags & IP_VS_SVC_F_PERSISTENT)
		seq_printf(seq, "persistent %u %08X\n", svc->timeout,
			   ntohl(svc->netmask));
	else
		seq_putc(seq, '\n');

	list_for_each_entry_rcu(dest, &svc->dests, n_list)
		info_show_dest(seq, dest);
	return 0;
}

static const struct seq_operations info_seq_ops = {
	.start	= info_seq_start,
	.next	= info_seq_next,
	.stop	= info_seq_stop,
	.show	= info_seq_show,
};

/* ---- /proc/net/ip_vs_conn and ip_vs_conn_sync ------------------------- */

/*
 * The table may hold millions of entries, so a read() must not rescan it
 * from the top: the iterator remembers where the entry at 'pos' sits
 * (chain and index in the chain) and ->start() resumes there when asked
 * for the same position again, which is what seq_file does between two
 * read() calls.  Entries that come or go meanwhile may be missed or shown
 * twice, as with any lockless walk; nothing is shown half.
 */
struct conn_iter {
	struct seq_net_private	p;	/* first: seq_file_net() needs it */
	unsigned int		bucket;
	unsigned int		offset;
	loff_t			pos;	/* position of bucket/offset; 0: none */
};

/* The entry at index it->offset of chain it->bucket, or the next one after. */
/*
 * The table may be replaced by a resize whenever the RCU section is broken,
 * so it is fetched again on every bucket.  A listing that runs across a
 * resize may miss or repeat entries, like any listing of a live table.
 */
static struct l4vs_conn *conn_scan(struct l4vs_net *ln, struct conn_iter *it)
{
	struct l4vs_conn_tab *tab;
	struct l4vs_conn *cp;
	unsigned int n;

	for (;;) {
		tab = rcu_dereference(ln->conn_tab);
		if (it->bucket >= l4vs_conn_tab_size(tab))
			break;
		n = 0;
		hlist_for_each_entry_rcu(cp, &tab->buckets[it->bucket], c_list) {
			if (n++ == it->offset)
				return cp;
		}
		it->bucket++;
		it->offset = 0;
		/* No entry is held here, so the RCU section may be broken. */
		if (!(it->bucket & 255))
			cond_resched_rcu();
	}
	return NULL;
}

static struct l4vs_conn *conn_advance(struct l4vs_net *ln,
				      struct conn_iter *it,
				      struct l4vs_conn *cp)
{
	struct hlist_node *node = rcu_dereference(hlist_next_rcu(&cp->c_list));

	if (node) {
		it->offset++;
		return hlist_entry(node, struct l4vs_conn, c_list);
	}
	it->bucket++;
	it->offset = 0;
	return conn_scan(ln, it);
}

static void *conn_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct l4vs_net *ln = l4vs_net(seq_file_net(seq));
	struct conn_iter *it = seq->private;
	struct l4vs_conn *cp;
	loff_t n;

	rcu_read_lock();
	if (!*pos)
		return SEQ_START_TOKEN;

	if (it->pos && it->pos == *pos)
		return conn_scan(ln, it);

	/* Anywhere else (lseek, pread): count from the top. */
	it->bucket = 0;
	it->offset = 0;
	cp = conn_scan(ln, it);
	for (n = *pos - 1; cp && n > 0; n--)
		cp = conn_advance(ln, it, cp);
	it->pos = cp ? *pos : 0;
	return cp;
}

static void *conn_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct l4vs_net *ln = l4vs_net(seq_file_net(seq));
	struct conn_iter *it = seq->private;
	struct l4vs_conn *cp;

	++*pos;
	if (v == SEQ_START_TOKEN) {
		it->bucket = 0;
		it->offset = 0;
		cp = conn_scan(ln, it);
	} else {
		cp = conn_advance(ln, it, v);
	}
	it->pos = cp ? *pos : 0;
	return cp;
}

static void conn_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* The columns both connection files share, up to and including State. */
static void conn_show_common(struct seq_file *seq, const struct l4vs_conn *cp)
{
	const struct l4vs_dest *dest = READ_ONCE(cp->dest);
	/* IPVS allows a real server of the other family (IPIP over IPv6...) */
	u16 daf = dest ? dest->af : cp->af;
	char pbuf[12], dbuf[48];
	const char *pname;

	pname = proto_name(cp->protocol, pbuf, sizeof(pbuf));
	if (daf == AF_INET6)
		snprintf(dbuf, sizeof(dbuf), "%pI6", &cp->daddr.in6);
	else
		snprintf(dbuf, sizeof(dbuf), "%08X", ntohl(cp->daddr.ip));

	if (cp->af == AF_INET6)
		seq_printf(seq, "%-3s %pI6 %04X %pI6 %04X ", pname,
			   &cp->caddr.in6, ntohs(cp->cport),
			   &cp->vaddr.in6, ntohs(cp->vport));
	else
		seq_printf(seq, "%-3s %08X %04X %08X %04X ", pname,
			   ntohl(cp->caddr.ip), ntohs(cp->cport),
			   ntohl(cp->vaddr.ip), ntohs(cp->vport));
	seq_printf(seq, "%s %04X %-11s ", dbuf, ntohs(cp->dport),
		   l4vs_conn_state_name(cp));
}

static int conn_seq_show(struct seq_file *seq, void *v)
{
	const struct l4vs_conn *cp = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq,
			 "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
		return 0;
	}
	conn_show_common(seq, cp);
	/* No persistence engines: the PEName/PEData columns stay empty. */
	seq_printf(seq, "%7u\n", l4vs_conn_expires_secs(cp));
	return 0;
}

static int conn_sync_seq_show(struct seq_file *seq, void *v)
{
	const struct l4vs_conn *cp = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq,
			 "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n");
		return 0;
	}
	conn_show_common(seq, cp);
	seq_printf(seq, "%-6s %7u\n",
		   cp->flags & IP_VS_CONN_F_SYNC ? "SYNC" : "LOCAL",
		   l4vs_conn_expires_secs(cp));
	return 0;
}

static const struct seq_operations conn_seq_ops = {
	.start	= conn_seq_start,
	.next	= conn_seq_next,
	.stop	= conn_seq_stop,
	.show	= conn_seq_show,
};

static const struct seq_operations conn_sync_seq_ops = {
	.start	= conn_seq_start,
	.next	= conn_seq_next,
	.stop	= conn_seq_stop,
	.show	= conn_sync_seq_show,
};

/* ---- /proc/net/ip_vs_stats and ip_vs_stats_percpu -------------------- */

#define STATS_FMT	"%8llX %8llX %8llX %16llX %16llX\n"

static int stats_show(struct seq_file *seq, void *v)
{
	struct l4vs_net *ln = l4vs_net(seq_file_single_net(seq));
	struct l4vs_stats_sum sum;
	struct l4vs_rates r;

	l4vs_stats_read(&ln->tot_stats, &sum, &r);

	seq_puts(seq,
		 "   Total Incoming Outgoing         Incoming         Outgoing\n");
	seq_puts(seq,
		 "   Conns  Packets  Packets            Bytes            Bytes\n");
	seq_printf(seq, STATS_FMT "\n", sum.conns, sum.inpkts, sum.outpkts,
		   sum.inbytes, sum.outbytes);
	seq_puts(seq,
		 " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
	seq_printf(seq, STATS_FMT, r.cps, r.inpps, r.outpps, r.inbps, r.outbps);
	return 0;
}

/* As IPVS: per-CPU lines are raw counters, the '~' line honours zeroing. */
static int stats_percpu_show(struct seq_file *seq, void *v)
{
	struct l4vs_net *ln = l4vs_net(seq_file_single_net(seq));
	struct l4vs_stats_sum sum;
	struct l4vs_rates r;
	int cpu;

	seq_puts(seq,
		 "       Total Incoming Outgoing         Incoming         Outgoing\n");
	seq_puts(seq,
		 "CPU    Conns  Packets  Packets            Bytes            Bytes\n");
	for_each_possible_cpu(cpu) {
		l4vs_stats_read_cpu(&ln->tot_stats, cpu, &sum);
		seq_printf(seq, "%3X " STATS_FMT, cpu, sum.conns, sum.inpkts,
			   sum.outpkts, sum.inbytes, sum.outbytes);
	}

	l4vs_stats_read(&ln->tot_stats, &sum, &r);
	seq_printf(seq, "  ~ " STATS_FMT "\n", sum.conns, sum.inpkts,
		   sum.outpkts, sum.inbytes, sum.outbytes);
	seq_puts(seq,
		 "     Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
	seq_printf(seq, "    " STATS_FMT, r.cps, r.inpps, r.outpps, r.inbps,
		   r.outbps);
	return 0;
}

static const char *const drop_names[L4VS_DROP_MAX] = {
	[L4VS_DROP_MALFORMED]	= "malformed",
	[L4VS_DROP_CSUM]	= "bad_checksum",
	[L4VS_DROP_NODEST]	= "no_dest",
	[L4VS_DROP_DEST_GONE]	= "dest_gone",
	[L4VS_DROP_NOMEM]	= "no_memory",
	[L4VS_DROP_NOROUTE]	= "no_route",
	[L4VS_DROP_MTU]		= "frag_needed",
	[L4VS_DROP_FWD]		= "bad_forwarding",
	[L4VS_DROP_CONN_LIMIT]	= "conn_limit",
	[L4VS_DROP_TTL]		= "ttl_exceeded",
	[L4VS_DROP_NAT_ORPHAN]	= "nat_no_entry",
};

static int drops_show(struct seq_file *seq, void *v)
{
	struct l4vs_net *ln = l4vs_net(seq_file_single_net(seq));
	int i, cpu;

	for (i = 0; i < L4VS_DROP_MAX; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(ln->drop_stats, cpu)->n[i];
		seq_printf(seq, "%-16s %lu\n", drop_names[i], sum);
	}
	return 0;
}

/* ---- registration ------------------------------------------------------ */

struct l4vs_proc_file {
	const char			*name;
	const struct seq_operations	*ops;		/* or: */
	int (*show)(struct seq_file *seq, void *v);	/* single record */
	unsigned int			state_size;
};

static const struct l4vs_proc_file proc_files[] = {
	{ "ip_vs", &info_seq_ops, NULL, sizeof(struct svc_iter) },
	{ "ip_vs_conn", &conn_seq_ops, NULL, sizeof(struct conn_iter) },
	{ "ip_vs_conn_sync", &conn_sync_seq_ops, NULL,
	  sizeof(struct conn_iter) },
	{ "ip_vs_stats", NULL, stats_show, 0 },
	{ "ip_vs_stats_percpu", NULL, stats_percpu_show, 0 },
	{ "l4vs_drops", NULL, drops_show, 0 },
};

static void proc_remove_first(struct l4vs_net *ln, unsigned int n)
{
	while (n--)
		remove_proc_entry(proc_files[n].name, ln->net->proc_net);
}

int l4vs_proc_net_init(struct l4vs_net *ln)
{
	struct proc_dir_entry *parent = ln->net->proc_net;
	const struct l4vs_proc_file *f;
	struct proc_dir_entry *pde;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(proc_files); i++) {
		f = &proc_files[i];
		if (f->ops)
			pde = proc_create_net(f->name, 0444, parent, f->ops,
					      f->state_size);
		else
			pde = proc_create_net_single(f->name, 0444, parent,
						     f->show, NULL);
		if (!pde)
			goto err_remove;
	}
	return 0;

err_remove:
	proc_remove_first(ln, i);
	return -ENOMEM;
}

void l4vs_proc_net_exit(struct l4vs_net *ln)
{
	proc_remove_first(ln, ARRAY_SIZE(proc_files));
}
