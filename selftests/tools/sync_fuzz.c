// SPDX-License-Identifier: GPL-2.0
/*
 * sync_fuzz: seeded fuzzer of a sync backup's receive path.
 *
 *   sync_fuzz [-s SEED] [-n ITERATIONS] [-g GROUP] [-p PORT] [-I IFNAME]
 *             [-i SYNCID] [-c CADDR] [-d DELAY_US]
 *             -S PROTO,VADDR,VPORT,DADDR,DPORT[,FWMARK] ...
 *
 * Sends ITERATIONS datagrams to GROUP:PORT (default 224.0.0.81:8848; an
 * IPv6 group, e.g. ff02::8:81, goes out of IFNAME), each one of:
 *
 *   v1      a version 1 message of 1..8 records (now and then up to 60)
 *           built from the services given with -S (each -S names a
 *           service and one of its real servers, as the backup has them),
 *           whose fields are, field by field, sometimes replaced by
 *           boundary or random values: type, protocol, size and version,
 *           flags, state, ports, fwmark, timeout, addresses, options
 *           (valid sequence data, persistence engine data, unknown types,
 *           lengths that overrun); then perhaps the header lies (size,
 *           count, version, sync id);
 *   v0      a version 0 message (IPVS's old format) built the same way;
 *   mangled a v1 message with random bytes changed, cut short, or with
 *           junk appended;
 *   random  random bytes, 0..1500 of them, sometimes behind a plausible
 *           first word.
 *
 * Client addresses come from CADDR (default 10.0.9.2; its last byte plus
 * 0..3, or the last 16 bits for IPv6) and client ports from 40000..40063,
 * so well-formed records name a bounded set of connections.  The same seed
 * sends the same datagrams.  Prints the seed and, at the end, how many
 * datagrams of each kind went out ("sync_fuzz: sent N ...").  Exit 0, or 2
 * on local trouble.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SVC		16
#define BUF_MAX		4096

/* Facts of the sync protocol (IPVS's, which l4vs speaks). */
#define REC4_SIZE	36
#define REC6_SIZE	72
#define V0_CONN_SIZE	24
#define V0_SEQ_SIZE	24
#define OPT_SEQ		1
#define OPT_PE_DATA	2
#define OPT_PE_NAME	3
#define F_TEMPLATE	0x1000

struct svc {
	int		af;
	uint8_t		proto;
	uint8_t		vaddr[16], daddr[16];
	uint16_t	vport, dport;
	uint32_t	fwmark;
};

static struct svc svcs[MAX_SVC];
static unsigned int nsvc;
static uint8_t caddr4[4], caddr6[16];
static uint8_t syncid = 7;
static uint64_t rng_state;

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

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static const uint32_t u32_pool[] = {
	0, 1, 2, 3, 255, 256, 0xffff, 0x10000, 2147483, 8589934, 8589935,
	0x7fffffff, 0x80000000, 0xffffffff,
};

static uint32_t any_u32(void)
{
	return chance(70) ? PICK(u32_pool) : (uint32_t)rnd();
}

/* Flags: mostly what masters send, else single bits and junk. */
static uint32_t any_flags(void)
{
	static const uint32_t pool[] = {
		0, 1, 2, 3, 0x100, 0x103, F_TEMPLATE, F_TEMPLATE | 2, 0x4, 0x8,
		0x10, 0x400, 0x800, 0x2000, 0x4000, 0x8000, 0x10000, 0xffffffff,
	};

	return chance(85) ? PICK(pool) : (uint32_t)rnd();
}

static unsigned int client_port(void)
{
	return 40000 + rn(64);
}

/*
 * One v1 record for service 's' at 'p' (room for REC6_SIZE + 64 bytes).
 * Returns the bytes written, padding included.
 */
