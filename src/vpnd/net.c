/* net.c - UDP sockets for IKE.  IP_PKTINFO tells us which local address a
 * request came to, so the reply leaves from the same one even when we
 * listen on 0.0.0.0.  The NAT-T socket carries the non-ESP marker and has
 * UDP_ENCAP_ESPINUDP set so the kernel decapsulates ESP arriving on it. */
#include "net.h"
#include "log.h"
#include "sa.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <linux/xfrm.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

int net_open(uint32_t addr, uint16_t port, int natt)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		LOGE("binding UDP port %u: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	if (natt) {
		int t = UDP_ENCAP_ESPINUDP;
		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &t, sizeof(t)) < 0)
			LOGW("UDP_ENCAP on port %u: %s (NAT-T ESP will not work)", port, strerror(errno));
	}
	/* Per-socket bypass policies: IKE itself must never be caught by an
	 * IPsec policy (e.g. a client whose outer address lies inside a
	 * protected network).  Needs CAP_NET_ADMIN, so done here at startup. */
	for (int dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		struct xfrm_userpolicy_info pol;
		memset(&pol, 0, sizeof(pol));
		pol.action = XFRM_POLICY_ALLOW;
		pol.sel.family = AF_INET;
		pol.dir = (uint8_t)dir;
		pol.lft.soft_byte_limit = pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = pol.lft.hard_packet_limit = XFRM_INF;
		if (setsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, &pol, sizeof(pol)) < 0)
			LOGD("IPsec bypass policy on port %u: %s", port, strerror(errno));
	}
	return fd;
}

void net_read(struct vpnd *v, int fd, int natt)
{
	static uint8_t pkt[IKE_MAX_MSG + 4];

	for (int budget = 0; budget < 64; budget++) {
		struct sockaddr_in from;
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct iovec iov = { pkt, sizeof(pkt) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(fd, &mh, 0);
		if (n < 0)
			return;
		uint32_t dst = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				dst = ntohl(pi.ipi_addr.s_addr);
			}
		if (mh.msg_namelen < sizeof(from) || from.sin_family != AF_INET || (mh.msg_flags & MSG_TRUNC))
			continue;
		const uint8_t *p = pkt;
		size_t len = (size_t)n;
		if (natt) {
			/* 0xff = NAT keepalive; else a non-ESP marker must lead */
			if (len < 4 || get32(p) != 0)
				continue;
			p += 4;
			len -= 4;
		}
		if (len > v->cfg.max_message_size) {
			/* before any parsing: nothing of ours needs more */
			v->n_too_big++;
			LOGD("dropping a %zu-byte IKE datagram (max_message_size %u)", len, v->cfg.max_message_size);
			continue;
		}
		ike_input(v, p, len, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), dst, natt);
	}
}

int net_send(struct vpnd *v, int natt, uint32_t local, uint32_t peer, uint16_t port,
	     const uint8_t *msg, size_t len)
{
	static const uint8_t marker[4];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(peer) };
	struct iovec iov[2] = { { (void *)marker, 4 }, { (void *)msg, len } };
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to),
			     .msg_iov = natt ? iov : iov + 1, .msg_iovlen = natt ? 2 : 1 };

	memset(cbuf, 0, sizeof(cbuf));
	if (local) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst.s_addr = htonl(local);
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(natt ? v->sock_natt : v->sock_ike, &mh, 0) < 0) {
		LOGW("sending to %u.%u.%u.%u:%u: %s", peer >> 24, (peer >> 16) & 255, (peer >> 8) & 255,
		     peer & 255, port, strerror(errno));
		return -1;
	}
	return 0;
}
