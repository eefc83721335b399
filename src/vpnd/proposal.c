/* proposal.c - the transform table (from transforms.def, the single source
 * of truth) and responder proposal selection (RFC 7296 section 2.7). */
#include "proposal.h"
#include <stdio.h>
#include <string.h>

#define ENCR TT_ENCR
#define PRF TT_PRF
#define INTEG TT_INTEG
#define DH TT_DH
#define DEFAULT POLICY_DEFAULT
#define LEGACY POLICY_LEGACY
const struct xform_def xform_table[] = {
#define T(type, id, bits, kw, pol) { type, id, bits, kw, pol },
#define BUNDLE(kind, prop)
#include "transforms.def"
#undef T
#undef BUNDLE
};
#undef ENCR
#undef PRF
#undef INTEG
#undef DH
#undef DEFAULT
#undef LEGACY
const size_t xform_count = sizeof(xform_table) / sizeof(xform_table[0]);

const struct xform_def *xform_lookup(uint8_t type, uint16_t id, uint16_t keybits)
{
	for (size_t i = 0; i < xform_count; i++)
		if (xform_table[i].type == type && xform_table[i].id == id &&
		    xform_table[i].keybits == keybits)
			return &xform_table[i];
	return NULL;
}

const struct xform_def *xform_by_keyword(const char *kw)
{
	for (size_t i = 0; i < xform_count; i++)
		if (strcmp(xform_table[i].keyword, kw) == 0)
			return &xform_table[i];
	return NULL;
}

int encr_is_aead(uint16_t encr) { return encr == ENCR_AES_GCM16; }

static int acceptable(const struct ike_transform *t, int legacy)
{
	const struct xform_def *x = xform_lookup(t->type, t->id, t->keylen);
	return x && (x->policy == POLICY_DEFAULT || legacy);
}

/* Evaluate one proposal; 0 if acceptable (fills c), -1 otherwise. */
static int try_proposal(const struct ike_proposal *p, uint8_t proto, int legacy,
			uint16_t ke_group, struct sa_choice *c, uint16_t *first_dh, int child_dh)
{
	int have_encr = 0, have_prf = 0, have_integ = 0, have_dh = 0, integ_none = 0;
	int esn_no = 0, esn_any = 0, dh_ke = 0, dh_none = 0, dh_any = 0;

	memset(c, 0, sizeof(*c));
	*first_dh = 0;
	if (p->proto != proto)
		return -1;
	if (proto == PROTO_IKE && p->spisize != 0 && p->spisize != 8)
		return -1;
	if (proto == PROTO_ESP && p->spisize != 4)
		return -1;
	for (int i = 0; i < p->ntrans; i++) {
		const struct ike_transform *t = &p->t[i];
		switch (t->type) {
		case TT_ENCR:
			if (!have_encr && acceptable(t, legacy)) {
				have_encr = 1;
				c->encr = t->id;
				c->encr_keylen = t->keylen;
			}
			break;
		case TT_PRF:
			if (!have_prf && acceptable(t, legacy)) {
				have_prf = 1;
				c->prf = t->id;
			}
			break;
		case TT_INTEG:
			if (t->id == 0)
				integ_none = 1;
			else if (!have_integ && acceptable(t, legacy)) {
				have_integ = 1;
				c->integ = t->id;
			}
			break;
		case TT_DH:
			if (proto != PROTO_IKE && !child_dh)
				break; /* child SA in IKE_AUTH: no KE, DH ignored */
			dh_any = 1;
			if (t->id == 0)
				dh_none = 1;
			else if (acceptable(t, legacy)) {
				if (!have_dh)
					*first_dh = t->id;
				have_dh = 1;
				if (t->id == ke_group)
					dh_ke = 1;
			}
			break;
		case TT_ESN:
			esn_any = 1;
			if (t->id == 0)
				esn_no = 1;
			break;
		default:
			return -1; /* unknown transform type: the proposal is unusable */
		}
	}
	if (!have_encr)
		return -1;
	if (encr_is_aead(c->encr)) {
		/* AEAD must not be combined with an integrity algorithm */
		if (have_integ && !integ_none)
			c->integ = 0;
		c->integ = 0;
	} else if (!have_integ) {
		return -1;
	}
	if (proto == PROTO_IKE) {
		if (!have_prf || !have_dh)
			return -1;
		c->dh = dh_ke ? ke_group : *first_dh;
	} else {
		if (esn_any && !esn_no)
			return -1; /* we do not offer ESN */
		c->esn_present = esn_any;
		if (child_dh) {
			/* CREATE_CHILD_SA: with a KE the group must be offered (or we
			 * ask for one); without, the proposal must allow no PFS */
			if (ke_group) {
				if (!have_dh)
					return -1;
				c->dh = dh_ke ? ke_group : *first_dh;
			} else if (dh_any && !dh_none) {
				return -1;
			}
		}
	}
	c->proto = proto;
	c->num = p->num;
	c->spisize = p->spisize;
	memcpy(c->spi, p->spi, p->spisize);
	return 0;
}

