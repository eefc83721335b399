/* ike_msg.c - IKEv2 payload parsing (RFC 7296 section 3) and building.
 * Parsers take (pointer, length) of one payload body and check every
 * length before reading; nothing here trusts the peer. */
#include "ike_msg.h"
#include <string.h>

int ike_parse_header(const uint8_t *p, size_t len, struct ike_hdr *h)
{
	if (len < IKE_HDR_LEN)
		return -1;
	memcpy(h->spi_i, p, 8);
	memcpy(h->spi_r, p + 8, 8);
	h->np = p[16];
	h->version = p[17];
	h->exch = p[18];
	h->flags = p[19];
	h->msgid = get32(p + 20);
	h->length = get32(p + 24);
	if (h->length != len || (h->version >> 4) != 2)
		return -1;
	return 0;
}

static int known_payload(uint8_t t)
{
	return (t >= PL_SA && t <= PL_EAP) || t == PL_SKF;
}

int ike_parse_chain(uint8_t np, const uint8_t *p, size_t len, struct ike_msg *m)
{
	size_t off = 0;

	while (np != PL_NONE) {
		if (len - off < 4 || m->npl >= IKE_MAX_PAYLOADS)
			return -1;
		uint8_t next = p[off];
		uint8_t crit = p[off + 1] & 0x80;
		size_t plen = get16(p + off + 2);
		if (plen < 4 || plen > len - off)
			return -1;
		if (known_payload(np)) {
			struct ike_payload *pl = &m->pl[m->npl++];
			pl->type = np;
			pl->critical = crit ? 1 : 0;
			pl->np = next;
			pl->body = p + off + 4;
			pl->len = plen - 4;
			if (np == PL_SK || np == PL_SKF) {
				/* The encrypted payload must be the last one. */
				if (off + plen != len)
					return -1;
				return 0;
			}
		} else if (crit && !m->bad_critical) {
			m->bad_critical = np;
		}
		off += plen;
		np = next;
	}
	return off == len ? 0 : -1;
}

int ike_parse(const uint8_t *p, size_t len, struct ike_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (ike_parse_header(p, len, &m->hdr) < 0) {
		/* ike_parse_header filled the fields before it refused the version */
		if (len >= IKE_HDR_LEN && m->hdr.length == len && (m->hdr.version >> 4) > 2 &&
		    m->hdr.exch == EXCH_IKE_SA_INIT &&
		    (m->hdr.flags & (HDR_F_INITIATOR | HDR_F_RESPONSE)) == HDR_F_INITIATOR) {
			m->raw = p;
			m->rawlen = len;
			m->bad_major = m->hdr.version;
			return 0;
		}
		return -1;
	}
	m->raw = p;
	m->rawlen = len;
	if (ike_parse_chain(m->hdr.np, p + IKE_HDR_LEN, len - IKE_HDR_LEN, m) < 0)
		return -1;
	return ike_validate_payloads(m);
}

const struct ike_payload *ike_find(const struct ike_msg *m, uint8_t type)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

int ike_count(const struct ike_msg *m, uint8_t type)
{
	int n = 0;
	for (int i = 0; i < m->npl; i++)
		n += m->pl[i].type == type;
	return n;
}

