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
 *
 * KIND fuzz sends seeded random packets instead, IPv4 or IPv6 after the
 * family of SRC and DST, through a packet socket on IFNAME to the MAC
 * address of the next hop (so nothing of the IP header is the kernel's):
 *
 *   pktgen_bad -s SEED -n ITERATIONS -I IFNAME -M MAC [-P PORT,...] [-r]
 *              SRC DST DPORT fuzz
 *
 * Each packet is a TCP, UDP, SCTP or ICMP(v6) packet to DST at DPORT or a
 * -P port, from source ports 61000..61015 (so it meets the flows primed
 * below) or random ones, then mangled at random: cut short anywhere,
 * bytes flipped, TCP data offsets and flags, UDP lengths, IPv4 options,
 * fragment bits, lying total lengths, wrong checksums; IPv6 packets get
 * chains of up to six extension headers (hop-by-hop anywhere, routing,
 * destination options, fragment, AH, ESP, no-next-header) with odd
 * lengths.  A quarter are ICMP or ICMPv6 errors whose quoted packet is a
 * flow of ours (DST -> SRC, as a reply from DST would be; with -r,
 * DST -> SRC at DPORT as a real server would see a forwarded request)
 * or anything: cut anywhere, wrong header lengths, other protocols, quoted
 * ICMP errors quoting more, fragments.  Every 200 packets, valid SYNs and
 * datagrams from ports 61000..61007 prime flows the errors can refer to.
 * Prints the seed first and counts by kind at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
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
	fprintf(stderr, "usage: pktgen_bad [-c COUNT] [-p SPORT] SRC DST DPORT KIND\n"
		"       pktgen_bad -s SEED -n ITERATIONS -I IFNAME -M MAC [-P PORT,...] [-r]\n"
		"                  SRC DST DPORT fuzz\n");
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

/* ---- fuzz mode -------------------------------------------------------------- */

#define FZ_MAX		1600
#define FZ_PORT0	61000
#define FZ_NPORTS	16

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP	132
#endif

static uint64_t rng_state;
static int fz_af, fz_fd;
static struct sockaddr_ll fz_sll;
static uint8_t fz_src[16], fz_dst[16];
static uint16_t fz_ports[8];
static unsigned int fz_nports;
static bool fz_server_side;

enum { FZ_DIRECT, FZ_ERROR, FZ_PRIME, FZ_KINDS };
static const char * const fz_kind_names[] = { "direct", "icmp-error", "prime" };
static unsigned long fz_sent[FZ_KINDS], fz_errs;

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

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static size_t alen(int af)
{
	return af == AF_INET6 ? 16 : 4;
}

/* Internet checksum of 'l4' under the pseudo header of (af, s, d, proto). */
static uint16_t csum_l4(int af, const uint8_t *s, const uint8_t *d, uint8_t proto,
			const uint8_t *l4, size_t len)
{
	uint8_t ph[40];
	size_t n = alen(af);

	memcpy(ph, s, n);
	memcpy(ph + n, d, n);
	if (af == AF_INET6) {
		put32(ph + 32, (uint32_t)len);
		put32(ph + 36, proto);
		return fold(sum16(l4, len, sum16(ph, 40, 0)));
	}
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)len);
	return fold(sum16(l4, len, sum16(ph, 12, 0)));
}

/* CRC32c, bit by bit: SCTP's checksum, for a handful of packets. */
static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

/*
 * A transport header (and a little payload) at l4 for a packet s -> d of
 * 'proto'; its checksum right.  ICMP here is an echo request.  Returns its
 * length.
 */
