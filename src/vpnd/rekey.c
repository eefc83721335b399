/* rekey.c - CREATE_CHILD_SA as responder (RFC 7296 1.3): CHILD_SA rekey
 * with or without PFS, IKE SA rekey, a new CHILD_SA once the old one is
 * gone.  Collisions with vpnd's own child rekey (lifetime.c): RFC 7296
 * 2.8.1 bookkeeping via lifetime_peer_rekeyed; an IKE SA rekey while ours
 * is in flight is refused with TEMPORARY_FAILURE (2.25.2). */
#include "sa.h"
#include "sa_int.h"
#include "lifetime.h"
#include "dh.h"
#include "log.h"
#include "ts.h"
#include "xfrm.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static void reply_notify(struct vpnd *v, struct ike_sa *sa, uint32_t msgid, uint16_t type,
			 const void *data, size_t dlen)
{
	struct ike_builder out;
	ikeb_init(&out);
	ikeb_notify(&out, 0, type, NULL, 0, data, dlen);
	send_encrypted(v, sa, EXCH_CREATE_CHILD_SA, 1, msgid, &out);
	ikeb_free(&out);
}

/* RFC 7296 1.3: a KE for another group than the one chosen is answered
 * with INVALID_KE_PAYLOAD naming the group we want. */
static void reply_invalid_ke(struct vpnd *v, struct ike_sa *sa, uint32_t msgid, uint16_t want)
{
	uint8_t g[2];

	put16(g, want);
	reply_notify(v, sa, msgid, N_INVALID_KE_PAYLOAD, g, 2);
}

/* KE of the request for the chosen group: our public value and g^ir. */
static int rekey_dh(const struct ike_msg *in, uint16_t group, uint8_t *pub, size_t *publen,
		    uint8_t *gir, size_t *girlen)
{
	const struct ike_payload *pke = ike_find(in, PL_KE);
	const uint8_t *ke;
	size_t kelen;
	uint16_t g;
	struct dh *dh;
	int rc = -1;

	if (!pke || ike_parse_ke(pke->body, pke->len, &g, &ke, &kelen) < 0 || g != group)
		return -1;
	dh = dh_new(group);
	*publen = dh_public_len(group);
	if (dh && dh_public(dh, pub, *publen) == 0 && dh_derive(dh, ke, kelen, gir, girlen) == 0)
		rc = 0;
	dh_free(dh);
	return rc;
}

static void rekey_ike(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in, uint32_t msgid,
		      struct ike_proposal *props, int nprops)
{
	const struct ike_payload *pn = ike_find(in, PL_NONCE), *pke = ike_find(in, PL_KE);
	struct sa_choice ch;
	struct ike_sa *ns = NULL;
	uint16_t want = 0, group = 0;
	uint8_t pub[512], gir[512], skeyseed[IKE_MAX_KEY];
	size_t publen = 0, girlen = sizeof(gir);
	struct buf seed;
	struct ike_builder out;
	static const uint8_t zero[8];

