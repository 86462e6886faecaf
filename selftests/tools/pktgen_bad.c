// SPDX-License-Identifier: GPL-2.0
/*
 * pktgen_bad: send hand-made, mostly broken IPv4 packets at a virtual
 * service, for the l4vs malformed-packet selftest.
 *
 *   pktgen_bad [-c COUNT] [-p SPORT] SRC DST DPORT KIND
 *
 * KIND is one of
 *   tcp-short       IP header + 10 bytes of TCP header (ports, no flags)
 *   tcp-doff-small  a SYN whose data offset is 2 words (< 5)
 *   tcp-doff-big    a SYN whose data offset (15 words) runs past the packet
 *   tcp-badsum      a well-formed SYN with a wrong TCP checksum
 *   udp-short       IP header + 6 bytes of UDP header
 *   udp-badlen      a UDP datagram whose length field exceeds the packet
 *   udp-badsum      a well-formed UDP datagram with a wrong (non-zero) checksum
 *   frag-first      the first fragment (MF set) of a UDP datagram, alone
 *   frag-last       a non-first fragment (offset 16 bytes), alone
 *   frag-pair       a valid UDP datagram "hello\n..." split in two fragments
 *   proto           an IP packet of unassigned protocol 253
 *
 * Each packet is sent COUNT times (default 1), with source port SPORT
 * (default 40000) plus the packet's index, so every copy is a new flow;
 * the IP ID is that port too, so fragments of different runs (different
 * ports) can never be reassembled into one datagram.
 * Goes through a raw IPPROTO_RAW socket: the kernel fills in the IP
 * header checksum and total length, everything else is ours.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PKT_MAX 256

static struct in_addr src, dst;

static void usage(void)
{
	fprintf(stderr, "usage: pktgen_bad [-c COUNT] [-p SPORT] SRC DST DPORT KIND\n");
	exit(2);
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Transport checksum over the IPv4 pseudo header and 'len' bytes of 'l4'. */
static uint16_t l4_csum(uint8_t proto, const uint8_t *l4, size_t len)
{
	uint8_t ph[12];
	uint16_t l = htons((uint16_t)len);

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	memcpy(ph + 10, &l, 2);
	return fold(sum16(l4, len, sum16(ph, sizeof(ph), 0)));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* IPv4 header at buf; returns its length (20). */
static size_t ip_header(uint8_t *buf, uint8_t proto, uint16_t frag, uint16_t id)
{
	memset(buf, 0, 20);
	buf[0] = 0x45;
	put16(buf + 4, id);
	put16(buf + 6, frag);
	buf[8] = 64;
	buf[9] = proto;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	return 20;
}

/* A 20-byte TCP SYN with data offset 'doff' words and a right checksum. */
static size_t tcp_syn(uint8_t *l4, uint16_t sport, uint16_t dport, uint8_t doff)
{
	memset(l4, 0, 20);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, 0x1234);			/* sequence number */
	l4[12] = doff << 4;
	l4[13] = 0x02;				/* SYN */
	put16(l4 + 14, 65535);			/* window */
	put16(l4 + 16, l4_csum(IPPROTO_TCP, l4, 20));
	return 20;
}

/* A UDP datagram carrying 'payload'; right checksum, right length. */
static size_t udp_dgram(uint8_t *l4, uint16_t sport, uint16_t dport,
			const char *payload, size_t plen)
{
	size_t len = 8 + plen;
	uint16_t c;

	memset(l4, 0, 8);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, (uint16_t)len);
	memcpy(l4 + 8, payload, plen);
	c = l4_csum(IPPROTO_UDP, l4, len);
	put16(l4 + 6, c ? c : 0xffff);
	return len;
}

