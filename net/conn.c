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
 *
 * Resizing: the collector also keeps the number of buckets near the number
 * of entries (conn_tab_bits is only the starting size).  It publishes a new
 * table in conn_tab_next, waits for a grace period so that every lookup
 * knows about it, then moves the entries stripe by stripe.  Meanwhile new
 * entries go to the new table, and a lookup that misses in both tables
 * retries if its stripe's seqcount moved, because an entry in flight may
 * have been in neither chain when it looked.  Outside a resize a lookup
 * costs one chain walk and touches no lock or counter.
 *
 * Eviction (conn_max): when the netns holds that many entries, a new one
 * may only take the place of one the director cannot trust, found near its
 * own bucket (conn_evict()); otherwise the packet is dropped and counted.
 * Trust is evidence that a real client is at the other end, gathered by
 * the protocols (L4VS_CONN_F_CONFIRMED): with masquerading, the server
 * talked after the handshake (TCP, SCTP) or the client came back after an
 * answer (UDP); with DR and TUN, which see only the client's half, the
 * client sent again after completing its handshake.  What a spoofed
 * source can fake without seeing an answer (a SYN, a blind ACK, an INIT
 * and a cookie) leaves the entry evictable.
 */

#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <net/ipv6.h>

#include "l4vs.h"
#include "xmit.h"

#define L4VS_CONN_LOCK_BITS_MAX	10
/* Growth stops here: 2^24 buckets are 128 MiB. */
#define L4VS_CONN_TAB_BITS_LIMIT	24
/*
 * When conn_max is hit, an eviction looks at this many entries from the new
 * one's bucket on, in at most this many buckets (a sparse table: conn_max
 * well below the table's starting size).
 */
#define L4VS_EVICT_LOOK		16
#define L4VS_EVICT_BUCKETS	256
/* conn_flags bits */
#define L4VS_CONN_TAB_RESIZE	0	/* the collector was asked to resize */
/* Up to 64k entries, the collector visits the whole table once per this many ticks. */
#define L4VS_GC_SLICES		4
#define L4VS_GC_TICK		(HZ / L4VS_GC_SLICES)
/*
 * A big table is visited more slowly, so that the collector's cost stays
 * near 64k entries a second: one full pass a second up to 64k entries, one
 * every 16 s at a million and beyond.  An entry may then outlive its
 * timeout by that long; the timeouts that matter at that scale (TCP's
 * 900 s, UDP's 300 s) are much longer.
 */
#define L4VS_GC_ENTRIES_PER_SEC	65536
#define L4VS_GC_PASS_MAX	16

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

static inline struct l4vs_conn_lock *stripe_of(struct l4vs_net *ln, u32 hash)
{
	return &ln->conn_locks[hash & ln->conn_lock_mask];
}

