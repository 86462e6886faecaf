// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: seeded fuzzer of the "IPVS" generic netlink family.
 *
 *   nl_fuzz [-s SEED] [-n ITERATIONS] [-F] [-w TIMEOUT_MS] [-v]
 *
 * Sends ITERATIONS requests, each one of every IPVS_CMD_* command (and a few
 * numbers that are no command), built one of four ways:
 *
 *   plausible  the attributes the command wants, with values drawn from
 *              pools of boundary and ordinary values (so services, real
 *              servers and daemons really come and go), then perhaps one
 *              attribute dropped, duplicated or given a wrong length;
 *   random     random attributes of every level (command, service, real
 *              server, daemon, stats), nested or not, with or without
 *              NLA_F_NESTED, wrong types, wrong lengths, unknown types,
 *              nests inside the wrong nest, up to four levels deep;
 *   bytes      a plausible request with random bytes overwritten, or cut
 *              short in the middle of an attribute (the netlink header
 *              still tells the truth about the length sent);
 *   header     a netlink header that lies (length too short or too long):
 *              the kernel drops those without an answer, so the next
 *              request must still get its own.
 *
 * Every request but the lying ones must get an answer: an ack (error 0 or
 * an errno), or a dump's NLMSG_DONE; every reply message must be well
 * formed (headers and attributes inside their message).  A request left
 * unanswered for TIMEOUT_MS (default 10000) or a malformed reply fails the
 * run.  The services and real servers it makes all live on 10.0.200.0/24,
 * 10.0.201.0/24, fd00:200::/64 and fd00:201::/64 or are fwmark services,
 * so a control service elsewhere is never named; FLUSH is sent in a form
 * the kernel refuses unless -F allows real flushes.
 *
 * Output: "nl_fuzz: seed S iterations N" first, then a summary of answers
 * by errno.  Exit 0 all answered and well formed, 1 otherwise, 2 local
 * trouble.  The same seed makes the same requests.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ip_vs.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK	11
#endif

#define MSG_MAX		8192
#define ERRNO_MAX	256

static uint64_t rng_state;
static bool allow_flush, verbose;
static int family_id;
static unsigned int timeout_ms = 10000;

/* Tallies for the summary. */
static unsigned long n_sent, n_ok, n_silent, n_replies, n_done;
static unsigned long n_err[ERRNO_MAX + 1];
static unsigned long n_lost, n_bad_reply;

/* ---- randomness ----------------------------------------------------- */

/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

#define PICK(arr)	((arr)[rn(sizeof(arr) / sizeof((arr)[0]))])

/*
 * A clean request takes no wrong turn: every value valid, nothing left
 * out.  Half the plausible requests are clean, so that services and real
 * servers really exist for the others to edit, delete and trip over.
 */
static bool clean;

/* A deliberate wrong turn, 'percent' of the time, never in a clean request. */
static bool mut(unsigned int percent)
{
	return !clean && chance(percent);
}

static void rnd_bytes(void *p, size_t len)
{
	uint8_t *b = p;

	while (len--)
		*b++ = (uint8_t)rnd();
}

static const uint32_t u32_pool[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 64, 127, 128, 129, 255, 256, 1000, 65535, 65536,
	2147483, 2147484, 8589934, 8589935, 0x7fffffff, 0x80000000,
	0xfffffffe, 0xffffffff,
};

static const uint16_t u16_pool[] = {
	0, 1, 2, 6, 10, 17, 80, 132, 255, 256, 8848, 0x7fff, 0x8000, 0xfffe, 0xffff,
};

static uint32_t any_u32(void)
{
	return chance(70) ? PICK(u32_pool) : (uint32_t)rnd();
}

static uint16_t any_u16(void)
{
	return chance(70) ? PICK(u16_pool) : (uint16_t)rnd();
}

/* ---- attribute specs ------------------------------------------------- */

enum kind {
	K_U8, K_U16, K_U32, K_U64, K_ADDR, K_IN6, K_STR, K_FLAGS,
	K_NEST_SVC, K_NEST_DEST, K_NEST_DAEMON, K_NEST_STATS,
};

struct aspec {
	uint16_t	type;
	enum kind	kind;
};

