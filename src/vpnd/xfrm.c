/* xfrm.c - install/remove ESP SAs (tunnel mode, optional UDP encap) and
 * their policies with XFRM netlink.  Everything vpnd installs carries a
 * reqid in XFRM_REQID_BASE's range, so a restart can remove exactly what
 * a previous vpnd left behind and nothing else. */
#include "xfrm.h"
#include "ike.h"
#include "log.h"
#include "nl.h"
#include <openssl/crypto.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

int xfrm_open(void) { return nl_open(NETLINK_XFRM); }

/* Joining XFRMNLGRP_EXPIRE needs CAP_NET_ADMIN (NETLINK_XFRM has no
 * non-root multicast): vpnd opens it before the privilege drop and keeps
 * CAP_NET_ADMIN anyway; a bound socket keeps receiving after setuid. */
int xfrm_open_expire(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_XFRM);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (XFRMNLGRP_EXPIRE - 1) };

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int xfrm_parse_expire(const uint8_t *buf, size_t len, struct xfrm_expire *ev, int max)
{
	int n = 0;
	size_t off = 0;

	while (n < max && off + NLMSG_HDRLEN <= len) {
		struct nlmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			break; /* truncated or lying: stop, nothing after it is trustworthy */
		if (h.nlmsg_type == XFRM_MSG_EXPIRE && h.nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_user_expire))) {
			struct xfrm_user_expire e;
			memcpy(&e, buf + off + NLMSG_HDRLEN, sizeof(e));
			if (e.state.family == AF_INET) {
				ev[n].spi = ntohl(e.state.id.spi);
				ev[n].dst = ntohl(e.state.id.daddr.a4);
				ev[n].reqid = e.state.reqid;
				ev[n].proto = e.state.id.proto;
				ev[n].hard = e.hard != 0;
				n++;
			}
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return n;
}

static void set_lft(struct xfrm_lifetime_cfg *l)
{
	l->soft_byte_limit = l->hard_byte_limit = XFRM_INF;
	l->soft_packet_limit = l->hard_packet_limit = XFRM_INF;
}

struct spi_result { uint32_t spi; int got; };
static void spi_cb(const struct nlmsghdr *h, void *arg)
{
	struct spi_result *r = arg;
	if (h->nlmsg_type == XFRM_MSG_NEWSA && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info))) {
		const struct xfrm_usersa_info *i = NLMSG_DATA(h);
		r->spi = ntohl(i->id.spi);
		r->got = 1;
	}
}

int xfrm_alloc_spi(int fd, uint32_t src, uint32_t dst, uint32_t reqid, uint32_t *spi)
{
	struct xfrm_userspi_info u;
	struct nlreq r;
	struct spi_result res = { 0, 0 };

	memset(&u, 0, sizeof(u));
	u.info.family = AF_INET;
	u.info.id.daddr.a4 = htonl(dst);
	u.info.saddr.a4 = htonl(src);
	u.info.id.proto = IPPROTO_ESP;
	u.info.mode = XFRM_MODE_TUNNEL;
	u.info.reqid = reqid;
	set_lft(&u.info.lft);
	u.min = 0xc0000000u;
	u.max = 0xcfffffffu;
	nl_init(&r, XFRM_MSG_ALLOCSPI, 0, &u, sizeof(u));
	int e = nl_talk(fd, &r, spi_cb, &res);
	if (e < 0 || !res.got) {
		LOGE("ALLOCSPI failed: %s", strerror(e < 0 ? -e : EIO));
		return -1;
	}
	*spi = res.spi;
	return 0;
}

static const char *encr_name(uint16_t encr)
{
	switch (encr) {
	case ENCR_AES_CBC: return "cbc(aes)";
	case ENCR_3DES: return "cbc(des3_ede)";
	case ENCR_AES_GCM16: return "rfc4106(gcm(aes))";
	}
	return NULL;
}

static const char *integ_name(uint16_t integ, unsigned *trunc)
{
	switch (integ) {
	case 2: *trunc = 96; return "hmac(sha1)";
	case 12: *trunc = 128; return "hmac(sha256)";
	case 13: *trunc = 192; return "hmac(sha384)";
	case 14: *trunc = 256; return "hmac(sha512)";
	}
	return NULL;
}

