/* auth.c - X.509 certificate authentication with OpenSSL.  Verifies the
 * client's chain against our CA with the CRL enforced, matches the
 * client's ID against its certificate, and signs/verifies AUTH payloads
 * (RSA PKCS#1 v1.5, ECDSA, RFC 7427 digital signatures). */
#include "auth.h"
#include "ike.h"
#include "log.h"
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static int read_server_id(const struct vpnd_config *c, char *out, size_t outlen)
{
	if (c->server_id[0]) {
		snprintf(out, outlen, "%s", c->server_id);
		return 0;
	}
	FILE *f = fopen(c->server_id_file, "r");
	if (!f)
		return -1;
	char line[256] = "";
	int ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n \t")] = 0;
	if (!ok || !line[0])
		return -1;
	snprintf(out, outlen, "%s", line);
	return 0;
}

int auth_load(struct auth_ctx *a, const struct vpnd_config *c)
{
	BIO *bio = NULL;
	X509 *ca = NULL, *x;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (read_server_id(c, a->server_id, sizeof(a->server_id)) < 0) {
		LOGE("cannot read the server identity from %s", c->server_id_file);
		goto out;
	}
	bio = BIO_new_file(c->cert, "r");
	if (!bio || !(a->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		LOGE("cannot read certificate %s", c->cert);
		goto out;
	}
	a->chain = sk_X509_new_null();
	while (a->chain && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(a->chain, x);
	ERR_clear_error();
	BIO_free(bio);
	bio = BIO_new_file(c->key, "r");
	if (!bio || !(a->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL))) {
		LOGE("cannot read private key %s", c->key);
		goto out;
	}
	if (X509_check_private_key(a->cert, a->key) != 1) {
		LOGE("%s does not match %s", c->key, c->cert);
		goto out;
	}
	BIO_free(bio);
	bio = BIO_new_file(c->ca, "r");
	if (!bio || !(ca = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		LOGE("cannot read CA certificate %s", c->ca);
		goto out;
	}
	a->store = X509_STORE_new();
	if (!a->store || X509_STORE_add_cert(a->store, ca) != 1)
		goto out;
	BIO_free(bio);
	bio = BIO_new_file(c->crl, "r");
	if (!bio || !(a->crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) ||
	    X509_CRL_verify(a->crl, X509_get0_pubkey(ca)) != 1) {
		/* Without a valid CRL every client is refused (fail closed), but
		 * the daemon still starts so the admin sees why in the log. */
		LOGW("cannot load a CRL signed by our CA from %s: client certificates will be refused", c->crl);
		X509_CRL_free(a->crl);
		a->crl = NULL;
		ERR_clear_error();
	}
	{
		unsigned char *der = NULL;
		int l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &der);
		if (l <= 0)
			goto out;
		SHA1(der, (size_t)l, a->ca_keyid);
		OPENSSL_free(der);
	}
	a->ca = ca;
	ca = NULL;
	rc = 0;
out:
	X509_free(ca);
	BIO_free(bio);
	if (rc < 0)
		auth_free(a);
	return rc;
}

void auth_free(struct auth_ctx *a)
{
	X509_STORE_free(a->store);
	X509_free(a->ca);
	X509_CRL_free(a->crl);
	X509_free(a->cert);
	sk_X509_pop_free(a->chain, X509_free);
	EVP_PKEY_free(a->key);
	memset(a, 0, sizeof(*a));
}

int auth_our_id(const struct auth_ctx *a, struct buf *out)
{
	struct in_addr ip;
	uint8_t hdr[4] = { ID_FQDN, 0, 0, 0 };

	if (inet_pton(AF_INET, a->server_id, &ip) == 1) {
		hdr[0] = ID_IPV4;
		buf_add(out, hdr, 4);
		buf_add(out, &ip, 4);
	} else {
		if (strchr(a->server_id, '@'))
			hdr[0] = ID_RFC822;
		buf_add(out, hdr, 4);
		buf_add(out, a->server_id, strlen(a->server_id));
	}
	return out->err ? -1 : 0;
}

static const EVP_MD *hash_md(int h)
{
	switch (h) {
	case HASH_SHA1: return EVP_sha1();
	case HASH_SHA256: return EVP_sha256();
	case HASH_SHA384: return EVP_sha384();
	case HASH_SHA512: return EVP_sha512();
	}
	return NULL;
}

static int ec_bits(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC ? EVP_PKEY_get_bits(k) : 0;
}

static int digest_sign(EVP_PKEY *key, const EVP_MD *md, const uint8_t *d, size_t dl, struct buf *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t sl = 0;
	int rc = -1;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &sl, d, dl) != 1)
		goto out;
	uint8_t *p = buf_grow(sig, sl);
	if (sig->err || !p || EVP_DigestSign(ctx, p, &sl, d, dl) != 1)
		goto out;
	sig->len = (size_t)(p - sig->p) + sl;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* DER ECDSA-Sig-Value <-> r|s of fixed width (RFC 4754 encoding) */
