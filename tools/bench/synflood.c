// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: TCP SYNs from spoofed IPv4 sources at a fixed rate, for the
 * l4vs benchmark's flood scenario.  Bounded on purpose: it stops after
 * COUNT packets or SECS seconds, whichever comes first, and refuses to run
 * without both.
 *
 *   synflood -d DST -p PORT -r PPS -n COUNT -t SECS [-s SRC_BASE] [-b BITS]
 *
 * Sources are SRC_BASE (default 10.128.0.0) plus a random value of BITS
 * bits (default 22), source ports random above 1024.  Prints
 * "sent=N secs=S pps=R" on exit.
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

struct pkt {
	/* IPv4 header */
	uint8_t		vihl, tos;
	uint16_t	tot_len, id, frag;
	uint8_t		ttl, proto;
	uint16_t	check;
	uint32_t	saddr, daddr;
	/* TCP header, no options */
	uint16_t	sport, dport;
	uint32_t	seq, ack;
	uint8_t		doff, flags;
	uint16_t	win, tcheck, urg;
} __attribute__((packed));

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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: synflood -d DST -p PORT -r PPS -n COUNT -t SECS [-s SRC_BASE] [-b BITS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct in_addr dst = { 0 }, src = { htonl(0x0a800000) };
	unsigned long rate = 0, count = 0, sent = 0, bits = 22;
	double secs = 0, t0, t, next;
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned int port = 0;
	struct pkt p;
	int c, fd, one = 1;

	while ((c = getopt(argc, argv, "d:p:r:n:t:s:b:")) != -1) {
		switch (c) {
		case 'd': if (!inet_aton(optarg, &dst)) usage(); break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 's': if (!inet_aton(optarg, &src)) usage(); break;
		case 'b': bits = strtoul(optarg, NULL, 0); break;
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

	memset(&p, 0, sizeof(p));
	p.vihl = 0x45;
	p.tot_len = htons(sizeof(p));
	p.ttl = 64;
	p.proto = IPPROTO_TCP;
	p.daddr = dst.s_addr;
	p.dport = htons(port);
	p.doff = 5 << 4;
	p.flags = 0x02;		/* SYN */
	p.win = htons(64240);

	t0 = now();
	next = t0;
	while (sent < count) {
		uint32_t s;

		t = now();
		if (t - t0 >= secs)
			break;
		/* send what is due, then sleep a little: ~1 ms granularity */
		if (t < next) {
			struct timespec d = { 0, (long)((next - t) * 1e9) };

			nanosleep(&d, NULL);
			continue;
		}
		p.saddr = htonl(ntohl(src.s_addr) + (rnd() & ((1u << bits) - 1)));
		p.sport = htons(1024 + rnd() % 64000);
		p.seq = rnd();
		p.id = (uint16_t)rnd();
		p.check = 0;
		p.check = fold(sum16(&p, 20, 0));
		/* pseudo header: addresses, protocol, TCP length */
		p.tcheck = 0;
		s = sum16(&p.saddr, 8, 0) + htons(IPPROTO_TCP) + htons(20);
		p.tcheck = fold(sum16(&p.sport, 20, s));
		if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to,
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
	printf("sent=%lu secs=%.3f pps=%.0f\n", sent, t, t > 0 ? sent / t : 0);
	return 0;
}
