// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: connection synchronisation daemons (master and backup), per netns.
 *
 * Master.  The packet path decides, per packet from a client, whether the
 * connection's state is worth telling (sync_needed(), IPVS's rules) and
 * then appends a record to the message being filled.  That takes the
 * master's spinlock, but only for packets that produce a record: most
 * packets of an established flow take no lock at all.  A full message goes
 * on a queue bounded by sync_qlen_max (beyond it messages are dropped and
 * counted); one kernel thread sends the queue, and also sends a message
 * that has been filling for more than a second, so that a quiet director
 * still tells its backups within a second.  Messages are bounded by
 * sync_maxlen (by default the interface MTU less the IP and UDP headers)
 * and by 255 records, nr_conns being one byte.
 *
 * Backup.  One kernel thread receives on the multicast group, on the given
 * interface only, and hands every datagram to sync_msg.c.
 *
 * Both threads stop on DEL_DAEMON, on netns exit and so on module unload:
 * the master pointer is unpublished first and a grace period passes, so no
 * packet is still queueing when the thread is stopped and its queue freed.
 */

#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "conn.h"
#include "sync.h"

/* a partly filled message goes out at the latest after this long */
#define SYNC_FLUSH_DELAY	HZ
/* a controlling template is sent again at most this often */
#define SYNC_TEMPLATE_GAP	HZ
/* the backup thread looks at kthread_should_stop() this often */
#define SYNC_RECV_TIMEOUT	(HZ / 5)
#define SYNC_RECV_BUF		65535

struct sync_buf {
	struct list_head	list;
	unsigned long		born;	/* jiffies of the first record */
	unsigned int		len;	/* header included */
	unsigned int		nr;
	u8			data[] __aligned(8);
};

struct l4vs_sync_master {
	struct l4vs_sync_conf	conf;
	struct l4vs_sync	*s;
	struct socket		*sock;
	struct task_struct	*task;
	struct sockaddr_storage	dst;
	int			dstlen;
	spinlock_t		lock;	/* cur, queue, qlen */
	struct sync_buf		*cur;	/* being filled */
	struct list_head	queue;	/* full, to send */
	unsigned int		qlen;
};

struct l4vs_sync_backup {
	struct l4vs_sync_conf	conf;
	struct l4vs_sync	*s;
	struct socket		*sock;
	struct task_struct	*task;
	u8			*buf;
};

static const char *const cnt_names[L4VS_SYNC_C_MAX] = {
	[L4VS_SYNC_C_TX_MSGS]		= "tx_msgs",
	[L4VS_SYNC_C_TX_CONNS]		= "tx_conns",
	[L4VS_SYNC_C_TX_QUEUE_FULL]	= "tx_queue_full",
	[L4VS_SYNC_C_TX_NOMEM]		= "tx_no_memory",
	[L4VS_SYNC_C_TX_ERRORS]		= "tx_errors",
	[L4VS_SYNC_C_RX_MSGS]		= "rx_msgs",
	[L4VS_SYNC_C_RX_CONNS]		= "rx_conns",
	[L4VS_SYNC_C_RX_CREATED]	= "rx_created",
	[L4VS_SYNC_C_RX_UPDATED]	= "rx_updated",
	[L4VS_SYNC_C_BAD_SENDER]	= "bad_sender",
	[L4VS_SYNC_C_BAD_LEN]		= "bad_length",
	[L4VS_SYNC_C_BAD_VERSION]	= "bad_version",
	[L4VS_SYNC_C_BAD_SYNCID]	= "bad_syncid",
	[L4VS_SYNC_C_BAD_COUNT]		= "bad_count",
	[L4VS_SYNC_C_BAD_RECORD]	= "bad_record",
	[L4VS_SYNC_C_BAD_AF]		= "bad_af",
	[L4VS_SYNC_C_BAD_PROTO]		= "bad_protocol",
	[L4VS_SYNC_C_BAD_STATE]		= "bad_state",
	[L4VS_SYNC_C_BAD_FLAGS]		= "bad_flags",
	[L4VS_SYNC_C_BAD_OPTION]	= "bad_option",
	[L4VS_SYNC_C_NO_SERVICE]	= "no_service",
	[L4VS_SYNC_C_NO_DEST]		= "no_dest",
	[L4VS_SYNC_C_CONN_LIMIT]	= "conn_limit",
	[L4VS_SYNC_C_NO_MEM]		= "no_memory",
};

