// SPDX-License-Identifier: GPL-2.0
/*
 * vs_client: traffic generator for the l4vs selftests.
 *
 * Request mode (default) makes COUNT sequential requests, each on a new TCP
 * connection or from a new UDP source port, and prints one answer per line
 * ("ERROR <reason>" for a request that failed), so a test can count which
 * real server took each one.  UDP sockets stay open until the end: the
 * kernel then cannot hand the same source port out twice, which would make
 * the director see one connection instead of two.
 *
 * Long mode (-l) keeps one connection (one source port for UDP) and
 * exchanges a line every INTERVAL ms for SECONDS seconds, reconnecting after
 * a failure, then prints a summary.  It is what drain and unload tests run in
 * the background; SIGTERM ends it early and still prints the summary.
 *
 * -s speaks SCTP (one-to-one style) instead of TCP; -b binds the client to
 * a source address; -f sends every request of request mode over ONE socket
 * (one flow, one source port); -x only sends the requests and expects no
 * answer (one-packet scheduling through NAT does not rewrite the answers).
 *
 * No fork, no exec: under TCG every process costs tens of milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN	256

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

static int sock_type = SOCK_STREAM;
static int sock_proto;
static struct addrinfo *bind_ai;
static bool one_flow;
static bool send_only;
static unsigned int timeout_ms = 1000;
static volatile sig_atomic_t stop;

static void usage(void)
{
	fprintf(stderr,
		"usage: vs_client [-t|-u|-s] [-b SRCADDR] [-f] [-x] [-n COUNT] [-w TIMEOUT_MS]\n"
		"                 ADDR PORT\n"
		"       vs_client -l [-t|-u|-s] [-b SRCADDR] [-i INTERVAL_MS] [-d SECONDS] [-w TIMEOUT_MS] [-v]\n"
		"                 ADDR PORT\n"
		"  -t/-u/-s  TCP (default), UDP or SCTP\n"
		"  -b ADDR   bind to source address ADDR\n"
		"  -f        one flow: all requests over one socket (one source port)\n"
		"  -x        send the requests only, expect no answers; prints \"sent N\"\n"
		"  -n COUNT  requests to make, each a new connection (default 1)\n"
		"  -w MS     timeout of one request (default 1000)\n"
		"  -l        long mode: one connection, a request every -i MS for -d SECONDS\n"
		"            (defaults 100 ms, 10 s); prints \"connected NAME\" after the\n"
		"            first answer and\n"
		"            \"ok=N fail=N reconnects=N changes=N first=NAME last=NAME\" at the end\n"
		"  -v        long mode: print every answer too\n");
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for 'events' on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int ret;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		ret = poll(&pfd, 1, (int)left);
		if (ret > 0)
			return 1;
		if (ret == 0)
			return 0;
		if (errno != EINTR || stop)
			return -1;
	}
}

/* A connected, non-blocking socket, or -1 with *why set. */
static int open_conn(const struct addrinfo *ai, long long deadline, const char **why)
{
	socklen_t len = sizeof(int);
	int fd, err = 0;

	fd = socket(ai->ai_family, sock_type, sock_proto);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (bind_ai && bind(fd, bind_ai->ai_addr, bind_ai->ai_addrlen) < 0) {
		*why = strerror(errno);
		goto err_close;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*why = strerror(errno);
		goto err_close;
	}
	if (wait_fd(fd, POLLOUT, deadline) <= 0) {
		*why = "connect timeout";
		goto err_close;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		*why = strerror(err);
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return -1;
}

/*
 * Send one request line and read one answer line into buf (without the
 * newline).  Returns 0, or -1 with *why set.
 */
static int exchange(int fd, char *buf, size_t size, long long deadline, const char **why)
{
	static const char req[] = "hello\n";
	size_t have = 0;
	ssize_t n;
	char *nl;

	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1) {
		*why = strerror(errno);
		return -1;
	}
	for (;;) {
		if (wait_fd(fd, POLLIN, deadline) <= 0) {
			*why = "timeout";
			return -1;
		}
		n = recv(fd, buf + have, size - 1 - have, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*why = strerror(errno);
			return -1;
		}
		if (n == 0) {
			*why = "connection closed";
			return -1;
		}
		have += n;
		buf[have] = '\0';
		nl = strchr(buf, '\n');
		/* a datagram is a whole answer even without its newline */
		if (nl || sock_type == SOCK_DGRAM || have == size - 1) {
			if (nl)
				*nl = '\0';
			return 0;
		}
	}
}

