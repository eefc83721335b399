/* dh.c - Diffie-Hellman for IKE via EVP.  Peer public values are checked
 * here per RFC 6989 (MODP: 1 < y < p-1; ECP: point on the curve; X25519:
 * non-zero shared secret), so OpenSSL's own (for MODP: expensive, full
 * subgroup) check is skipped with EVP_PKEY_derive_set_peer_ex(..., 0). */
#include "dh.h"
#include "log.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

struct dh {
	uint16_t group;
	EVP_PKEY *key;
};

enum { K_MODP, K_ECP, K_X25519 };
static int group_kind(uint16_t g, size_t *len, int *nid)
{
	*nid = 0;
	switch (g) {
	case 2: *len = 128; return K_MODP;
	case 14: *len = 256; return K_MODP;
	case 15: *len = 384; return K_MODP;
	case 16: *len = 512; return K_MODP;
	case 19: *len = 64; *nid = NID_X9_62_prime256v1; return K_ECP;
	case 20: *len = 96; *nid = NID_secp384r1; return K_ECP;
	case 31: *len = 32; return K_X25519;
	}
	return -1;
}

int dh_supported(uint16_t group) { size_t l; int n; return group_kind(group, &l, &n) >= 0; }
size_t dh_public_len(uint16_t group) { size_t l = 0; int n; return group_kind(group, &l, &n) >= 0 ? l : 0; }

/* The RFC 2409 / RFC 3526 primes; generator 2 for all of them. */
static BIGNUM *modp_prime(uint16_t g)
{
	switch (g) {
	case 2: return BN_get_rfc2409_prime_1024(NULL);
	case 14: return BN_get_rfc3526_prime_2048(NULL);
	case 15: return BN_get_rfc3526_prime_3072(NULL);
	case 16: return BN_get_rfc3526_prime_4096(NULL);
	}
	return NULL;
}

static EVP_PKEY *modp_params(uint16_t g)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = modp_prime(g), *gen = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (!bld || !p || !gen || !BN_set_word(gen, 2))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEY_PARAMETERS, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(gen);
	return pk;
}

struct dh *dh_new(uint16_t group)
{
	size_t len;
	int nid, kind = group_kind(group, &len, &nid);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *params = NULL;
	struct dh *d = NULL;

	if (kind < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->group = group;
	if (kind == K_MODP) {
		params = modp_params(group);
		ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL) : NULL;
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0)
			goto fail;
	} else if (kind == K_ECP) {
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
		    EVP_PKEY_CTX_set_group_name(ctx, OBJ_nid2sn(nid)) <= 0)
			goto fail;
	} else {
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0)
			goto fail;
	}
	if (EVP_PKEY_keygen(ctx, &d->key) <= 0)
		goto fail;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return d;
fail:
	LOGE("key generation for group %u failed", group);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	dh_free(d);
	return NULL;
}

void dh_free(struct dh *d)
{
	if (!d)
		return;
	EVP_PKEY_free(d->key); /* OpenSSL clears private key material on free */
	free(d);
}

static int bn_out(const BIGNUM *bn, uint8_t *out, size_t len)
{
	return BN_bn2binpad(bn, out, (int)len) == (int)len ? 0 : -1;
}

int dh_public(struct dh *d, uint8_t *out, size_t outlen)
{
	size_t len;
	int nid, kind = group_kind(d->group, &len, &nid), rc = -1;
	BIGNUM *y = NULL;

	if (outlen < len)
		return -1;
	if (kind == K_MODP) {
		if (EVP_PKEY_get_bn_param(d->key, OSSL_PKEY_PARAM_PUB_KEY, &y) > 0)
			rc = bn_out(y, out, len);
		BN_free(y);
	} else if (kind == K_ECP) {
		uint8_t pt[1 + 2 * 66];
		size_t plen = 0;
		if (EVP_PKEY_get_octet_string_param(d->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						    sizeof(pt), &plen) > 0 &&
		    plen == len + 1 && pt[0] == 4) {
			/* IKE carries x | y without the 0x04 point-format byte (RFC 5903) */
			memcpy(out, pt + 1, len);
			rc = 0;
		}
	} else {
		size_t l = len;
		if (EVP_PKEY_get_raw_public_key(d->key, out, &l) > 0 && l == len)
			rc = 0;
	}
	return rc;
}

