/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim.h: just enough of the kernel's API, in userspace C, to compile the
 * l4vs scheduler sources (net/sched/NAME.c) and <l4vs/sched.h> unchanged
 * for the benchmark in ../schedbench.c.  Every header under linux/ and net/ in this
 * directory includes this one file.
 *
 * Locks and atomics keep their cost (a locked instruction each), so that a
 * pick costs what it would in the kernel on an uncontended CPU; RCU is free
 * there too on the read side, and is free here.
 */
#ifndef _BENCH_KSHIM_H
#define _BENCH_KSHIM_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <linux/types.h>	/* the uapi __u32, __be32, ... (through ours) */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* ---- compiler --------------------------------------------------------- */
#define __force
#define __rcu
#define __percpu
#define __init
#define __exit
#define __read_mostly
#define __net_init
#define __net_exit
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* ---- lists (the RCU flavours are the plain ones: one thread) -------- */
struct list_head { struct list_head *next, *prev; };
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };

#define LIST_HEAD_INIT(n)	{ &(n), &(n) }
static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}
static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_add(n, h, h->next);
}
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}
#define list_add_rcu(n, h)	list_add(n, h)
#define list_add_tail_rcu(n, h)	list_add_tail(n, h)
#define list_del_rcu(e)		list_del(e)
static inline int list_empty(const struct list_head *h)
{
	return READ_ONCE(h->next) == h;
}
#define list_entry(p, t, m)	container_of(p, t, m)
#define list_first_entry(h, t, m) list_entry((h)->next, t, m)
#define list_next_rcu(l)	((l)->next)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define list_for_each_entry_rcu(pos, head, member, ...)		\
	list_for_each_entry(pos, head, member)
#define list_for_each_entry_continue_rcu(pos, head, member)		\
	for (pos = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define hlist_entry_safe(p, t, m) \
	({ typeof(p) __p = (p); __p ? container_of(__p, t, m) : NULL; })
#define hlist_for_each_entry_rcu(pos, head, member, ...)		\
	for (pos = hlist_entry_safe((head)->first, typeof(*pos), member); \
	     pos;							\
	     pos = hlist_entry_safe(pos->member.next, typeof(*pos), member))

/* ---- kernel.h arithmetic -------------------------------------------- */
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define swap(a, b) \
	do { typeof(a) __t = (a); (a) = (b); (b) = __t; } while (0)
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define HZ			250
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof((p)->member[0]))

static inline int ilog2_u32(unsigned long v)
{
	return 63 - __builtin_clzl(v);
}
#define ilog2(v)		ilog2_u32(v)

/* ---- printk / WARN -------------------------------------------------- */
#define pr_err(...)		fprintf(stderr, __VA_ARGS__)
#define pr_warn(...)		fprintf(stderr, __VA_ARGS__)
#define pr_warn_ratelimited(...) fprintf(stderr, __VA_ARGS__)
#define pr_info(...)		fprintf(stderr, __VA_ARGS__)
#define pr_debug(...)		do { } while (0)
#define WARN_ON_ONCE(c)		({ bool __c = !!(c); if (__c) fprintf(stderr, "WARN %s:%d\n", __FILE__, __LINE__); __c; })
#define WARN_ON(c)		WARN_ON_ONCE(c)

