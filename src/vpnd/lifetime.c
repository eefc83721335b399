/* lifetime.c - lifetimes of what vpnd installs.  Every CHILD_SA gets a
 * hard kernel lifetime (child_lifetime) and a soft one rekey_margin (plus
 * jitter) earlier.  Clients rekey far sooner themselves, so normally the
 * soft expire never fires; when it does, vpnd rekeys the child itself
 * (RFC 7296 1.3.3) so the hard expire does not cut the client off, and a
 * hard expire closes the client (reason=expired): with one child per
 * client no tunnel is left.  An IKE SA the client never rekeyed is closed
 * at ike_lifetime with a Delete (vpnd does not initiate IKE SA rekeys: a
 * client that kept a session a whole day reconnects, which every built-in
 * client does on its own).
 *
 * Our requests share one window (size 1): a DPD probe, a child Delete or
 * our rekey; work that finds the window busy is queued in sa->want. */
#include "lifetime.h"
#include "sa_int.h"
#include "dh.h"
#include "log.h"
#include "xfrm.h"
#include <errno.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

void lifetime_child_times(const struct vpnd *v, uint32_t *soft, uint32_t *hard)
{
	uint32_t jmax = v->cfg.rekey_margin / 3, j = 0;
	uint8_t r[4];

	if (jmax && RAND_bytes(r, sizeof(r)) == 1)
		j = get32(r) % (jmax + 1);
	*hard = v->cfg.child_lifetime;
	/* config.c guarantees margin + margin/3 < lifetime; stay safe anyway */
	if (v->cfg.rekey_margin + j < *hard)
		*soft = *hard - v->cfg.rekey_margin - j;
	else
		*soft = *hard / 2 + 1;
}

static void rk_free(struct vpnd *v, struct ike_sa *sa, struct child_rekey *rk)
{
	if (!rk)
		return;
	/* the SPI reserved with ALLOCSPI is a larval kernel SA until installed */
	if (v->xfrm_fd >= 0 && rk->nc.spi_in && !rk->nc.installed)
		xfrm_del_sa(v->xfrm_fd, sa->local_ip, rk->nc.spi_in);
	dh_free(rk->dh);
	OPENSSL_cleanse(rk, sizeof(*rk));
	free(rk);
}

void lifetime_sa_free(struct vpnd *v, struct ike_sa *sa)
{
	rk_free(v, sa, sa->rk);
	sa->rk = NULL;
}

/* INFORMATIONAL Delete of one of our children (its inbound SPI). */
static int delete_child_spi(struct vpnd *v, struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_builder out;
	uint8_t d[8] = { PROTO_ESP, 4, 0, 1 };
	int rc;

	put32(d + 4, spi_in);
	ikeb_init(&out);
	ikeb_simple(&out, PL_DELETE, NULL, 0, d, sizeof(d));
	rc = sa_request(v, sa, EXCH_INFORMATIONAL, REQ_DELETE_CHILD, &out);
	if (rc == 0)
		sa->req_spi = spi_in;
	ikeb_free(&out);
	return rc;
}

void lifetime_delete_answered(struct vpnd *v, struct ike_sa *sa)
{
	struct child_sa *c = NULL;

	if (sa->old.installed && sa->old.spi_in == sa->req_spi)
		c = &sa->old;
	else if (sa->child.installed && sa->child.spi_in == sa->req_spi)
		c = &sa->child;
	if (c)
		child_remove(v, sa, c);
	if (!sa->child.installed && !sa->old.installed)
		sa_policies(v, sa, 0);
	sa->req_spi = 0;
}

/* Queued work, when the window is free. */
static void pump(struct vpnd *v, struct ike_sa *sa)
{
	if (sa->dpd_pending || sa->state != SA_ESTABLISHED || sa->rekeyed)
		return;
	if (sa->want & WANT_DELETE_OLD) {
		sa->want &= ~WANT_DELETE_OLD;
		if (sa->old.installed) {
			LOGI("deleting the old CHILD_SA of %s the client never deleted (spi %08x)", sa->id,
			     sa->old.spi_in);
			if (delete_child_spi(v, sa, sa->old.spi_in) < 0)
				child_remove(v, sa, &sa->old);
			return;
		}
	}
	if ((sa->want & WANT_REKEY) && time(NULL) >= sa->rekey_not_before)
		lifetime_rekey_start(v, sa);
}