int ike_parse_sa(const uint8_t *p, size_t len, struct ike_proposal *props, int max, int *n)
{
	size_t off = 0;
	int last = 0;

	*n = 0;
	while (!last) {
		if (len - off < 8 || *n >= max)
			return -1;
		const uint8_t *q = p + off;
		size_t plen = get16(q + 2);
		if ((q[0] != 0 && q[0] != 2) || plen < 8 || plen > len - off)
			return -1;
		last = q[0] == 0;
		struct ike_proposal *pr = &props[(*n)++];
		memset(pr, 0, sizeof(*pr));
		pr->num = q[4];
		pr->proto = q[5];
		pr->spisize = q[6];
		int ntrans = q[7];
		if (pr->spisize > 8 || 8u + pr->spisize > plen)
			return -1;
		memcpy(pr->spi, q + 8, pr->spisize);
		/* an ESP/AH SPI is 4 bytes, and 0..255 are reserved (RFC 4303 2.1):
		 * a value out of range, never something to install */
		if ((pr->proto == PROTO_ESP || pr->proto == PROTO_AH) && pr->spisize == 4 && get32(pr->spi) < 256)
			return -1;
		size_t toff = 8 + pr->spisize;
		int tlast = ntrans == 0;
		for (int i = 0; i < ntrans; i++) {
			if (plen - toff < 8 || tlast)
				return -1;
			const uint8_t *t = q + toff;
			size_t tlen = get16(t + 2);
			if ((t[0] != 0 && t[0] != 3) || tlen < 8 || tlen > plen - toff)
				return -1;
			tlast = t[0] == 0;
			if (pr->ntrans >= IKE_MAX_TRANSFORMS)
				return -1;
			struct ike_transform *tr = &pr->t[pr->ntrans++];
			tr->type = t[4];
			tr->id = get16(t + 6);
			tr->keylen = 0;
			/* attributes: TV (AF bit set, 4 bytes) or TLV */
			size_t aoff = 8;
			while (aoff < tlen) {
				if (tlen - aoff < 4)
					return -1;
				uint16_t at = get16(t + aoff);
				if (at & 0x8000) {
					if ((at & 0x7fff) == TATTR_KEYLEN)
						tr->keylen = get16(t + aoff + 2);
					aoff += 4;
				} else {
					size_t alen = get16(t + aoff + 2);
					if (alen > tlen - aoff - 4)
						return -1;
					aoff += 4 + alen;
				}
			}
			toff += tlen;
		}
		if (!tlast || toff != plen)
			return -1;
		off += plen;
	}
	return off == len ? 0 : -1;
}

static int parse_hdr4(const uint8_t *p, size_t len, uint8_t *first, const uint8_t **data, size_t *dlen)
{
	if (len < 4)
		return -1;
	*first = p[0];
	*data = p + 4;
	*dlen = len - 4;
	return 0;
}

int ike_parse_ke(const uint8_t *p, size_t len, uint16_t *group, const uint8_t **data, size_t *dlen)
{
	if (len < 5)
		return -1;
	*group = get16(p);
	*data = p + 4;
	*dlen = len - 4;
	return 0;
}

int ike_parse_id(const uint8_t *p, size_t len, uint8_t *type, const uint8_t **data, size_t *dlen)
{
	if (parse_hdr4(p, len, type, data, dlen) < 0 || *dlen == 0)
		return -1;
	return 0;
}

int ike_parse_auth(const uint8_t *p, size_t len, uint8_t *method, const uint8_t **data, size_t *dlen)
{
	if (parse_hdr4(p, len, method, data, dlen) < 0 || *dlen == 0)
		return -1;
	return 0;
}

int ike_parse_cert(const uint8_t *p, size_t len, uint8_t *enc, const uint8_t **data, size_t *dlen)
{
	if (len < 2)
		return -1;
	*enc = p[0];
	*data = p + 1;
	*dlen = len - 1;
	return 0;
}

int ike_parse_notify(const uint8_t *p, size_t len, struct ike_notify *n)
{
	if (len < 4)
		return -1;
	n->proto = p[0];
	n->spisize = p[1];
	n->type = get16(p + 2);
	if (len - 4 < n->spisize)
		return -1;
	n->spi = p + 4;
	n->data = p + 4 + n->spisize;
	n->datalen = len - 4 - n->spisize;
	return 0;
}

int ike_parse_delete(const uint8_t *p, size_t len, uint8_t *proto, uint8_t *spisize,
		     uint16_t *num, const uint8_t **spis)
{
	if (len < 4)
		return -1;
	*proto = p[0];
	*spisize = p[1];
	*num = get16(p + 2);
	*spis = p + 4;
	if ((size_t)*spisize * *num != len - 4)
		return -1;
	if (*proto == PROTO_IKE && (*spisize != 0 || *num != 0))
		return -1;
	if ((*proto == PROTO_ESP || *proto == PROTO_AH) && *spisize != 4)
		return -1;
	return 0;
}