int xfrm_add_sa(int fd, const struct xfrm_sa *sa)
{
	struct xfrm_usersa_info i;
	struct nlreq r;
	uint8_t ab[sizeof(struct xfrm_algo_auth) + 64];
	const char *en = encr_name(sa->encr);

	if (!en || sa->elen > 64 || sa->alen > 64)
		return -1;
	memset(&i, 0, sizeof(i));
	i.family = AF_INET;
	i.id.daddr.a4 = htonl(sa->dst);
	i.id.spi = htonl(sa->spi);
	i.id.proto = IPPROTO_ESP;
	i.saddr.a4 = htonl(sa->src);
	i.reqid = sa->reqid;
	i.mode = XFRM_MODE_TUNNEL;
	i.replay_window = 32;
	i.sel.family = AF_INET;
	set_lft(&i.lft);
	i.lft.soft_add_expires_seconds = sa->soft_secs;
	i.lft.hard_add_expires_seconds = sa->hard_secs;
	nl_init(&r, sa->update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, 0, &i, sizeof(i));
	memset(ab, 0, sizeof(ab));
	if (sa->encr == ENCR_AES_GCM16) {
		struct xfrm_algo_aead *a = (struct xfrm_algo_aead *)ab;
		snprintf(a->alg_name, sizeof(a->alg_name), "%s", en);
		a->alg_key_len = (unsigned)(sa->elen * 8); /* key + 4-byte salt */
		a->alg_icv_len = 128;
		memcpy(a->alg_key, sa->ekey, sa->elen);
		nl_attr(&r, XFRMA_ALG_AEAD, a, sizeof(*a) + sa->elen);
	} else {
		struct xfrm_algo *a = (struct xfrm_algo *)ab;
		snprintf(a->alg_name, sizeof(a->alg_name), "%s", en);
		a->alg_key_len = (unsigned)(sa->elen * 8);
		memcpy(a->alg_key, sa->ekey, sa->elen);
		nl_attr(&r, XFRMA_ALG_CRYPT, a, sizeof(*a) + sa->elen);
		memset(ab, 0, sizeof(ab));
		struct xfrm_algo_auth *au = (struct xfrm_algo_auth *)ab;
		unsigned trunc = 0;
		const char *an = integ_name(sa->integ, &trunc);
		if (!an)
			goto fail;
		snprintf(au->alg_name, sizeof(au->alg_name), "%s", an);
		au->alg_key_len = (unsigned)(sa->alen * 8);
		au->alg_trunc_len = trunc;
		memcpy(au->alg_key, sa->akey, sa->alen);
		nl_attr(&r, XFRMA_ALG_AUTH_TRUNC, au, sizeof(*au) + sa->alen);
	}
	if (sa->encap) {
		struct xfrm_encap_tmpl e;
		memset(&e, 0, sizeof(e));
		e.encap_type = UDP_ENCAP_ESPINUDP;
		e.encap_sport = htons(sa->sport);
		e.encap_dport = htons(sa->dport);
		nl_attr(&r, XFRMA_ENCAP, &e, sizeof(e));
	}
	int err = nl_talk(fd, &r, NULL, NULL);
	OPENSSL_cleanse(ab, sizeof(ab));
	OPENSSL_cleanse(r.buf, sizeof(r.buf));
	if (err < 0) {
		LOGE("adding SA spi %08x failed: %s", sa->spi, strerror(-err));
		return -1;
	}
	return 0;
fail:
	OPENSSL_cleanse(ab, sizeof(ab));
	OPENSSL_cleanse(r.buf, sizeof(r.buf));
	return -1;
}

int xfrm_del_sa(int fd, uint32_t dst, uint32_t spi)
{
	struct xfrm_usersa_id id;
	struct nlreq r;

	memset(&id, 0, sizeof(id));
	id.daddr.a4 = htonl(dst);
	id.spi = htonl(spi);
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	nl_init(&r, XFRM_MSG_DELSA, 0, &id, sizeof(id));
	int e = nl_talk(fd, &r, NULL, NULL);
	if (e < 0 && e != -ESRCH)
		LOGW("deleting SA spi %08x: %s", spi, strerror(-e));
	return e < 0 ? -1 : 0;
}

struct bytes_result { uint64_t bytes; int got; };
static void bytes_cb(const struct nlmsghdr *h, void *arg)
{
	struct bytes_result *b = arg;
	if (h->nlmsg_type == XFRM_MSG_NEWSA && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info))) {
		const struct xfrm_usersa_info *i = NLMSG_DATA(h);
		b->bytes = i->curlft.bytes;
		b->got = 1;
	}
}

int xfrm_sa_bytes(int fd, uint32_t dst, uint32_t spi, uint64_t *bytes)
{
	struct xfrm_usersa_id id;
	struct nlreq r;
	struct bytes_result b = { 0, 0 };

	memset(&id, 0, sizeof(id));
	id.daddr.a4 = htonl(dst);
	id.spi = htonl(spi);
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	nl_init(&r, XFRM_MSG_GETSA, 0, &id, sizeof(id));
	if (nl_talk(fd, &r, bytes_cb, &b) < 0 || !b.got)
		return -1;
	*bytes = b.bytes;
	return 0;
}

static void fill_sel(struct xfrm_selector *s, struct net4 src, struct net4 dst)
{
	memset(s, 0, sizeof(*s));
	s->family = AF_INET;
	s->saddr.a4 = htonl(src.addr);
	s->daddr.a4 = htonl(dst.addr);
	s->prefixlen_s = src.prefix;
	s->prefixlen_d = dst.prefix;
}