static size_t fz_l4(int af, const uint8_t *s, const uint8_t *d, uint8_t proto,
		    uint8_t *l4, uint16_t sport, uint16_t dport, bool syn)
{
	size_t len;
	uint32_t c;

	switch (proto) {
	case IPPROTO_TCP:
		len = 20 + (chance(20) ? 4 * rn(4) : 0);
		memset(l4, 0, len);
		put16(l4, sport);
		put16(l4 + 2, dport);
		put32(l4 + 4, (uint32_t)rnd());
		if (!syn)
			put32(l4 + 8, (uint32_t)rnd());
		l4[12] = (uint8_t)(len / 4) << 4;
		l4[13] = syn ? 0x02 : PICK(((const uint8_t[]){ 0x02, 0x10, 0x12, 0x11, 0x04,
				0x14, 0x18, 0x01, 0x03, 0x06, 0xff, 0x00, 0x29 }));
		put16(l4 + 14, 65535);
		if (len > 20)
			memset(l4 + 20, 1, len - 20);	/* NOPs */
		if (!syn && chance(30)) {
			memcpy(l4 + len, "hello\n", 6);
			len += 6;
		}
		put16(l4 + 16, csum_l4(af, s, d, proto, l4, len));
		return len;
	case IPPROTO_UDP:
		len = 8 + 6;
		memset(l4, 0, 8);
		put16(l4, sport);
		put16(l4 + 2, dport);
		put16(l4 + 4, (uint16_t)len);
		memcpy(l4 + 8, "hello\n", 6);
		c = csum_l4(af, s, d, proto, l4, len);
		put16(l4 + 6, c ? c : 0xffff);
		return len;
	case IPPROTO_SCTP:
		/* common header and an INIT, or some other chunk */
		len = 12 + 20;
		memset(l4, 0, len);
		put16(l4, sport);
		put16(l4 + 2, dport);
		l4[12] = syn || chance(50) ? 1 : (uint8_t)rn(16);
		put16(l4 + 14, 20);
		put32(l4 + 16, (uint32_t)rnd() | 1);
		put32(l4 + 20, 65536);
		put16(l4 + 24, 10);
		put16(l4 + 26, 10);
		put32(l4 + 28, (uint32_t)rnd());
		if (!l4[12])
			put32(l4 + 4, (uint32_t)rnd());	/* DATA needs the peer's tag */
		c = crc32c(l4, len);
		/* the CRC goes on the wire little-endian */
		l4[8] = c & 0xff;
		l4[9] = (c >> 8) & 0xff;
		l4[10] = (c >> 16) & 0xff;
		l4[11] = c >> 24;
		return len;
	default:
		/* an echo request, or a random type */
		len = 8 + 8;
		memset(l4, 0, len);
		l4[0] = af == AF_INET6 ? 128 : 8;
		if (chance(20))
			l4[0] = (uint8_t)rnd();
		put16(l4 + 4, sport);
		put16(l4 + 6, 1);
		if (af == AF_INET6)
			put16(l4 + 2, csum_l4(af, s, d, 58, l4, len));
		else
			put16(l4 + 2, fold(sum16(l4, len, 0)));
		return len;
	}
}

/* IPv4 header with 'olen' bytes of options; checksum right.  Returns its length. */
static size_t fz_ip4(uint8_t *b, const uint8_t *s, const uint8_t *d, uint8_t proto,
		     size_t l4len, size_t olen)
{
	size_t h = 20 + olen;

	memset(b, 0, h);
	b[0] = 0x40 | (uint8_t)(h / 4);
	put16(b + 2, (uint16_t)(h + l4len));
	put16(b + 4, (uint16_t)rnd());
	b[6] = 0x40;	/* DF */
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, s, 4);
	memcpy(b + 16, d, 4);
	if (olen) {
		/* NOPs, an end, a record-route, or junk */
		switch (rn(4)) {
		case 0:
			memset(b + 20, 1, olen);
			break;
		case 1:
			b[20] = 7;		/* record route, pointer at its start */
			b[21] = (uint8_t)(olen < 39 ? olen : 39);
			b[22] = 4;
			break;
		case 2:
			b[20] = (uint8_t)rnd();
			b[21] = (uint8_t)rnd();
			break;
		default:
			break;			/* end of options, zeroes */
		}
	}
	put16(b + 10, fold(sum16(b, h, 0)));
	return h;
}

/* IPv6 header; payload length from 'plen'. */
static size_t fz_ip6(uint8_t *b, const uint8_t *s, const uint8_t *d, uint8_t nexthdr,
		     size_t plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)plen);
	b[6] = nexthdr;
	b[7] = 64;
	memcpy(b + 8, s, 16);
	memcpy(b + 24, d, 16);
	return 40;
}

/*
 * A chain of 0..6 IPv6 extension headers at b ending in 'last'; *first is
 * the next-header value that must point at the chain.  Returns its length.
 */
