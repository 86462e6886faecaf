// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: forged flows from spoofed IPv4 sources at a fixed packet rate,
 * for the l4vs benchmark's flood scenario.  Bounded on purpose: it stops
 * after COUNT packets or SECS seconds, whichever comes first, and refuses
 * to run without both.
 *
 *   synflood -d DST -p PORT -r PPS -n COUNT -t SECS [-k KIND] [-s SRC_BASE] [-b BITS]
 *
 * KIND, what each spoofed source sends (one "flow"):
 *   syn     a TCP SYN (default)
 *   synack  a TCP SYN, then an ACK acknowledging nothing it ever saw (a
 *           blind ACK): what takes a one-sided director (DR, TUN) to
 *           ESTABLISHED
 *   sctp    an SCTP INIT, a COOKIE_ECHO with a made-up cookie, then a DATA
 *           chunk: the same for SCTP
 *   udp     one UDP datagram
 *
 * Sources are SRC_BASE (default 10.128.0.0) plus a random value of BITS
 * bits (default 22), source ports random above 1024.  Prints
 * "sent=N flows=F secs=S pps=R" on exit (N packets, F flows).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { K_SYN, K_SYNACK, K_SCTP, K_UDP };

struct iph {
	uint8_t		vihl, tos;
	uint16_t	tot_len, id, frag;
	uint8_t		ttl, proto;
	uint16_t	check;
	uint32_t	saddr, daddr;
} __attribute__((packed));

struct tcph {
	uint16_t	sport, dport;
	uint32_t	seq, ack;
	uint8_t		doff, flags;
	uint16_t	win, check, urg;
} __attribute__((packed));

/* A flow's state: what the next packet of it is. */
struct flow {
	uint32_t	saddr;
	uint16_t	sport;
	uint32_t	seq, tag;
	int		step;		/* packets of this flow sent so far */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	/* xorshift64*: fast, good enough to spread sources */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static uint32_t sum16(const void *p, size_t len, uint32_t s)
{
	const uint16_t *w = p;

	for (; len > 1; len -= 2)
		s += *w++;
	if (len)
		s += *(const uint8_t *)w;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* CRC32c (Castagnoli), reflected, as SCTP's checksum wants it. */
static uint32_t crc_tab[256];

static void crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		crc_tab[i] = c;
	}
}

static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t c = ~0u;

	while (len--)
		c = crc_tab[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: synflood -d DST -p PORT -r PPS -n COUNT -t SECS "
		"[-k syn|synack|sctp|udp] [-s SRC_BASE] [-b BITS]\n");
	exit(2);
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/*
 * The transport part of packet 'f->step' of a flow into 'p'; returns its
 * length and the IP protocol, or 0 when the flow is complete.
 */
