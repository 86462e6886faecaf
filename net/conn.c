// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: the connection table.
 *
 * One hash chain per connection, keyed on (protocol, client address, client
 * port): an inbound packet carries that tuple as its source and a reply as
 * its destination, so both directions search the same chain.
 *
 * Readers walk chains under RCU and take no reference: everything a reader
 * may dereference (the connection, its destination, the service) is freed
 * only after a grace period.  Writers (insert, reap) serialise on a striped
 * spinlock array, one lock per L4VS_CONN_LOCK_STRIPE buckets.
 *
 * There is no timer per connection.  The packet path stores the time of
 * expiry; a per-netns garbage collector walks a slice of the table every
 * tick and reaps what has expired.  That keeps established flows free of
 * timer re-arming and the entry small.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <net/ipv6.h>

#include "l4vs.h"
#include "xmit.h"

#define L4VS_CONN_LOCKS_MAX	1024
/* The collector visits the whole table once per this many ticks. */
#define L4VS_GC_SLICES		4
#define L4VS_GC_TICK		(HZ / L4VS_GC_SLICES)

static struct kmem_cache *l4vs_conn_cachep __read_mostly;

static u32 conn_hash(const struct l4vs_net *ln, int af, u8 proto,
		     const union nf_inet_addr *addr, __be16 port)
{
	u32 a = (__force u32)addr->ip;

	if (af == AF_INET6)
		a = jhash2((const u32 *)addr->all, 4, ln->conn_seed);
	return jhash_3words(a, (__force u32)port, proto, ln->conn_seed);
}