static int ecdsa_der_to_raw(const uint8_t *der, size_t len, size_t half, struct buf *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	int rc = -1;
	if (!s)
		return -1;
	uint8_t *q = buf_grow(out, 2 * half);
	if (!out->err && q && BN_bn2binpad(ECDSA_SIG_get0_r(s), q, (int)half) == (int)half &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), q + half, (int)half) == (int)half)
		rc = 0;
	ECDSA_SIG_free(s);
	return rc;
}

static int ecdsa_raw_to_der(const uint8_t *raw, size_t len, struct buf *out)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL), *ss = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	unsigned char *der = NULL;
	int rc = -1, l;

	if (!s || !r || !ss || len % 2 || !ECDSA_SIG_set0(s, r, ss)) {
		BN_free(r);
		BN_free(ss);
		goto out;
	}
	if ((l = i2d_ECDSA_SIG(s, &der)) > 0) {
		buf_add(out, der, (size_t)l);
		rc = out->err ? -1 : 0;
	}
	OPENSSL_free(der);
out:
	ECDSA_SIG_free(s);
	return rc;
}

static int algid_der(int sig_nid, int null_param, struct buf *out)
{
	X509_ALGOR *alg = X509_ALGOR_new();
	unsigned char *der = NULL;
	int l = -1;

	if (alg && X509_ALGOR_set0(alg, OBJ_nid2obj(sig_nid), null_param ? V_ASN1_NULL : V_ASN1_UNDEF, NULL))
		l = i2d_X509_ALGOR(alg, &der);
	if (l > 0 && l < 256) {
		buf_u8(out, (uint8_t)l);
		buf_add(out, der, (size_t)l);
	}
	OPENSSL_free(der);
	X509_ALGOR_free(alg);
	return l > 0 && l < 256 && !out->err ? 0 : -1;
}