static const struct aspec cmd_specs[] = {
	{ IPVS_CMD_ATTR_SERVICE, K_NEST_SVC },
	{ IPVS_CMD_ATTR_DEST, K_NEST_DEST },
	{ IPVS_CMD_ATTR_DAEMON, K_NEST_DAEMON },
	{ IPVS_CMD_ATTR_TIMEOUT_TCP, K_U32 },
	{ IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, K_U32 },
	{ IPVS_CMD_ATTR_TIMEOUT_UDP, K_U32 },
};

static const struct aspec svc_specs[] = {
	{ IPVS_SVC_ATTR_AF, K_U16 },
	{ IPVS_SVC_ATTR_PROTOCOL, K_U16 },
	{ IPVS_SVC_ATTR_ADDR, K_ADDR },
	{ IPVS_SVC_ATTR_PORT, K_U16 },
	{ IPVS_SVC_ATTR_FWMARK, K_U32 },
	{ IPVS_SVC_ATTR_SCHED_NAME, K_STR },
	{ IPVS_SVC_ATTR_FLAGS, K_FLAGS },
	{ IPVS_SVC_ATTR_TIMEOUT, K_U32 },
	{ IPVS_SVC_ATTR_NETMASK, K_U32 },
	{ IPVS_SVC_ATTR_STATS, K_NEST_STATS },
	{ IPVS_SVC_ATTR_PE_NAME, K_STR },
	{ IPVS_SVC_ATTR_STATS64, K_NEST_STATS },
};

static const struct aspec dest_specs[] = {
	{ IPVS_DEST_ATTR_ADDR, K_ADDR },
	{ IPVS_DEST_ATTR_PORT, K_U16 },
	{ IPVS_DEST_ATTR_FWD_METHOD, K_U32 },
	{ IPVS_DEST_ATTR_WEIGHT, K_U32 },
	{ IPVS_DEST_ATTR_U_THRESH, K_U32 },
	{ IPVS_DEST_ATTR_L_THRESH, K_U32 },
	{ IPVS_DEST_ATTR_ACTIVE_CONNS, K_U32 },
	{ IPVS_DEST_ATTR_INACT_CONNS, K_U32 },
	{ IPVS_DEST_ATTR_PERSIST_CONNS, K_U32 },
	{ IPVS_DEST_ATTR_STATS, K_NEST_STATS },
	{ IPVS_DEST_ATTR_ADDR_FAMILY, K_U16 },
	{ IPVS_DEST_ATTR_STATS64, K_NEST_STATS },
	{ IPVS_DEST_ATTR_TUN_TYPE, K_U8 },
	{ IPVS_DEST_ATTR_TUN_PORT, K_U16 },
	{ IPVS_DEST_ATTR_TUN_FLAGS, K_U16 },
};

static const struct aspec daemon_specs[] = {
	{ IPVS_DAEMON_ATTR_STATE, K_U32 },
	{ IPVS_DAEMON_ATTR_MCAST_IFN, K_STR },
	{ IPVS_DAEMON_ATTR_SYNC_ID, K_U32 },
	{ IPVS_DAEMON_ATTR_SYNC_MAXLEN, K_U16 },
	{ IPVS_DAEMON_ATTR_MCAST_GROUP, K_U32 },
	{ IPVS_DAEMON_ATTR_MCAST_GROUP6, K_IN6 },
	{ IPVS_DAEMON_ATTR_MCAST_PORT, K_U16 },
	{ IPVS_DAEMON_ATTR_MCAST_TTL, K_U8 },
};

static const struct aspec stats_specs[] = {
	{ IPVS_STATS_ATTR_CONNS, K_U32 },
	{ IPVS_STATS_ATTR_INPKTS, K_U32 },
	{ IPVS_STATS_ATTR_INBYTES, K_U64 },
	{ IPVS_STATS_ATTR_CPS, K_U64 },
	{ IPVS_STATS_ATTR_OUTBPS, K_U32 },
	{ IPVS_STATS_ATTR_PAD, K_U64 },
};

struct level {
	const struct aspec	*specs;
	unsigned int		n;
	uint16_t		max;	/* highest known type */
};

#define LEVEL(s, m)	{ s, sizeof(s) / sizeof((s)[0]), m }

static const struct level levels[] = {
	LEVEL(cmd_specs, IPVS_CMD_ATTR_MAX),
	LEVEL(svc_specs, IPVS_SVC_ATTR_MAX),
	LEVEL(dest_specs, IPVS_DEST_ATTR_MAX),
	LEVEL(daemon_specs, IPVS_DAEMON_ATTR_MAX),
	LEVEL(stats_specs, IPVS_STATS_ATTR_MAX),
};

