// SPDX-License-Identifier: GPL-2.0
/* Addresses, ports and numbers: parsing user input, naming for output. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "l4vsadm.h"

const char *proto_name(uint16_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	return NULL;
}

/* Decimal only, the whole string, within [min, max]. */
int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_port(const char *s, uint16_t proto, uint16_t *port)
{
	const char *pname = proto_name(proto);
	struct servent *se;
	unsigned long v;

	if (!parse_uint(s, 0, 65535, &v)) {
		*port = v;
		return 0;
	}
	if (!*s || !pname)
		return -EINVAL;
	se = getservbyname(s, pname);
	if (!se)
		return -EINVAL;
	*port = ntohs(se->s_port);
	return 0;
}

static int resolve_v4(const char *host, struct in_addr *in)
{
	struct addrinfo hints = { .ai_family = AF_INET };
	struct addrinfo *res;

	if (inet_aton(host, in))
		return 0;
	if (getaddrinfo(host, NULL, &hints, &res))
		return -EINVAL;
	*in = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/*
 * host[:port], [v6addr]:port, [v6addr] or a bare IPv6 address.  Host names
 * resolve to IPv4 only, as with ipvsadm; a bare number is refused because
 * it is far more likely a mistake than a host.
 */
int parse_service_addr(const char *arg, uint16_t proto, union l4_addr *addr,
		       uint16_t *af, uint16_t *port, bool *port_given)
{
	char buf[256];
	char *host = buf, *portp = NULL;
	size_t i;

	if (!arg || !*arg || strlen(arg) >= sizeof(buf))
		return -EINVAL;
	for (i = 0; arg[i] && isdigit((unsigned char)arg[i]); i++)
		;
	if (!arg[i])
		return -EINVAL;
	strcpy(buf, arg);
	memset(addr, 0, sizeof(*addr));
	*port_given = false;

	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end)
			return -EINVAL;
		*end = '\0';
		host = buf + 1;
		if (end[1] == ':')
			portp = end + 2;
		else if (end[1])
			return -EINVAL;
		if (inet_pton(AF_INET6, host, &addr->in6) != 1)
			return -EINVAL;
		*af = AF_INET6;
	} else if (inet_pton(AF_INET6, buf, &addr->in6) == 1) {
		*af = AF_INET6;
	} else {
		portp = strrchr(buf, ':');
		if (portp)
			*portp++ = '\0';
		if (!*host || resolve_v4(host, &addr->in))
			return -EINVAL;
		*af = AF_INET;
	}
	if (portp) {
		if (parse_port(portp, proto, port))
			return -EINVAL;
		*port_given = true;
	}
	return 0;
}

static void port_to_name(char *buf, size_t len, uint16_t port, uint16_t proto)
{
	const char *pname = proto_name(proto);
	struct servent *se = NULL;

	if (pname && proto != IPPROTO_SCTP)
		se = getservbyport(htons(port), pname);
	if (se)
		snprintf(buf, len, "%s", se->s_name);
	else
		snprintf(buf, len, "%u", port);
}

/*
 * The text ipvsadm prints for an address and port.  Only IPv4 addresses are
 * turned into names: ipvsadm never resolves IPv6 ones, and the tables must
 * match it byte for byte.  Results are cut at 59 characters like ipvsadm's.
 */
void format_addrport(char *buf, size_t len, int af, const union l4_addr *a,
		     uint16_t port, uint16_t proto, bool numeric)
{
	char host[NI_MAXHOST], serv[32];
	bool v6 = af == AF_INET6;
	int n;

	if (len > 60)
		len = 60;
	if (!inet_ntop(af, a, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	if (numeric) {
		n = snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", host,
			     v6 ? "]" : "", port);
		goto out;
	}
	if (!v6) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_addr = a->in,
		};

		getnameinfo((struct sockaddr *)&sin, sizeof(sin), host,
			    sizeof(host), NULL, 0, 0);
	}
	port_to_name(serv, sizeof(serv), port, proto);
	n = snprintf(buf, len, "%s%s%s:%s", v6 ? "[" : "", host,
		     v6 ? "]" : "", serv);
out:
	/* a long host name is cut, as ipvsadm cuts it */
	if (n >= (int)len)
		buf[len - 1] = '\0';
}
