// SPDX-License-Identifier: GPL-2.0
/*
 * vs_server: a tiny real server for the l4vs selftests.
 *
 * Listens on any number of TCP and UDP ports and answers every request line
 * (TCP) or datagram (UDP) with its name, optionally followed by the peer
 * address it saw, so a test can tell which backend served a request and
 * check that the backend saw the real client address (NAT keeps it).
 *
 * SCTP (-s) is served like TCP, over one-to-one (SOCK_STREAM) sockets.  With
 * -l, every request (TCP/SCTP connection, UDP datagram) is also logged as
 * "NAME PEER PEERPORT" to a file, so a test can count arrivals even when the
 * answers cannot reach the client (one-packet scheduling through NAT).
 *
 * Everything is served from one poll() loop: the tests run under TCG where
 * every fork costs tens of milliseconds, so one process serves all ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTEN	16
#define MAX_FDS		1024
#define BUF_SIZE	2048

enum fd_kind { FD_TCP_LISTEN, FD_UDP, FD_TCP_CONN };

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

struct slot {
	enum fd_kind	kind;
	char		peer[INET6_ADDRSTRLEN];
};

static struct pollfd pfds[MAX_FDS];
static struct slot slots[MAX_FDS];
static unsigned int nfds;

static const char *name = "server";
static bool show_peer;
static bool keep_open;
static int family = AF_INET6;
static volatile sig_atomic_t stop;
static int log_fd = -1;

static void usage(void)
{
	fprintf(stderr,
		"usage: vs_server [-4] [-n NAME] [-p] [-k] [-r READYFILE] [-l LOGFILE]\n"
		"                 {-t PORT | -u PORT | -s PORT}...\n"
		"  -4        IPv4 only (default: one dual-stack IPv6 socket per port)\n"
		"  -n NAME   name to answer with (default \"server\")\n"
		"  -p        append the peer address seen: \"NAME ADDR\"\n"
		"  -k        TCP: keep the connection open and answer every line until\n"
		"            the client closes (default: answer once, then close)\n"
		"  -r FILE   create FILE once every socket is listening\n"
		"  -l FILE   append \"NAME PEER PEERPORT\" to FILE for every TCP/SCTP\n"
		"            connection and every UDP datagram received\n"
		"  -t PORT   serve TCP on PORT;  -u PORT  serve UDP on PORT\n"
		"  -s PORT   serve SCTP (one-to-one style) on PORT\n");
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Print a v4-mapped IPv6 address as plain IPv4: tests compare with IPv4. */
static void format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, buf, len);
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf, len);
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
	}
}

static unsigned int addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* One line per request; O_APPEND keeps lines of several servers whole. */
static void log_request(const char *peer, unsigned int port)
{
	char line[256];
	int len;

	if (log_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s %s %u\n", name, peer, port);
	if (write(log_fd, line, len) != len)
		perror("log");
}

static int add_fd(int fd, enum fd_kind kind, const char *peer)
{
	if (nfds == MAX_FDS) {
		close(fd);
		return -1;
	}
	pfds[nfds].fd = fd;
	pfds[nfds].events = POLLIN;
	pfds[nfds].revents = 0;
	slots[nfds].kind = kind;
	snprintf(slots[nfds].peer, sizeof(slots[nfds].peer), "%s", peer ? peer : "");
	nfds++;
	return 0;
}

/* Swap the last slot into the hole: order does not matter to poll(). */
static void del_fd(unsigned int i)
{
	close(pfds[i].fd);
	nfds--;
	if (i != nfds) {
		pfds[i] = pfds[nfds];
		slots[i] = slots[nfds];
	}
}

static int open_socket(int type, int proto, unsigned int port)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int one = 1, zero = 0;
	int fd;

	memset(&ss, 0, sizeof(ss));
	fd = socket(family, type, proto);
	if (fd < 0 && family == AF_INET6 && errno == EAFNOSUPPORT) {
		family = AF_INET;
		fd = socket(family, type, proto);
	}
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		/* one socket for both families, whatever the sysctl says */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		slen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		slen = sizeof(*sin);
	}
	if (bind(fd, (struct sockaddr *)&ss, slen) < 0) {
		fprintf(stderr, "bind port %u: %s\n", port, strerror(errno));
		goto err_close;
	}
	if (type == SOCK_STREAM && listen(fd, 128) < 0) {
		perror("listen");
		goto err_close;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;

err_close:
	close(fd);
	return -1;
}

