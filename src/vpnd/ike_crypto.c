/* ike_crypto.c - PRFs, prf+, SKEYSEED and SK_* derivation, and the
 * encrypted payload (AES-CBC/3DES + HMAC, AES-GCM-16).  All crypto is
 * OpenSSL EVP/HMAC; secrets are wiped after use and ICVs compared in
 * constant time. */
#include "ike_crypto.h"
#include "ike.h"
#include "log.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

static const EVP_MD *prf_md(uint16_t prf)
{
	switch (prf) {
	case 2: return EVP_sha1();
	case 5: return EVP_sha256();
	case 6: return EVP_sha384();
	case 7: return EVP_sha512();
	}
	return NULL;
}

size_t prf_len(uint16_t prf)
{
	const EVP_MD *md = prf_md(prf);
	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

static const EVP_MD *integ_md(uint16_t integ)
{
	switch (integ) {
	case 2: return EVP_sha1();
	case 12: return EVP_sha256();
	case 13: return EVP_sha384();
	case 14: return EVP_sha512();
	}
	return NULL;
}

size_t integ_key_len(uint16_t integ)
{
	const EVP_MD *md = integ_md(integ);
	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

size_t integ_icv_len(uint16_t integ)
{
	switch (integ) {
	case 2: return 12;
	case 12: return 16;
	case 13: return 24;
	case 14: return 32;
	}
	return 0;
}

size_t encr_key_len(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case ENCR_3DES: return 24;
	case ENCR_AES_CBC: return (bits == 128 || bits == 256) ? bits / 8 : 0;
	case ENCR_AES_GCM16: return (bits == 128 || bits == 256) ? bits / 8 + 4 : 0;
	}
	return 0;
}

static const EVP_CIPHER *cipher_of(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case ENCR_3DES: return EVP_des_ede3_cbc();
	case ENCR_AES_CBC: return bits == 128 ? EVP_aes_128_cbc() : bits == 256 ? EVP_aes_256_cbc() : NULL;
	case ENCR_AES_GCM16: return bits == 128 ? EVP_aes_128_gcm() : bits == 256 ? EVP_aes_256_gcm() : NULL;
	}
	return NULL;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	    uint8_t *out)
{
	const EVP_MD *md = prf_md(prf);
	unsigned int olen = 0;
	static const uint8_t empty;

	if (!md || klen > 0x7fffffff)
		return -1;
	if (!HMAC(md, key ? key : &empty, (int)klen, data ? data : &empty, dlen, out, &olen))
		return -1;
	return (int)olen;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *seed, size_t slen,
		 uint8_t *out, size_t outlen)
{
	size_t hl = prf_len(prf), done = 0;
	uint8_t t[IKE_MAX_KEY];
	struct buf in;
	int rc = -1;

	buf_init(&in);
	if (!hl || outlen > 255 * hl)
		goto out;
	/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
	for (unsigned n = 1; done < outlen; n++) {
		in.len = 0;
		if (n > 1)
			buf_add(&in, t, hl);
		buf_add(&in, seed, slen);
		buf_u8(&in, (uint8_t)n);
		if (in.err || ike_prf(prf, key, klen, in.p, in.len, t) < 0)
			goto out;
		size_t c = outlen - done < hl ? outlen - done : hl;
		memcpy(out + done, t, c);
		done += c;
	}
	rc = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	buf_free(&in);
	return rc;
}

int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		 const uint8_t *gir, size_t girlen, uint8_t *out)
{
	struct buf k;
	int rc;

	buf_init(&k);
	buf_add(&k, ni, nilen);
	buf_add(&k, nr, nrlen);
	rc = k.err ? -1 : ike_prf(prf, k.p, k.len, gir, girlen, out);
	buf_free(&k);
	return rc < 0 ? -1 : 0;
}