int lifetime_rekey_start(struct vpnd *v, struct ike_sa *sa)
{
	struct child_rekey *rk = NULL;
	struct ike_builder out;
	struct ike_proposal wp;
	uint8_t pub[512], spi[4];
	int rc = -1;

	if (sa->state != SA_ESTABLISHED || sa->rekeyed || !sa->child.installed)
		return -1;
	if (sa->dpd_pending || sa->rk) {
		sa->want |= WANT_REKEY; /* after the request in flight */
		return 0;
	}
	sa->want &= ~WANT_REKEY;
	ikeb_init(&out);
	rk = calloc(1, sizeof(*rk));
	if (!rk)
		goto out;
	rk->old_spi_in = sa->child.spi_in;
	rk->nc.prop = sa->child.prop;
	rk->nc.prop.num = 1;
	rk->nc.prop.spisize = 4;
	memset(rk->nc.prop.spi, 0, sizeof(rk->nc.prop.spi));
	rk->nc.reqid = sa->child.reqid; /* same policies */
	rk->nc.tsi = sa->child.tsi;
	memcpy(rk->nc.tsr, sa->child.tsr, sizeof(rk->nc.tsr));
	rk->nc.ntsr = sa->child.ntsr;
	if (RAND_bytes(rk->ni, sizeof(rk->ni)) != 1 || child_alloc_spi(v, sa, &rk->nc) < 0)
		goto out;
	/* RFC 7296 1.3.3: REKEY_SA names the SPI we receive on */
	put32(spi, sa->child.spi_in);
	ikeb_notify(&out, PROTO_ESP, N_REKEY_SA, spi, 4, NULL, 0);
	{
		struct sa_choice c = rk->nc.prop;
		put32(c.spi, rk->nc.spi_in);
		proposal_to_wire(&c, &wp);
		ikeb_proposal(&out, &wp);
	}
	ikeb_simple(&out, PL_NONCE, NULL, 0, rk->ni, sizeof(rk->ni));
	if (rk->nc.prop.dh) {
		/* the child was made with PFS: its rekey uses the same group */
		size_t pl = dh_public_len(rk->nc.prop.dh);
		uint8_t kh[4];
		rk->dh = dh_new(rk->nc.prop.dh);
		if (!rk->dh || pl > sizeof(pub) || dh_public(rk->dh, pub, pl) < 0)
			goto out;
		put16(kh, rk->nc.prop.dh);
		put16(kh + 2, 0);
		ikeb_simple(&out, PL_KE, kh, 4, pub, pl);
	}
	/* we initiate this exchange: TSi is our side, TSr the client's address */
	ikeb_ts(&out, PL_TSI, rk->nc.tsr, rk->nc.ntsr);
	ikeb_ts(&out, PL_TSR, &rk->nc.tsi, 1);
	if (sa_request(v, sa, EXCH_CREATE_CHILD_SA, REQ_REKEY_CHILD, &out) < 0)
		goto out;
	LOGI("rekeying the CHILD_SA of %s (spi %08x/%08x)%s", sa->id, sa->child.spi_in, sa->child.spi_out,
	     rk->dh ? " with PFS" : "");
	sa->rk = rk;
	rk = NULL;
	rc = 0;
out:
	if (rc < 0)
		LOGE("starting the rekey of %s's CHILD_SA failed", sa->id);
	rk_free(v, sa, rk);
	OPENSSL_cleanse(pub, sizeof(pub));
	ikeb_free(&out);
	return rc;
}

void lifetime_peer_rekeyed(struct ike_sa *sa, uint32_t old_spi_in, const uint8_t *ni, size_t nilen,
			   const uint8_t *nr, size_t nrlen)
{
	struct child_rekey *rk = sa->rk;

	if (!rk || rk->old_spi_in != old_spi_in)
		return;
	/* RFC 7296 2.8.1: both exchanges complete; the one with the lowest
	 * of the four nonces is redundant: keep the peer's lowest here */
	const uint8_t *lo = nonce_cmp(ni, nilen, nr, nrlen) < 0 ? ni : nr;
	size_t lolen = lo == ni ? nilen : nrlen;
	if (lolen > sizeof(rk->coll_nonce))
		lolen = sizeof(rk->coll_nonce);
	memcpy(rk->coll_nonce, lo, lolen);
	rk->coll_len = lolen;
	rk->collided = 1;
	LOGI("rekey collision on the CHILD_SA of %s: the client rekeyed it too", sa->id);
}

