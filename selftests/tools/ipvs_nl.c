// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs_nl: send one hand-made IPVS generic netlink request with chosen
 * attributes left out, and print what the kernel answered.
 *
 * ipvsadm and l4vsadm always send well-formed requests, so the selftests
 * need this to reach the kernel's checks for missing attributes.  Output is
 * "ok", or "error ERRNO STRERROR" followed by "extack MESSAGE" when the
 * kernel attached one.  Exit: 0 kernel said ok, 1 kernel said no, 2 local
 * trouble (usage, socket, family not registered).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ip_vs.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK	11
#endif

struct request {
	int		cmd;
	int		af;
	int		protocol;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} vaddr, raddr;
	unsigned int	vport;
	unsigned int	rport;
	const char	*sched;
	unsigned int	weight;
	unsigned int	fwd;
};

/* Attributes that -o may leave out, by name. */
static const char * const omit_names[] = {
	"svc", "svc.af", "svc.protocol", "svc.addr", "svc.port", "svc.sched_name",
	"svc.flags", "svc.timeout", "svc.netmask",
	"dest", "dest.addr", "dest.port", "dest.fwd_method", "dest.weight",
	"dest.u_thresh", "dest.l_thresh", "dest.addr_family",
};

#define NUM_OMIT	(sizeof(omit_names) / sizeof(omit_names[0]))

static bool omitted[NUM_OMIT];

static bool keep(const char *attr)
{
	unsigned int i;

	for (i = 0; i < NUM_OMIT; i++)
		if (!strcmp(omit_names[i], attr))
			return !omitted[i];
	return true;
}

static void usage(void)
{
	unsigned int i;

	fprintf(stderr,
		"usage: ipvs_nl {new-service|new-dest} [-6] [-P tcp|udp|NUM] -a VADDR -p VPORT\n"
		"               [-s SCHED] [-d RADDR -q RPORT] [-w WEIGHT] [-m FWD] [-o ATTR]...\n"
		"  -o ATTR  leave ATTR out; one of:");
	for (i = 0; i < NUM_OMIT; i++)
		fprintf(stderr, " %s", omit_names[i]);
	fprintf(stderr, "\n");
	exit(2);
}

static size_t addr_len(int af)
{
	return af == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

/* The service nest: full for NEW_SERVICE, just the key for NEW_DEST. */
static void put_service(struct nlmsghdr *nlh, const struct request *rq)
{
	struct ip_vs_flags flags = { .flags = 0, .mask = ~0U };
	struct nlattr *nest;
	bool full = rq->cmd == IPVS_CMD_NEW_SERVICE;

	if (!keep("svc"))
		return;
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	if (keep("svc.af"))
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, rq->af);
	if (keep("svc.protocol"))
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, rq->protocol);
	if (keep("svc.addr"))
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, addr_len(rq->af), &rq->vaddr);
	if (keep("svc.port"))
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(rq->vport));
	if (full) {
		if (keep("svc.sched_name"))
			mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, rq->sched);
		if (keep("svc.flags"))
			mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
		if (keep("svc.timeout"))
			mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, 0);
		if (keep("svc.netmask"))
			mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK,
					 rq->af == AF_INET6 ? 128 : 0xffffffff);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_dest(struct nlmsghdr *nlh, const struct request *rq)
{
	struct nlattr *nest;

	if (!keep("dest"))
		return;
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
	if (keep("dest.addr"))
		mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, addr_len(rq->af), &rq->raddr);
	if (keep("dest.port"))
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(rq->rport));
	if (keep("dest.fwd_method"))
		mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, rq->fwd);
	if (keep("dest.weight"))
		mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, rq->weight);
	if (keep("dest.u_thresh"))
		mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, 0);
	if (keep("dest.l_thresh"))
		mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, 0);
	if (keep("dest.addr_family"))
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, rq->af);
	mnl_attr_nest_end(nlh, nest);
}

static struct nlmsghdr *put_genl_header(char *buf, int type, int cmd, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = IPVS_GENL_VERSION;
	return nlh;
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

/* The IPVS family id, or -1 when nobody registered it. */
static int resolve_family(struct mnl_socket *nl, unsigned int seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int id = -1, ret;

	nlh = put_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, seq);
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

static int extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/*
 * libmnl turns an error ack into errno and drops the extack TLVs, so the
 * ack is taken apart here.  Returns the exit status.
 */
static int print_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		printf("error short-ack\n");
		return 2;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* the TLVs follow the echoed request, or just its header if capped */
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(err->msg);
		mnl_attr_parse(nlh, off, extack_cb, &msg);
	}
	if (!err->error) {
		printf("ok\n");
		if (msg)
			printf("extack %s\n", msg);
		return 0;
	}
	printf("error %d %s\n", -err->error, strerror(-err->error));
	if (msg)
		printf("extack %s\n", msg);
	return 1;
}

static int parse_addr(int af, const char *s, void *dst)
{
	if (inet_pton(af, s, dst) != 1) {
		fprintf(stderr, "ipvs_nl: bad address %s\n", s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *vaddr = NULL, *raddr = NULL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct request rq = {
		.af = AF_INET, .protocol = IPPROTO_TCP, .sched = "rr",
		.weight = 1, .fwd = IP_VS_CONN_F_MASQ,
	};
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq, i;
	int opt, family, ret = 2, one = 1;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "new-service"))
		rq.cmd = IPVS_CMD_NEW_SERVICE;
	else if (!strcmp(argv[1], "new-dest"))
		rq.cmd = IPVS_CMD_NEW_DEST;
	else
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "6P:a:p:s:d:q:w:m:o:")) != -1) {
		switch (opt) {
		case '6':
			rq.af = AF_INET6;
			break;
		case 'P':
			if (!strcmp(optarg, "tcp"))
				rq.protocol = IPPROTO_TCP;
			else if (!strcmp(optarg, "udp"))
				rq.protocol = IPPROTO_UDP;
			else
				rq.protocol = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			vaddr = optarg;
			break;
		case 'p':
			rq.vport = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rq.sched = optarg;
			break;
		case 'd':
			raddr = optarg;
			break;
		case 'q':
			rq.rport = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			rq.weight = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			rq.fwd = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			for (i = 0; i < NUM_OMIT; i++)
				if (!strcmp(omit_names[i], optarg))
					break;
			if (i == NUM_OMIT)
				usage();
			omitted[i] = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !vaddr || (rq.cmd == IPVS_CMD_NEW_DEST && !raddr))
		usage();
	if (parse_addr(rq.af, vaddr, &rq.vaddr) || (raddr && parse_addr(rq.af, raddr, &rq.raddr)))
		return 2;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl) {
		perror("mnl_socket_open");
		return 2;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket_bind");
		goto out_close;
	}
	/* without this the kernel keeps its error message to itself */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	seq = time(NULL);
	family = resolve_family(nl, seq);
	if (family < 0) {
		fprintf(stderr, "ipvs_nl: generic netlink family %s not found\n", IPVS_GENL_NAME);
		goto out_close;
	}

	nlh = put_genl_header(buf, family, rq.cmd, ++seq);
	put_service(nlh, &rq);
	if (rq.cmd == IPVS_CMD_NEW_DEST)
		put_dest(nlh, &rq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("mnl_socket_sendto");
		goto out_close;
	}
	for (;;) {
		int len = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (len < 0) {
			perror("mnl_socket_recvfrom");
			goto out_close;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			ret = print_ack(nlh);
			goto out_close;
		}
	}

out_close:
	mnl_socket_close(nl);
	return ret;
}