/* ---- master: what to send ---------------------------------------------- */

/*
 * IPVS's rules, in short.  TCP and SCTP entries are told only in the states
 * a backup can use (established or closing), and always when they change
 * into one of those.  Otherwise (and for UDP) by packet count: at the
 * sync_threshold[0]-th packet and then every sync_threshold[1] packets; or,
 * with sync_refresh_period set, once at the threshold and then no more often
 * than every refresh period.  The counters are racy by design: a lost
 * increment costs at most one message more or less.
 */
static bool sync_needed(struct l4vs_net *ln, struct l4vs_conn *cp,
			u8 old_state, u32 now)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);
	u32 pkts = READ_ONCE(cp->sync_pkts) + 1;
	unsigned int state = READ_ONCE(cp->state);
	int threshold, period, refresh;

	WRITE_ONCE(cp->sync_pkts, pkts);
	if (pp && pp->sync_states) {
		if (!l4vs_proto_state_in(pp->sync_states, state))
			return false;
		if (state != old_state)
			return true;
	}

	threshold = READ_ONCE(ln->sysctl.sync_threshold[0]);
	period = READ_ONCE(ln->sysctl.sync_threshold[1]);
	refresh = READ_ONCE(ln->sysctl.sync_refresh_period);
	if (refresh > 0) {
		u32 since = now - READ_ONCE(cp->sync_stamp);

		return pkts == threshold ||
		       (pkts > threshold && since >= (u32)refresh * HZ);
	}
	if (pkts == threshold)
		return true;
	return period > 0 && pkts > threshold &&
	       (pkts - threshold) % period == 0;
}

/* Under m->lock: the message being filled goes on the queue (or away). */
static bool master_close_cur(struct l4vs_sync_master *m)
{
	struct sync_buf *b = m->cur;
	bool queued = false;

	m->cur = NULL;
	if (m->qlen < (unsigned int)READ_ONCE(m->s->ln->sysctl.sync_qlen_max)) {
		list_add_tail(&b->list, &m->queue);
		WRITE_ONCE(m->qlen, m->qlen + 1);
		queued = true;
	} else {
		kfree(b);
		l4vs_sync_count(m->s, L4VS_SYNC_C_TX_QUEUE_FULL);
	}
	return queued;
}

/* Append records; bottom halves are off (packet path). */
static void master_add(struct l4vs_sync_master *m, u8 (*rec)[L4VS_SYNC_REC_MAX],
		       const unsigned int *len, unsigned int n)
{
	bool wake = false;
	unsigned int i, off;

	spin_lock(&m->lock);
	for (i = 0; i < n; i++) {
		struct sync_buf *b = m->cur;

		if (b && (b->nr == L4VS_SYNC_CONNS_MAX ||
			  ALIGN(b->len, 4) + len[i] > m->conf.maxlen)) {
			wake |= master_close_cur(m);
			b = NULL;
		}
		if (!b) {
			b = kmalloc(sizeof(*b) + m->conf.maxlen, GFP_ATOMIC);
			if (!b) {
				l4vs_sync_count(m->s, L4VS_SYNC_C_TX_NOMEM);
				break;
			}
			b->len = sizeof(struct l4vs_sync_hdr);
			b->nr = 0;
			b->born = jiffies;
			m->cur = b;
		}
		off = ALIGN(b->len, 4);
		memset(b->data + b->len, 0, off - b->len);
		memcpy(b->data + off, rec[i], len[i]);
		b->len = off + len[i];
		b->nr++;
	}
	spin_unlock(&m->lock);
	if (wake)
		wake_up_process(m->task);
}