/* ---- value pools for plausible requests ------------------------------- */

/* Never the control service's addresses: see the top. */
static const char * const v4_pool[] = {
	"10.0.200.1", "10.0.200.2", "10.0.201.1", "10.0.201.2",
};
static const char * const v6_pool[] = {
	"fd00:200::1", "fd00:200::2", "fd00:201::1", "fd00:201::ffff",
};
static const char * const sched_pool[] = {
	"rr", "wrr", "lc", "wlc", "sh", "mh", "sed", "nq", "dh", "fo", "ovf",
	"rr", "wlc", "", "RR", "rr ", "r", "wlc\n", "lblc", "../rr",
	"nosuchsched0123",
};
static const char * const good_sched_pool[] = {
	"rr", "wrr", "lc", "wlc", "sh", "mh", "sed", "nq", "dh", "fo", "ovf",
};
static const uint32_t good_flag_bits[] = { 0, 0, 0, 1, 4, 8, 16, 32 };
static const char * const ifn_pool[] = {
	"lo", "lo", "cli0", "eth0", "", "nosuchdev", "lo:", "0123456789abcde",
	"0123456789abcdef",
};
static const uint16_t proto_pool[] = {
	IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP, 132, 0, 1, 58, 255, 256,
	0xffff,
};
static const uint16_t port_pool[] = { 0, 80, 80, 443, 443, 65535 };
static const uint32_t fwmark_pool[] = { 0, 1, 2, 0x4000, 0x7fffffff, 0xffffffff };
static const uint32_t svc_flag_bits[] = {
	0, 1, 2, 4, 8, 16, 32, 0x40, 0x100, 0x80000000, 0xffffffff,
};
static const uint32_t netmask_pool[] = {
	0xffffffff, 0x00ffffff, 0x0000ffff, 0, 0xff00ffff, 0x80000000,
	1, 64, 128, 129, 0x80000000,
};
static const uint32_t fwd_pool[] = { 0, 1, 2, 3, 4, 5, 7, 8, 0x100, 0xffffffff };
static const uint8_t tun_type_pool[] = { 0, 1, 2, 3, 255 };
static const uint16_t tun_flags_pool[] = { 0, 1, 2, 3, 4, 7, 0x8000, 0xffff };
static const char * const group_pool[] = {
	"224.0.0.81", "239.1.2.3", "224.0.0.1", "10.0.0.1", "0.0.0.0",
	"255.255.255.255",
};
static const char * const group6_pool[] = {
	"ff02::8:81", "ff05::1", "::1", "::", "fe80::1",
};

/* ---- building requests -------------------------------------------------- */

struct msgbuf {
	union {
		char			data[MSG_MAX];
		struct nlmsghdr		align;
	};
};

/* Room left in the message: keep it under MSG_MAX whatever we add. */
static bool room(const struct nlmsghdr *nlh, size_t need)
{
	return nlh->nlmsg_len + MNL_ALIGN(need) + 64 <= MSG_MAX;
}

static void put_raw(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	if (room(nlh, MNL_ATTR_HDRLEN + len))
		mnl_attr_put(nlh, type, len, data);
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, uint16_t af)
{
	unsigned char a[16] = { 0 };

	if (mut(5)) {
		rnd_bytes(a, sizeof(a));
		put_raw(nlh, type, PICK(((const size_t[]){ 0, 3, 4, 8, 15, 16, 17, 32 })), a);
		return;
	}
	if (af == AF_INET6) {
		inet_pton(AF_INET6, PICK(v6_pool), a);
		put_raw(nlh, type, 16, a);
	} else {
		inet_pton(AF_INET, PICK(v4_pool), a);
		/* ipvsadm sends 16 bytes whatever the family */
		put_raw(nlh, type, chance(50) ? 16 : 4, a);
	}
}