	buf_init(&seed);
	ikeb_init(&out);
	if (sa->rk) {
		/* RFC 7296 2.25.2: not while we are rekeying a child of it */
		reply_notify(v, sa, msgid, N_TEMPORARY_FAILURE, NULL, 0);
		goto done;
	}
	if (!pn || !pke || pke->len < 2) {
		reply_notify(v, sa, msgid, N_INVALID_SYNTAX, NULL, 0);
		goto done;
	}
	group = get16(pke->body);
	int r = proposal_select(props, nprops, PROTO_IKE, v->cfg.legacy_windows, group, &ch, &want);
	/* SKEYSEED of a rekey uses the old PRF keyed with the old SK_d: keep
	 * the PRF so both key lengths agree (clients rekey with the same one) */
	if (r == PROP_NONE || ch.spisize != 8 || ch.prf != sa->prop.prf) {
		reply_notify(v, sa, msgid, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		goto done;
	}
	if (r == PROP_BAD_KE) {
		reply_invalid_ke(v, sa, msgid, want);
		goto done;
	}
	if (rekey_dh(in, ch.dh, pub, &publen, gir, &girlen) < 0) {
		reply_notify(v, sa, msgid, N_INVALID_SYNTAX, NULL, 0);
		goto done;
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		goto done;
	*ns = *sa; /* addresses, identity, tunnel state, flags */
	ns->next = NULL;
	buf_init(&ns->init_req);
	buf_init(&ns->init_resp);
	memset(ns->last, 0, sizeof(ns->last));
	memset(ns->frag, 0, sizeof(ns->frag));
	buf_init(&ns->dpd_req);
	ns->dpd_pending = 0;
	ns->req_kind = REQ_NONE;
	ns->rk = NULL;
	ns->created = time(NULL); /* ike_lifetime counts from the rekey */
	ns->nlast = 0;
	ns->have_last = 0;
	ns->frag_have = 0;
	memcpy(ns->spi_i, ch.spi, 8);
	do {
		if (RAND_bytes(ns->spi_r, 8) != 1)
			goto done;
	} while (!memcmp(ns->spi_r, zero, 8));
	ns->prop = ch;
	ns->nilen = pn->len;
	memcpy(ns->ni, pn->body, pn->len);
	ns->nrlen = 32;
	if (RAND_bytes(ns->nr, 32) != 1)
		goto done;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	buf_add(&seed, gir, girlen);
	buf_add(&seed, ns->ni, ns->nilen);
	buf_add(&seed, ns->nr, ns->nrlen);
	if (seed.err || ike_prf(sa->keys.prf, sa->keys.sk_d, sa->keys.prf_len, seed.p, seed.len, skeyseed) < 0 ||
	    ike_derive_keys(&ch, skeyseed, ns->ni, ns->nilen, ns->nr, ns->nrlen, ns->spi_i, ns->spi_r,
			    &ns->keys) < 0)
		goto done;
	proposal_keyword(&ch, ns->ike_kw, sizeof(ns->ike_kw));
	ns->expect_msgid = 0;
	ns->our_msgid = 0;
	ns->state = SA_ESTABLISHED;
	ns->rekeyed = 0;

	struct ike_proposal rp;
	struct sa_choice c = ch;
	uint8_t kh[4];
	memcpy(c.spi, ns->spi_r, 8);
	proposal_to_wire(&c, &rp);
	ikeb_proposal(&out, &rp);
	ikeb_simple(&out, PL_NONCE, NULL, 0, ns->nr, ns->nrlen);
	put16(kh, ch.dh);
	put16(kh + 2, 0);
	ikeb_simple(&out, PL_KE, kh, 4, pub, publen);
	if (send_encrypted(v, sa, EXCH_CREATE_CHILD_SA, 1, msgid, &out) < 0)
		goto done;
	/* the new IKE SA owns the tunnel now; the old one only waits for the
	 * peer's Delete */
	sa->rekeyed = 1;
	sa->has_vip = 0;
	sa->policies = 0;
	sa->child.installed = 0;
	sa->old.installed = 0;
	sa->want = 0;
	v->n_rekeys_peer++;
	if (sa_link(v, ns) == 0)
		ns = NULL;
	LOGI("IKE SA of %s rekeyed (%s)", sa->id, sa->ike_kw);
done:
	if (ns) {
		ike_keys_wipe(&ns->keys);
		OPENSSL_cleanse(ns, sizeof(*ns));
		free(ns);
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	buf_free(&seed);
	ikeb_free(&out);
}

void handle_create_child(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in, uint32_t msgid)
{
	const struct ike_payload *psa = ike_find(in, PL_SA), *pn = ike_find(in, PL_NONCE),
				 *pke = ike_find(in, PL_KE), *ptsi = ike_find(in, PL_TSI),
				 *ptsr = ike_find(in, PL_TSR);
	struct ike_proposal *props = malloc(sizeof(*props) * IKE_MAX_PROPOSALS);
	struct ike_notify rk;
	struct ike_ts tsi[IKE_MAX_TS], tsr[IKE_MAX_TS];
	struct child_sa nc;
	struct ike_builder out;
	uint8_t pub[512], gir[512], nr[32];
	size_t publen = 0, girlen = sizeof(gir);
	uint16_t want = 0;
	int nprops = 0, ntsi = 0, ntsr = 0;

	ikeb_init(&out);
	memset(&nc, 0, sizeof(nc));
	if (!props || !psa || !pn || ike_parse_sa(psa->body, psa->len, props, IKE_MAX_PROPOSALS, &nprops) < 0 ||
	    nprops < 1) {
		reply_notify(v, sa, msgid, N_INVALID_SYNTAX, NULL, 0);
		goto done;
	}
	if (props[0].proto == PROTO_IKE) {
		rekey_ike(v, sa, in, msgid, props, nprops);
		goto done;
	}
	/* one CHILD_SA per client: rekeys of it, or a new one after the peer
	 * deleted it (e.g. strongSwan recreating after a hard expire) */
	int rekey = ike_find_notify(in, N_REKEY_SA, &rk) == 0;
	if (!rekey && (sa->child.installed || sa->old.installed)) {
		reply_notify(v, sa, msgid, N_NO_ADDITIONAL_SAS, NULL, 0);
		goto done;
	}
	if (rekey && (rk.proto != PROTO_ESP || rk.spisize != 4 || !sa->child.installed ||
		      get32(rk.spi) != sa->child.spi_out)) {
		uint8_t d[4] = { 0 };
		if (rk.spisize == 4)
			memcpy(d, rk.spi, 4);
		struct ike_builder o2;
		ikeb_init(&o2);
		ikeb_notify(&o2, PROTO_ESP, N_CHILD_SA_NOT_FOUND, d, 4, NULL, 0);
		send_encrypted(v, sa, EXCH_CREATE_CHILD_SA, 1, msgid, &o2);
		ikeb_free(&o2);
		goto done;
	}
	uint16_t ke_group = pke && pke->len >= 2 ? get16(pke->body) : 0;
	int r = proposal_select_ex(props, nprops, PROTO_ESP, v->cfg.legacy_windows, ke_group, &nc.prop, &want, 1);
	if (r == PROP_NONE) {
		reply_notify(v, sa, msgid, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		goto done;
	}
	if (r == PROP_BAD_KE) {
		reply_invalid_ke(v, sa, msgid, want);
		goto done;
	}
	if (!ptsi || !ptsr || ike_parse_ts(ptsi->body, ptsi->len, tsi, IKE_MAX_TS, &ntsi) < 0 ||
	    ike_parse_ts(ptsr->body, ptsr->len, tsr, IKE_MAX_TS, &ntsr) < 0 ||
	    ts_narrow_initiator(tsi, ntsi, sa->vip, &nc.tsi) != 1 ||
	    (nc.ntsr = ts_narrow_responder(tsr, ntsr, v->cfg.protected_nets, v->cfg.nprotected, nc.tsr,
					   SA_MAX_TS)) <= 0) {
		reply_notify(v, sa, msgid, N_TS_UNACCEPTABLE, NULL, 0);
		goto done;
	}
	if (nc.prop.dh && rekey_dh(in, nc.prop.dh, pub, &publen, gir, &girlen) < 0) {
		reply_notify(v, sa, msgid, N_INVALID_SYNTAX, NULL, 0);
		goto done;
	}
	nc.spi_out = get32(nc.prop.spi);
	nc.reqid = sa->child.reqid; /* same policies */
	if (RAND_bytes(nr, sizeof(nr)) != 1 || child_alloc_spi(v, sa, &nc) < 0 ||
	    child_install(v, sa, &nc, nc.prop.dh ? gir : NULL, nc.prop.dh ? girlen : 0, pn->body, pn->len,
			  nr, sizeof(nr)) < 0) {
		if (v->xfrm_fd >= 0 && nc.spi_in)
			xfrm_del_sa(v->xfrm_fd, sa->local_ip, nc.spi_in);
		reply_notify(v, sa, msgid, N_TEMPORARY_FAILURE, NULL, 0);
		goto done;
	}
	struct ike_proposal rp;
	struct sa_choice c = nc.prop;
	put32(c.spi, nc.spi_in);
	proposal_to_wire(&c, &rp);
	ikeb_proposal(&out, &rp);
	ikeb_simple(&out, PL_NONCE, NULL, 0, nr, sizeof(nr));
	if (nc.prop.dh) {
		uint8_t kh[4];
		put16(kh, nc.prop.dh);
		put16(kh + 2, 0);
		ikeb_simple(&out, PL_KE, kh, 4, pub, publen);
	}
	ikeb_ts(&out, PL_TSI, &nc.tsi, 1);
	ikeb_ts(&out, PL_TSR, nc.tsr, nc.ntsr);
	if (send_encrypted(v, sa, EXCH_CREATE_CHILD_SA, 1, msgid, &out) < 0) {
		child_remove(v, sa, &nc);
		goto done;
	}
	if (rekey) {
		v->n_rekeys_peer++;
		sa->rekey_tries = 0;
		lifetime_peer_rekeyed(sa, sa->child.spi_in, pn->body, pn->len, nr, sizeof(nr));
		/* a second rekey before the peer deleted the first old child */
		child_remove(v, sa, &sa->old);
		sa->old = sa->child;
		sa->child = nc;
	} else {
		sa->child = nc;
		if (sa_policies(v, sa, 1) < 0) {
			sa_kernel_remove(v, sa);
			LOGE("policies for the new CHILD_SA of %s failed", sa->id);
		}
	}
	proposal_keyword(&nc.prop, sa->esp_kw, sizeof(sa->esp_kw));
	LOGI("CHILD_SA of %s %s%s (spi %08x/%08x)", sa->id, rekey ? "rekeyed" : "created",
	     nc.prop.dh ? " with PFS" : "", nc.spi_in, nc.spi_out);
done:
	OPENSSL_cleanse(gir, sizeof(gir));
	ikeb_free(&out);
	free(props);
}

