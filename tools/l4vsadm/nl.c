// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport: one socket, the "IPVS" family id resolved once,
 * requests sent with an ACK asked for, and the kernel's extended ACK message
 * kept so that errors can quote it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include "l4vsadm.h"

/* A dump part can be as large as the kernel's skb; don't truncate it. */
#define NL_BUFSZ	(64 * 1024)

static struct mnl_socket *nl;
static uint16_t family_id;
static unsigned int portid;
static unsigned int seq;
static char extack_msg[256];

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return 0;
}

/*
 * Error and done messages carry the kernel's extack TLVs after the echoed
 * request (or after the error code, for a dump's NLMSG_DONE).
 */
static void parse_extack(const struct nlmsghdr *nlh, size_t hdrlen)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(attr, nlh, hdrlen) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			continue;
		snprintf(extack_msg, sizeof(extack_msg), "%s",
			 mnl_attr_get_str(attr));
	}
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t hdrlen = sizeof(*err);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Unless capped, the original request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hdrlen += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_extack(nlh, hdrlen);
	if (err->error == 0)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err = 0;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		parse_extack(nlh, sizeof(int));
	}
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP]	= noop_cb,
	[NLMSG_ERROR]	= error_cb,
	[NLMSG_DONE]	= done_cb,
};

struct reply_ctx {
	nl_reply_cb	cb;
	void		*data;
	int		err;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply_ctx *ctx = data;
	int err;

	if (!ctx->cb || ctx->err)
		return MNL_CB_OK;
	err = ctx->cb(nlh, ctx->data);
	/* Keep reading so the socket is drained, but remember the failure. */
	if (err)
		ctx->err = err;
	return MNL_CB_OK;
}

static int run(struct nlmsghdr *nlh, uint16_t type, nl_reply_cb cb, void *data)
{
	char *buf;
	struct reply_ctx ctx = { cb, data, 0 };
	ssize_t len;
	int ret;

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = ++seq;
	extack_msg[0] = '\0';
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	buf = malloc(NL_BUFSZ);
	if (!buf)
		return -ENOMEM;
	do {
		len = mnl_socket_recvfrom(nl, buf, NL_BUFSZ);
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run2(buf, len, nlh->nlmsg_seq, portid, data_cb,
				  &ctx, ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -errno : ctx.err;
out:
	free(buf);
	return ret;
}

/* Build a request header in buf: nlmsghdr + genlmsghdr for 'cmd'. */
struct nlmsghdr *nl_request(void *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	/* A dump answers with NLMSG_DONE, never with an ACK. */
	if (!(flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = IPVS_GENL_VERSION;
	return nlh;
}

int nl_talk(struct nlmsghdr *nlh, nl_reply_cb cb, void *data)
{
	/* L4VSADM_DRY_RUN opens no socket: reads cannot be answered */
	if (!nl)
		return -ENOTCONN;
	return run(nlh, family_id, cb, data);
}

const char *nl_extack(void)
{
	return extack_msg[0] ? extack_msg : NULL;
}

int nl_open(void)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int one = 1;
	int err;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto err_close;
	}
	/* Old kernels lack extended ACKs; plain errno messages still work. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	portid = mnl_socket_get_portid(nl);
	seq = time(NULL);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
	err = run(nlh, GENL_ID_CTRL, family_cb, &family_id);
	if (err)
		goto err_close;
	if (!family_id) {
		err = -ENOENT;
		goto err_close;
	}
	return 0;

err_close:
	mnl_socket_close(nl);
	nl = NULL;
	return err;
}

void nl_close(void)
{
	if (nl)
		mnl_socket_close(nl);
	nl = NULL;
}