int auth_sign(EVP_PKEY *key, unsigned hashes, const uint8_t *octets, size_t olen,
	      uint8_t *method, struct buf *out)
{
	int is_rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
	int bits = ec_bits(key);
	struct buf der;
	int rc = -1;

	buf_init(&der);
	if (!is_rsa && !bits)
		goto fail;
	if (hashes) {
		/* RFC 7427: pick the hash matching our key, else one the peer has */
		int h = bits > 256 ? HASH_SHA384 : HASH_SHA256;
		if (bits > 384)
			h = HASH_SHA512;
		if (!(hashes & (1u << h))) {
			static const int pref[] = { HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_SHA1 };
			h = 0;
			for (int i = 0; i < 4 && !h; i++)
				if (hashes & (1u << pref[i]))
					h = pref[i];
		}
		if (!h)
			goto legacy;
		static const int rsa_nid[] = { 0, NID_sha1WithRSAEncryption, NID_sha256WithRSAEncryption,
					       NID_sha384WithRSAEncryption, NID_sha512WithRSAEncryption };
		static const int ec_nid[] = { 0, NID_ecdsa_with_SHA1, NID_ecdsa_with_SHA256,
					      NID_ecdsa_with_SHA384, NID_ecdsa_with_SHA512 };
		if (algid_der(is_rsa ? rsa_nid[h] : ec_nid[h], is_rsa, out) < 0 ||
		    digest_sign(key, hash_md(h), octets, olen, out) < 0)
			goto fail;
		*method = AUTH_DIGSIG;
		rc = 0;
		goto fail;
	}
legacy:
	if (is_rsa) {
		*method = AUTH_RSA;
		rc = digest_sign(key, EVP_sha1(), octets, olen, out);
	} else {
		const EVP_MD *md = bits <= 256 ? EVP_sha256() : bits <= 384 ? EVP_sha384() : EVP_sha512();
		size_t half = bits <= 256 ? 32 : bits <= 384 ? 48 : 66;
		*method = bits <= 256 ? AUTH_ECDSA256 : bits <= 384 ? AUTH_ECDSA384 : AUTH_ECDSA521;
		rc = digest_sign(key, md, octets, olen, &der) < 0 ? -1 :
		     ecdsa_der_to_raw(der.p, der.len, half, out);
	}
fail:
	buf_free(&der);
	return rc;
}

static int digest_verify(EVP_PKEY *pub, const EVP_MD *md, const uint8_t *sig, size_t slen,
			 const uint8_t *d, size_t dl)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, slen, d, dl) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *sig, size_t slen,
		const uint8_t *octets, size_t olen)
{
	int is_rsa = EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA;
	int bits = ec_bits(pub);
	struct buf der;
	int rc = -1;

	buf_init(&der);
	switch (method) {
	case AUTH_RSA:
		if (is_rsa)
			rc = digest_verify(pub, EVP_sha1(), sig, slen, octets, olen);
		break;
	case AUTH_ECDSA256: case AUTH_ECDSA384: case AUTH_ECDSA521: {
		int want = method == AUTH_ECDSA256 ? 256 : method == AUTH_ECDSA384 ? 384 : 521;
		const EVP_MD *md = want == 256 ? EVP_sha256() : want == 384 ? EVP_sha384() : EVP_sha512();
		size_t half = want == 256 ? 32 : want == 384 ? 48 : 66;
		if (bits == want && slen == 2 * half && ecdsa_raw_to_der(sig, slen, &der) == 0)
			rc = digest_verify(pub, md, der.p, der.len, octets, olen);
		break;
	}
	case AUTH_DIGSIG: {
		if (slen < 1 || (size_t)sig[0] + 1 > slen)
			break;
		const unsigned char *p = sig + 1;
		X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, sig[0]);
		if (!alg || p != sig + 1 + sig[0]) {
			X509_ALGOR_free(alg);
			break;
		}
		const ASN1_OBJECT *obj;
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		int md_nid = 0, pk_nid = 0;
		int ok = OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md_nid, &pk_nid);
		X509_ALGOR_free(alg);
		const EVP_MD *md = ok ? EVP_get_digestbynid(md_nid) : NULL;
		if (!md)
			break;
		if ((pk_nid == NID_rsaEncryption && is_rsa) ||
		    (pk_nid == NID_X9_62_id_ecPublicKey && bits))
			rc = digest_verify(pub, md, sig + 1 + sig[0], slen - 1 - sig[0], octets, olen);
		break;
	}
	}
	buf_free(&der);
	return rc;
}

/* CRL status of one certificate our CA issued: 0 good, else the reason. */
static int crl_check(const struct auth_ctx *a, X509 *x, const char **reason, char *detail, size_t dlen)
{
	X509_REVOKED *rev = NULL;

	if (!a->crl) {
		*reason = "bad_certificate";
		snprintf(detail, dlen, "no CRL loaded");
		return -1;
	}
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(a->crl);
	if (next && X509_cmp_current_time(next) < 0) {
		*reason = "bad_certificate";
		snprintf(detail, dlen, "CRL has expired");
		return -1;
	}
	if (X509_CRL_get0_by_cert(a->crl, &rev, x) == 1) {
		*reason = "revoked";
		snprintf(detail, dlen, "certificate revoked");
		return -1;
	}
	return 0;
}