void l4vs_sync_conn(struct l4vs_net *ln, struct l4vs_conn *cp, u8 old_state)
{
	u8 rec[2][L4VS_SYNC_REC_MAX];
	struct l4vs_sync_master *m;
	struct l4vs_sync *s;
	struct l4vs_conn *ct;
	unsigned int len[2], n = 0;
	u32 now = jiffies;

	s = READ_ONCE(ln->sync);
	m = s ? READ_ONCE(s->master) : NULL;
	if (!m || (cp->flags & IP_VS_CONN_F_ONE_PACKET))
		return;
	if (!sync_needed(ln, cp, old_state, now))
		return;

	/* the template first, so that the backup can link the connection */
	ct = cp->control;
	if (ct && now - READ_ONCE(ct->sync_stamp) >= SYNC_TEMPLATE_GAP) {
		WRITE_ONCE(ct->sync_stamp, now);
		len[n] = l4vs_sync_encode(ln, ct, rec[n]);
		n++;
	}
	/* sync_persist_mode: persistent services send their templates only */
	if (!ct || !READ_ONCE(ln->sysctl.sync_persist_mode)) {
		len[n] = l4vs_sync_encode(ln, cp, rec[n]);
		n++;
	}
	WRITE_ONCE(cp->sync_stamp, now);
	if (n)
		master_add(m, rec, len, n);
}

/* ---- master: the sending thread ----------------------------------------- */

static struct sync_buf *master_next(struct l4vs_sync_master *m)
{
	struct sync_buf *b = NULL;

	spin_lock_bh(&m->lock);
	if (!list_empty(&m->queue)) {
		b = list_first_entry(&m->queue, struct sync_buf, list);
		list_del(&b->list);
		WRITE_ONCE(m->qlen, m->qlen - 1);
	} else if (m->cur && time_after_eq(jiffies, m->cur->born + SYNC_FLUSH_DELAY)) {
		b = m->cur;
		m->cur = NULL;
	}
	spin_unlock_bh(&m->lock);
	return b;
}