static size_t build(enum kind k, struct flow *f, uint16_t dport, uint32_t daddr,
		    uint8_t *p, uint8_t *proto)
{
	struct tcph *th = (struct tcph *)p;
	uint32_t s, crc;
	size_t len;

	switch (k) {
	case K_SYN:
	case K_SYNACK:
		if (f->step > (k == K_SYNACK))
			return 0;
		memset(th, 0, sizeof(*th));
		th->sport = htons(f->sport);
		th->dport = htons(dport);
		th->doff = 5 << 4;
		th->win = htons(64240);
		if (f->step == 0) {
			th->seq = htonl(f->seq);
			th->flags = 0x02;		/* SYN */
		} else {
			th->seq = htonl(f->seq + 1);
			th->ack = htonl(rnd());		/* blind */
			th->flags = 0x10;		/* ACK */
		}
		/* pseudo header: addresses, protocol, TCP length */
		s = sum16(&f->saddr, 4, 0) + sum16(&daddr, 4, 0) +
		    htons(IPPROTO_TCP) + htons(sizeof(*th));
		th->check = fold(sum16(th, sizeof(*th), s));
		*proto = IPPROTO_TCP;
		return sizeof(*th);
	case K_UDP:
		if (f->step > 0)
			return 0;
		put16(p, f->sport);
		put16(p + 2, dport);
		put16(p + 4, 16);
		put16(p + 6, 0);			/* no checksum */
		memcpy(p + 8, "flood...", 8);
		*proto = IPPROTO_UDP;
		return 16;
	case K_SCTP:
		if (f->step > 2)
			return 0;
		/* common header: ports, verification tag, checksum */
		put16(p, f->sport);
		put16(p + 2, dport);
		/* an INIT carries tag 0; later ones a tag never learnt */
		put32(p + 4, f->step ? f->tag : 0);
		memset(p + 8, 0, 4);
		if (f->step == 0) {
			/* INIT: tag, a_rwnd, streams out/in, initial TSN */
			p[12] = 1; p[13] = 0; put16(p + 14, 20);
			put32(p + 16, f->seq | 1);
			put32(p + 20, 65536);
			put16(p + 24, 10);
			put16(p + 26, 10);
			put32(p + 28, f->seq);
			len = 32;
		} else if (f->step == 1) {
			/* COOKIE_ECHO with 16 bytes of made-up cookie */
			p[12] = 10; p[13] = 0; put16(p + 14, 20);
			put32(p + 16, rnd());
			put32(p + 20, rnd());
			put32(p + 24, rnd());
			put32(p + 28, rnd());
			len = 32;
		} else {
			/* DATA: TSN, stream 0, seq 0, ppid 0, 4 bytes */
			p[12] = 0; p[13] = 3; put16(p + 14, 20);
			put32(p + 16, f->seq);
			put16(p + 20, 0);
			put16(p + 22, 0);
			put32(p + 24, 0);
			memcpy(p + 28, "data", 4);
			len = 32;
		}
		crc = crc32c(p, len);
		/* stored least significant byte first */
		p[8] = crc & 0xff;
		p[9] = (crc >> 8) & 0xff;
		p[10] = (crc >> 16) & 0xff;
		p[11] = crc >> 24;
		*proto = IPPROTO_SCTP;
		return len;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct in_addr dst = { 0 }, src = { htonl(0x0a800000) };
	unsigned long rate = 0, count = 0, sent = 0, flows = 0, bits = 22;
	double secs = 0, t0, t, next;
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned int port = 0;
	enum kind kind = K_SYN;
	struct flow f = { .step = -1 };
	uint8_t buf[128];
	struct iph *ip = (struct iph *)buf;
	int c, fd, one = 1;

	while ((c = getopt(argc, argv, "d:p:r:n:t:s:b:k:")) != -1) {
		switch (c) {
		case 'd': if (!inet_aton(optarg, &dst)) usage(); break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 's': if (!inet_aton(optarg, &src)) usage(); break;
		case 'b': bits = strtoul(optarg, NULL, 0); break;
		case 'k':
			if (!strcmp(optarg, "syn"))
				kind = K_SYN;
			else if (!strcmp(optarg, "synack"))
				kind = K_SYNACK;
			else if (!strcmp(optarg, "sctp"))
				kind = K_SCTP;
			else if (!strcmp(optarg, "udp"))
				kind = K_UDP;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (!dst.s_addr || !port || port > 65535 || !rate || !count ||
	    secs <= 0 || secs > 600 || bits > 24)
		usage();

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("synflood: raw socket");
		return 1;
	}
	to.sin_addr = dst;
	rng ^= (uint64_t)getpid() << 17 ^ (uint64_t)time(NULL);
	crc_init();

	memset(ip, 0, sizeof(*ip));
	ip->vihl = 0x45;
	ip->ttl = 64;
	ip->daddr = dst.s_addr;

	t0 = now();
	next = t0;
	while (sent < count) {
		uint8_t proto = 0;
		size_t len;

		t = now();
		if (t - t0 >= secs)
			break;
		/* send what is due, then sleep a little: ~1 ms granularity */
		if (t < next) {
			struct timespec d = { 0, (long)((next - t) * 1e9) };

			nanosleep(&d, NULL);
			continue;
		}
		f.step++;
		len = f.step ? build(kind, &f, port, dst.s_addr, buf + sizeof(*ip), &proto) : 0;
		if (!len) {
			/* a new flow from a new source */
			f.saddr = htonl(ntohl(src.s_addr) + (rnd() & ((1u << bits) - 1)));
			f.sport = 1024 + rnd() % 64000;
			f.seq = rnd();
			f.tag = rnd();
			f.step = 0;
			flows++;
			len = build(kind, &f, port, dst.s_addr, buf + sizeof(*ip), &proto);
		}
		ip->saddr = f.saddr;
		ip->proto = proto;
		ip->tot_len = htons(sizeof(*ip) + len);
		ip->id = (uint16_t)rnd();
		ip->check = 0;
		ip->check = fold(sum16(ip, sizeof(*ip), 0));
		if (sendto(fd, buf, sizeof(*ip) + len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0 && errno != ENOBUFS && errno != EAGAIN) {
			perror("synflood: sendto");
			return 1;
		}
		sent++;
		next += 1.0 / rate;
		/* never build a backlog of more than 10 ms */
		if (next < t - 0.01)
			next = t - 0.01;
	}
	t = now() - t0;
	printf("sent=%lu flows=%lu secs=%.3f pps=%.0f\n", sent, flows, t,
	       t > 0 ? sent / t : 0);
	return 0;
}
