/* sa_table.c - hash indexes over the IKE SAs, so that no unauthenticated
 * packet costs a walk over every SA (a flood of half-open SAs would make
 * each spoofed packet more expensive than the last).
 *
 * The bucket of an entry is a SipHash-2-4 (OpenSSL EVP_MAC) of its key
 * under a random key drawn when the table is created: the initiator SPI and
 * the source address are chosen by the peer, and without a secret key an
 * attacker could put all its SAs into one chain.  Chains are intrusive
 * (pointers in struct ike_sa), so linking never allocates except for the
 * bucket arrays (once) and one small node per source address holding
 * half-open SAs. */
#include "sa_table.h"
#include "sa.h"
#include "log.h"
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

struct src_count {
	struct src_count *next;
	uint32_t ip;
	unsigned n;
};

static size_t bucket(struct sa_table *t, const uint8_t *key, size_t len)
{
	EVP_MAC_CTX *c = EVP_MAC_CTX_dup((EVP_MAC_CTX *)t->mac);
	uint8_t out[8] = { 0 };
	size_t ol = 0;
	uint64_t h = 0;

	/* the template holds the key: a copy of it hashes one key */
	if (c && EVP_MAC_update(c, key, len) == 1 && EVP_MAC_final(c, out, &ol, sizeof(out)) == 1)
		memcpy(&h, out, sizeof(h));
	EVP_MAC_CTX_free(c);
	return (size_t)h & t->mask;
}

static size_t bucket_init(struct sa_table *t, const uint8_t *spi_i, uint32_t ip, uint16_t port)
{
	uint8_t k[14];
	memcpy(k, spi_i, 8);
	memcpy(k + 8, &ip, 4);
	memcpy(k + 12, &port, 2);
	return bucket(t, k, sizeof(k));
}

static void table_free(struct sa_table *t)
{
	if (t->by_src)
		for (size_t i = 0; i <= t->mask; i++)
			while (t->by_src[i]) {
				struct src_count *n = t->by_src[i];
				t->by_src[i] = n->next;
				free(n);
			}
	free(t->by_r);
	free(t->by_i);
	free(t->by_src);
	EVP_MAC_CTX_free((EVP_MAC_CTX *)t->mac);
	memset(t, 0, sizeof(*t));
}

static int table_init(struct vpnd *v)
{
	struct sa_table *t = &v->tab;
	size_t n = 64;
	uint8_t key[16];
	size_t outsize = 8;
	OSSL_PARAM p[] = { OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outsize), OSSL_PARAM_construct_end() };
	EVP_MAC *mac = NULL;
	int rc = -1;

	/* about one SA per bucket at the cap */
	while (n < v->cfg.max_ike_sas && n < (1u << 20))
		n <<= 1;
	memset(t, 0, sizeof(*t));
	t->mask = n - 1;
	t->by_r = calloc(n, sizeof(*t->by_r));
	t->by_i = calloc(n, sizeof(*t->by_i));
	t->by_src = calloc(n, sizeof(*t->by_src));
	mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	if (!t->by_r || !t->by_i || !t->by_src || !mac || RAND_bytes(key, sizeof(key)) != 1)
		goto out;
	t->mac = (struct evp_mac_ctx_st *)EVP_MAC_CTX_new(mac);
	if (!t->mac || EVP_MAC_init((EVP_MAC_CTX *)t->mac, key, sizeof(key), p) != 1)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MAC_free(mac);
	if (rc < 0) {
		LOGE("table_init: cannot allocate the IKE SA table");
		table_free(t);
	}
	return rc;
}

static struct src_count **src_slot(struct sa_table *t, uint32_t ip)
{
	struct src_count **pp = &t->by_src[bucket(t, (const uint8_t *)&ip, sizeof(ip))];
	while (*pp && (*pp)->ip != ip)
		pp = &(*pp)->next;
	return pp;
}

static void ho_add(struct sa_table *t, struct ike_sa *sa)
{
	struct src_count **pp = src_slot(t, sa->peer_ip);
	sa->ho_ip = sa->peer_ip;
	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (*pp)
			(*pp)->ip = sa->peer_ip;
	}
	if (*pp)
		(*pp)->n++;
	/* without a node the per-source count errs low by one SA: harmless */
	sa->in_ho = *pp ? 2 : 1;
	sa->ho_next = NULL;
	sa->ho_prev = t->ho_tail;
	if (t->ho_tail)
		t->ho_tail->ho_next = sa;
	else
		t->ho_head = sa;
	t->ho_tail = sa;
	t->half_open++;
}