static void master_send(struct l4vs_sync_master *m, struct sync_buf *b)
{
	struct l4vs_sync_hdr *h = (struct l4vs_sync_hdr *)b->data;
	struct kvec iov = { .iov_base = b->data, .iov_len = b->len };
	struct msghdr msg = {
		.msg_name = &m->dst,
		.msg_namelen = m->dstlen,
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	int tries, ret = 0;

	h->reserved = 0;
	h->syncid = m->conf.syncid;
	h->size = htons(b->len);
	h->nr_conns = b->nr;
	h->version = L4VS_SYNC_VERSION;
	h->spare = 0;

	/* a full socket buffer drains quickly: wait a little, a few times */
	for (tries = 0; tries < 10 && !kthread_should_stop(); tries++) {
		ret = kernel_sendmsg(m->sock, &msg, &iov, 1, b->len);
		if (ret != -EAGAIN && ret != -ENOBUFS)
			break;
		schedule_timeout_interruptible(HZ / 50);
	}
	if (ret == b->len) {
		l4vs_sync_count(m->s, L4VS_SYNC_C_TX_MSGS);
		atomic_long_add(b->nr, &m->s->cnt[L4VS_SYNC_C_TX_CONNS]);
	} else {
		l4vs_sync_count(m->s, L4VS_SYNC_C_TX_ERRORS);
	}
}

static int master_thread(void *arg)
{
	struct l4vs_sync_master *m = arg;
	struct sync_buf *b;

	while (!kthread_should_stop()) {
		b = master_next(m);
		if (b) {
			master_send(m, b);
			kfree(b);
			cond_resched();
			continue;
		}
		/* the packet path wakes us when it queues a full message */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop() && !READ_ONCE(m->qlen))
			schedule_timeout(HZ / 10);
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* ---- backup: the receiving thread --------------------------------------- */

/*
 * With masters configured (L4VS_DAEMON_ATTR_SYNC_PEERS), only their
 * datagrams are read: anyone else on the link could otherwise create
 * entries or move a live connection to another real server.  The source
 * address is all a backup can check (the protocol has no authentication);
 * a link where it can be spoofed needs filtering at its edge as well.
 */
static bool backup_sender_ok(const struct l4vs_sync_conf *c,
			     const struct sockaddr_storage *ss, int len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	unsigned int i;

	if (!c->nr_peers)
		return true;
	for (i = 0; i < c->nr_peers; i++) {
		if (c->mcast_af == AF_INET6) {
			if (len >= sizeof(*sin6) && ss->ss_family == AF_INET6 &&
			    ipv6_addr_equal(&sin6->sin6_addr, &c->peers[i].in6))
				return true;
		} else if (len >= sizeof(*sin) && ss->ss_family == AF_INET &&
			   sin->sin_addr.s_addr == c->peers[i].ip) {
			return true;
		}
	}
	return false;
}

static int backup_thread(void *arg)
{
	struct l4vs_sync_backup *b = arg;

	while (!kthread_should_stop()) {
		struct kvec iov = { .iov_base = b->buf, .iov_len = SYNC_RECV_BUF };
		struct sockaddr_storage from;
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
		};
		int ret;

		/* blocks for at most SYNC_RECV_TIMEOUT (sk_rcvtimeo) */
		ret = kernel_recvmsg(b->sock, &msg, &iov, 1, SYNC_RECV_BUF, 0);
		if (ret < 0) {
			if (ret != -EAGAIN && ret != -EINTR)
				schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		if (!backup_sender_ok(&b->conf, &from, msg.msg_namelen)) {
			l4vs_sync_count(b->s, L4VS_SYNC_C_BAD_SENDER);
			continue;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			l4vs_sync_count(b->s, L4VS_SYNC_C_BAD_LEN);
			continue;
		}
		l4vs_sync_process(b->s, b->conf.syncid, b->buf, ret);
		cond_resched();
	}
	return 0;
}

/* ---- sockets ------------------------------------------------------------ */

static int sock_opt(struct socket *sock, int level, int name, void *val,
		    unsigned int len)
{
	return sock->ops->setsockopt(sock, level, name, KERNEL_SOCKPTR(val), len);
}

static void group_addr(const struct l4vs_sync_conf *c, int ifindex,
		       struct sockaddr_storage *ss, int *len)
{
	memset(ss, 0, sizeof(*ss));
	if (c->mcast_af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(c->mcast_port);
		sin6->sin6_addr = c->mcast_group.in6;
		/* ff02:: needs its link; harmless for wider scopes */
		sin6->sin6_scope_id = ifindex;
		*len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->mcast_port);
		sin->sin_addr.s_addr = c->mcast_group.ip;
		*len = sizeof(*sin);
	}
}

/*
 * A UDP socket on the interface: the master's sends to the group without
 * looping back, the backup's is bound to the group and has joined it.
 */
static int sync_sock(struct l4vs_net *ln, const struct l4vs_sync_conf *c,
		     int ifindex, bool master, struct socket **sockp,
		     struct sockaddr_storage *dst, int *dstlen)
{
	int size = READ_ONCE(ln->sysctl.sync_sock_size);
	int zero = 0, ttl = c->mcast_ttl, ret;
	struct socket *sock;
	struct sock *sk;

	ret = sock_create_kern(ln->net, c->mcast_af, SOCK_DGRAM, IPPROTO_UDP,
			       &sock);
	if (ret)
		return ret;
	sk = sock->sk;
	sock_set_reuseaddr(sk);
	ret = sock_bindtoindex(sk, ifindex, true);
	if (ret)
		goto err;
	if (size > 0) {
		lock_sock(sk);
		if (master) {
			sk->sk_sndbuf = max_t(int, size * 2, SOCK_MIN_SNDBUF);
			sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		} else {
			sk->sk_rcvbuf = max_t(int, size * 2, SOCK_MIN_RCVBUF);
			sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
		}
		release_sock(sk);
	}

	group_addr(c, ifindex, dst, dstlen);
	if (master) {
		if (c->mcast_af == AF_INET6) {
			ret = sock_opt(sock, SOL_IPV6, IPV6_MULTICAST_LOOP,
				       &zero, sizeof(zero)) ?:
			      sock_opt(sock, SOL_IPV6, IPV6_MULTICAST_HOPS,
				       &ttl, sizeof(ttl)) ?:
			      sock_opt(sock, SOL_IPV6, IPV6_MULTICAST_IF,
				       &ifindex, sizeof(ifindex));
		} else {
			struct ip_mreqn mr = { .imr_ifindex = ifindex };

			ret = sock_opt(sock, SOL_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) ?:
			      sock_opt(sock, SOL_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ?:
			      sock_opt(sock, SOL_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
		}
		if (ret)
			goto err;
	} else {
		ret = kernel_bind(sock, l4vs_bind_addr(dst), *dstlen);
		if (ret)
			goto err;
		if (c->mcast_af == AF_INET6) {
			struct ipv6_mreq mr = {
				.ipv6mr_multiaddr = c->mcast_group.in6,
				.ipv6mr_ifindex = ifindex,
			};

			ret = sock_opt(sock, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr));
		} else {
			struct ip_mreqn mr = {
				.imr_multiaddr.s_addr = c->mcast_group.ip,
				.imr_ifindex = ifindex,
			};

			ret = sock_opt(sock, SOL_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
		}
		if (ret)
			goto err;
		sk->sk_rcvtimeo = SYNC_RECV_TIMEOUT;
	}
	*sockp = sock;
	return 0;

err:
	sock_release(sock);
	return ret;
}

/* ---- /proc/net/l4vs_sync ------------------------------------------------ */

static void show_conf(struct seq_file *seq, const char *role,
		      const struct l4vs_sync_conf *c)
{
	unsigned int i;

	seq_printf(seq, "%s ifname %s syncid %u maxlen %u group ", role,
		   c->ifname, c->syncid, c->maxlen);
	if (c->mcast_af == AF_INET6)
		seq_printf(seq, "%pI6c", &c->mcast_group.in6);
	else
		seq_printf(seq, "%pI4", &c->mcast_group.ip);
	seq_printf(seq, " port %u ttl %u", c->mcast_port, c->mcast_ttl);
	for (i = 0; i < c->nr_peers; i++) {
		seq_puts(seq, i ? "," : " peers ");
		if (c->mcast_af == AF_INET6)
			seq_printf(seq, "%pI6c", &c->peers[i].in6);
		else
			seq_printf(seq, "%pI4", &c->peers[i].ip);
	}
	seq_putc(seq, '\n');
}

/* RCU only: the file is removed under ln->lock, which must not wait on us. */
static int sync_show(struct seq_file *seq, void *v)
{
	struct l4vs_net *ln = l4vs_net(seq_file_single_net(seq));
	struct l4vs_sync_master *m;
	struct l4vs_sync_backup *b;
	struct l4vs_sync *s;
	int i;

	rcu_read_lock();
	s = READ_ONCE(ln->sync);
	if (!s)
		goto out;
	m = READ_ONCE(s->master);
	b = READ_ONCE(s->backup);
	if (m) {
		show_conf(seq, "master", &m->conf);
		seq_printf(seq, "%-16s %u\n", "tx_queue", READ_ONCE(m->qlen));
	}
	if (b)
		show_conf(seq, "backup", &b->conf);
	for (i = 0; i < L4VS_SYNC_C_MAX; i++)
		seq_printf(seq, "%-16s %lu\n", cnt_names[i],
			   atomic_long_read(&s->cnt[i]));
out:
	rcu_read_unlock();
	return 0;
}

/* ---- start and stop ----------------------------------------------------- */

static void master_destroy(struct l4vs_sync_master *m)
{
	struct sync_buf *b, *tmp;

	kthread_stop(m->task);
	list_for_each_entry_safe(b, tmp, &m->queue, list)
		kfree(b);
	kfree(m->cur);
	sock_release(m->sock);
	kfree(m);
}

static void backup_destroy(struct l4vs_sync_backup *b)
{
	kthread_stop(b->task);
	sock_release(b->sock);
	kvfree(b->buf);
	kfree(b);
}

static int master_start(struct l4vs_net *ln, struct l4vs_sync *s,
			const struct l4vs_sync_conf *c, int ifindex)
{
	struct l4vs_sync_master *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->conf = *c;
	m->s = s;
	spin_lock_init(&m->lock);
	INIT_LIST_HEAD(&m->queue);
	ret = sync_sock(ln, c, ifindex, true, &m->sock, &m->dst, &m->dstlen);
	if (ret)
		goto err_free;
	m->task = kthread_run(master_thread, m, "l4vs_sync_m:%u", c->syncid);
	if (IS_ERR(m->task)) {
		ret = PTR_ERR(m->task);
		goto err_sock;
	}
	/* fully set up before the packet path can see it */
	smp_store_release(&s->master, m);
	return 0;

err_sock:
	sock_release(m->sock);
err_free:
	kfree(m);
	return ret;
}

static int backup_start(struct l4vs_net *ln, struct l4vs_sync *s,
			const struct l4vs_sync_conf *c, int ifindex)
{
	struct l4vs_sync_backup *b;
	struct sockaddr_storage ss;
	int ret, len;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->conf = *c;
	b->s = s;
	/* any datagram up to the UDP maximum: a short buffer would truncate */
	b->buf = kvmalloc(SYNC_RECV_BUF, GFP_KERNEL);
	if (!b->buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = sync_sock(ln, c, ifindex, false, &b->sock, &ss, &len);
	if (ret)
		goto err_buf;
	b->task = kthread_run(backup_thread, b, "l4vs_sync_b:%u", c->syncid);
	if (IS_ERR(b->task)) {
		ret = PTR_ERR(b->task);
		goto err_sock;
	}
	/* readers (backup_only, /proc) see b only once it is complete */
	smp_store_release(&s->backup, b);
	return 0;

err_sock:
	sock_release(b->sock);
err_buf:
	kvfree(b->buf);
err_free:
	kfree(b);
	return ret;
}

int l4vs_sync_start(struct l4vs_net *ln, struct l4vs_sync_conf *c,
		    struct netlink_ext_ack *extack)
{
	bool master = c->state == IP_VS_STATE_MASTER;
	struct l4vs_sync *s = ln->sync;
	unsigned int hlen, mtu;
	struct net_device *dev;
	int ifindex, ret;

	lockdep_assert_held(&ln->lock);
	/*
	 * l4vs speaks version 1 only: rather than send something else than
	 * the knob asks for, a master does not start with sync_version 0.
	 */
	if (master && READ_ONCE(ln->sysctl.sync_version) != L4VS_SYNC_VERSION) {
		NL_SET_ERR_MSG(extack,
			       "sync_version 0 is not supported: l4vs sends version 1 only");
		return -EOPNOTSUPP;
	}
	if (master && c->nr_peers) {
		NL_SET_ERR_MSG(extack, "sync peers are a backup daemon's filter");
		return -EINVAL;
	}
	if (s && master && s->master) {
		NL_SET_ERR_MSG(extack, "a master sync daemon is already running");
		return -EEXIST;
	}
	if (s && !master && s->backup) {
		NL_SET_ERR_MSG(extack, "a backup sync daemon is already running");
		return -EEXIST;
	}

	dev = dev_get_by_name(ln->net, c->ifname);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such multicast interface");
		return -ENODEV;
	}
	ifindex = dev->ifindex;
	mtu = READ_ONCE(dev->mtu);
	dev_put(dev);

	/* IPVS's defaults and bounds */
	if (!c->mcast_af) {
		c->mcast_af = AF_INET;
		c->mcast_group.ip = L4VS_SYNC_GROUP;
	}
	if (!c->mcast_port)
		c->mcast_port = L4VS_SYNC_PORT;
	if (!c->mcast_ttl)
		c->mcast_ttl = 1;
	hlen = (c->mcast_af == AF_INET6 ? sizeof(struct ipv6hdr) :
					 sizeof(struct iphdr)) + sizeof(struct udphdr);
	/*
	 * A master's messages fit the interface's MTU; a backup reads any
	 * size, its maxlen is only shown (IPVS sizes its buffer with it).
	 */
	mtu = master ? min(mtu, 65535U) : clamp(mtu, 1500U, 65535U);
	if (master && mtu <= hlen) {
		NL_SET_ERR_MSG(extack, "multicast interface MTU too small");
		return -EINVAL;
	}
	if (c->maxlen)
		c->maxlen = clamp_t(unsigned int, c->maxlen, master ? 1 : 1024,
				    65535 - hlen);
	else
		c->maxlen = mtu - hlen;
	/* the master needs room for the header and one record at least */
	if (master && c->maxlen < sizeof(struct l4vs_sync_hdr) + L4VS_SYNC_REC_MAX) {
		NL_SET_ERR_MSG(extack, "sync_maxlen too small for one connection");
		return -EINVAL;
	}

	if (!s) {
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		s->ln = ln;
		if (!proc_create_net_single("l4vs_sync", 0444, ln->net->proc_net,
					    sync_show, NULL)) {
			kfree(s);
			return -ENOMEM;
		}
	}
	ret = master ? master_start(ln, s, c, ifindex) :
		       backup_start(ln, s, c, ifindex);
	if (ret) {
		if (!ln->sync) {
			remove_proc_entry("l4vs_sync", ln->net->proc_net);
			kfree(s);
		}
		NL_SET_ERR_MSG(extack, "cannot set up the sync socket or thread");
		return ret;
	}
	/* the packet path reads ln->sync locklessly: publish it complete */
	smp_store_release(&ln->sync, s);
	return 0;
}

int l4vs_sync_stop(struct l4vs_net *ln, u32 state,
		   struct netlink_ext_ack *extack)
{
	struct l4vs_sync *s = ln->sync;
	struct l4vs_sync_master *m = NULL;
	struct l4vs_sync_backup *b = NULL;
	bool last;

	lockdep_assert_held(&ln->lock);
	if (s && state == IP_VS_STATE_MASTER)
		m = s->master;
	else if (s && state == IP_VS_STATE_BACKUP)
		b = s->backup;
	if (!m && !b) {
		NL_SET_ERR_MSG(extack, "no sync daemon runs in that role");
		return -ESRCH;
	}
	if (m)
		WRITE_ONCE(s->master, NULL);
	else
		WRITE_ONCE(s->backup, NULL);
	last = !s->master && !s->backup;
	if (last) {
		/* readers of the file are RCU readers: no deadlock here */
		remove_proc_entry("l4vs_sync", ln->net->proc_net);
		WRITE_ONCE(ln->sync, NULL);
	}
	/* no packet is queueing into the master past this */
	synchronize_rcu();
	if (m)
		master_destroy(m);
	else
		backup_destroy(b);
	if (last)
		kfree(s);
	return 0;
}

bool l4vs_sync_get_conf(struct l4vs_net *ln, u32 state,
			struct l4vs_sync_conf *c)
{
	struct l4vs_sync *s = ln->sync;

	lockdep_assert_held(&ln->lock);
	if (s && state == IP_VS_STATE_MASTER && s->master) {
		*c = s->master->conf;
		return true;
	}
	if (s && state == IP_VS_STATE_BACKUP && s->backup) {
		*c = s->backup->conf;
		return true;
	}
	return false;
}

/* Runs first in the netns exit path, before the table goes away. */
void l4vs_sync_net_exit(struct l4vs_net *ln)
{
	mutex_lock(&ln->lock);
	if (ln->sync && ln->sync->master)
		l4vs_sync_stop(ln, IP_VS_STATE_MASTER, NULL);
	if (ln->sync && ln->sync->backup)
		l4vs_sync_stop(ln, IP_VS_STATE_BACKUP, NULL);
	mutex_unlock(&ln->lock);
}