int ike_parse_ts(const uint8_t *p, size_t len, struct ike_ts *ts, int max, int *n)
{
	if (len < 4 || p[0] == 0)
		return -1;
	int cnt = p[0];
	size_t off = 4;
	*n = 0;
	for (int i = 0; i < cnt; i++) {
		if (len - off < 8)
			return -1;
		const uint8_t *q = p + off;
		size_t slen = get16(q + 2);
		if (slen < 8 || slen > len - off)
			return -1;
		if (q[0] == TS_IPV4_ADDR_RANGE) {
			if (slen != 16)
				return -1;
			if (*n < max) {
				struct ike_ts *t = &ts[(*n)++];
				t->type = q[0];
				t->proto = q[1];
				t->sport = get16(q + 4);
				t->eport = get16(q + 6);
				t->saddr = get32(q + 8);
				t->eaddr = get32(q + 12);
			}
		} else if (q[0] == TS_IPV6_ADDR_RANGE && slen != 40) {
			return -1;
		}
		/* other selector types are skipped (we only do IPv4) */
		off += slen;
	}
	return off == len ? 0 : -1;
}

int ike_parse_cp(const uint8_t *p, size_t len, uint8_t *cftype, struct ike_cp_attr *a, int max, int *n)
{
	if (len < 4)
		return -1;
	*cftype = p[0];
	size_t off = 4;
	*n = 0;
	while (off < len) {
		if (len - off < 4)
			return -1;
		uint16_t t = get16(p + off) & 0x7fff;
		uint16_t l = get16(p + off + 2);
		if (l > len - off - 4)
			return -1;
		if (*n < max) {
			a[*n].type = t;
			a[*n].len = l;
			a[*n].val = p + off + 4;
			(*n)++;
		}
		off += 4u + l;
	}
	return 0;
}

int ike_parse_skf(const uint8_t *p, size_t len, uint16_t *num, uint16_t *total)
{
	if (len < 4)
		return -1;
	*num = get16(p);
	*total = get16(p + 2);
	if (*num == 0 || *total == 0 || *num > *total)
		return -1;
	return 0;
}

int ike_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *out)
{
	for (int i = 0; i < m->npl; i++) {
		if (m->pl[i].type != PL_NOTIFY)
			continue;
		if (ike_parse_notify(m->pl[i].body, m->pl[i].len, out) == 0 && out->type == type)
			return 0;
	}
	return -1;
}

/* Structural validation of each payload we understand, so later code can
 * use the decoders knowing they succeed. */