static size_t gen_rec1(uint8_t *p, const struct svc *s)
{
	bool v6 = s->af == AF_INET6, tmpl = chance(10);
	size_t base = v6 ? REC6_SIZE : REC4_SIZE, size, alen = v6 ? 16 : 4;
	uint32_t flags = tmpl ? F_TEMPLATE | 2 : 2;
	uint16_t state = tmpl ? 0 : 1, vs;
	uint8_t *o;

	memset(p, 0, base + 64);
	p[0] = v6 ? 1 : 0;
	if (chance(5))
		p[0] = (uint8_t)PICK(((const uint32_t[]){ 1, 0, 2, 3, 0x80, 0xff }));
	p[1] = chance(95) ? s->proto : (uint8_t)PICK(((const uint32_t[]){ 0, 6, 17, 132, 1, 58, 255 }));
	if (chance(10))
		flags = any_flags();
	put32(p + 4, flags);
	if (chance(15))
		state = chance(70) ? rn(16) : (uint16_t)rnd();
	put16(p + 8, state);
	put16(p + 10, tmpl || chance(3) ? (chance(50) ? 0 : client_port()) : client_port());
	put16(p + 12, chance(95) ? s->vport : (uint16_t)PICK(((const uint32_t[]){ 0, 1, 7, 65535 })));
	put16(p + 14, chance(95) ? s->dport : (uint16_t)PICK(((const uint32_t[]){ 0, 1, 7, 65535 })));
	put32(p + 16, chance(95) ? s->fwmark : any_u32());
	put32(p + 20, chance(70) ? 0 : any_u32());
	o = p + 24;
	if (v6) {
		memcpy(o, caddr6, 16);
		o[15] += rn(4);
	} else {
		memcpy(o, caddr4, 4);
		o[3] += rn(4);
	}
	memcpy(o + alen, s->vaddr, alen);
	memcpy(o + 2 * alen, s->daddr, alen);
	if (chance(3))
		o[rn(3 * alen)] ^= 1 << rn(8);	/* an address slightly off */

	size = base;
	if (chance(15)) {	/* options */
		unsigned int i, n = 1 + rn(3);

		for (i = 0; i < n && size + 32 <= base + 64; i++) {
			uint8_t *q = p + size;

			switch (rn(5)) {
			case 0:		/* sequence data, the right size */
				q[0] = OPT_SEQ;
				q[1] = 24;
				size += 26;
				break;
			case 1:
				q[0] = OPT_PE_NAME;
				q[1] = 3;
				memcpy(q + 2, "sip", 3);
				size += 5;
				break;
			case 2:
				q[0] = OPT_PE_DATA;
				q[1] = (uint8_t)rn(8);
				size += 2 + q[1];
				break;
			case 3:		/* length beyond the record */
				q[0] = (uint8_t)rn(5);
				q[1] = 200;
				size += 2;
				break;
			default:	/* an unknown type, or a lone byte */
				q[0] = (uint8_t)rnd();
				q[1] = (uint8_t)rn(4);
				size += chance(20) ? 1 : 2 + q[1];
				break;
			}
		}
	}
	vs = (uint16_t)size;
	if (chance(5))
		vs = (uint16_t)PICK(((const uint32_t[]){ 0, 4, 20, REC4_SIZE, REC6_SIZE, 0x0fff,
						       0x1000 | REC4_SIZE, 0xf000 | REC6_SIZE }));
	put16(p + 2, vs);
	return (size + 3) & ~(size_t)3;
}

/* A v1 message; returns its length. */
static size_t gen_v1(uint8_t *buf)
{
	unsigned int i, nr = chance(5) ? 1 + rn(60) : 1 + rn(8);
	size_t len = 8;

	for (i = 0; i < nr && len + REC6_SIZE + 64 <= BUF_MAX; i++)
		len += gen_rec1(buf + len, &svcs[rn(nsvc)]);
	nr = i;
	buf[0] = 0;
	buf[1] = chance(95) ? syncid : (uint8_t)rnd();
	put16(buf + 2, (uint16_t)len);
	buf[4] = (uint8_t)nr;
	buf[5] = 1;
	put16(buf + 6, 0);
	if (chance(10)) {	/* the header lies */
		switch (rn(5)) {
		case 0:
			put16(buf + 2, (uint16_t)(len + (chance(50) ? 4 : -4)));
			break;
		case 1:
			buf[4] = (uint8_t)(nr + (chance(50) ? 1 : -1));
			break;
		case 2:
			buf[5] = (uint8_t)PICK(((const uint32_t[]){ 0, 2, 0x80, 0xff }));
			break;
		case 3:
			buf[0] = (uint8_t)(1 + rn(255));
			break;
		default:
			put16(buf + 6, (uint16_t)rnd());
			break;
		}
	}
	return len;
}