static void ho_del(struct sa_table *t, struct ike_sa *sa)
{
	if (!sa->in_ho)
		return;
	if (sa->in_ho == 2) {
		struct src_count **pp = src_slot(t, sa->ho_ip), *n = *pp;
		if (n && --n->n == 0) {
			*pp = n->next;
			free(n);
		}
	}
	if (sa->ho_prev)
		sa->ho_prev->ho_next = sa->ho_next;
	else
		t->ho_head = sa->ho_next;
	if (sa->ho_next)
		sa->ho_next->ho_prev = sa->ho_prev;
	else
		t->ho_tail = sa->ho_prev;
	sa->ho_prev = sa->ho_next = NULL;
	sa->in_ho = 0;
	t->half_open--;
}

int sa_link(struct vpnd *v, struct ike_sa *sa)
{
	struct sa_table *t = &v->tab;
	size_t b;

	if (!t->mac && table_init(v) < 0)
		return -1;
	sa->prev = NULL;
	sa->next = v->sas;
	if (v->sas)
		v->sas->prev = sa;
	v->sas = sa;
	/* the buckets are kept: the peer's port may change later (NAT-T) */
	b = sa->b_r = bucket(t, sa->spi_r, 8);
	sa->hn_r = t->by_r[b];
	t->by_r[b] = sa;
	b = sa->b_i = bucket_init(t, sa->spi_i, sa->peer_ip, sa->peer_port);
	sa->hn_i = t->by_i[b];
	t->by_i[b] = sa;
	sa->in_ho = 0;
	if (sa->state == SA_HALF_OPEN)
		ho_add(t, sa);
	sa->linked = 1;
	t->total++;
	return 0;
}

void sa_unlink(struct vpnd *v, struct ike_sa *sa)
{
	struct sa_table *t = &v->tab;

	if (!sa->linked) {
		/* put on the list by hand (a test harness): only the list */
		for (struct ike_sa **pp = &v->sas; *pp; pp = &(*pp)->next)
			if (*pp == sa) {
				*pp = sa->next;
				if (sa->next && sa->next->prev == sa)
					sa->next->prev = NULL;
				break;
			}
		return;
	}
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		v->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	struct ike_sa **pp = &t->by_r[sa->b_r];
	while (*pp && *pp != sa)
		pp = &(*pp)->hn_r;
	if (*pp)
		*pp = sa->hn_r;
	pp = &t->by_i[sa->b_i];
	while (*pp && *pp != sa)
		pp = &(*pp)->hn_i;
	if (*pp)
		*pp = sa->hn_i;
	ho_del(t, sa);
	sa->linked = 0;
	sa->prev = sa->next = sa->hn_r = sa->hn_i = NULL;
	if (--t->total == 0)
		table_free(t); /* nothing left: nothing leaks at exit either */
}

void sa_set_state(struct vpnd *v, struct ike_sa *sa, int state)
{
	if (sa->linked && sa->state == SA_HALF_OPEN && state != SA_HALF_OPEN)
		ho_del(&v->tab, sa);
	else if (sa->linked && sa->state != SA_HALF_OPEN && state == SA_HALF_OPEN)
		ho_add(&v->tab, sa);
	sa->state = (enum sa_state)state;
}

struct ike_sa *sa_lookup_r(struct vpnd *v, const uint8_t *spi_i, const uint8_t *spi_r)
{
	struct sa_table *t = &v->tab;
	if (!t->mac)
		return NULL;
	for (struct ike_sa *s = t->by_r[bucket(t, spi_r, 8)]; s; s = s->hn_r)
		if (!memcmp(s->spi_r, spi_r, 8) && !memcmp(s->spi_i, spi_i, 8))
			return s;
	return NULL;
}

struct ike_sa *sa_lookup_init(struct vpnd *v, const uint8_t *spi_i, uint32_t ip, uint16_t port)
{
	struct sa_table *t = &v->tab;
	if (!t->mac)
		return NULL;
	for (struct ike_sa *s = t->by_i[bucket_init(t, spi_i, ip, port)]; s; s = s->hn_i)
		if (!memcmp(s->spi_i, spi_i, 8) && s->peer_ip == ip && s->peer_port == port &&
		    s->state == SA_HALF_OPEN)
			return s;
	return NULL;
}

unsigned sa_half_open_from(struct vpnd *v, uint32_t ip)
{
	struct sa_table *t = &v->tab;
	if (!t->mac)
		return 0;
	struct src_count *n = *src_slot(t, ip);
	return n ? n->n : 0;
}

struct ike_sa *sa_oldest_half_open(struct vpnd *v)
{
	return v->tab.ho_head;
}