static size_t fz_ext6(uint8_t *b, uint8_t last, uint8_t *first)
{
	static const uint8_t types[] = { 0, 43, 60, 44, 51, 50, 59, 60, 43, 44 };
	unsigned int i, n = chance(40) ? 0 : 1 + rn(6);
	uint8_t t[8];
	size_t len = 0, l;

	for (i = 0; i < n; i++)
		t[i] = PICK(types);
	/* hop-by-hop belongs first: usually keep it there */
	for (i = 1; i < n; i++)
		if (t[i] == 0 && chance(70))
			t[i] = 60;
	*first = n ? t[0] : last;
	for (i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? t[i + 1] : last;
		uint8_t *h = b + len;

		switch (t[i]) {
		case 44:	/* fragment: atomic, first, or later */
			memset(h, 0, 8);
			h[0] = next;
			switch (rn(3)) {
			case 0:
				break;
			case 1:
				h[3] = 1;	/* M */
				break;
			default:
				put16(h + 2, (uint16_t)(8 * (1 + rn(100)) << 3) & 0xfff8);
				break;
			}
			put32(h + 4, (uint32_t)rnd());
			len += 8;
			break;
		case 51:	/* AH: length in 4-byte units minus 2 */
			l = 8 * (1 + rn(3));
			memset(h, 0, l);
			h[0] = next;
			h[1] = (uint8_t)(l / 4 - 2);
			if (chance(10))
				h[1] = (uint8_t)rnd();
			len += l;
			break;
		case 50:	/* ESP: opaque, nothing follows that can be read */
		case 59:
			memset(h, 0xa5, 16);
			put32(h, (uint32_t)rnd());
			len += 16;
			return len;
		default:	/* hop-by-hop, routing, destination options */
			l = 8 * (1 + rn(3));
			memset(h, 0, l);
			h[0] = next;
			h[1] = (uint8_t)(l / 8 - 1);
			if (t[i] == 43) {
				h[2] = PICK(((const uint8_t[]){ 0, 2, 3, 4, 253 }));
				h[3] = (uint8_t)rn(3);	/* segments left */
			} else {
				/* PadN over the rest, or an unknown option */
				h[2] = chance(80) ? 1 : (uint8_t)rnd();
				h[3] = (uint8_t)(l - 4);
			}
			if (chance(8))
				h[1] = (uint8_t)rnd();	/* a length that lies */
			len += l;
			break;
		}
	}
	return len;
}

static const uint8_t fz_protos[] = {
	IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP, IPPROTO_SCTP, 0,
};

static uint16_t fz_sport(void)
{
	return chance(80) ? FZ_PORT0 + rn(FZ_NPORTS) : (uint16_t)rnd();
}

static uint16_t fz_dport(uint16_t dport)
{
	if (chance(85))
		return fz_nports && chance(50) ? fz_ports[rn(fz_nports)] : dport;
	return (uint16_t)rnd();
}

static uint8_t icmp_proto(int af)
{
	return af == AF_INET6 ? 58 : IPPROTO_ICMP;
}

/*
 * One IP packet s -> d at b: transport header of 'proto' (0: ICMP echo),
 * optionally under IPv6 extension headers, before mangling.  Returns its
 * length.
 */
static size_t fz_packet(int af, const uint8_t *s, const uint8_t *d, uint8_t proto,
			uint8_t *b, uint16_t sport, uint16_t dport, bool syn, bool ext)
{
	uint8_t p = proto ? proto : icmp_proto(af), first = p;
	size_t h, e = 0, l;

	if (af == AF_INET6) {
		if (ext)
			e = fz_ext6(b + 40, p, &first);
		l = fz_l4(af, s, d, p, b + 40 + e, sport, dport, syn);
		h = fz_ip6(b, s, d, first, e + l);
		return h + e + l;
	}
	h = ext && chance(15) ? 4 * (1 + rn(10)) : 0;
	l = fz_l4(af, s, d, p, b + 20 + h, sport, dport, syn);
	return fz_ip4(b, s, d, p, l, h) + l;
}

/* Random damage to a packet of 'len' bytes; returns the new length. */
static size_t fz_mangle(int af, uint8_t *b, size_t len)
{
	size_t hl = af == AF_INET6 ? 40 : (size_t)(b[0] & 0xf) * 4, l4 = hl;
	unsigned int i, n;

	if (hl > len)
		return len;
	switch (rn(10)) {
	case 0:		/* cut short anywhere past the IP header */
		len = hl + rn((uint32_t)(len - hl + 1));
		break;
	case 1:		/* bytes of the transport header flipped */
	case 2:
		n = 1 + rn(4);
		for (i = 0; i < n && len > l4; i++)
			b[l4 + rn((uint32_t)(len - l4))] ^= (uint8_t)(1 + rn(255));
		break;
	case 3:		/* TCP data offset, UDP length: whatever sits there */
		if (len >= l4 + 14)
			b[l4 + 12] = (uint8_t)rnd();
		if (len >= l4 + 6)
			put16(b + l4 + 4, (uint16_t)rn(64));
		break;
	case 4:		/* a lying length in the IP header */
		if (af == AF_INET6)
			put16(b + 4, (uint16_t)(len - 40 + (chance(50) ? -(int)rn(16) : (int)rn(16))));
		else
			put16(b + 2, (uint16_t)(len + (chance(50) ? -(int)rn(16) : (int)rn(16))));
		break;
	case 5:		/* fragment bits */
		if (af == AF_INET)
			put16(b + 6, chance(50) ? 0x2000 : (uint16_t)rn(0x4000));
		break;
	case 6:		/* TTL / hop limit at the end of its life */
		b[af == AF_INET6 ? 7 : 8] = (uint8_t)rn(2);
		break;
	default:	/* left whole */
		return len;
	}
	if (af == AF_INET) {
		/* the stack drops bad header checksums at once: keep it right, mostly */
		put16(b + 10, 0);
		if (!chance(3))
			put16(b + 10, fold(sum16(b, hl, 0)));
	}
	return len;
}