unsigned int l4vs_conn_buckets(struct l4vs_net *ln)
{
	unsigned int n;

	rcu_read_lock();
	n = l4vs_conn_tab_size(rcu_dereference(ln->conn_tab));
	rcu_read_unlock();
	return n;
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

static struct l4vs_conn *chain_find(const struct l4vs_conn_tab *tab, u32 hash,
				    int af, u8 proto,
				    const union nf_inet_addr *caddr, __be16 cport,
				    const union nf_inet_addr *addr, __be16 port,
				    enum conn_match how)
{
	u16 want = how == MATCH_TEMPLATE ? IP_VS_CONN_F_TEMPLATE : 0;
	bool real = how == MATCH_REAL;
	struct l4vs_conn *cp;

	hlist_for_each_entry_rcu(cp, &tab->buckets[bucket_of(tab, hash)], c_list) {
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

static struct l4vs_conn *conn_find(struct l4vs_net *ln, int af, u8 proto,
				   const union nf_inet_addr *caddr, __be16 cport,
				   const union nf_inet_addr *addr, __be16 port,
				   enum conn_match how)
{
	u32 hash = conn_hash(ln, af, proto, caddr, cport);
	struct l4vs_conn_tab *tab = rcu_dereference(ln->conn_tab);
	struct l4vs_conn_tab *next = rcu_dereference(ln->conn_tab_next);
	seqcount_spinlock_t *seq;
	struct l4vs_conn *cp;
	unsigned int start;

	if (likely(!next))
		return chain_find(tab, hash, af, proto, caddr, cport, addr, port, how);

	seq = &stripe_of(ln, hash)->seq;
	do {
		start = read_seqcount_begin(seq);
		cp = chain_find(tab, hash, af, proto, caddr, cport, addr, port, how);
		if (!cp)
			cp = chain_find(next, hash, af, proto, caddr, cport, addr,
					port, how);
		if (cp)
			return cp;
	} while (read_seqcount_retry(seq, start));
	return NULL;
}

struct l4vs_conn *l4vs_conn_in_find(struct l4vs_net *ln,
				    const struct l4vs_iphdr *iph)
{
	return conn_find(ln, iph->af, iph->protocol, &iph->saddr, iph->sport,
			 &iph->daddr, iph->dport, MATCH_VIRTUAL);
}

struct l4vs_conn *l4vs_conn_out_find(struct l4vs_net *ln,
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
struct l4vs_conn *l4vs_conn_template_find(struct l4vs_net *ln,
					  const struct l4vs_iphdr *key)
{
	return conn_find(ln, key->af, key->protocol, &key->saddr, key->sport,
			 &key->daddr, key->dport, MATCH_TEMPLATE);
}

/* A packet client -> real server as masquerading sent it (ICMP quotes). */
struct l4vs_conn *l4vs_conn_dest_find(struct l4vs_net *ln,
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
	/*
	 * In 64 bits: u_threshold * 3 wraps in 32 for a threshold above
	 * 1,431,655,765 (e.g. 0x55555556 * 3 = 2), which kept a server
	 * overloaded for good.  The sum is clamped: the two counters move one
	 * after the other and may be a transient -1.
	 */
	s64 sum = (s64)atomic_read(&dest->activeconns) +
		  atomic_read(&dest->inactconns);
	u64 conns = sum > 0 ? sum : 0;
	u64 upper = READ_ONCE(dest->u_threshold);
	u64 lower = READ_ONCE(dest->l_threshold);
	int bit = ilog2(L4VS_DEST_F_OVERLOAD);

	if (!upper) {
		if (test_bit(bit, &dest->flags))
			clear_bit(bit, &dest->flags);
		return;
	}
	if (conns >= upper) {
		if (!test_bit(bit, &dest->flags))
			set_bit(bit, &dest->flags);
	} else if (test_bit(bit, &dest->flags)) {
		if (lower ? conns < lower : conns * 4 < upper * 3)
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
	cp->sync_pkts = 0;
	cp->sync_stamp = 0;
}

/*
 * May this entry make room for a new one when the table is full, and how
 * readily?  -1: never (templates, confirmed connections); 0: first (a
 * flow that never got past its first packet or handshake, or one already
 * over); 1: only when no 0 is near (an established connection, or an
 * answered flow, not yet confirmed).  See "Eviction" at the top.
 */
static int conn_evict_rank(const struct l4vs_conn *cp)
{
	const struct l4vs_protocol *pp = l4vs_proto_find(cp->protocol);
	u16 flags = READ_ONCE(cp->flags);
	unsigned int state = READ_ONCE(cp->state);

	if ((flags & (IP_VS_CONN_F_TEMPLATE | L4VS_CONN_F_DEAD)) || !pp)
		return -1;
	if (l4vs_proto_state_in(pp->finished_states, state))
		return 0;
	if (flags & L4VS_CONN_F_CONFIRMED)
		return -1;
	/* a state that tells nothing: was it answered, did the client return? */
	if (pp->established < 0)
		return !!(flags & (L4VS_CONN_F_REPLIED | L4VS_CONN_F_AGAIN));
	return l4vs_proto_established(pp, state);
}

/* Jiffies since the entry's last packet (its expiry less its timeout). */
static unsigned long conn_idle(struct l4vs_net *ln, const struct l4vs_conn *cp,
			       unsigned long now)
{
	long idle = (long)(now - (READ_ONCE(cp->expires) -
				  l4vs_proto_timeout(ln, cp)));

	return idle > 0 ? idle : 0;
}

static void conn_release(struct l4vs_net *ln, struct l4vs_conn *cp);

/*
 * Take an entry out of its chain; its stripe lock held.  Lookups walking
 * the chain under RCU carry on past it (its next pointer stays); the
 * cleared back pointer tells l4vs_conn_unlink() that someone else (the
 * collector, an eviction) already took it out.  A resize moves entries
 * from chain to chain under the same lock, so no one sees them in between.
 */
static void conn_unlink_locked(struct l4vs_conn *cp)
{
	hlist_del_init_rcu(&cp->c_list);
}

/*
 * The table is full: make room by dropping one entry near 'hash', as
 * conntrack's early drop does.  The buckets from 'hash' on are looked at
 * without a lock until L4VS_EVICT_LOOK entries have been seen (or
 * L4VS_EVICT_BUCKETS buckets, for a sparse table); the victim is the one of
 * lowest rank (conn_evict_rank()) that has been idle longest, so that a
 * flood's entries go before a real client's handshake in progress, and a
 * flood of one kind never pushes out flows that got further.  The victim
 * is then unlinked under its stripe lock if it is still in its chain.
 * Only the current table is searched; during a resize that may find
 * nothing, and the new flow waits for the client's retransmission.
 */
static bool conn_evict(struct l4vs_net *ln, u32 hash)
{
	struct l4vs_conn_tab *tab = rcu_dereference(ln->conn_tab);
	struct l4vs_conn *cp, *victim = NULL;
	unsigned long now = jiffies, best_idle = 0;
	unsigned int i, seen = 0, b = 0;
	struct l4vs_conn_lock *stripe;
	int best_rank = 2;

	for (i = 0; i < L4VS_EVICT_BUCKETS && seen < L4VS_EVICT_LOOK; i++) {
		unsigned int bi = bucket_of(tab, hash + i);

		hlist_for_each_entry_rcu(cp, &tab->buckets[bi], c_list) {
			int rank = conn_evict_rank(cp);
			unsigned long idle;

			seen++;
			if (rank < 0 || rank > best_rank)
				continue;
			idle = conn_idle(ln, cp, now);
			if (rank == best_rank && idle <= best_idle)
				continue;
			victim = cp;
			best_rank = rank;
			best_idle = idle;
			b = bi;
		}
	}
	if (!victim)
		return false;

	/* every entry of bucket b hashes to stripe b: see stripe_of() */
	stripe = stripe_of(ln, b);
	spin_lock(&stripe->lock);
	hlist_for_each_entry(cp, &tab->buckets[b], c_list) {
		if (cp != victim)
			continue;
		if (conn_evict_rank(cp) < 0)
			break;
		conn_unlink_locked(cp);
		spin_unlock(&stripe->lock);
		conn_release(ln, cp);
		return true;
	}
	spin_unlock(&stripe->lock);
	return false;
}

/* Ask the collector to resize now rather than at its next tick. */
static void conn_tab_check_load(struct l4vs_net *ln, unsigned int count)
{
	struct l4vs_conn_tab *tab = rcu_dereference(ln->conn_tab);

	if (likely(count <= 2U << tab->bits) || tab->bits >= L4VS_CONN_TAB_BITS_LIMIT)
		return;
	if (!test_and_set_bit(L4VS_CONN_TAB_RESIZE, &ln->conn_flags))
		mod_delayed_work(system_power_efficient_wq, &ln->gc_work, 0);
}

/*
 * Pinning a template for a new connection.  n_control counts the
 * connections a template placed; the collector claims an unused template by
 * moving it from 0 to -1 (conn_claim()) before it unlinks it, and a claimed
 * template can no longer be pinned.  A packet that found the template under
 * RCU therefore either pins it before the claim, and the collector leaves
 * it alone, or fails to and schedules afresh: the template is never freed
 * while a connection points at it.
 */
bool l4vs_conn_template_pin(struct l4vs_conn *ct)
{
	return atomic_inc_unless_negative(&ct->n_control);
}

void l4vs_conn_template_unpin(struct l4vs_conn *ct)
{
	atomic_dec(&ct->n_control);
}

/* The collector's side: false if a connection pinned it meanwhile. */
static bool conn_claim(struct l4vs_conn *cp)
{
	if (!(cp->flags & IP_VS_CONN_F_TEMPLATE))
		return true;
	return atomic_cmpxchg(&cp->n_control, 0, -1) == 0;
}

#ifdef DEBUG
/*
 * Debug builds only: a delay between choosing a server (or finding a
 * template) under RCU and taking the reference on it, so that the stress
 * tests can make a concurrent delete land in that window every time rather
 * than once in a blue moon.
 */
static unsigned int race_delay_us;
module_param(race_delay_us, uint, 0644);
MODULE_PARM_DESC(race_delay_us, "debug: widen the schedule/reference window (us)");

void l4vs_debug_race_window(void)
{
	unsigned int us = READ_ONCE(race_delay_us);

	if (us)
		udelay(min(us, 10000U));
}
#endif

/*
 * Take one of conn_max's places before the entry exists.  Checking the count
 * and adding to it later let two CPUs (or a synced record beside a packet)
 * both see room for one and both insert: the debug kernel's flood_evict
 * saw 501 entries with conn_max 500.  Lowering conn_max below the count is
 * allowed: nothing gets in until enough entries have gone.
 */
static bool conn_reserve(struct l4vs_net *ln, int max)
{
	int count = atomic_read(&ln->conn_count);

	do {
		if (count >= max)
			return false;
	} while (!atomic_try_cmpxchg(&ln->conn_count, &count, count + 1));
	return true;
}

/*
 * Create and hash an entry for the tuple in 'iph' bound to 'dest'.  Templates
 * (IP_VS_CONN_F_TEMPLATE in 'flags') are counted in the server's
 * persistconns, connections in its inactconns until they are established.
 * A connection created under a template ('control') keeps it alive: the
 * caller passes the template pinned (l4vs_conn_template_pin()) and the pin
 * becomes the connection's, or is dropped here if no entry is created.
 * Returns the entry already there if another CPU created it first.
 *
 * 'dest' was found under RCU and may be in the middle of being deleted: it
 * is only used if a reference can still be taken on it (see "Object
 * lifetimes" in Documentation/design.md) and it is still in its service.
 * Runs under rcu_read_lock() with bottom halves disabled.
 */
struct l4vs_conn *l4vs_conn_new(struct l4vs_net *ln,
				const struct l4vs_iphdr *iph,
				struct l4vs_dest *dest, unsigned int flags,
				struct l4vs_conn *control)
{
	bool tmpl = flags & IP_VS_CONN_F_TEMPLATE;
	int max = READ_ONCE(ln->sysctl.conn_max);
	struct l4vs_conn_tab *tab, *next;
	struct l4vs_conn_lock *stripe;
	struct l4vs_conn *cp, *old;
	bool reserved = false;
	unsigned int count;
	u32 hash;

	l4vs_debug_race_window();
	if (!refcount_inc_not_zero(&dest->refcnt)) {
		l4vs_drop(ln, L4VS_DROP_DEST_GONE);
		goto err_unpin;
	}
	/* unlinked since it was chosen: the client's retry picks another */
	if (!l4vs_dest_available(dest)) {
		l4vs_drop(ln, L4VS_DROP_DEST_GONE);
		goto err_put_dest;
	}

	hash = conn_hash(ln, iph->af, iph->protocol, &iph->saddr, iph->sport);
	if (max && !conn_reserve(ln, max)) {
		/* a retransmitted first packet must not cost another entry */
		old = tmpl ? l4vs_conn_template_find(ln, iph) : l4vs_conn_in_find(ln, iph);
		if (old)
			goto found_old;
		/* another CPU may take the room made before this one does */
		if (!conn_evict(ln, hash) || !conn_reserve(ln, max)) {
			l4vs_drop(ln, L4VS_DROP_CONN_LIMIT);
			goto err_put_dest;
		}
	}
	reserved = max != 0;
	/* debug builds: hold the reserved slot, so that racing CPUs meet here */
	l4vs_debug_race_window();

	cp = kmem_cache_alloc(l4vs_conn_cachep, GFP_ATOMIC);
	if (!cp) {
		l4vs_drop(ln, L4VS_DROP_NOMEM);
		goto err_unreserve;
	}

	l4vs_conn_fill(cp, iph, dest, flags);
	if (!tmpl)
		cp->flags |= L4VS_CONN_F_FRESH;	/* cleared by its first packet */
	cp->expires = jiffies + (tmpl ? dest->svc->timeout :
				 l4vs_proto_initial_timeout(ln, iph->protocol));

	stripe = stripe_of(ln, hash);
	spin_lock(&stripe->lock);
	/* Two CPUs may race to create the same flow (a retransmitted SYN). */
	old = tmpl ? l4vs_conn_template_find(ln, iph) : l4vs_conn_in_find(ln, iph);
	if (old) {
		spin_unlock(&stripe->lock);
		kmem_cache_free(l4vs_conn_cachep, cp);
		if (reserved)
			atomic_dec(&ln->conn_count);
		goto found_old;
	}
	if (tmpl)
		atomic_inc(&dest->persistconns);
	else
		atomic_inc(&dest->inactconns);
	cp->control = control;	/* the caller's pin is now ours */
	/* during a resize, new entries go where the old ones are going */
	tab = rcu_dereference(ln->conn_tab);
	next = rcu_dereference(ln->conn_tab_next);
	if (next)
		tab = next;
	hlist_add_head_rcu(&cp->c_list, &tab->buckets[bucket_of(tab, hash)]);
	spin_unlock(&stripe->lock);

	count = reserved ? atomic_read(&ln->conn_count) :
			   atomic_inc_return(&ln->conn_count);
	conn_tab_check_load(ln, count);
	if (tmpl)
		return cp;
	l4vs_dest_update_overload(dest);
	l4vs_stats_add_conn(&dest->stats);
	l4vs_stats_add_conn(&dest->svc->stats);
	l4vs_stats_add_conn(&ln->tot_stats);
	return cp;

found_old:
	l4vs_dest_put(dest);
	if (control)
		l4vs_conn_template_unpin(control);
	return old;

err_unreserve:
	if (reserved)
		atomic_dec(&ln->conn_count);
err_put_dest:
	l4vs_dest_put(dest);
err_unpin:
	if (control)
		l4vs_conn_template_unpin(control);
	return NULL;
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
	struct l4vs_conn *cp = container_of(head, struct l4vs_conn, rcu);

	/*
	 * A template is only unlinked once claimed (n_control -1), and a
	 * packet that found it under RCU has left its read-side section by
	 * now: anything else means a connection attached to a template that
	 * is about to be freed, the use-after-free conn_claim() exists to
	 * prevent.  Cheap (templates only), so checked in every build.
	 */
	WARN_ON_ONCE((cp->flags & IP_VS_CONN_F_TEMPLATE) &&
		     atomic_read(&cp->n_control) != -1);
	kmem_cache_free(l4vs_conn_cachep, cp);
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
 * Unlink a connection now, from the packet path: a client opened a new
 * connection on its ports and it is to be scheduled afresh
 * (conn_reuse_mode, expire_nodest_conn).  'cp' was found under RCU and the
 * caller is still in that read section, so the memory is valid; whether the
 * entry is still in the table is decided under its stripe lock, and only
 * the one who unlinks it releases it (counters, server reference, the
 * template's n_control), exactly as the collector would.  Packets that
 * found it before may still update it: l4vs_conn_set_active() ignores a
 * DEAD entry, and it is freed after a grace period.  False if it was
 * already gone.  Templates are never unlinked here: they are the
 * collector's (conn_claim()).
 */
bool l4vs_conn_unlink(struct l4vs_net *ln, struct l4vs_conn *cp)
{
	u32 hash = conn_hash(ln, cp->af, cp->protocol, &cp->caddr, cp->cport);
	struct l4vs_conn_lock *stripe = stripe_of(ln, hash);
	bool linked;

	if (WARN_ON_ONCE(cp->flags & IP_VS_CONN_F_TEMPLATE))
		return false;
	spin_lock(&stripe->lock);
	linked = !hlist_unhashed(&cp->c_list);
	if (linked)
		conn_unlink_locked(cp);
	spin_unlock(&stripe->lock);
	if (linked)
		conn_release(ln, cp);
	return linked;
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

static inline struct l4vs_conn_tab *conn_tab_locked(struct l4vs_net *ln)
{
	return rcu_dereference_protected(ln->conn_tab,
					 lockdep_is_held(&ln->conn_tab_mutex));
}

/*
 * Unlink the expired entries of buckets [first, first + n), or every entry
 * when 'all' is set (templates are kept while they still control
 * connections: the caller then makes a second pass).  Returns the number
 * reaped.  Called with conn_tab_mutex held, so the table cannot change.
 */
static unsigned int conn_reap(struct l4vs_net *ln, unsigned int first,
			      unsigned int n, bool all)
{
	struct l4vs_conn_tab *tab = conn_tab_locked(ln);
	unsigned long now = jiffies;
	unsigned int b, reaped = 0;

	for (b = first; b < first + n; b++) {
		struct l4vs_conn_lock *stripe;
		struct hlist_node *tmp;
		struct l4vs_conn *cp;

		if (!(b & 1023))
			cond_resched();
		if (hlist_empty(&tab->buckets[b]))
			continue;
		/* every entry of bucket b hashes to stripe b: see stripe_of() */
		stripe = stripe_of(ln, b);
		spin_lock_bh(&stripe->lock);
		hlist_for_each_entry_safe(cp, tmp, &tab->buckets[b], c_list) {
			if (!conn_expired(cp, now, all) || !conn_claim(cp))
				continue;
			conn_unlink_locked(cp);
			conn_release(ln, cp);
			reaped++;
		}
		spin_unlock_bh(&stripe->lock);
	}
	return reaped;
}

static struct l4vs_conn_tab *conn_tab_alloc(unsigned int bits)
{
	struct l4vs_conn_tab *tab;
	unsigned int i;

	tab = kvmalloc(struct_size(tab, buckets, 1U << bits),
		       GFP_KERNEL | __GFP_NOWARN);
	if (!tab)
		return NULL;
	tab->bits = bits;
	for (i = 0; i < (1U << bits); i++)
		INIT_HLIST_HEAD(&tab->buckets[i]);
	return tab;
}

/*
 * Grow to about one entry per bucket when there are more than two, shrink
 * to about two buckets per entry when there are fewer than one per eight;
 * never below the starting size nor above L4VS_CONN_TAB_BITS_LIMIT.
 */
static unsigned int conn_tab_wanted_bits(struct l4vs_net *ln,
					 const struct l4vs_conn_tab *tab)
{
	unsigned int count = atomic_read(&ln->conn_count);
	unsigned int size = l4vs_conn_tab_size(tab);
	unsigned int bits = tab->bits;

	if (count > 2 * size)
		bits = order_base_2(count);
	else if (count < size / 8)
		bits = order_base_2(2 * count);
	return clamp_t(unsigned int, bits, ln->conn_min_bits,
		       L4VS_CONN_TAB_BITS_LIMIT);
}

/* Move every entry to a table of 2^bits buckets (see "Resizing" above). */
static void conn_tab_resize(struct l4vs_net *ln, unsigned int bits)
{
	struct l4vs_conn_tab *old = conn_tab_locked(ln);
	struct l4vs_conn_tab *new;
	unsigned int b;

	new = conn_tab_alloc(bits);
	if (!new)
		return;		/* try again at the next tick */
	rcu_assign_pointer(ln->conn_tab_next, new);
	/* from here on every lookup knows to look in 'new' too */
	synchronize_rcu();

	for (b = 0; b < l4vs_conn_tab_size(old); b++) {
		struct l4vs_conn_lock *stripe = stripe_of(ln, b);
		struct hlist_node *tmp;
		struct l4vs_conn *cp;

		if (!(b & 255))
			cond_resched();
		if (hlist_empty(&old->buckets[b]))
			continue;
		spin_lock_bh(&stripe->lock);
		write_seqcount_begin(&stripe->seq);
		hlist_for_each_entry_safe(cp, tmp, &old->buckets[b], c_list) {
			u32 hash = conn_hash(ln, cp->af, cp->protocol, &cp->caddr,
					     cp->cport);

			hlist_del_rcu(&cp->c_list);
			hlist_add_head_rcu(&cp->c_list,
					   &new->buckets[bucket_of(new, hash)]);
		}
		write_seqcount_end(&stripe->seq);
		spin_unlock_bh(&stripe->lock);
	}

	rcu_assign_pointer(ln->conn_tab, new);
	/* nobody can still be walking the (now empty) old table after this */
	synchronize_rcu();
	RCU_INIT_POINTER(ln->conn_tab_next, NULL);
	kvfree(old);
	ln->gc_next_bucket = 0;
}

static void conn_gc_work(struct work_struct *work)
{
	struct l4vs_net *ln = container_of(to_delayed_work(work),
					   struct l4vs_net, gc_work);
	struct l4vs_conn_tab *tab;
	unsigned int size, slice, first, bits;

	mutex_lock(&ln->conn_tab_mutex);
	tab = conn_tab_locked(ln);
	size = l4vs_conn_tab_size(tab);
	slice = DIV_ROUND_UP(size, L4VS_GC_SLICES *
			     clamp_t(unsigned int,
				     atomic_read(&ln->conn_count) / L4VS_GC_ENTRIES_PER_SEC,
				     1, L4VS_GC_PASS_MAX));
	first = ln->gc_next_bucket;
	if (first >= size)
		first = 0;
	slice = min(slice, size - first);
	conn_reap(ln, first, slice, false);
	ln->gc_next_bucket = first + slice;

	bits = conn_tab_wanted_bits(ln, tab);
	if (bits != tab->bits)
		conn_tab_resize(ln, bits);
	clear_bit(L4VS_CONN_TAB_RESIZE, &ln->conn_flags);
	mutex_unlock(&ln->conn_tab_mutex);

	/* an empty table only needs looking at now and then */
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   atomic_read(&ln->conn_count) ? L4VS_GC_TICK : HZ);
}

void l4vs_conn_flush(struct l4vs_net *ln)
{
	unsigned int size;

	mutex_lock(&ln->conn_tab_mutex);
	size = l4vs_conn_tab_size(conn_tab_locked(ln));
	/* connections first: that releases their templates' n_control */
	conn_reap(ln, 0, size, true);
	conn_reap(ln, 0, size, true);
	mutex_unlock(&ln->conn_tab_mutex);
}

unsigned int l4vs_conn_expires_secs(const struct l4vs_conn *cp)
{
	long left = (long)(READ_ONCE(cp->expires) - jiffies);

	return left > 0 ? jiffies_to_msecs(left) / 1000 : 0;
}

static int conn_locks_alloc(struct l4vs_net *ln, unsigned int bits)
{
	unsigned int i, n = 1U << min_t(unsigned int, bits, L4VS_CONN_LOCK_BITS_MAX);

	ln->conn_locks = kvmalloc_array(n, sizeof(*ln->conn_locks), GFP_KERNEL);
	if (!ln->conn_locks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		spin_lock_init(&ln->conn_locks[i].lock);
		seqcount_spinlock_init(&ln->conn_locks[i].seq,
				       &ln->conn_locks[i].lock);
	}
	ln->conn_lock_mask = n - 1;
	return 0;
}

int l4vs_conn_net_init(struct l4vs_net *ln)
{
	struct l4vs_conn_tab *tab;
	int ret;

	/* stripes must not be finer than the smallest table's buckets */
	ln->conn_min_bits = l4vs_conn_tab_bits;
	ret = conn_locks_alloc(ln, ln->conn_min_bits);
	if (ret)
		return ret;
	tab = conn_tab_alloc(ln->conn_min_bits);
	if (!tab) {
		ret = -ENOMEM;
		goto err_locks;
	}
	RCU_INIT_POINTER(ln->conn_tab, tab);
	RCU_INIT_POINTER(ln->conn_tab_next, NULL);
	mutex_init(&ln->conn_tab_mutex);
	ln->conn_seed = get_random_u32();
	atomic_set(&ln->conn_count, 0);
	INIT_DELAYED_WORK(&ln->gc_work, conn_gc_work);
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work, L4VS_GC_TICK);
	return 0;

err_locks:
	kvfree(ln->conn_locks);
	return ret;
}

/* Runs after the hooks are gone: nothing adds entries any more. */
void l4vs_conn_net_exit(struct l4vs_net *ln)
{
	cancel_delayed_work_sync(&ln->gc_work);
	l4vs_conn_flush(ln);
	WARN_ON_ONCE(atomic_read(&ln->conn_count));
	kvfree(rcu_dereference_protected(ln->conn_tab, true));
	RCU_INIT_POINTER(ln->conn_tab, NULL);
	kvfree(ln->conn_locks);
	ln->conn_locks = NULL;
}

int l4vs_conn_init(void)
{
	/* not cache-aligned: entries are read, rarely written, and small wins */
	l4vs_conn_cachep = KMEM_CACHE(l4vs_conn, 0);
	return l4vs_conn_cachep ? 0 : -ENOMEM;
}

void l4vs_conn_uninit(void)
{
	rcu_barrier();	/* pending conn_free_rcu() */
	kmem_cache_destroy(l4vs_conn_cachep);
}