/* A child made in IKE_AUTH carries no DH group (RFC 7296 1.3.1: no PFS
 * there), but a client may demand PFS for its rekeys: its NO_PROPOSAL_CHOSEN
 * to a rekey without KE is retried with the IKE SA's group, and an
 * INVALID_KE_PAYLOAD with the group it names.  A few tries at most. */
static void retry_group(struct vpnd *v, struct ike_sa *sa, const struct child_rekey *rk,
			const struct ike_notify *nt)
{
	uint16_t g = 0;

	if (++sa->rekey_tries > 3 || !sa->child.installed || sa->child.spi_in != rk->old_spi_in)
		return;
	if (nt->type == N_TEMPORARY_FAILURE) {
		/* RFC 7296 2.25: not at once; the client finishes what it does */
		LOGI("retrying the rekey of %s's CHILD_SA in 10 s", sa->id);
		sa->rekey_not_before = time(NULL) + 10;
		sa->want |= WANT_REKEY;
		return;
	}
	if (nt->type == N_NO_PROPOSAL_CHOSEN && !rk->nc.prop.dh)
		g = sa->prop.dh;
	else if (nt->type == N_INVALID_KE_PAYLOAD && nt->datalen == 2)
		g = get16(nt->data);
	if (!g || !dh_supported(g) || g == rk->nc.prop.dh)
		return;
	LOGI("retrying the rekey of %s's CHILD_SA with PFS (group %u)", sa->id, g);
	sa->child.prop.dh = g;
	sa->want |= WANT_REKEY; /* started when the response handling is done */
}

/* The new child is in the kernel: decide what it replaces. */
static void rekey_done(struct vpnd *v, struct ike_sa *sa, struct child_rekey *rk, const uint8_t *nr,
		       size_t nrlen)
{
	struct child_sa old;

	if (rk->collided) {
		const uint8_t *lo = nonce_cmp(rk->ni, sizeof(rk->ni), nr, nrlen) < 0 ? rk->ni : nr;
		size_t lolen = lo == rk->ni ? sizeof(rk->ni) : nrlen;
		if (nonce_cmp(lo, lolen, rk->coll_nonce, rk->coll_len) < 0) {
			/* ours is redundant: we initiated it, so we delete it */
			LOGI("rekey collision for %s: our new CHILD_SA (spi %08x) is redundant, deleting it",
			     sa->id, rk->nc.spi_in);
			delete_child_spi(v, sa, rk->nc.spi_in);
			child_remove(v, sa, &rk->nc);
			return;
		}
		/* the peer's is redundant and it deletes it; the child both of us
		 * rekeyed is ours to delete (our rekey is the surviving one) */
		LOGI("rekey collision for %s: the client's new CHILD_SA (spi %08x) is redundant", sa->id,
		     sa->child.spi_in);
		if (sa->old.installed && sa->old.spi_in == rk->old_spi_in)
			delete_child_spi(v, sa, sa->old.spi_in);
		child_remove(v, sa, &sa->old); /* that one, or an older one never deleted */
		sa->old = sa->child;
		sa->child = rk->nc;
		return;
	}
	if (!sa->child.installed || sa->child.spi_in != rk->old_spi_in) {
		/* the client deleted the child meanwhile: abandon ours */
		LOGI("the CHILD_SA of %s went away during our rekey: deleting the new one", sa->id);
		delete_child_spi(v, sa, rk->nc.spi_in);
		child_remove(v, sa, &rk->nc);
		if (!sa->child.installed && !sa->old.installed)
			sa_policies(v, sa, 0);
		return;
	}
	/* the usual case: the new child takes over, the old one is deleted
	 * (removed from the kernel when the client confirms: inbound packets
	 * still on their way keep arriving until then) */
	child_remove(v, sa, &sa->old); /* an older one the client never deleted */
	old = sa->child;
	sa->child = rk->nc;
	sa->old = old;
	if (delete_child_spi(v, sa, old.spi_in) < 0)
		child_remove(v, sa, &sa->old);
}