int auth_verify_chain(const struct auth_ctx *a, X509 *leaf, STACK_OF(X509) *untrusted,
		      const char **reason, char *detail, size_t dlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;

	*reason = "bad_certificate";
	if (!ctx || X509_STORE_CTX_init(ctx, a->store, leaf, untrusted) != 1)
		goto out;
	if (X509_verify_cert(ctx) == 1) {
		/* OpenSSL's own CRL check would want a CRL from every issuer in
		 * the chain; we hold our CA's.  So every certificate our CA
		 * signed (the client's, or the first intermediate) is checked
		 * against it here. */
		STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
		int n = chain ? sk_X509_num(chain) : 0;
		rc = 0;
		for (int i = 0; i + 1 < n && rc == 0; i++) {
			X509 *x = sk_X509_value(chain, i);
			if (X509_check_issued(a->ca, x) == X509_V_OK && crl_check(a, x, reason, detail, dlen) < 0)
				rc = -1;
		}
		goto out;
	}
	int err = X509_STORE_CTX_get_error(ctx);
	switch (err) {
	case X509_V_ERR_CERT_REVOKED: *reason = "revoked"; break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: *reason = "unknown_ca"; break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID: *reason = "expired"; break;
	default: *reason = "bad_certificate"; break;
	}
	snprintf(detail, dlen, "%s", X509_verify_cert_error_string(err));
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int auth_check_id(X509 *leaf, uint8_t idtype, const uint8_t *id, size_t idlen)
{
	char s[256];

	switch (idtype) {
	case ID_FQDN:
	case ID_RFC822:
		if (idlen >= sizeof(s) || memchr(id, 0, idlen))
			return -1;
		memcpy(s, id, idlen);
		s[idlen] = 0;
		if (idtype == ID_FQDN)
			return X509_check_host(leaf, s, idlen, X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1 ? 0 : -1;
		return X509_check_email(leaf, s, idlen, 0) == 1 ? 0 : -1;
	case ID_IPV4:
		return idlen == 4 && X509_check_ip(leaf, id, 4, 0) == 1 ? 0 : -1;
	case ID_DER_DN: {
		const unsigned char *p = id;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)idlen);
		int rc = n && p == id + idlen && X509_NAME_cmp(n, X509_get_subject_name(leaf)) == 0 ? 0 : -1;
		X509_NAME_free(n);
		return rc;
	}
	}
	return -1;
}

void auth_id_string(uint8_t type, const uint8_t *d, size_t len, char *out, size_t outlen)
{
	if (type == ID_IPV4 && len == 4) {
		inet_ntop(AF_INET, d, out, (socklen_t)outlen);
	} else if (type == ID_DER_DN) {
		const unsigned char *p = d;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
		BIO *b = BIO_new(BIO_s_mem());
		snprintf(out, outlen, "-");
		if (n && b && X509_NAME_print_ex(b, n, 0, XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253) >= 0) {
			int l = BIO_read(b, out, (int)outlen - 1);
			out[l > 0 ? l : 0] = 0;
		}
		BIO_free(b);
		X509_NAME_free(n);
	} else {
		size_t l = len < outlen - 1 ? len : outlen - 1;
		for (size_t i = 0; i < l; i++)
			out[i] = (d[i] < 0x20 || d[i] >= 0x7f) ? '?' : (char)d[i];
		out[l] = 0;
	}
}

void auth_serial_string(X509 *x, char *out, size_t outlen)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(out, outlen, "%s", hex ? hex : "-");
	OPENSSL_free(hex);
	BN_free(bn);
}