int xfrm_add_policy(int fd, struct net4 src, struct net4 dst, int dir, uint32_t tsrc,
		    uint32_t tdst, uint32_t reqid)
{
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t;
	struct nlreq r;

	memset(&p, 0, sizeof(p));
	fill_sel(&p.sel, src, dst);
	set_lft(&p.lft);
	/* more specific selectors first; all ours share one base priority */
	p.priority = 2000 + (64 - src.prefix - dst.prefix);
	p.dir = (uint8_t)(dir == XDIR_IN ? XFRM_POLICY_IN : dir == XDIR_OUT ? XFRM_POLICY_OUT : XFRM_POLICY_FWD);
	p.action = XFRM_POLICY_ALLOW;
	memset(&t, 0, sizeof(t));
	t.family = AF_INET;
	t.id.daddr.a4 = htonl(tdst);
	t.id.proto = IPPROTO_ESP;
	t.saddr.a4 = htonl(tsrc);
	t.reqid = reqid;
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = ~0u;
	nl_init(&r, XFRM_MSG_UPDPOLICY, 0, &p, sizeof(p));
	nl_attr(&r, XFRMA_TMPL, &t, sizeof(t));
	int e = nl_talk(fd, &r, NULL, NULL);
	if (e < 0) {
		LOGE("adding policy dir %d: %s", dir, strerror(-e));
		return -1;
	}
	return 0;
}

int xfrm_del_policy(int fd, struct net4 src, struct net4 dst, int dir)
{
	struct xfrm_userpolicy_id id;
	struct nlreq r;

	memset(&id, 0, sizeof(id));
	fill_sel(&id.sel, src, dst);
	id.dir = (uint8_t)(dir == XDIR_IN ? XFRM_POLICY_IN : dir == XDIR_OUT ? XFRM_POLICY_OUT : XFRM_POLICY_FWD);
	nl_init(&r, XFRM_MSG_DELPOLICY, 0, &id, sizeof(id));
	int e = nl_talk(fd, &r, NULL, NULL);
	if (e < 0 && e != -ENOENT)
		LOGW("deleting policy dir %d: %s", dir, strerror(-e));
	return e < 0 ? -1 : 0;
}

/* ---- startup cleanup of what a previous vpnd left behind ---- */
#define MAX_STALE 1024
struct stale {
	int n;
	struct xfrm_usersa_id sa[MAX_STALE];
	struct xfrm_userpolicy_id pol[MAX_STALE];
};

static void sa_dump_cb(const struct nlmsghdr *h, void *arg)
{
	struct stale *s = arg;
	if (h->nlmsg_type != XFRM_MSG_NEWSA || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct xfrm_usersa_info)))
		return;
	const struct xfrm_usersa_info *i = NLMSG_DATA(h);
	if ((i->reqid & XFRM_REQID_MASK) != XFRM_REQID_BASE || s->n >= MAX_STALE)
		return;
	struct xfrm_usersa_id *id = &s->sa[s->n++];
	memset(id, 0, sizeof(*id));
	id->daddr = i->id.daddr;
	id->spi = i->id.spi;
	id->family = i->family;
	id->proto = i->id.proto;
}

static void pol_dump_cb(const struct nlmsghdr *h, void *arg)
{
	struct stale *s = arg;
	size_t alen = 0;
	if (h->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct xfrm_userpolicy_info)))
		return;
	const struct xfrm_userpolicy_info *p = NLMSG_DATA(h);
	const struct xfrm_user_tmpl *t = nl_find_attr(h, sizeof(*p), XFRMA_TMPL, &alen);
	if (!t || alen < sizeof(*t) || (t->reqid & XFRM_REQID_MASK) != XFRM_REQID_BASE || s->n >= MAX_STALE)
		return;
	struct xfrm_userpolicy_id *id = &s->pol[s->n++];
	memset(id, 0, sizeof(*id));
	id->sel = p->sel;
	id->dir = p->dir;
}

int xfrm_flush_owned(int fd)
{
	static struct stale s;
	struct nlreq r;
	int removed = 0;

	memset(&s, 0, sizeof(s));
	nl_init(&r, XFRM_MSG_GETPOLICY, NLM_F_DUMP, NULL, 0);
	if (nl_talk(fd, &r, pol_dump_cb, &s) < 0)
		return -1;
	for (int i = 0; i < s.n; i++) {
		nl_init(&r, XFRM_MSG_DELPOLICY, 0, &s.pol[i], sizeof(s.pol[i]));
		removed += nl_talk(fd, &r, NULL, NULL) == 0;
	}
	s.n = 0;
	nl_init(&r, XFRM_MSG_GETSA, NLM_F_DUMP, NULL, 0);
	if (nl_talk(fd, &r, sa_dump_cb, &s) < 0)
		return -1;
	for (int i = 0; i < s.n; i++) {
		nl_init(&r, XFRM_MSG_DELSA, 0, &s.sa[i], sizeof(s.sa[i]));
		removed += nl_talk(fd, &r, NULL, NULL) == 0;
	}
	if (removed)
		LOGI("removed %d stale kernel SAs/policies of a previous vpnd", removed);
	return 0;
}