/*
 * An ICMP(v6) error from s to d quoting a packet of ours at b; nested
 * errors quote further down to 'depth' 0.  Returns its length.
 */
static size_t fz_error(int af, const uint8_t *s, const uint8_t *d, uint8_t *b,
		       uint16_t dport, int depth)
{
	static const uint8_t types4[][2] = {
		{ 3, 0 }, { 3, 1 }, { 3, 3 }, { 3, 4 }, { 3, 4 }, { 3, 13 }, { 11, 0 },
		{ 11, 1 }, { 12, 0 }, { 4, 0 }, { 5, 1 }, { 3, 99 },
	};
	static const uint8_t types6[][2] = {
		{ 1, 0 }, { 1, 4 }, { 1, 1 }, { 2, 0 }, { 2, 0 }, { 3, 0 }, { 3, 1 },
		{ 4, 0 }, { 4, 1 }, { 4, 2 }, { 1, 99 },
	};
	uint8_t *ic, *q, proto = PICK(fz_protos);
	const uint8_t *t, *qs, *qd;
	size_t h = af == AF_INET6 ? 40 : 20, ql, len;
	uint16_t qsport, qdport, mtu;
	bool usual, qs_client;

	ic = b + h;
	q = ic + 8;
	/*
	 * The quoted packet: ours from the peer (a reply the peer sent us,
	 * in which it is the service and we the client), or with -r the
	 * request as a real server receives it; sometimes the other way.
	 */
	usual = chance(85);
	qs = usual ? d : s;
	qd = usual ? s : d;
	/* the client's side of a flow has our ports, the service's DPORT */
	qs_client = (qs == s) != fz_server_side;
	qsport = qs_client ? fz_sport() : fz_dport(dport);
	qdport = qs_client ? fz_dport(dport) : fz_sport();
	if (depth > 0 && chance(25)) {
		/* an error quoting an error that went qs -> qd */
		ql = fz_error(af, qs, qd, q, dport, depth - 1);
	} else {
		ql = fz_packet(af, qs, qd, chance(5) ? (uint8_t)rnd() : proto, q,
			       qsport, qdport, chance(50), chance(40));
		/* 8 bytes past the header, as RFC 792 asks, or more, or less */
		switch (rn(4)) {
		case 0:
			ql = (af == AF_INET6 ? 40 : (q[0] & 0xf) * 4) + 8;
			break;
		case 1:
			ql = rn((uint32_t)ql + 1);
			break;
		default:
			break;
		}
		if (chance(30))
			ql = fz_mangle(af, q, ql);
		if (chance(5))
			q[0] = (uint8_t)rnd();	/* version, header length */
	}
	len = 8 + ql;
	memset(ic, 0, 8);
	t = af == AF_INET6 ? types6[rn(sizeof(types6) / 2)] : types4[rn(sizeof(types4) / 2)];
	ic[0] = t[0];
	ic[1] = t[1];
	if (chance(5))
		ic[1] = (uint8_t)rnd();
	mtu = PICK(((const uint16_t[]){ 0, 68, 576, 1000, 1279, 1280, 1400, 1500, 9000, 65535 }));
	if (af == AF_INET6 && t[0] == 2)
		put32(ic + 4, mtu);		/* packet too big */
	else if (af == AF_INET6 && t[0] == 4)
		put32(ic + 4, (uint32_t)rn(64));	/* pointer */
	else if (t[0] == 3 && t[1] == 4)
		put16(ic + 6, mtu);		/* fragmentation needed */
	else if (t[0] == 12)
		ic[4] = (uint8_t)rn(60);
	if (af == AF_INET6) {
		put16(ic + 2, csum_l4(af, s, d, 58, ic, len));
		fz_ip6(b, s, d, 58, len);
	} else {
		put16(ic + 2, fold(sum16(ic, len, 0)));
		fz_ip4(b, s, d, IPPROTO_ICMP, len, 0);
	}
	if (chance(3))
		ic[2] ^= 0x40;		/* a wrong ICMP checksum */
	return h + len;
}