int ike_derive_keys(const struct sa_choice *c, const uint8_t *skeyseed, const uint8_t *ni,
		    size_t nilen, const uint8_t *nr, size_t nrlen, const uint8_t *spi_i,
		    const uint8_t *spi_r, struct ike_keys *k)
{
	struct buf seed;
	uint8_t km[7 * IKE_MAX_KEY];
	size_t off = 0, total;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	buf_init(&seed);
	k->prf = c->prf;
	k->encr = c->encr;
	k->encr_bits = c->encr_keylen;
	k->integ = c->integ;
	k->prf_len = prf_len(c->prf);
	k->integ_len = c->integ ? integ_key_len(c->integ) : 0;
	k->encr_len = encr_key_len(c->encr, c->encr_keylen);
	if (!k->prf_len || !k->encr_len || (c->integ && !k->integ_len) ||
	    (!c->integ && !encr_is_aead(c->encr)))
		goto out;
	total = 3 * k->prf_len + 2 * k->integ_len + 2 * k->encr_len;
	buf_add(&seed, ni, nilen);
	buf_add(&seed, nr, nrlen);
	buf_add(&seed, spi_i, 8);
	buf_add(&seed, spi_r, 8);
	if (seed.err || ike_prf_plus(c->prf, skeyseed, k->prf_len, seed.p, seed.len, km, total) < 0)
		goto out;
#define TAKE(dst, n) do { memcpy(dst, km + off, n); off += n; } while (0)
	TAKE(k->sk_d, k->prf_len);
	TAKE(k->sk_ai, k->integ_len);
	TAKE(k->sk_ar, k->integ_len);
	TAKE(k->sk_ei, k->encr_len);
	TAKE(k->sk_er, k->encr_len);
	TAKE(k->sk_pi, k->prf_len);
	TAKE(k->sk_pr, k->prf_len);
#undef TAKE
	rc = 0;
out:
	OPENSSL_cleanse(km, sizeof(km));
	buf_free(&seed);
	return rc;
}

void ike_keys_wipe(struct ike_keys *k) { OPENSSL_cleanse(k, sizeof(*k)); }

int child_derive_keys(const struct ike_keys *k, const struct sa_choice *esp, const uint8_t *gir,
		      size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		      struct child_keys *ck)
{
	struct buf seed;
	uint8_t km[4 * IKE_MAX_KEY];
	int rc = -1;

	memset(ck, 0, sizeof(*ck));
	buf_init(&seed);
	ck->encr_len = encr_key_len(esp->encr, esp->encr_keylen);
	ck->integ_len = esp->integ ? integ_key_len(esp->integ) : 0;
	if (!ck->encr_len || (esp->integ && !ck->integ_len))
		goto out;
	if (gir)
		buf_add(&seed, gir, girlen);
	buf_add(&seed, ni, nilen);
	buf_add(&seed, nr, nrlen);
	size_t total = 2 * (ck->encr_len + ck->integ_len);
	if (seed.err || ike_prf_plus(k->prf, k->sk_d, k->prf_len, seed.p, seed.len, km, total) < 0)
		goto out;
	size_t off = 0;
	memcpy(ck->ei, km + off, ck->encr_len); off += ck->encr_len;
	memcpy(ck->ai, km + off, ck->integ_len); off += ck->integ_len;
	memcpy(ck->er, km + off, ck->encr_len); off += ck->encr_len;
	memcpy(ck->ar, km + off, ck->integ_len);
	rc = 0;
out:
	OPENSSL_cleanse(km, sizeof(km));
	buf_free(&seed);
	return rc;
}

