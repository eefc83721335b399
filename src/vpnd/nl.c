/* nl.c - netlink plumbing for xfrm.c: build a request with attributes,
 * send it, read replies until the kernel's ack. */
#include "nl.h"
#include "log.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static uint32_t g_seq = 1;

void nl_init(struct nlreq *r, uint16_t type, uint16_t flags, const void *body, size_t blen)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->h = (struct nlmsghdr *)r->buf;
	r->h->nlmsg_type = type;
	r->h->nlmsg_flags = NLM_F_REQUEST | flags;
	r->h->nlmsg_len = NLMSG_LENGTH(blen);
	if (blen)
		memcpy(NLMSG_DATA(r->h), body, blen);
	r->h->nlmsg_len = NLMSG_ALIGN(r->h->nlmsg_len);
}

int nl_attr(struct nlreq *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->h->nlmsg_len);
	size_t alen = NLA_HDRLEN + len;
	if (off + NLA_ALIGN(alen) > sizeof(r->buf))
		return -1;
	struct nlattr *a = (struct nlattr *)(r->buf + off);
	a->nla_type = type;
	a->nla_len = (uint16_t)alen;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	r->h->nlmsg_len = (uint32_t)(off + NLA_ALIGN(alen));
	return 0;
}

int nl_open(int proto)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	/* replies come within microseconds; a timeout keeps a kernel hiccup
	 * from freezing the event loop */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int nl_talk(int fd, struct nlreq *r, nl_cb cb, void *arg)
{
	static uint8_t rbuf[32768];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t seq = g_seq++;

	r->h->nlmsg_seq = seq;
	r->h->nlmsg_flags |= NLM_F_ACK;
	if (sendto(fd, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return -EIO;
				struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error;
			}
			if (cb)
				cb(h, arg);
			if (!(h->nlmsg_flags & NLM_F_MULTI) && !(r->h->nlmsg_flags & NLM_F_DUMP) && cb) {
				/* a single reply: the ack may still follow; keep reading */
			}
		}
	}
}

const void *nl_find_attr(const struct nlmsghdr *h, size_t hlen, uint16_t type, size_t *alen)
{
	size_t off = NLMSG_LENGTH(hlen);
	off = NLMSG_ALIGN(off);
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type) {
			*alen = a->nla_len - NLA_HDRLEN;
			return (const uint8_t *)a + NLA_HDRLEN;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}