static void fz_send(const uint8_t *b, size_t len, int kind)
{
	if (sendto(fz_fd, b, len, 0, (struct sockaddr *)&fz_sll, sizeof(fz_sll)) != (ssize_t)len) {
		if (fz_errs++ < 3)
			fprintf(stderr, "pktgen_bad: sendto (%zu bytes): %s\n", len, strerror(errno));
		return;
	}
	fz_sent[kind]++;
}

/* Valid SYNs and datagrams from the first ports: flows for errors to name. */
static void fz_prime(uint16_t dport)
{
	uint8_t b[FZ_MAX];
	unsigned int i, k;
	size_t len;

	if (fz_server_side)
		return;
	for (k = 0; k <= fz_nports; k++) {
		uint16_t port = k < fz_nports ? fz_ports[k] : dport;

		for (i = 0; i < 8; i++) {
			len = fz_packet(fz_af, fz_src, fz_dst, IPPROTO_TCP, b, FZ_PORT0 + i,
					port, true, false);
			fz_send(b, len, FZ_PRIME);
			len = fz_packet(fz_af, fz_src, fz_dst, IPPROTO_UDP, b, FZ_PORT0 + i,
					port, false, false);
			fz_send(b, len, FZ_PRIME);
		}
	}
}

static int fuzz(unsigned long long seed, unsigned long iters, const char *ifname,
		const char *mac, const char *src_s, const char *dst_s, uint16_t dport)
{
	unsigned int m[6];
	uint8_t b[FZ_MAX];
	unsigned long i;
	size_t len;
	int k;

	fz_af = strchr(src_s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fz_af, src_s, fz_src) != 1 || inet_pton(fz_af, dst_s, fz_dst) != 1 ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		usage();
	fz_sll.sll_family = AF_PACKET;
	fz_sll.sll_protocol = htons(fz_af == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
	fz_sll.sll_ifindex = (int)if_nametoindex(ifname);
	fz_sll.sll_halen = 6;
	for (k = 0; k < 6; k++)
		fz_sll.sll_addr[k] = (uint8_t)m[k];
	if (!fz_sll.sll_ifindex) {
		fprintf(stderr, "pktgen_bad: no interface %s\n", ifname);
		return 2;
	}
	fz_fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (fz_fd < 0) {
		perror("socket");
		return 1;
	}
	printf("pktgen_bad: fuzz seed %llu iterations %lu %s -> %s\n", seed, iters, src_s, dst_s);
	fflush(stdout);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng_state)
		rng_state = 1;

	for (i = 0; i < iters; i++) {
		if (i % 200 == 0)
			fz_prime(dport);
		if (chance(25)) {
			len = fz_error(fz_af, fz_src, fz_dst, b, dport, 2);
			fz_send(b, len, FZ_ERROR);
			continue;
		}
		len = fz_packet(fz_af, fz_src, fz_dst, PICK(fz_protos), b, fz_sport(),
				fz_dport(dport), chance(40), true);
		if (chance(70))
			len = fz_mangle(fz_af, b, len);
		fz_send(b, len, FZ_DIRECT);
	}
	close(fz_fd);
	printf("pktgen_bad: sent");
	for (k = 0; k < FZ_KINDS; k++)
		printf(" %s %lu", fz_kind_names[k], fz_sent[k]);
	printf(", send errors %lu\n", fz_errs);
	return fz_errs > iters / 10 ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned int count = 1, sport = 40000, dport, i;
	const char *ifname = NULL, *mac = NULL;
	unsigned long long seed = 1;
	unsigned long iters = 1000;
	int opt, fd, one = 1;
	char *tok, *save;

	while ((opt = getopt(argc, argv, "c:p:s:n:I:M:P:r")) != -1) {
		switch (opt) {
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			sport = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			ifname = optarg;
			break;
		case 'M':
			mac = optarg;
			break;
		case 'P':
			for (tok = strtok_r(optarg, ",", &save); tok && fz_nports < 8;
			     tok = strtok_r(NULL, ",", &save))
				fz_ports[fz_nports++] = (uint16_t)strtoul(tok, NULL, 0);
			break;
		case 'r':
			fz_server_side = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4 || !count)
		usage();
	if (!strcmp(argv[optind + 3], "fuzz")) {
		if (!ifname || !mac)
			usage();
		return fuzz(seed, iters, ifname, mac, argv[optind], argv[optind + 1],
			    (uint16_t)strtoul(argv[optind + 2], NULL, 0));
	}
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