int dh_check_peer(uint16_t group, const uint8_t *peer, size_t plen)
{
	size_t len;
	int nid, kind = group_kind(group, &len, &nid), rc = -1;

	if (kind < 0 || plen != len)
		return -1;
	if (kind == K_MODP) {
		BIGNUM *p = modp_prime(group), *y = BN_bin2bn(peer, (int)plen, NULL);
		BIGNUM *pm1 = BN_dup(p);
		if (p && y && pm1 && BN_sub_word(pm1, 1) && BN_cmp(y, BN_value_one()) > 0 &&
		    BN_cmp(y, pm1) < 0)
			rc = 0;
		BN_free(p);
		BN_free(y);
		BN_free(pm1);
	} else if (kind == K_ECP) {
		EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
		EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
		uint8_t enc[1 + 2 * 66];
		enc[0] = 4;
		memcpy(enc + 1, peer, plen);
		if (pt && EC_POINT_oct2point(g, pt, enc, plen + 1, NULL) == 1 &&
		    EC_POINT_is_on_curve(g, pt, NULL) == 1 && !EC_POINT_is_at_infinity(g, pt))
			rc = 0;
		EC_POINT_free(pt);
		EC_GROUP_free(g);
	} else {
		rc = 0; /* any 32 bytes are a valid X25519 input; zero secret checked later */
	}
	return rc;
}

static EVP_PKEY *peer_key(struct dh *d, int kind, int nid, const uint8_t *peer, size_t plen)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *y = NULL;

	if (kind == K_X25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, plen);
	if (kind == K_MODP) {
		/* peer key = the group's parameters + their public value.  The
		 * builder keeps pointers to the BIGNUMs until to_param(). */
		y = BN_bin2bn(peer, (int)plen, NULL);
		bld = OSSL_PARAM_BLD_new();
		BIGNUM *p = modp_prime(d->group), *g = BN_new();
		int ok = y && bld && p && g && BN_set_word(g, 2) &&
			 OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
			 OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) &&
			 OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) &&
			 (params = OSSL_PARAM_BLD_to_param(bld)) != NULL;
		BN_free(p);
		BN_free(g);
		if (!ok)
			goto fail;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	} else {
		uint8_t enc[1 + 2 * 66];
		enc[0] = 4;
		memcpy(enc + 1, peer, plen);
		bld = OSSL_PARAM_BLD_new();
		if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
							      OBJ_nid2sn(nid), 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, plen + 1) ||
		    !(params = OSSL_PARAM_BLD_to_param(bld)))
			goto fail;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	}
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
fail:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return pk;
}

int dh_derive(struct dh *d, const uint8_t *peer, size_t plen, uint8_t *secret, size_t *slen)
{
	size_t len;
	int nid, kind = group_kind(d->group, &len, &nid), rc = -1;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (kind < 0 || dh_check_peer(d->group, peer, plen) < 0) {
		LOGD("invalid peer public value for group %u", d->group);
		return -1;
	}
	pk = peer_key(d, kind, nid, peer, plen);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, d->key, NULL);
	if (!pk || !ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (kind == K_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out; /* g^ir is as long as p (RFC 7296 2.14) */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) <= 0)
		goto out;
	size_t out = kind == K_ECP ? len / 2 : len;
	if (*slen < out || EVP_PKEY_derive(ctx, secret, &out) <= 0)
		goto out;
	*slen = out;
	if (kind == K_X25519) {
		uint8_t acc = 0;
		for (size_t i = 0; i < out; i++)
			acc |= secret[i];
		if (!acc)
			goto out; /* low-order point (RFC 8031 2.3) */
	}
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}