void lifetime_rekey_response(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in)
{
	struct child_rekey *rk = sa->rk;
	const struct ike_payload *psa = ike_find(in, PL_SA), *pn = ike_find(in, PL_NONCE),
				 *pke = ike_find(in, PL_KE);
	struct ike_proposal *props = NULL;
	struct ike_notify nt;
	struct sa_choice ch;
	uint8_t gir[512];
	size_t girlen = sizeof(gir);
	uint16_t want = 0, ke_group = 0;
	int nprops = 0;
	const char *why = NULL;

	if (!rk)
		return;
	sa->rk = NULL;
	for (int i = 0; i < in->npl && !why; i++)
		if (in->pl[i].type == PL_NOTIFY && ike_parse_notify(in->pl[i].body, in->pl[i].len, &nt) == 0 &&
		    nt.type < 16384) {
			/* CHILD_SA_NOT_FOUND (the client deleted it meanwhile),
			 * TEMPORARY_FAILURE, NO_PROPOSAL_CHOSEN, ... */
			LOGI("our rekey of %s's CHILD_SA refused with notify %u", sa->id, nt.type);
			why = "refused";
			retry_group(v, sa, rk, &nt);
		}
	if (!why) {
		props = malloc(sizeof(*props) * IKE_MAX_PROPOSALS);
		if (pke && pke->len >= 2)
			ke_group = get16(pke->body);
		if (!props || !psa || !pn || pn->len < 16 || pn->len > 256 ||
		    ike_parse_sa(psa->body, psa->len, props, IKE_MAX_PROPOSALS, &nprops) < 0 || nprops != 1 ||
		    props[0].proto != PROTO_ESP || props[0].spisize != 4)
			why = "malformed answer";
		else if (proposal_select_ex(props, 1, PROTO_ESP, v->cfg.legacy_windows, ke_group, &ch, &want, 1) !=
				 PROP_OK ||
			 ch.encr != rk->nc.prop.encr || ch.encr_keylen != rk->nc.prop.encr_keylen ||
			 ch.integ != rk->nc.prop.integ || ch.dh != rk->nc.prop.dh)
			why = "answer does not match our proposal";
	}
	if (!why && rk->dh) {
		const uint8_t *ke;
		size_t kelen;
		uint16_t g;
		if (!pke || ike_parse_ke(pke->body, pke->len, &g, &ke, &kelen) < 0 || g != rk->nc.prop.dh ||
		    dh_derive(rk->dh, ke, kelen, gir, &girlen) < 0)
			why = "bad KE";
	}
	if (why) {
		LOGW("rekey of %s's CHILD_SA abandoned: %s", sa->id, why);
		goto out;
	}
	rk->nc.spi_out = get32(props[0].spi);
	/* RFC 7296 2.17: Ni/Nr and the key order are those of this exchange,
	 * which we initiated: our nonce is Ni, our outbound keys come first */
	if (child_install_ex(v, sa, &rk->nc, rk->dh ? gir : NULL, rk->dh ? girlen : 0, rk->ni, sizeof(rk->ni),
			     pn->body, pn->len, 1) < 0) {
		LOGE("installing the rekeyed CHILD_SA of %s failed", sa->id);
		delete_child_spi(v, sa, rk->nc.spi_in);
		goto out;
	}
	v->n_rekeys_ours++;
	sa->rekey_tries = 0;
	proposal_keyword(&rk->nc.prop, sa->esp_kw, sizeof(sa->esp_kw));
	LOGI("CHILD_SA of %s rekeyed by us%s (spi %08x/%08x)", sa->id, rk->dh ? " with PFS" : "",
	     rk->nc.spi_in, rk->nc.spi_out);
	rekey_done(v, sa, rk, pn->body, pn->len);
out:
	OPENSSL_cleanse(gir, sizeof(gir));
	free(props);
	rk_free(v, sa, rk);
}