/* A v0 message: {nr_conns, syncid, size}, 24-byte IPv4 records. */
static size_t gen_v0(uint8_t *buf)
{
	unsigned int i, nr = 1 + rn(10);
	size_t len = 4;

	for (i = 0; i < nr; i++) {
		const struct svc *s = &svcs[rn(nsvc)];
		uint8_t *p = buf + len;
		uint16_t flags = chance(80) ? 2 : (uint16_t)any_flags();

		memset(p, 0, V0_CONN_SIZE);
		p[1] = chance(95) ? s->proto : (uint8_t)rnd();
		put16(p + 2, client_port());
		put16(p + 4, s->vport);
		put16(p + 6, s->dport);
		memcpy(p + 8, caddr4, 4);
		p[11] += rn(4);
		memcpy(p + 12, s->af == AF_INET ? s->vaddr : caddr4, 4);
		memcpy(p + 16, s->af == AF_INET ? s->daddr : caddr4, 4);
		put16(p + 20, flags);
		put16(p + 22, chance(85) ? 1 : (uint16_t)rnd());
		len += V0_CONN_SIZE;
		/* the sequence data that follows a conn with IP_VS_CONN_F_SEQ_MASK */
		if (flags & 0x0600) {
			memset(buf + len, 0, V0_SEQ_SIZE);
			if (chance(80))
				len += V0_SEQ_SIZE;
		}
	}
	buf[0] = (uint8_t)(chance(90) ? nr : rnd());
	buf[1] = chance(95) ? syncid : (uint8_t)rnd();
	put16(buf + 2, (uint16_t)(chance(90) ? len : rnd()));
	return len;
}

enum kind { K_V1, K_V0, K_MANGLED, K_RANDOM, K_MAX };
static const char * const kind_names[] = { "v1", "v0", "mangled", "random" };

static size_t gen(uint8_t *buf, enum kind *kindp)
{
	unsigned int r = rn(100), i, n;
	size_t len;

	if (r < 55) {
		*kindp = K_V1;
		return gen_v1(buf);
	}
	if (r < 67) {
		*kindp = K_V0;
		return gen_v0(buf);
	}
	if (r < 88) {
		*kindp = K_MANGLED;
		len = gen_v1(buf);
		switch (rn(3)) {
		case 0:
			n = 1 + rn(8);
			for (i = 0; i < n; i++)
				buf[rn(len)] = (uint8_t)rnd();
			break;
		case 1:
			len = rn(len);
			break;
		default:
			n = 1 + rn(64);
			for (i = 0; i < n && len < BUF_MAX; i++)
				buf[len++] = (uint8_t)rnd();
			break;
		}
		return len;
	}
	*kindp = K_RANDOM;
	len = rn(1501);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	if (len >= 8 && chance(50)) {
		buf[0] = 0;
		buf[1] = syncid;
		put16(buf + 2, (uint16_t)len);
		buf[5] = 1;
	}
	return len;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sync_fuzz [-s SEED] [-n ITERATIONS] [-g GROUP] [-p PORT] [-I IFNAME]\n"
		"                 [-i SYNCID] [-c CADDR] [-d DELAY_US]\n"
		"                 -S PROTO,VADDR,VPORT,DADDR,DPORT[,FWMARK] ...\n");
	exit(2);
}