/* ---- atomics, bits, refcounts --------------------------------------- */
typedef struct { int counter; } atomic_t;
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_inc(v)		((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec(v)		((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_add(i, v)	((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_sub(i, v)	((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_inc_return(v)	(__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec_return(v)	(__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))

typedef struct { atomic_t refs; } refcount_t;
#define refcount_set(r, n)	atomic_set(&(r)->refs, (n))
#define refcount_read(r)	atomic_read(&(r)->refs)
#define refcount_inc(r)		atomic_inc(&(r)->refs)
#define refcount_dec_and_test(r) (atomic_dec_return(&(r)->refs) == 0)

#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)
static inline bool test_bit(long nr, const volatile unsigned long *a)
{
	return (a[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}
static inline void __set_bit(long nr, volatile unsigned long *a)
{
	a[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void __clear_bit(long nr, volatile unsigned long *a)
{
	a[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}
#define set_bit(nr, a)		__atomic_fetch_or(&(a)[(nr) / BITS_PER_LONG], 1UL << ((nr) % BITS_PER_LONG), __ATOMIC_SEQ_CST)
#define clear_bit(nr, a)	__atomic_fetch_and(&(a)[(nr) / BITS_PER_LONG], ~(1UL << ((nr) % BITS_PER_LONG)), __ATOMIC_SEQ_CST)

/* ---- locks (uncontended cost: one locked exchange) ------------------ */
typedef struct { int v; } spinlock_t;
struct mutex { int v; };
static inline void spin_lock_init(spinlock_t *l) { l->v = 0; }
static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
		;
}
static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}
#define spin_lock_bh(l)		spin_lock(l)
#define spin_unlock_bh(l)	spin_unlock(l)
#define mutex_init(m)		((m)->v = 0)
#define lockdep_is_held(x)	1
#define lockdep_assert_held(x)	do { } while (0)
#define lockdep_assert(c)	do { } while (0)

/* ---- per-CPU and u64 stats (one CPU) -------------------------------- */
#define this_cpu_ptr(p)		(p)
typedef struct { u64 v; } u64_stats_t;
struct u64_stats_sync { int unused; };
#define u64_stats_update_begin(s)	do { } while (0)
#define u64_stats_update_end(s)		do { } while (0)
#define u64_stats_inc(p)		((p)->v++)
#define u64_stats_add(p, n)		((p)->v += (n))

typedef struct { unsigned int sequence; } seqcount_t;
typedef seqcount_t seqcount_spinlock_t;
#define seqcount_spinlock_init(s, l)	((s)->sequence = 0)
#define read_seqcount_begin(s)		READ_ONCE((s)->sequence)
#define read_seqcount_retry(s, v)	(READ_ONCE((s)->sequence) != (v))
#define ____cacheline_aligned_in_smp	__attribute__((aligned(64)))
#define ____cacheline_aligned		__attribute__((aligned(64)))

struct work_struct { int unused; };
struct delayed_work { int unused; };

/* ---- RCU (readers are free; one thread, nothing to wait for) ------- */
struct rcu_head { void *next; void (*func)(struct rcu_head *); };
#define rcu_dereference(p)		(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_dereference_raw(p)		(p)
#define rcu_access_pointer(p)		(p)
#define rcu_assign_pointer(p, v)	((p) = (v))
#define RCU_INIT_POINTER(p, v)		((p) = (v))
#define rcu_replace_pointer(p, v, c) \
	({ typeof(p) __old = (p); (p) = (v); __old; })
#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)
#define synchronize_rcu()		do { } while (0)

/* ---- memory ---------------------------------------------------------- */
typedef unsigned int gfp_t;
#define GFP_KERNEL	0u
#define GFP_ATOMIC	1u
static inline void *kzalloc(size_t n, gfp_t g) { (void)g; return calloc(1, n); }
static inline void *kmalloc(size_t n, gfp_t g) { (void)g; return malloc(n); }
static inline void *kcalloc(size_t k, size_t n, gfp_t g) { (void)g; return calloc(k, n); }
static inline void *kmalloc_array(size_t k, size_t n, gfp_t g) { (void)g; return calloc(k, n); }
#define kvmalloc(n, g)		kmalloc(n, g)
#define kvzalloc(n, g)		kzalloc(n, g)
#define kvcalloc(k, n, g)	kcalloc(k, n, g)
#define kvmalloc_array(k, n, g)	kmalloc_array(k, n, g)
#define kfree(p)		free((void *)(p))
#define kvfree(p)		free((void *)(p))
#define kfree_rcu(p, f)		free(p)
#define kvfree_rcu(p, f)	free(p)

/* ---- modules --------------------------------------------------------- */
struct module;
#define THIS_MODULE		((struct module *)0)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define MODULE_ALIAS(x)
#define MODULE_PARM_DESC(n, d)
#define module_param(n, t, p)
#define module_param_named(n, v, t, p)
/* A scheduler registers itself when the benchmark starts. */
#define module_init(fn) \
	static void __attribute__((constructor)) __bench_init_##fn(void) \
	{ if (fn()) fprintf(stderr, "init %s failed\n", #fn); }
#define module_exit(fn) \
	static void (*__bench_exit_##fn)(void) __attribute__((unused)) = fn

/* ---- misc libraries -------------------------------------------------- */
static inline unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

#define GOLDEN_RATIO_32 0x61C88647
static inline u32 hash_32(u32 val, unsigned int bits)
{
	return (val * GOLDEN_RATIO_32) >> (32 - bits);
}

static inline unsigned long *bitmap_alloc(unsigned int n, gfp_t g)
{
	(void)g;
	return malloc(BITS_TO_LONGS(n) * sizeof(unsigned long));
}
#define bitmap_free(p)		free(p)
static inline void bitmap_zero(unsigned long *b, unsigned int n)
{
	memset(b, 0, BITS_TO_LONGS(n) * sizeof(unsigned long));
}

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *),
			void (*swp)(void *, void *, int))
{
	(void)swp;
	qsort(base, num, size, cmp);
}

/* siphash.c in this directory */
typedef struct { u64 key[2]; } siphash_key_t;
typedef struct { unsigned long key[2]; } hsiphash_key_t;
u64 siphash(const void *data, size_t len, const siphash_key_t *key);
u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key);

/* ---- networking ------------------------------------------------------ */
union nf_inet_addr {
	__u32		all[4];
	__be32		ip;
	__be32		ip6[4];
	struct in_addr	in;
	struct in6_addr	in6;
};
struct sk_buff { int unused; };
struct dst_entry;
struct dst_cache { void *cache; unsigned long reset_ts; };
struct net { int unused; };
struct ctl_table_header;
struct ctl_table;
struct netlink_ext_ack;

#endif /* _BENCH_KSHIM_H */