static struct ike_sa *find_child(struct vpnd *v, uint32_t dst, uint32_t spi, struct child_sa **out)
{
	for (struct ike_sa *s = v->sas; s; s = s->next) {
		if (s->state != SA_ESTABLISHED || s->rekeyed)
			continue;
		struct child_sa *cs[2] = { &s->child, &s->old };
		for (int k = 0; k < 2; k++)
			if (cs[k]->installed && ((cs[k]->spi_in == spi && cs[k]->k_local == dst) ||
						 (cs[k]->spi_out == spi && cs[k]->k_peer == dst))) {
				*out = cs[k];
				return s;
			}
	}
	return NULL;
}

/* from: "kernel" (an XFRM expire event) or "timer" (-n, or a lost event) */
static void expire_child(struct vpnd *v, struct ike_sa *sa, struct child_sa *c, int hard, const char *from)
{
	if (c == &sa->old && hard) {
		/* normally deleted at its soft expire already; the kernel removed it */
		uint32_t spi = c->spi_in;
		child_remove(v, sa, c);
		if (!sa->dpd_pending)
			delete_child_spi(v, sa, spi);
		if (!sa->child.installed)
			sa_policies(v, sa, 0);
		return;
	}
	if (c == &sa->child && hard) {
		LOGI("CHILD_SA of %s reached its hard lifetime (spi %08x, %s): closing", sa->id, c->spi_in, from);
		v->n_expired++;
		sa_close(v, sa, "expired", 1);
		return;
	}
	if (c->soft_done && !hard)
		return; /* the second SA of the pair, or a repeated event */
	c->soft_done = 1;
	if (c == &sa->child) {
		LOGI("CHILD_SA of %s reached its soft lifetime (%s)", sa->id, from);
		lifetime_rekey_start(v, sa);
		return;
	}
	/* an old child the client never deleted after rekeying it */
	sa->want |= WANT_DELETE_OLD;
	pump(v, sa);
}

void lifetime_expire(struct vpnd *v, uint32_t dst, uint32_t spi, int hard)
{
	struct child_sa *c = NULL;
	struct ike_sa *sa = find_child(v, dst, spi, &c);

	if (sa)
		expire_child(v, sa, c, hard, "kernel");
}

void lifetime_expire_read(struct vpnd *v, int fd)
{
	static uint8_t buf[16384];
	struct xfrm_expire ev[32];

	for (int budget = 0; budget < 16; budget++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			/* events were lost: the per-second timer catches up */
			LOGW("XFRM expire events lost (socket overrun)");
			continue;
		}
		if (n <= 0)
			return;
		int k = xfrm_parse_expire(buf, (size_t)n, ev, 32);
		for (int i = 0; i < k; i++)
			if ((ev[i].reqid & XFRM_REQID_MASK) == XFRM_REQID_BASE && ev[i].proto == IPPROTO_ESP)
				lifetime_expire(v, ev[i].dst, ev[i].spi, ev[i].hard);
	}
}

int lifetime_tick(struct vpnd *v, struct ike_sa *sa, time_t now)
{
	if (sa->state != SA_ESTABLISHED || sa->rekeyed)
		return 0;
	if (now - sa->created >= (time_t)v->cfg.ike_lifetime) {
		LOGI("IKE SA of %s reached ike_lifetime without a rekey by the client: closing", sa->id);
		v->n_expired++;
		sa_close(v, sa, "expired", 1);
		return 1;
	}
	/* The kernel's expire events drive this; the timer emulates them with
	 * -n (no kernel) and catches up on events lost to a socket overrun. */
	time_t slack = v->xfrm_fd < 0 ? 0 : 3;
	if (sa->child.installed && sa->child.hard_at && now >= sa->child.hard_at + slack) {
		expire_child(v, sa, &sa->child, 1, "timer");
		return 1;
	}
	struct child_sa *cs[2] = { &sa->child, &sa->old };
	for (int k = 0; k < 2; k++)
		if (cs[k]->installed && cs[k]->soft_at && !cs[k]->soft_done && now >= cs[k]->soft_at + slack)
			expire_child(v, sa, cs[k], 0, "timer");
	if (sa->old.installed && sa->old.hard_at && now >= sa->old.hard_at + slack)
		expire_child(v, sa, &sa->old, 1, "timer");
	pump(v, sa);
	return 0;
}

void lifetime_pump(struct vpnd *v, struct ike_sa *sa)
{
	pump(v, sa);
}