static void put_str(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	char big[80];
	size_t len = strlen(s);

	switch (clean ? 99 : rn(12)) {
	case 0:		/* no terminating NUL */
		put_raw(nlh, type, len, s);
		break;
	case 1:		/* too long for any name */
		memset(big, 'a' + rn(26), sizeof(big));
		big[sizeof(big) - 1] = 0;
		put_raw(nlh, type, rn(2) ? sizeof(big) : sizeof(big) - 1, big);
		break;
	case 2:		/* a NUL in the middle */
		snprintf(big, sizeof(big), "%s", s);
		big[len / 2] = 0;
		put_raw(nlh, type, len + 1, big);
		break;
	default:
		put_raw(nlh, type, len + 1, s);
		break;
	}
}

static void gen_random_attrs(struct nlmsghdr *nlh, unsigned int lvl, int depth);

/*
 * One attribute of 'kind': usually its right size and a pool value, else a
 * wrong size, random bytes, or a nest of the wrong level.
 */
static void put_kind(struct nlmsghdr *nlh, uint16_t type, enum kind kind, int depth)
{
	static const size_t bad_len[] = { 0, 1, 2, 3, 5, 6, 7, 9, 12, 15, 17, 20, 33 };
	unsigned char junk[40];
	struct ip_vs_flags fl;
	struct nlattr *nest;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	if (chance(8)) {
		rnd_bytes(junk, sizeof(junk));
		put_raw(nlh, type, PICK(bad_len), junk);
		return;
	}
	switch (kind) {
	case K_U8:
		v8 = (uint8_t)any_u16();
		put_raw(nlh, type, 1, &v8);
		break;
	case K_U16:
		v16 = any_u16();
		put_raw(nlh, type, 2, &v16);
		break;
	case K_U32:
		v32 = any_u32();
		put_raw(nlh, type, 4, &v32);
		break;
	case K_U64:
		v64 = (uint64_t)any_u32() << (rn(2) ? 32 : 0) | any_u32();
		put_raw(nlh, type, 8, &v64);
		break;
	case K_ADDR:
		put_addr(nlh, type, chance(50) ? AF_INET : AF_INET6);
		break;
	case K_IN6:
		put_addr(nlh, type, AF_INET6);
		break;
	case K_STR:
		put_str(nlh, type, chance(50) ? PICK(sched_pool) : PICK(ifn_pool));
		break;
	case K_FLAGS:
		fl.flags = PICK(svc_flag_bits);
		fl.mask = chance(50) ? 0xffffffff : PICK(svc_flag_bits);
		put_raw(nlh, type, sizeof(fl), &fl);
		break;
	default:
		if (!room(nlh, 256) || depth > 3) {
			put_raw(nlh, type, 0, NULL);
			break;
		}
		/* with or without NLA_F_NESTED, as libnl and libmnl differ */
		nest = mnl_attr_nest_start(nlh, type);
		if (chance(50))
			nest->nla_type |= NLA_F_NESTED;
		/* sometimes the attributes of another level */
		gen_random_attrs(nlh, chance(85) ? (unsigned int)(kind - K_NEST_SVC + 1) :
				 rn(sizeof(levels) / sizeof(levels[0])), depth + 1);
		mnl_attr_nest_end(nlh, nest);
		break;
	}
}

/* 0..6 random attributes of level 'lvl' (or unknown types). */
static void gen_random_attrs(struct nlmsghdr *nlh, unsigned int lvl, int depth)
{
	const struct level *l = &levels[lvl];
	unsigned int i, n = rn(7);
	const struct aspec *s;
	uint16_t type;

	for (i = 0; i < n; i++) {
		s = &l->specs[rn(l->n)];
		type = s->type;
		if (chance(5))		/* unknown, zero, or flag bits set */
			type = PICK(((const uint16_t[]){ 0, (uint16_t)(l->max + 1), 0x3fff,
				     (uint16_t)(s->type | NLA_F_NET_BYTEORDER) }));
		put_kind(nlh, type, s->kind, depth);
	}
}