static inline bool addr_eq(int af, const union nf_inet_addr *a,
			   const union nf_inet_addr *b)
{
	if (af == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

static inline unsigned int bucket_of(const struct l4vs_conn_tab *tab, u32 hash)
{
	return hash & ((1U << tab->bits) - 1);
}

static inline spinlock_t *bucket_lock(const struct l4vs_conn_tab *tab,
				      unsigned int bucket)
{
	return &tab->locks[bucket & tab->lock_mask];
}

/*
 * Which side of an entry a lookup names.  Every lookup knows the client
 * (the hash key) and one other end: the virtual service for packets from
 * the client, the real server for packets from or quoted towards it.
 */
enum conn_match {
	MATCH_VIRTUAL,		/* client -> VIP:vport */
	MATCH_REAL,		/* client <-> real server */
	MATCH_TEMPLATE,		/* persistence template, live */
};

static struct l4vs_conn *conn_find(struct l4vs_net *ln, int af, u8 proto,
				   const union nf_inet_addr *caddr, __be16 cport,
				   const union nf_inet_addr *addr, __be16 port,
				   enum conn_match how)
{
	u16 want = how == MATCH_TEMPLATE ? IP_VS_CONN_F_TEMPLATE : 0;
	struct l4vs_conn_tab *tab = ln->conn_tab;
	unsigned int b = bucket_of(tab, conn_hash(ln, af, proto, caddr, cport));
	struct l4vs_conn *cp;

	hlist_for_each_entry_rcu(cp, &tab->buckets[b], c_list) {
		bool real = how == MATCH_REAL;

		if (cp->cport != cport || (real ? cp->dport : cp->vport) != port ||
		    cp->protocol != proto || cp->af != af ||
		    (cp->flags & (IP_VS_CONN_F_TEMPLATE | L4VS_CONN_F_STALE)) != want)
			continue;
		if (addr_eq(af, &cp->caddr, caddr) &&
		    addr_eq(af, real ? &cp->daddr : &cp->vaddr, addr))
			return cp;
	}
	return NULL;
}

struct l4vs_conn *l4vs_conn_in_get(struct l4vs_net *ln,
				   const struct l4vs_iphdr *iph)
{
	return conn_find(ln, iph->af, iph->protocol, &iph->saddr, iph->sport,
			 &iph->daddr, iph->dport, MATCH_VIRTUAL);
}

struct l4vs_conn *l4vs_conn_out_get(struct l4vs_net *ln,
				    const struct l4vs_iphdr *iph)
{
	return conn_find(ln, iph->af, iph->protocol, &iph->daddr, iph->dport,
			 &iph->saddr, iph->sport, MATCH_REAL);
}

/*
 * A persistence template: (masked client, port 0) -> service key.  Matched
 * on the flag too, so that a real connection from source port 0 can never
 * be taken for one; a replaced (stale) template is never found.
 */
struct l4vs_conn *l4vs_conn_template_get(struct l4vs_net *ln,
					 const struct l4vs_iphdr *key)
{
	return conn_find(ln, key->af, key->protocol, &key->saddr, key->sport,
			 &key->daddr, key->dport, MATCH_TEMPLATE);
}

/* A packet client -> real server as masquerading sent it (ICMP quotes). */
struct l4vs_conn *l4vs_conn_dest_get(struct l4vs_net *ln,
				     const struct l4vs_iphdr *iph)
{
	return conn_find(ln, iph->af, iph->protocol, &iph->saddr, iph->sport,
			 &iph->daddr, iph->dport, MATCH_REAL);
}

/* Thresholds as LVS defines them: overloaded at u_threshold connections,
 * usable again below l_threshold, or below 3/4 of u_threshold without one.
 */
void l4vs_dest_update_overload(struct l4vs_dest *dest)
{
	u32 conns = atomic_read(&dest->activeconns) +
		    atomic_read(&dest->inactconns);
	int bit = ilog2(L4VS_DEST_F_OVERLOAD);

	if (!dest->u_threshold) {
		if (test_bit(bit, &dest->flags))
			clear_bit(bit, &dest->flags);
		return;
	}
	if (conns >= dest->u_threshold) {
		if (!test_bit(bit, &dest->flags))
			set_bit(bit, &dest->flags);
	} else if (test_bit(bit, &dest->flags)) {
		if (dest->l_threshold ? conns < dest->l_threshold
				      : conns * 4 < dest->u_threshold * 3)
			clear_bit(bit, &dest->flags);
	}
}

/* Everything but the expiry time, for hashed and one-packet entries alike. */
void l4vs_conn_fill(struct l4vs_conn *cp, const struct l4vs_iphdr *iph,
		    struct l4vs_dest *dest, unsigned int flags)
{
	cp->af = iph->af;
	cp->protocol = iph->protocol;
	cp->state = 0;
	cp->flags = (atomic_read(&dest->conn_flags) & IP_VS_CONN_F_FWD_MASK) |
		    (flags & (IP_VS_CONN_F_TEMPLATE | IP_VS_CONN_F_ONE_PACKET));
	cp->cport = iph->sport;
	cp->vport = iph->dport;
	cp->dport = dest->port || (flags & IP_VS_CONN_F_TEMPLATE) ?
		    dest->port : iph->dport;
	spin_lock_init(&cp->lock);
	cp->caddr = iph->saddr;
	cp->vaddr = iph->daddr;
	cp->daddr = dest->addr;
	cp->dest = dest;
	cp->control = NULL;
	atomic_set(&cp->n_control, 0);
}

/*
 * Create and hash an entry for the tuple in 'iph' bound to 'dest'.  Templates
 * (IP_VS_CONN_F_TEMPLATE in 'flags') are counted in the server's
 * persistconns, connections in its inactconns until they are established.
 * A connection created under a template ('control') keeps it alive.
 * Returns the entry already there if another CPU created it first.
 */
struct l4vs_conn *l4vs_conn_new(struct l4vs_net *ln,
				const struct l4vs_iphdr *iph,
				struct l4vs_dest *dest, unsigned int flags,
				struct l4vs_conn *control)
{
	struct l4vs_conn_tab *tab = ln->conn_tab;
	bool tmpl = flags & IP_VS_CONN_F_TEMPLATE;
	struct l4vs_conn *cp, *old;
	unsigned int b;
	spinlock_t *lock;

	cp = kmem_cache_alloc(l4vs_conn_cachep, GFP_ATOMIC);
	if (!cp)
		return NULL;

	l4vs_conn_fill(cp, iph, dest, flags);
	cp->expires = jiffies + (tmpl ? dest->svc->timeout :
				 l4vs_proto_initial_timeout(ln, iph->protocol));

	b = bucket_of(tab, conn_hash(ln, iph->af, iph->protocol,
				     &iph->saddr, iph->sport));
	lock = bucket_lock(tab, b);
	spin_lock(lock);
	/* Two CPUs may race to create the same flow (a retransmitted SYN). */
	old = tmpl ? l4vs_conn_template_get(ln, iph) : l4vs_conn_in_get(ln, iph);
	if (old) {
		spin_unlock(lock);
		kmem_cache_free(l4vs_conn_cachep, cp);
		return old;
	}
	l4vs_dest_hold(dest);
	if (tmpl)
		atomic_inc(&dest->persistconns);
	else
		atomic_inc(&dest->inactconns);
	if (control) {
		atomic_inc(&control->n_control);
		cp->control = control;
	}
	hlist_add_head_rcu(&cp->c_list, &tab->buckets[b]);
	spin_unlock(lock);

	atomic_inc(&ln->conn_count);
	if (tmpl)
		return cp;
	l4vs_dest_update_overload(dest);
	l4vs_stats_add_conn(&dest->stats);
	l4vs_stats_add_conn(&dest->svc->stats);
	l4vs_stats_add_conn(&ln->tot_stats);
	return cp;
}

void l4vs_conn_set_active(struct l4vs_conn *cp, bool active)
{
	struct l4vs_dest *dest = cp->dest;

	lockdep_assert_held(&cp->lock);
	if (!!(cp->flags & L4VS_CONN_F_ACTIVE) == active ||
	    (cp->flags & L4VS_CONN_F_DEAD))
		return;
	if (active) {
		cp->flags |= L4VS_CONN_F_ACTIVE;
		atomic_dec(&dest->inactconns);
		atomic_inc(&dest->activeconns);
	} else {
		cp->flags &= ~L4VS_CONN_F_ACTIVE;
		atomic_dec(&dest->activeconns);
		atomic_inc(&dest->inactconns);
	}
}

static void conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(l4vs_conn_cachep, container_of(head, struct l4vs_conn, rcu));
}

/* After unlinking: release the destination and free after a grace period. */
static void conn_release(struct l4vs_net *ln, struct l4vs_conn *cp)
{
	struct l4vs_dest *dest = cp->dest;

	spin_lock_bh(&cp->lock);
	cp->flags |= L4VS_CONN_F_DEAD;
	if (cp->flags & IP_VS_CONN_F_TEMPLATE)
		atomic_dec(&dest->persistconns);
	else if (cp->flags & L4VS_CONN_F_ACTIVE)
		atomic_dec(&dest->activeconns);
	else
		atomic_dec(&dest->inactconns);
	spin_unlock_bh(&cp->lock);
	if (cp->control)
		atomic_dec(&cp->control->n_control);
	l4vs_dest_update_overload(dest);
	l4vs_dest_put(dest);
	atomic_dec(&ln->conn_count);
	call_rcu(&cp->rcu, conn_free_rcu);
}

/*
 * A template stays while connections it placed are alive: it is extended by
 * its service's persistence timeout each time it is found still in use.
 */
static bool conn_expired(struct l4vs_conn *cp, unsigned long now, bool all)
{
	if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
		if (atomic_read(&cp->n_control)) {
			if (!all && time_after_eq(now, READ_ONCE(cp->expires)))
				WRITE_ONCE(cp->expires,
					   now + READ_ONCE(cp->dest->svc->timeout));
			return false;
		}
		return all || time_after_eq(now, READ_ONCE(cp->expires));
	}
	return all || time_after_eq(now, READ_ONCE(cp->expires));
}

