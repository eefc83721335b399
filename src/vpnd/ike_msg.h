/* ike_msg.h - IKEv2 message parsing and building.  Every length is checked
 * before anything is read; parse functions return 0 or -1 and never trust
 * a length field. */
#ifndef VPND_IKE_MSG_H
#define VPND_IKE_MSG_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "ike.h"

#define IKE_MAX_PAYLOADS 48
#define IKE_MAX_PROPOSALS 32
#define IKE_MAX_TRANSFORMS 64
#define IKE_MAX_TS 16
#define IKE_MAX_CP_ATTRS 32

struct ike_hdr {
	uint8_t spi_i[8], spi_r[8];
	uint8_t np, version, exch, flags;
	uint32_t msgid, length;
};

struct ike_payload {
	uint8_t type, critical, np;  /* np: for SK/SKF the inner first payload */
	const uint8_t *body;
	size_t len;
};

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw;
	size_t rawlen;
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	int npl;
	uint8_t bad_critical; /* type of an unknown critical payload, 0 if none */
	uint8_t bad_major;    /* version byte of a higher-major IKE_SA_INIT request, see ike_parse */
};

struct ike_transform { uint8_t type; uint16_t id; uint16_t keylen; };
struct ike_proposal {
	uint8_t num, proto, spisize;
	uint8_t spi[8];
	int ntrans;
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

struct ike_notify {
	uint8_t proto, spisize;
	uint16_t type;
	const uint8_t *spi, *data;
	size_t datalen;
};

struct ike_ts {
	uint8_t type, proto;
	uint16_t sport, eport;
	uint32_t saddr, eaddr; /* host byte order, IPv4 only */
};

struct ike_cp_attr { uint16_t type; const uint8_t *val; uint16_t len; };

int ike_parse_header(const uint8_t *p, size_t len, struct ike_hdr *h);
/* Parse a payload chain starting with type 'first' in p[0..len). */
int ike_parse_chain(uint8_t first, const uint8_t *p, size_t len, struct ike_msg *m);
/* Header + outer chain + structural validation of every known payload.
 * One exception: an IKE_SA_INIT request with a higher major version is
 * returned as its header alone (no payloads) with bad_major set, so the
 * responder can answer INVALID_MAJOR_VERSION (RFC 7296 2.5); every other
 * message with a foreign version is refused. */
int ike_parse(const uint8_t *p, size_t len, struct ike_msg *m);
int ike_validate_payloads(const struct ike_msg *m);
const struct ike_payload *ike_find(const struct ike_msg *m, uint8_t type);
/* How many payloads of a type the message has (duplicates are a syntax
 * error where RFC 7296 allows one). */
int ike_count(const struct ike_msg *m, uint8_t type);

int ike_parse_sa(const uint8_t *p, size_t len, struct ike_proposal *props, int max, int *n);
int ike_parse_ke(const uint8_t *p, size_t len, uint16_t *group, const uint8_t **data, size_t *dlen);
int ike_parse_id(const uint8_t *p, size_t len, uint8_t *type, const uint8_t **data, size_t *dlen);
int ike_parse_auth(const uint8_t *p, size_t len, uint8_t *method, const uint8_t **data, size_t *dlen);
int ike_parse_cert(const uint8_t *p, size_t len, uint8_t *enc, const uint8_t **data, size_t *dlen);
int ike_parse_notify(const uint8_t *p, size_t len, struct ike_notify *n);
int ike_parse_delete(const uint8_t *p, size_t len, uint8_t *proto, uint8_t *spisize,
		     uint16_t *num, const uint8_t **spis);
int ike_parse_ts(const uint8_t *p, size_t len, struct ike_ts *ts, int max, int *n);
int ike_parse_cp(const uint8_t *p, size_t len, uint8_t *cftype, struct ike_cp_attr *a, int max, int *n);
int ike_parse_skf(const uint8_t *p, size_t len, uint16_t *num, uint16_t *total);
/* Find a notify of the given type among the payloads; 0 if found. */
int ike_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *out);

/* Builder: payloads chain their next-payload fields automatically. */
struct ike_builder {
	struct buf b;
	size_t np_off;     /* offset of the byte to receive the next payload type */
	int have_np;       /* 0: the next type goes into first_np */
	uint8_t first_np;
};
void ikeb_init(struct ike_builder *bl);          /* bare chain (SK contents) */
void ikeb_header(struct ike_builder *bl, const uint8_t *spi_i, const uint8_t *spi_r,
		 uint8_t exch, uint8_t flags, uint32_t msgid);
size_t ikeb_begin(struct ike_builder *bl, uint8_t type);
void ikeb_end(struct ike_builder *bl, size_t start);
void ikeb_finish(struct ike_builder *bl); /* patch the header length */
void ikeb_free(struct ike_builder *bl);
void ikeb_notify(struct ike_builder *bl, uint8_t proto, uint16_t type, const uint8_t *spi,
		 uint8_t spisize, const void *data, size_t dlen);
void ikeb_simple(struct ike_builder *bl, uint8_t type, const uint8_t *hdr4, size_t hlen,
		 const void *data, size_t dlen);
void ikeb_proposal(struct ike_builder *bl, const struct ike_proposal *p); /* one-proposal SA */
void ikeb_ts(struct ike_builder *bl, uint8_t type, const struct ike_ts *ts, int n);
#endif