/* -x: COUNT request lines over one socket (-f) or COUNT sockets, no answers. */
static int send_mode(const struct addrinfo *ai, unsigned int count)
{
	static const char req[] = "hello\n";
	unsigned int i, sent = 0;
	const char *why = "";
	int fd = -1, *fds;

	fds = calloc(count, sizeof(*fds));
	if (!fds) {
		perror("calloc");
		return 1;
	}
	for (i = 0; i < count && !stop; i++) {
		if (fd < 0 || !one_flow)
			fd = open_conn(ai, now_ms() + timeout_ms, &why);
		fds[i] = one_flow ? -1 : fd;
		if (fd >= 0 && send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(req) - 1)
			sent++;
		else if (fd >= 0)
			why = strerror(errno);
	}
	printf("sent %u\n", sent);
	if (sent < count)
		printf("ERROR %s\n", why);
	/* let the last datagrams leave before the sockets go */
	wait_fd(-1, 0, now_ms() + 50);
	for (i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (one_flow && fd >= 0)
		close(fd);
	free(fds);
	return sent == count ? 0 : 1;
}

static int request_mode(const struct addrinfo *ai, unsigned int count)
{
	int *udp_fds = NULL;
	unsigned int i, failed = 0;
	char buf[LINE_MAX_LEN];
	const char *why;
	long long deadline;
	int fd, flow_fd = -1;

	if (send_only)
		return send_mode(ai, count);

	if (sock_type == SOCK_DGRAM) {
		udp_fds = calloc(count, sizeof(*udp_fds));
		if (!udp_fds) {
			perror("calloc");
			return 1;
		}
		for (i = 0; i < count; i++)
			udp_fds[i] = -1;
	}
	for (i = 0; i < count && !stop; i++) {
		deadline = now_ms() + timeout_ms;
		if (one_flow && flow_fd >= 0) {
			fd = flow_fd;
		} else {
			fd = open_conn(ai, deadline, &why);
			if (one_flow)
				flow_fd = fd;
		}
		if (fd < 0 || exchange(fd, buf, sizeof(buf), deadline, &why) < 0) {
			printf("ERROR %s\n", why);
			fflush(stdout);
			failed++;
			/*
			 * A failure takes the whole timeout even when it came at
			 * once (no route, refused): a long run against a dead
			 * director must not spin.
			 */
			while (!stop && now_ms() < deadline)
				wait_fd(-1, 0, deadline);
		} else {
			printf("%s\n", buf);
		}
		if (one_flow)
			continue;	/* flow_fd is closed at the end */
		if (fd >= 0 && udp_fds)
			udp_fds[i] = fd;
		else if (fd >= 0)
			close(fd);
	}
	if (flow_fd >= 0)
		close(flow_fd);
	if (udp_fds) {
		for (i = 0; i < count; i++)
			if (udp_fds[i] >= 0)
				close(udp_fds[i]);
		free(udp_fds);
	}
	return failed || stop ? 1 : 0;
}

static int long_mode(const struct addrinfo *ai, unsigned int interval_ms,
		     unsigned int seconds, bool verbose)
{
	unsigned int ok = 0, fail = 0, reconnects = 0, changes = 0;
	char first[LINE_MAX_LEN] = "", last[LINE_MAX_LEN] = "";
	char buf[LINE_MAX_LEN];
	long long end, next, deadline;
	const char *why;
	int fd = -1;

	end = now_ms() + (long long)seconds * 1000;
	for (next = now_ms(); !stop && next < end; next += interval_ms) {
		deadline = now_ms() + timeout_ms;
		if (fd < 0) {
			if (ok + fail)
				reconnects++;
			fd = open_conn(ai, deadline, &why);
		}
		if (fd < 0 || exchange(fd, buf, sizeof(buf), deadline, &why) < 0) {
			fail++;
			if (verbose)
				printf("ERROR %s\n", why);
			if (fd >= 0)
				close(fd);
			fd = -1;
		} else {
			ok++;
			if (verbose)
				printf("%s\n", buf);
			if (!first[0]) {
				snprintf(first, sizeof(first), "%s", buf);
				printf("connected %s\n", buf);
			} else if (strcmp(buf, last)) {
				changes++;
			}
			snprintf(last, sizeof(last), "%s", buf);
		}
		fflush(stdout);
		while (!stop && now_ms() < next + interval_ms)
			wait_fd(-1, 0, next + interval_ms);
	}
	if (fd >= 0)
		close(fd);
	printf("ok=%u fail=%u reconnects=%u changes=%u first=%s last=%s\n",
	       ok, fail, reconnects, changes, first[0] ? first : "-", last[0] ? last : "-");
	return fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned int count = 1, interval_ms = 100, seconds = 10;
	struct addrinfo hints, *ai;
	const char *bind_addr = NULL;
	bool long_lived = false, verbose = false;
	struct sigaction sa;
	int opt, ret;

	while ((opt = getopt(argc, argv, "tusb:fxn:w:li:d:v")) != -1) {
		switch (opt) {
		case 't':
			sock_type = SOCK_STREAM;
			sock_proto = 0;
			break;
		case 'u':
			sock_type = SOCK_DGRAM;
			sock_proto = 0;
			break;
		case 's':
			sock_type = SOCK_STREAM;
			sock_proto = IPPROTO_SCTP;
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'f':
			one_flow = true;
			break;
		case 'x':
			send_only = true;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			timeout_ms = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			long_lived = true;
			break;
		case 'i':
			interval_ms = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !count || !timeout_ms || !interval_ms)
		usage();

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = sock_type;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	ret = getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai);
	if (ret) {
		fprintf(stderr, "vs_client: %s %s: %s\n", argv[optind], argv[optind + 1],
			gai_strerror(ret));
		return 2;
	}
	if (bind_addr) {
		ret = getaddrinfo(bind_addr, NULL, &hints, &bind_ai);
		if (ret) {
			fprintf(stderr, "vs_client: %s: %s\n", bind_addr, gai_strerror(ret));
			return 2;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (long_lived)
		ret = long_mode(ai, interval_ms, seconds, verbose);
	else
		ret = request_mode(ai, count);
	freeaddrinfo(ai);
	if (bind_ai)
		freeaddrinfo(bind_ai);
	return ret;
}