/*
 * Unlink the expired entries of buckets [first, first + n), or every entry
 * when 'all' is set (templates are kept while they still control
 * connections: the caller then makes a second pass).  Returns the number
 * reaped.
 */
static unsigned int conn_reap(struct l4vs_net *ln, unsigned int first,
			      unsigned int n, bool all)
{
	struct l4vs_conn_tab *tab = ln->conn_tab;
	unsigned long now = jiffies;
	unsigned int b, reaped = 0;

	for (b = first; b < first + n; b++) {
		struct hlist_node *tmp;
		struct l4vs_conn *cp;
		spinlock_t *lock;

		if (hlist_empty(&tab->buckets[b]))
			continue;
		lock = bucket_lock(tab, b);
		spin_lock_bh(lock);
		hlist_for_each_entry_safe(cp, tmp, &tab->buckets[b], c_list) {
			if (!conn_expired(cp, now, all))
				continue;
			hlist_del_rcu(&cp->c_list);
			conn_release(ln, cp);
			reaped++;
		}
		spin_unlock_bh(lock);
		if (all && !(b & 255))
			cond_resched();
	}
	return reaped;
}

static void conn_gc_work(struct work_struct *work)
{
	struct l4vs_net *ln = container_of(to_delayed_work(work),
					   struct l4vs_net, gc_work);
	unsigned int size = l4vs_conn_tab_size(ln->conn_tab);
	unsigned int slice = DIV_ROUND_UP(size, L4VS_GC_SLICES);
	unsigned int first = ln->gc_next_bucket;

	if (first >= size)
		first = 0;
	slice = min(slice, size - first);
	conn_reap(ln, first, slice, false);
	ln->gc_next_bucket = first + slice;
	/* an empty table only needs looking at now and then */
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   atomic_read(&ln->conn_count) ? L4VS_GC_TICK : HZ);
}

