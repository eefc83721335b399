/* nl.h - a tiny synchronous netlink helper (request / ack / dump) */
#ifndef VPND_NL_H
#define VPND_NL_H
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

struct nlreq {
	uint8_t buf[4096];
	struct nlmsghdr *h;
};
void nl_init(struct nlreq *r, uint16_t type, uint16_t flags, const void *body, size_t blen);
int nl_attr(struct nlreq *r, uint16_t type, const void *data, size_t len);
int nl_open(int proto);
/* Send and wait for the ack (or, with a callback, for each reply message
 * until the ack / NLMSG_DONE).  Returns 0 or -errno. */
typedef void (*nl_cb)(const struct nlmsghdr *h, void *arg);
int nl_talk(int fd, struct nlreq *r, nl_cb cb, void *arg);
/* Find an attribute in the attributes following a fixed header of hlen bytes. */
const void *nl_find_attr(const struct nlmsghdr *h, size_t hlen, uint16_t type, size_t *alen);
#endif