static int send_pkt(int fd, const uint8_t *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = dst };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) != (ssize_t)len) {
		fprintf(stderr, "pktgen_bad: sendto: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Build and send one packet (or fragment pair) of 'kind'; -1 on error. */
static int send_kind(int fd, const char *kind, uint16_t sport, uint16_t dport,
		     uint16_t id)
{
	static const char payload[] = "hello from a fragmented datagram\n";
	uint8_t buf[PKT_MAX], l4[PKT_MAX];
	size_t h, len;

	if (!strcmp(kind, "tcp-short")) {
		h = ip_header(buf, IPPROTO_TCP, 0, id);
		tcp_syn(buf + h, sport, dport, 5);
		return send_pkt(fd, buf, h + 10);
	}
	if (!strcmp(kind, "tcp-doff-small")) {
		h = ip_header(buf, IPPROTO_TCP, 0, id);
		return send_pkt(fd, buf, h + tcp_syn(buf + h, sport, dport, 2));
	}
	if (!strcmp(kind, "tcp-doff-big")) {
		h = ip_header(buf, IPPROTO_TCP, 0, id);
		return send_pkt(fd, buf, h + tcp_syn(buf + h, sport, dport, 15));
	}
	if (!strcmp(kind, "tcp-badsum")) {
		h = ip_header(buf, IPPROTO_TCP, 0, id);
		len = tcp_syn(buf + h, sport, dport, 5);
		buf[h + 16] ^= 0x5a;
		return send_pkt(fd, buf, h + len);
	}
	if (!strcmp(kind, "udp-short")) {
		h = ip_header(buf, IPPROTO_UDP, 0, id);
		udp_dgram(buf + h, sport, dport, "x", 1);
		return send_pkt(fd, buf, h + 6);
	}
	if (!strcmp(kind, "udp-badlen")) {
		h = ip_header(buf, IPPROTO_UDP, 0, id);
		len = udp_dgram(buf + h, sport, dport, "hello\n", 6);
		put16(buf + h + 4, (uint16_t)(len + 100));
		return send_pkt(fd, buf, h + len);
	}
	if (!strcmp(kind, "udp-badsum")) {
		h = ip_header(buf, IPPROTO_UDP, 0, id);
		len = udp_dgram(buf + h, sport, dport, "hello\n", 6);
		buf[h + 6] ^= 0x5a;
		if (!buf[h + 6] && !buf[h + 7])
			buf[h + 7] = 1;	/* zero would mean "no checksum" */
		return send_pkt(fd, buf, h + len);
	}
	if (!strcmp(kind, "frag-first") || !strcmp(kind, "frag-last") ||
	    !strcmp(kind, "frag-pair")) {
		/* the datagram, then cut after 16 bytes (a multiple of 8) */
		len = udp_dgram(l4, sport, dport, payload, sizeof(payload) - 1);
		if (strcmp(kind, "frag-last")) {
			h = ip_header(buf, IPPROTO_UDP, IP_MF, id);
			memcpy(buf + h, l4, 16);
			if (send_pkt(fd, buf, h + 16) < 0)
				return -1;
		}
		if (strcmp(kind, "frag-first")) {
			h = ip_header(buf, IPPROTO_UDP, 16 / 8, id);
			memcpy(buf + h, l4 + 16, len - 16);
			if (send_pkt(fd, buf, h + len - 16) < 0)
				return -1;
		}
		return 0;
	}
	if (!strcmp(kind, "proto")) {
		h = ip_header(buf, 253, 0, id);
		memset(buf + h, 0xab, 32);
		put16(buf + h, sport);
		put16(buf + h + 2, dport);
		return send_pkt(fd, buf, h + 32);
	}
	fprintf(stderr, "pktgen_bad: unknown kind '%s'\n", kind);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int count = 1, sport = 40000, dport, i;
	int opt, fd, one = 1;

	while ((opt = getopt(argc, argv, "c:p:")) != -1) {
		switch (opt) {
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			sport = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4 || !count)
		usage();
	if (inet_pton(AF_INET, argv[optind], &src) != 1 ||
	    inet_pton(AF_INET, argv[optind + 1], &dst) != 1)
		usage();
	dport = strtoul(argv[optind + 2], NULL, 0);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	for (i = 0; i < count; i++)
		if (send_kind(fd, argv[optind + 3], (uint16_t)(sport + i),
			      (uint16_t)dport, (uint16_t)(sport + i)) < 0)
			return 1;
	close(fd);
	return 0;
}