void l4vs_conn_flush(struct l4vs_net *ln)
{
	unsigned int size = l4vs_conn_tab_size(ln->conn_tab);

	/* connections first: that releases their templates' n_control */
	conn_reap(ln, 0, size, true);
	conn_reap(ln, 0, size, true);
}

unsigned int l4vs_conn_expires_secs(const struct l4vs_conn *cp)
{
	long left = (long)(READ_ONCE(cp->expires) - jiffies);

	return left > 0 ? jiffies_to_msecs(left) / 1000 : 0;
}

static struct l4vs_conn_tab *conn_tab_alloc(unsigned int bits)
{
	struct l4vs_conn_tab *tab;
	unsigned int i, nlocks;

	tab = kzalloc(sizeof(*tab), GFP_KERNEL);
	if (!tab)
		return NULL;
	tab->bits = bits;
	tab->buckets = kvmalloc_array(1U << bits, sizeof(*tab->buckets),
				      GFP_KERNEL);
	if (!tab->buckets)
		goto err_free_tab;
	for (i = 0; i < (1U << bits); i++)
		INIT_HLIST_HEAD(&tab->buckets[i]);

	nlocks = min_t(unsigned int, 1U << bits, L4VS_CONN_LOCKS_MAX);
	tab->locks = kvmalloc_array(nlocks, sizeof(*tab->locks), GFP_KERNEL);
	if (!tab->locks)
		goto err_free_buckets;
	for (i = 0; i < nlocks; i++)
		spin_lock_init(&tab->locks[i]);
	tab->lock_mask = nlocks - 1;
	return tab;

err_free_buckets:
	kvfree(tab->buckets);
err_free_tab:
	kfree(tab);
	return NULL;
}

static void conn_tab_free(struct l4vs_conn_tab *tab)
{
	kvfree(tab->locks);
	kvfree(tab->buckets);
	kfree(tab);
}

int l4vs_conn_net_init(struct l4vs_net *ln)
{
	int ret;

	ret = l4vs_drops_net_init(ln);
	if (ret)
		return ret;
	ln->conn_tab = conn_tab_alloc(l4vs_conn_tab_bits);
	if (!ln->conn_tab) {
		l4vs_drops_net_exit(ln);
		return -ENOMEM;
	}
	ln->conn_seed = get_random_u32();
	atomic_set(&ln->conn_count, 0);
	l4vs_proto_net_init(ln);
	INIT_DELAYED_WORK(&ln->gc_work, conn_gc_work);
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work, L4VS_GC_TICK);
	return 0;
}

/* Runs after the hooks are gone: nothing adds entries any more. */
void l4vs_conn_net_exit(struct l4vs_net *ln)
{
	cancel_delayed_work_sync(&ln->gc_work);
	l4vs_conn_flush(ln);
	WARN_ON_ONCE(atomic_read(&ln->conn_count));
	conn_tab_free(ln->conn_tab);
	ln->conn_tab = NULL;
	l4vs_drops_net_exit(ln);
}

int l4vs_conn_init(void)
{
	l4vs_conn_cachep = KMEM_CACHE(l4vs_conn, SLAB_HWCACHE_ALIGN);
	return l4vs_conn_cachep ? 0 : -ENOMEM;
}

void l4vs_conn_uninit(void)
{
	rcu_barrier();	/* pending conn_free_rcu() */
	kmem_cache_destroy(l4vs_conn_cachep);
}