/* The service nest a command wants; 'full' adds what NEW/SET need. */
static void gen_svc(struct nlmsghdr *nlh, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	uint16_t af = chance(75) ? AF_INET : !mut(10) ? AF_INET6 : any_u16();
	struct ip_vs_flags fl;
	unsigned int drop = mut(15) ? rn(9) : 99;

	if (chance(25))
		nest->nla_type |= NLA_F_NESTED;
	if (drop != 0)
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, af);
	if (chance(12)) {
		if (drop != 1)
			mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK,
					 clean ? 1 + rn(2) : PICK(fwmark_pool));
	} else {
		if (drop != 2)
			mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL,
					 clean ? proto_pool[rn(5)] : PICK(proto_pool));
		if (drop != 3)
			put_addr(nlh, IPVS_SVC_ATTR_ADDR, af);
		if (drop != 4)
			mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(PICK(port_pool)));
	}
	if (full) {
		if (drop != 5)
			put_str(nlh, IPVS_SVC_ATTR_SCHED_NAME,
				clean ? PICK(good_sched_pool) : PICK(sched_pool));
		fl.flags = !mut(40) ? PICK(good_flag_bits) : PICK(svc_flag_bits);
		fl.mask = !mut(30) ? 0xffffffff : PICK(svc_flag_bits);
		if (drop != 6)
			mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
		if (drop != 7)
			mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT,
					 !mut(40) ? PICK(((const uint32_t[]){ 0, 1, 2, 300 })) :
					 any_u32());
		if (drop != 8)
			mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK,
					 !mut(40) ? (af == AF_INET6 ? 128 : 0xffffffff) :
					 PICK(netmask_pool));
		if (mut(5))
			put_str(nlh, IPVS_SVC_ATTR_PE_NAME, chance(50) ? "sip" : "");
	}
	if (mut(5))		/* read-only stats given by the client */
		put_kind(nlh, IPVS_SVC_ATTR_STATS, K_NEST_STATS, 1);
	mnl_attr_nest_end(nlh, nest);
}

static void gen_dest(struct nlmsghdr *nlh, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
	uint16_t af = chance(75) ? AF_INET : AF_INET6;
	unsigned int drop = mut(15) ? rn(6) : 99;
	uint32_t u, l;

	if (chance(25))
		nest->nla_type |= NLA_F_NESTED;
	if (drop != 0)
		put_addr(nlh, IPVS_DEST_ATTR_ADDR, af);
	if (drop != 1)
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(PICK(port_pool)));
	if (chance(60))
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY,
				 !mut(10) ? af : any_u16());
	if (full) {
		if (drop != 2)
			mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD,
					 !mut(30) ? rn(3) : PICK(fwd_pool));
		if (drop != 3)
			mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT,
					 !mut(40) ? rn(10) : any_u32());
		u = !mut(40) ? 0 : any_u32();
		l = !mut(40) ? 0 : any_u32();
		if (clean && l > u)
			l = u;
		if (drop != 4)
			mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, u);
		if (drop != 5)
			mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, l);
		if (mut(30)) {
			mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, PICK(tun_type_pool));
			mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, htons(PICK(port_pool)));
			mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, PICK(tun_flags_pool));
		}
	}
	if (mut(5))
		put_kind(nlh, IPVS_DEST_ATTR_STATS64, K_NEST_STATS, 1);
	mnl_attr_nest_end(nlh, nest);
}

static void gen_daemon(struct nlmsghdr *nlh, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);
	unsigned char a[16];

	if (chance(25))
		nest->nla_type |= NLA_F_NESTED;
	if (!mut(5))
		mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE,
				 !mut(10) ? 1 + rn(2) : any_u32());
	if (full) {
		if (!mut(5))
			put_str(nlh, IPVS_DAEMON_ATTR_MCAST_IFN,
				clean ? (chance(50) ? "lo" : "cli0") : PICK(ifn_pool));
		if (!mut(5))
			mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_SYNC_ID,
					 chance(70) ? rn(3) : any_u32());
		if (chance(40))
			mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_SYNC_MAXLEN, any_u16());
		if (chance(30)) {
			inet_pton(AF_INET, PICK(group_pool), a);
			mnl_attr_put(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, a);
		}
		if (chance(20)) {
			inet_pton(AF_INET6, PICK(group6_pool), a);
			mnl_attr_put(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, a);
		}
		if (chance(40))
			mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_MCAST_PORT,
					 chance(50) ? 8848 + rn(4) : any_u16());
		if (chance(30))
			mnl_attr_put_u8(nlh, IPVS_DAEMON_ATTR_MCAST_TTL, (uint8_t)any_u16());
	}
	mnl_attr_nest_end(nlh, nest);
}