int ike_validate_payloads(const struct ike_msg *m)
{
	static struct ike_proposal props[IKE_MAX_PROPOSALS];
	struct ike_ts ts[IKE_MAX_TS];
	struct ike_cp_attr ca[IKE_MAX_CP_ATTRS];
	struct ike_notify nt;
	const uint8_t *d;
	size_t dl;
	uint8_t u8, u8b;
	uint16_t u16, u16b;
	int n;

	for (int i = 0; i < m->npl; i++) {
		const struct ike_payload *pl = &m->pl[i];
		int r = 0;
		switch (pl->type) {
		case PL_SA: r = ike_parse_sa(pl->body, pl->len, props, IKE_MAX_PROPOSALS, &n); break;
		case PL_KE: r = ike_parse_ke(pl->body, pl->len, &u16, &d, &dl); break;
		case PL_IDI: case PL_IDR: r = ike_parse_id(pl->body, pl->len, &u8, &d, &dl); break;
		case PL_AUTH: r = ike_parse_auth(pl->body, pl->len, &u8, &d, &dl); break;
		case PL_CERT: r = ike_parse_cert(pl->body, pl->len, &u8, &d, &dl); break;
		case PL_NONCE: r = (pl->len >= 16 && pl->len <= 256) ? 0 : -1; break;
		case PL_NOTIFY: r = ike_parse_notify(pl->body, pl->len, &nt); break;
		case PL_DELETE: r = ike_parse_delete(pl->body, pl->len, &u8, &u8b, &u16, &d); break;
		case PL_TSI: case PL_TSR: r = ike_parse_ts(pl->body, pl->len, ts, IKE_MAX_TS, &n); break;
		case PL_CP: r = ike_parse_cp(pl->body, pl->len, &u8, ca, IKE_MAX_CP_ATTRS, &n); break;
		case PL_SKF: r = ike_parse_skf(pl->body, pl->len, &u16, &u16b); break;
		default: break;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ---- building ---- */

void ikeb_init(struct ike_builder *bl)
{
	memset(bl, 0, sizeof(*bl));
	buf_init(&bl->b);
}

void ikeb_free(struct ike_builder *bl) { buf_free(&bl->b); }

void ikeb_header(struct ike_builder *bl, const uint8_t *spi_i, const uint8_t *spi_r,
		 uint8_t exch, uint8_t flags, uint32_t msgid)
{
	buf_add(&bl->b, spi_i, 8);
	buf_add(&bl->b, spi_r, 8);
	buf_u8(&bl->b, 0);
	buf_u8(&bl->b, IKE_VERSION);
	buf_u8(&bl->b, exch);
	buf_u8(&bl->b, flags);
	buf_u32(&bl->b, msgid);
	buf_u32(&bl->b, 0);
	bl->np_off = 16;
	bl->have_np = 1;
}

size_t ikeb_begin(struct ike_builder *bl, uint8_t type)
{
	if (bl->have_np) {
		if (!bl->b.err && bl->np_off < bl->b.len)
			bl->b.p[bl->np_off] = type;
	} else {
		bl->first_np = type;
	}
	size_t start = bl->b.len;
	buf_u32(&bl->b, 0);
	bl->np_off = start;
	bl->have_np = 1;
	return start;
}

void ikeb_end(struct ike_builder *bl, size_t start)
{
	size_t l = bl->b.len - start;
	if (l > 0xffff)
		bl->b.err = 1;
	buf_put16(&bl->b, start + 2, (uint16_t)l);
}

void ikeb_finish(struct ike_builder *bl) { buf_put32(&bl->b, 24, (uint32_t)bl->b.len); }

void ikeb_notify(struct ike_builder *bl, uint8_t proto, uint16_t type, const uint8_t *spi,
		 uint8_t spisize, const void *data, size_t dlen)
{
	size_t s = ikeb_begin(bl, PL_NOTIFY);
	buf_u8(&bl->b, proto);
	buf_u8(&bl->b, spisize);
	buf_u16(&bl->b, type);
	if (spisize)
		buf_add(&bl->b, spi, spisize);
	if (dlen)
		buf_add(&bl->b, data, dlen);
	ikeb_end(bl, s);
}

void ikeb_simple(struct ike_builder *bl, uint8_t type, const uint8_t *hdr, size_t hlen,
		 const void *data, size_t dlen)
{
	size_t s = ikeb_begin(bl, type);
	if (hlen)
		buf_add(&bl->b, hdr, hlen);
	if (dlen)
		buf_add(&bl->b, data, dlen);
	ikeb_end(bl, s);
}

void ikeb_proposal(struct ike_builder *bl, const struct ike_proposal *p)
{
	size_t s = ikeb_begin(bl, PL_SA);
	size_t ps = bl->b.len;
	buf_u8(&bl->b, 0);
	buf_u8(&bl->b, 0);
	buf_u16(&bl->b, 0);
	buf_u8(&bl->b, p->num);
	buf_u8(&bl->b, p->proto);
	buf_u8(&bl->b, p->spisize);
	buf_u8(&bl->b, (uint8_t)p->ntrans);
	buf_add(&bl->b, p->spi, p->spisize);
	for (int i = 0; i < p->ntrans; i++) {
		const struct ike_transform *t = &p->t[i];
		buf_u8(&bl->b, i == p->ntrans - 1 ? 0 : 3);
		buf_u8(&bl->b, 0);
		buf_u16(&bl->b, t->keylen ? 12 : 8);
		buf_u8(&bl->b, t->type);
		buf_u8(&bl->b, 0);
		buf_u16(&bl->b, t->id);
		if (t->keylen) {
			buf_u16(&bl->b, 0x8000 | TATTR_KEYLEN);
			buf_u16(&bl->b, t->keylen);
		}
	}
	buf_put16(&bl->b, ps + 2, (uint16_t)(bl->b.len - ps));
	ikeb_end(bl, s);
}

void ikeb_ts(struct ike_builder *bl, uint8_t type, const struct ike_ts *ts, int n)
{
	size_t s = ikeb_begin(bl, type);
	buf_u8(&bl->b, (uint8_t)n);
	buf_u8(&bl->b, 0);
	buf_u16(&bl->b, 0);
	for (int i = 0; i < n; i++) {
		buf_u8(&bl->b, TS_IPV4_ADDR_RANGE);
		buf_u8(&bl->b, ts[i].proto);
		buf_u16(&bl->b, 16);
		buf_u16(&bl->b, ts[i].sport);
		buf_u16(&bl->b, ts[i].eport);
		buf_u32(&bl->b, ts[i].saddr);
		buf_u32(&bl->b, ts[i].eaddr);
	}
	ikeb_end(bl, s);
}