int proposal_select(const struct ike_proposal *props, int n, uint8_t proto, int legacy,
		    uint16_t ke_group, struct sa_choice *out, uint16_t *want_group)
{
	return proposal_select_ex(props, n, proto, legacy, ke_group, out, want_group, 0);
}

int proposal_select_ex(const struct ike_proposal *props, int n, uint8_t proto, int legacy,
		       uint16_t ke_group, struct sa_choice *out, uint16_t *want_group, int child_dh)
{
	struct sa_choice c, first_bad;
	int have_bad = 0;
	uint16_t first_dh;

	/* Prefer (in the peer's order) a proposal that matches the KE the peer
	 * already sent: that saves a round trip.  Otherwise ask for the group
	 * of the first acceptable proposal. */
	for (int i = 0; i < n; i++) {
		if (try_proposal(&props[i], proto, legacy, ke_group, &c, &first_dh, child_dh) < 0)
			continue;
		if ((proto != PROTO_IKE && !(child_dh && ke_group)) || c.dh == ke_group) {
			*out = c;
			return PROP_OK;
		}
		if (!have_bad) {
			first_bad = c;
			have_bad = 1;
		}
	}
	if (have_bad) {
		*want_group = first_bad.dh;
		*out = first_bad;
		return PROP_BAD_KE;
	}
	return PROP_NONE;
}

void proposal_to_wire(const struct sa_choice *c, struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = c->num;
	p->proto = c->proto;
	p->spisize = c->spisize;
	memcpy(p->spi, c->spi, c->spisize);
	p->t[p->ntrans++] = (struct ike_transform){ TT_ENCR, c->encr, c->encr_keylen };
	if (c->proto == PROTO_IKE)
		p->t[p->ntrans++] = (struct ike_transform){ TT_PRF, c->prf, 0 };
	if (c->integ)
		p->t[p->ntrans++] = (struct ike_transform){ TT_INTEG, c->integ, 0 };
	if (c->proto == PROTO_IKE)
		p->t[p->ntrans++] = (struct ike_transform){ TT_DH, c->dh, 0 };
	if (c->proto == PROTO_ESP && c->dh)
		p->t[p->ntrans++] = (struct ike_transform){ TT_DH, c->dh, 0 };
	if (c->proto == PROTO_ESP && c->esn_present)
		p->t[p->ntrans++] = (struct ike_transform){ TT_ESN, 0, 0 };
}

static const char *kw(uint8_t type, uint16_t id, uint16_t bits)
{
	const struct xform_def *x = xform_lookup(type, id, bits);
	return x ? x->keyword : "?";
}

void proposal_keyword(const struct sa_choice *c, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s", kw(TT_ENCR, c->encr, c->encr_keylen));
	if (c->integ && n >= 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - n, "-%s", kw(TT_INTEG, c->integ, 0));
	if (c->proto == PROTO_IKE && n >= 0 && (size_t)n < outlen)
		snprintf(out + n, outlen - n, "-%s-%s", kw(TT_PRF, c->prf, 0), kw(TT_DH, c->dh, 0));
}