/* The attributes a well-meaning client would send with 'cmd'. */
static void gen_plausible(struct nlmsghdr *nlh, int cmd)
{
	switch (cmd) {
	case IPVS_CMD_NEW_SERVICE:
	case IPVS_CMD_SET_SERVICE:
		gen_svc(nlh, true);
		break;
	case IPVS_CMD_DEL_SERVICE:
	case IPVS_CMD_GET_SERVICE:
	case IPVS_CMD_GET_DEST:
		gen_svc(nlh, false);
		break;
	case IPVS_CMD_ZERO:
		if (chance(60))
			gen_svc(nlh, false);
		break;
	case IPVS_CMD_NEW_DEST:
	case IPVS_CMD_SET_DEST:
		gen_svc(nlh, false);
		gen_dest(nlh, true);
		break;
	case IPVS_CMD_DEL_DEST:
		gen_svc(nlh, false);
		gen_dest(nlh, false);
		break;
	case IPVS_CMD_NEW_DAEMON:
		gen_daemon(nlh, true);
		break;
	case IPVS_CMD_DEL_DAEMON:
		gen_daemon(nlh, false);
		break;
	case IPVS_CMD_SET_CONFIG:
		if (chance(70))
			mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP,
					 chance(50) ? 0 : any_u32());
		if (chance(70))
			mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
					 chance(50) ? 0 : any_u32());
		if (chance(70))
			mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP,
					 chance(50) ? 0 : any_u32());
		break;
	default:
		if (chance(30))
			gen_random_attrs(nlh, 0, 0);
		break;
	}
	/* one stray attribute of any level now and then */
	if (mut(10))
		put_kind(nlh, rn(IPVS_CMD_ATTR_MAX + 3), cmd_specs[rn(6)].kind, 1);
}

static struct nlmsghdr *put_header(struct msgbuf *m, int cmd, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(m->data, 0, sizeof(m->data));
	nlh = mnl_nlmsg_put_header(m->data);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = IPVS_GENL_VERSION;
	return nlh;
}

/* Is FLUSH in this message one the kernel will carry out? */
static bool is_flush_refused(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->reserved != 0;
}

enum how { H_PLAUSIBLE, H_RANDOM, H_BYTES, H_HEADER };
static const char * const how_names[] = { "plausible", "random", "bytes", "header" };
static unsigned long n_how[4];

/*
 * Build request number 'seq' into 'm'.  Returns the number of bytes to send
 * and sets *answer to whether the kernel owes an answer.
 */
static size_t gen_request(struct msgbuf *m, uint32_t seq, bool *answer, enum how *howp)
{
	static const int get_cmds[] = {
		IPVS_CMD_GET_SERVICE, IPVS_CMD_GET_DEST, IPVS_CMD_GET_DAEMON,
	};
	unsigned int r = rn(100), i, n, cut;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	enum how how;
	int cmd;

	how = r < 55 ? H_PLAUSIBLE : r < 80 ? H_RANDOM : r < 97 ? H_BYTES : H_HEADER;
	*howp = how;
	clean = how == H_PLAUSIBLE && chance(50);
	n_how[how]++;
	if (!mut(8))
		cmd = 1 + rn(IPVS_CMD_MAX);
	else
		cmd = PICK(((const int[]){ 0, IPVS_CMD_SET_INFO, IPVS_CMD_MAX + 1, 64, 255 }));

	nlh = put_header(m, cmd, seq);
	g = mnl_nlmsg_get_payload(nlh);
	if (mut(15))
		nlh->nlmsg_flags |= NLM_F_DUMP;
	else if (mut(5))
		nlh->nlmsg_flags |= PICK(((const uint16_t[]){ NLM_F_ECHO, NLM_F_REPLACE,
					  NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND }));
	/* dumps of the commands that have one, more often */
	if (chance(10)) {
		g->cmd = cmd = PICK(get_cmds);
		nlh->nlmsg_flags |= NLM_F_DUMP;
	}
	if (mut(3))
		g->version = (uint8_t)rnd();
	if (mut(3))
		g->reserved = (uint16_t)(1 + rn(0xffff));

	if (how == H_RANDOM)
		gen_random_attrs(nlh, 0, 0);
	else
		gen_plausible(nlh, cmd);

	/* a real flush would take the control service with it */
	if (cmd == IPVS_CMD_FLUSH && !allow_flush && !is_flush_refused(nlh))
		g->reserved = 1;

	*answer = true;
	if (how == H_BYTES && nlh->nlmsg_len > MNL_NLMSG_HDRLEN + GENL_HDRLEN) {
		size_t body = nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN;

		if (chance(50)) {
			n = 1 + rn(6);
			for (i = 0; i < n; i++)
				((uint8_t *)nlh)[MNL_NLMSG_HDRLEN + GENL_HDRLEN + rn(body)] =
					(uint8_t)rnd();
			/* the attribute bytes may now say FLUSH is fine: keep it refused */
			if (cmd == IPVS_CMD_FLUSH && !allow_flush)
				g->reserved = 1;
		} else {
			/* cut short, anywhere after the genetlink header (even inside it) */
			cut = MNL_NLMSG_HDRLEN + rn(GENL_HDRLEN + body);
			if (cmd == IPVS_CMD_FLUSH && !allow_flush &&
			    cut >= MNL_NLMSG_HDRLEN + GENL_HDRLEN)
				g->reserved = 1;
			nlh->nlmsg_len = cut;
		}
	} else if (how == H_HEADER) {
		size_t sent = nlh->nlmsg_len;

		/* the kernel drops these silently: nothing to parse */
		*answer = false;
		if (chance(50))
			nlh->nlmsg_len = sent + 4 + rn(64);
		else
			nlh->nlmsg_len = rn(MNL_NLMSG_HDRLEN);
		if (cmd == IPVS_CMD_FLUSH && !allow_flush)
			g->reserved = 1;
		return sent;
	}
	return nlh->nlmsg_len;
}