static int do_cipher(const EVP_CIPHER *ciph, int enc, const uint8_t *key, const uint8_t *iv,
		     const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t inlen,
		     uint8_t *out, uint8_t *tag, size_t taglen)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, rc = -1, aead = aad != NULL;

	if (!ctx || inlen > 0x7fffffff)
		goto out;
	if (!EVP_CipherInit_ex(ctx, ciph, NULL, NULL, NULL, enc))
		goto out;
	if (aead && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL))
		goto out;
	if (!EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc))
		goto out;
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	if (aead && !EVP_CipherUpdate(ctx, NULL, &l1, aad, (int)aadlen))
		goto out;
	if (aead && !enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)taglen, tag))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &l1, in, (int)inlen))
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + l1, &l2) != 1)
		goto out; /* for GCM decrypt: tag mismatch (constant-time in OpenSSL) */
	if (aead && enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)taglen, tag))
		goto out;
	rc = (size_t)(l1 + l2) == inlen ? 0 : -1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int ike_sk_seal(const struct ike_keys *k, int responder, struct buf *out, size_t hdrlen,
		const uint8_t *plain, size_t plen)
{
	const EVP_CIPHER *ciph = cipher_of(k->encr, k->encr_bits);
	const uint8_t *ekey = responder ? k->sk_er : k->sk_ei;
	const uint8_t *akey = responder ? k->sk_ar : k->sk_ai;
	int aead = encr_is_aead(k->encr);
	size_t bs, ivlen, padded, icvlen, total;
	uint8_t *ct = NULL, nonce[12];
	struct buf pt;
	int rc = -1;

	buf_init(&pt);
	if (!ciph || out->err || out->len != hdrlen || hdrlen < IKE_HDR_LEN + 4)
		goto done;
	bs = aead ? 1 : (size_t)EVP_CIPHER_get_block_size(ciph);
	ivlen = aead ? 8 : bs;
	icvlen = aead ? 16 : integ_icv_len(k->integ);
	padded = (plen + 1 + bs - 1) / bs * bs;
	total = hdrlen + ivlen + padded + icvlen;
	if (total > IKE_MAX_MSG || !icvlen)
		goto done;
	/* plaintext | padding | pad length */
	buf_add(&pt, plain, plen);
	uint8_t *pad = buf_grow(&pt, padded - plen);
	if (pt.err || !pad)
		goto done;
	memset(pad, 0, padded - plen);
	pt.p[padded - 1] = (uint8_t)(padded - plen - 1);
	/* lengths first: they are covered by the ICV / AAD */
	put32(out->p + 24, (uint32_t)total);
	put16(out->p + IKE_HDR_LEN + 2, (uint16_t)(total - IKE_HDR_LEN));
	uint8_t *iv = buf_grow(out, ivlen);
	if (out->err || !iv || RAND_bytes(iv, (int)ivlen) != 1)
		goto done;
	size_t ivoff = out->len - ivlen;
	ct = buf_grow(out, padded + icvlen);
	if (out->err || !ct)
		goto done;
	iv = out->p + ivoff;
	if (aead) {
		memcpy(nonce, ekey + k->encr_len - 4, 4);
		memcpy(nonce + 4, iv, 8);
		if (do_cipher(ciph, 1, ekey, nonce, out->p, ivoff, pt.p, padded, ct, ct + padded, 16) < 0)
			goto done;
	} else {
		uint8_t mac[EVP_MAX_MD_SIZE];
		unsigned int mlen = 0;
		if (do_cipher(ciph, 1, ekey, iv, NULL, 0, pt.p, padded, ct, NULL, 0) < 0)
			goto done;
		if (!HMAC(integ_md(k->integ), akey, (int)k->integ_len, out->p, total - icvlen, mac, &mlen))
			goto done;
		memcpy(ct + padded, mac, icvlen);
	}
	rc = 0;
done:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	buf_free(&pt);
	return rc;
}

int ike_sk_open(const struct ike_keys *k, int from_initiator, const uint8_t *msg, size_t msglen,
		size_t off, struct buf *plain)
{
	const EVP_CIPHER *ciph = cipher_of(k->encr, k->encr_bits);
	const uint8_t *ekey = from_initiator ? k->sk_ei : k->sk_er;
	const uint8_t *akey = from_initiator ? k->sk_ai : k->sk_ar;
	int aead = encr_is_aead(k->encr);
	size_t bs, ivlen, icvlen, ctlen;
	uint8_t nonce[12];
	int rc = -1;

	if (!ciph || off > msglen)
		return -1;
	bs = aead ? 1 : (size_t)EVP_CIPHER_get_block_size(ciph);
	ivlen = aead ? 8 : bs;
	icvlen = aead ? 16 : integ_icv_len(k->integ);
	if (!icvlen || msglen - off < ivlen + icvlen + 1)
		return -1;
	ctlen = msglen - off - ivlen - icvlen;
	if (ctlen % bs)
		return -1;
	const uint8_t *iv = msg + off, *ct = iv + ivlen, *icv = msg + msglen - icvlen;
	plain->len = 0;
	uint8_t *pt = buf_grow(plain, ctlen);
	if (plain->err || !pt)
		return -1;
	if (aead) {
		uint8_t tag[16];
		memcpy(tag, icv, 16);
		memcpy(nonce, ekey + k->encr_len - 4, 4);
		memcpy(nonce + 4, iv, 8);
		if (do_cipher(ciph, 0, ekey, nonce, msg, off, ct, ctlen, pt, tag, 16) < 0)
			goto out;
	} else {
		uint8_t mac[EVP_MAX_MD_SIZE];
		unsigned int mlen = 0;
		if (!HMAC(integ_md(k->integ), akey, (int)k->integ_len, msg, msglen - icvlen, mac, &mlen))
			goto out;
		if (CRYPTO_memcmp(mac, icv, icvlen) != 0)
			goto out;
		if (do_cipher(ciph, 0, ekey, iv, NULL, 0, ct, ctlen, pt, NULL, 0) < 0)
			goto out;
	}
	uint8_t padlen = pt[ctlen - 1];
	if ((size_t)padlen + 1 > ctlen)
		goto out;
	plain->len = ctlen - padlen - 1;
	rc = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}