static int make_reply(char *buf, size_t len, const char *peer)
{
	if (show_peer)
		return snprintf(buf, len, "%s %s\n", name, peer);
	return snprintf(buf, len, "%s\n", name);
}

static void serve_udp(int fd)
{
	struct sockaddr_storage ss;
	char buf[BUF_SIZE], peer[INET6_ADDRSTRLEN], reply[256];
	socklen_t slen;
	ssize_t n;
	int len;

	/* drain everything queued: a burst must not wait for poll() rounds */
	for (;;) {
		slen = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &slen);
		if (n < 0)
			return;
		format_addr(&ss, peer, sizeof(peer));
		log_request(peer, addr_port(&ss));
		len = make_reply(reply, sizeof(reply), peer);
		sendto(fd, reply, len, 0, (struct sockaddr *)&ss, slen);
	}
}

static void accept_tcp(int lfd)
{
	struct sockaddr_storage ss;
	char peer[INET6_ADDRSTRLEN];
	socklen_t slen;
	int fd;

	for (;;) {
		slen = sizeof(ss);
		fd = accept(lfd, (struct sockaddr *)&ss, &slen);
		if (fd < 0)
			return;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		format_addr(&ss, peer, sizeof(peer));
		log_request(peer, addr_port(&ss));
		add_fd(fd, FD_TCP_CONN, peer);
	}
}

/* Returns false when the connection is done and must be closed. */
static bool serve_tcp(unsigned int i)
{
	char buf[BUF_SIZE], reply[256];
	unsigned int lines = 0;
	ssize_t n, k;
	int len;

	n = read(pfds[i].fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	for (k = 0; k < n; k++)
		lines += buf[k] == '\n';
	/* one answer per request line; a chunk without a newline still gets one */
	if (!lines || !keep_open)
		lines = 1;
	len = make_reply(reply, sizeof(reply), slots[i].peer);
	while (lines--)
		if (write(pfds[i].fd, reply, len) != len)
			return false;
	return keep_open;
}

int main(int argc, char **argv)
{
	unsigned int tcp_ports[MAX_LISTEN], udp_ports[MAX_LISTEN];
	unsigned int sctp_ports[MAX_LISTEN];
	unsigned int ntcp = 0, nudp = 0, nsctp = 0, i;
	const char *logfile = NULL;
	const char *ready = NULL;
	struct sigaction sa;
	int opt, fd;

	while ((opt = getopt(argc, argv, "4n:pkr:t:u:s:l:")) != -1) {
		switch (opt) {
		case '4':
			family = AF_INET;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			show_peer = true;
			break;
		case 'k':
			keep_open = true;
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			if (ntcp == MAX_LISTEN)
				usage();
			tcp_ports[ntcp++] = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			if (nudp == MAX_LISTEN)
				usage();
			udp_ports[nudp++] = strtoul(optarg, NULL, 0);
			break;
		case 's':
			if (nsctp == MAX_LISTEN)
				usage();
			sctp_ports[nsctp++] = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			logfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || ntcp + nudp + nsctp == 0)
		usage();
	if (logfile) {
		log_fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (log_fd < 0) {
			perror(logfile);
			return 1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < ntcp; i++) {
		fd = open_socket(SOCK_STREAM, 0, tcp_ports[i]);
		if (fd < 0)
			return 1;
		add_fd(fd, FD_TCP_LISTEN, NULL);
	}
	for (i = 0; i < nudp; i++) {
		fd = open_socket(SOCK_DGRAM, 0, udp_ports[i]);
		if (fd < 0)
			return 1;
		add_fd(fd, FD_UDP, NULL);
	}
	/* an SCTP one-to-one socket accepts and reads exactly like TCP */
	for (i = 0; i < nsctp; i++) {
		fd = open_socket(SOCK_STREAM, IPPROTO_SCTP, sctp_ports[i]);
		if (fd < 0)
			return 1;
		add_fd(fd, FD_TCP_LISTEN, NULL);
	}
	if (ready) {
		fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			perror(ready);
			return 1;
		}
		close(fd);
	}

	while (!stop) {
		if (poll(pfds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		/* walk backwards: del_fd() moves the last slot into the hole */
		for (i = nfds; i-- > 0;) {
			if (!pfds[i].revents)
				continue;
			switch (slots[i].kind) {
			case FD_TCP_LISTEN:
				accept_tcp(pfds[i].fd);
				break;
			case FD_UDP:
				serve_udp(pfds[i].fd);
				break;
			case FD_TCP_CONN:
				if (!serve_tcp(i))
					del_fd(i);
				break;
			}
		}
	}
	return 0;
}