/* ---- answers ---------------------------------------------------------------- */

static int count_attr_cb(const struct nlattr *attr, void *data)
{
	unsigned int *depth = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* the nests the family sends: descend and check them too */
	if (*depth < 2 && mnl_attr_get_payload_len(attr) >= MNL_ATTR_HDRLEN &&
	    (type == IPVS_CMD_ATTR_SERVICE || type == IPVS_CMD_ATTR_DEST ||
	     type == IPVS_CMD_ATTR_DAEMON || (*depth == 1 &&
	     (type == IPVS_SVC_ATTR_STATS || type == IPVS_SVC_ATTR_STATS64)))) {
		unsigned int d = *depth + 1;

		if (mnl_attr_parse_nested(attr, count_attr_cb, &d) < 0)
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* A reply of the family: genetlink header, then well-formed attributes. */
static bool reply_ok(const struct nlmsghdr *nlh)
{
	unsigned int depth = 0;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	return mnl_attr_parse(nlh, GENL_HDRLEN, count_attr_cb, &depth) >= 0;
}

static void note_error(int error)
{
	int e = -error;

	if (e < 0 || e > ERRNO_MAX)
		e = ERRNO_MAX;
	n_err[e]++;
}

/*
 * Read until the answer to 'seq' (an ack or NLMSG_DONE) arrives.  Returns
 * 0 when it did, -1 on timeout or trouble.
 */
static int wait_answer(struct mnl_socket *nl, uint32_t seq, int cmd)
{
	static char buf[1 << 16];
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *err;
	int len;

	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				fprintf(stderr, "nl_fuzz: no answer to request %u (cmd %d) in %u ms\n",
					seq, cmd, timeout_ms);
				return -1;
			}
			if (errno == ENOBUFS) {
				/* overrun: the answer may be lost, not the kernel's fault */
				fprintf(stderr, "nl_fuzz: receive buffer overrun at request %u\n", seq);
				return -1;
			}
			perror("nl_fuzz: recv");
			return -1;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* late parts of an earlier dump */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
					fprintf(stderr, "nl_fuzz: short ack to request %u\n", seq);
					n_bad_reply++;
					return 0;
				}
				err = mnl_nlmsg_get_payload(nlh);
				if (err->error > 0 || err->error < -4095) {
					fprintf(stderr, "nl_fuzz: ack with error %d to request %u\n",
						err->error, seq);
					n_bad_reply++;
				}
				if (err->error)
					note_error(err->error);
				else
					n_ok++;
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				n_done++;
				return 0;
			}
			if (nlh->nlmsg_type == family_id) {
				n_replies++;
				if (!reply_ok(nlh)) {
					fprintf(stderr, "nl_fuzz: malformed reply to request %u (cmd %d)\n",
						seq, cmd);
					n_bad_reply++;
				}
			}
		}
		if (len > 0) {
			fprintf(stderr, "nl_fuzz: %d stray bytes after the messages of request %u\n",
				len, seq);
			n_bad_reply++;
		}
	}
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	int *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