/* "tcp,10.0.9.100,80,10.0.9.11,80[,mark]" */
static int parse_svc(char *arg, struct svc *s)
{
	char *f[6] = { 0 };
	unsigned int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(arg, ",", &save); t && n < 6; t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n < 5)
		return -1;
	if (!strcmp(f[0], "tcp"))
		s->proto = IPPROTO_TCP;
	else if (!strcmp(f[0], "udp"))
		s->proto = IPPROTO_UDP;
	else if (!strcmp(f[0], "sctp"))
		s->proto = 132;
	else
		s->proto = (uint8_t)strtoul(f[0], NULL, 0);
	s->af = strchr(f[1], ':') ? AF_INET6 : AF_INET;
	if (inet_pton(s->af, f[1], s->vaddr) != 1 || inet_pton(s->af, f[3], s->daddr) != 1)
		return -1;
	s->vport = (uint16_t)strtoul(f[2], NULL, 0);
	s->dport = (uint16_t)strtoul(f[4], NULL, 0);
	s->fwmark = f[5] ? strtoul(f[5], NULL, 0) : 0;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long seed = (unsigned long long)time(NULL) ^ getpid();
	const char *group = "224.0.0.81", *ifname = NULL, *caddr = "10.0.9.2";
	unsigned long iters = 1000, i, sent[K_MAX] = { 0 }, errs = 0;
	unsigned int port = 8848, delay_us = 300, ifindex = 0;
	struct sockaddr_storage ss = { 0 };
	static uint8_t buf[BUF_MAX + 64];
	socklen_t sslen;
	int opt, fd, ttl = 1;
	enum kind kind;
	size_t len;

	while ((opt = getopt(argc, argv, "s:n:g:p:I:i:c:d:S:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			group = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			ifname = optarg;
			break;
		case 'i':
			syncid = (uint8_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			caddr = optarg;
			break;
		case 'd':
			delay_us = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			if (nsvc == MAX_SVC || parse_svc(optarg, &svcs[nsvc]))
				usage();
			nsvc++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !nsvc)
		usage();
	if (inet_pton(AF_INET, caddr, caddr4) != 1) {
		/* an IPv6 client base; IPv4 records then use 10.0.9.2 */
		if (inet_pton(AF_INET6, caddr, caddr6) != 1)
			usage();
		inet_pton(AF_INET, "10.0.9.2", caddr4);
	} else {
		inet_pton(AF_INET6, "fd00:9::2", caddr6);
	}
	if (ifname) {
		ifindex = if_nametoindex(ifname);
		if (!ifindex) {
			fprintf(stderr, "sync_fuzz: no interface %s\n", ifname);
			return 2;
		}
	}

	if (strchr(group, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_scope_id = ifindex;
		if (inet_pton(AF_INET6, group, &sin6->sin6_addr) != 1)
			usage();
		sslen = sizeof(*sin6);
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		if (fd >= 0 && ifindex)
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
		if (fd >= 0)
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl));
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, group, &sin->sin_addr) != 1)
			usage();
		sslen = sizeof(*sin);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd >= 0 && ifindex) {
			struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
		}
		if (fd >= 0)
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	}
	if (fd < 0) {
		perror("socket");
		return 2;
	}

	printf("sync_fuzz: seed %llu iterations %lu to %s port %u\n", seed, iters, group, port);
	fflush(stdout);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng_state)
		rng_state = 1;

	for (i = 0; i < iters; i++) {
		len = gen(buf, &kind);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sslen) != (ssize_t)len) {
			if (errs++ < 3)
				fprintf(stderr, "sync_fuzz: sendto (%zu bytes): %s\n", len, strerror(errno));
			continue;
		}
		sent[kind]++;
		if (delay_us)
			usleep(delay_us);
	}
	close(fd);
	printf("sync_fuzz: sent %lu (", sent[K_V1] + sent[K_V0] + sent[K_MANGLED] + sent[K_RANDOM]);
	for (kind = 0; kind < K_MAX; kind++)
		printf("%s%s %lu", kind ? " " : "", kind_names[kind], sent[kind]);
	printf("), send errors %lu\n", errs);
	return errs > iters / 10 ? 2 : 0;
}