static int resolve_family(struct mnl_socket *nl, uint32_t seq)
{
	static struct msgbuf m;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int id = -1, ret;

	nlh = mnl_nlmsg_put_header(m.data);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	while (ret > 0) {
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), family_cb, &id);
		if (ret <= MNL_CB_STOP)
			break;
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	}
	return id;
}

/* A GET_INFO that must be answered: the socket still works after silence. */
static int probe(struct mnl_socket *nl, uint32_t seq)
{
	static struct msgbuf m;
	struct nlmsghdr *nlh = put_header(&m, IPVS_CMD_GET_INFO, seq);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return wait_answer(nl, seq, IPVS_CMD_GET_INFO);
}

static void usage(void)
{
	fprintf(stderr, "usage: nl_fuzz [-s SEED] [-n ITERATIONS] [-F] [-w TIMEOUT_MS] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed = (unsigned long long)time(NULL) ^ getpid();
	unsigned long iters = 1000, i;
	static struct msgbuf m;
	struct mnl_socket *nl;
	struct timeval tv;
	uint32_t seq;
	int opt, one = 1, rcvbuf = 1 << 20, e;
	bool answer;
	enum how how;
	size_t len;

	while ((opt = getopt(argc, argv, "s:n:Fw:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			allow_flush = true;
			break;
		case 'w':
			timeout_ms = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	printf("nl_fuzz: seed %llu iterations %lu%s\n", seed, iters,
	       allow_flush ? " (flush allowed)" : "");
	fflush(stdout);
	/* xorshift must not start from zero */
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng_state)
		rng_state = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl) {
		perror("mnl_socket_open");
		return 2;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket_bind");
		return 2;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	seq = (uint32_t)time(NULL);
	family_id = resolve_family(nl, seq++);
	if (family_id < 0) {
		fprintf(stderr, "nl_fuzz: generic netlink family %s not found\n", IPVS_GENL_NAME);
		return 2;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	for (i = 0; i < iters; i++) {
		struct genlmsghdr *g;

		len = gen_request(&m, ++seq, &answer, &how);
		g = mnl_nlmsg_get_payload((struct nlmsghdr *)m.data);
		if (verbose)
			fprintf(stderr, "nl_fuzz: #%lu seq %u %s cmd %u flags 0x%x len %zu\n",
				i, seq, how_names[how], len >= MNL_NLMSG_HDRLEN + 1 ? g->cmd : 0,
				((struct nlmsghdr *)m.data)->nlmsg_flags, len);
		if (sendto(mnl_socket_get_fd(nl), m.data, len, 0,
			   (struct sockaddr *)&(struct sockaddr_nl){ .nl_family = AF_NETLINK },
			   sizeof(struct sockaddr_nl)) < 0) {
			/* the kernel refusing a send is an answer too */
			note_error(-errno);
			n_sent++;
			continue;
		}
		n_sent++;
		if (answer) {
			if (wait_answer(nl, seq, g->cmd) < 0) {
				n_lost++;
				fprintf(stderr, "nl_fuzz: iteration %lu (%s) unanswered\n", i,
					how_names[how]);
				if (n_lost > 3)
					break;
			}
		} else {
			n_silent++;
			if (probe(nl, ++seq) < 0) {
				n_lost++;
				fprintf(stderr, "nl_fuzz: no answer to a probe after iteration %lu\n", i);
				if (n_lost > 3)
					break;
			}
		}
	}

	printf("nl_fuzz: seed %llu sent %lu (plausible %lu random %lu bytes %lu header %lu)\n",
	       seed, n_sent, n_how[H_PLAUSIBLE], n_how[H_RANDOM], n_how[H_BYTES], n_how[H_HEADER]);
	printf("nl_fuzz: acked ok %lu, dump done %lu, replies %lu, silent by design %lu\n",
	       n_ok, n_done, n_replies, n_silent);
	printf("nl_fuzz: errors:");
	for (e = 1; e <= ERRNO_MAX; e++)
		if (n_err[e])
			printf(" %s=%lu", e == ERRNO_MAX ? "other" : strerror(e), n_err[e]);
	printf("\nnl_fuzz: unanswered %lu, malformed replies %lu\n", n_lost, n_bad_reply);
	mnl_socket_close(nl);
	return n_lost || n_bad_reply ? 1 : 0;
}
