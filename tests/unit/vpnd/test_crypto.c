/* Crypto tests: RFC 4868 PRF vectors, prf+ / key derivation known answers,
 * SK payload round trips with tamper detection, DH agreement and RFC 6989
 * peer value validation. */
#include "tap.h"
#include "../../../src/vpnd/dh.h"
#include "../../../src/vpnd/ike_crypto.h"
#include "../../../src/vpnd/ike_msg.h"
#include <openssl/bn.h>
#include <stdlib.h>
#include <string.h>

/* Known answers computed with python3's hmac/hashlib (see the comments in
 * test_prf_plus and test_keys for the exact computation). */
#define PRFPLUS_KAT "a2392e429a99b173341b368bb5ce320bfd483d89567c14ec187c2d77e3c0a208ba45d21d42611712"
#define SKEYSEED_KAT "3b6637a51ce8223011083e7e91a26f858c0b1b1b3e50b1c1dd35abe283961f63"
#define SKD_KAT "809bc6ebc7e173f7ce4aa143b0c4de2165a22f8df33ee4ed10a69925e17b9545"
#define SKER_KAT "704e6566a50ecc84a86d58114065efea913caebc216a752c584ce53a0cfe7831275557f9"
#define SKPR_KAT "0887735689d6310b9a26b8f699d844acf0a2305c68f763cb2104610ff8d3a6ba"
#define CHILD_AR_KAT "3670b2689dee06c332041824b920123e70a493ceca0078e5b3fb9dc01f278cae"

void test_crypto(void);

static int unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = strlen(h) / 2;
	if (n > max)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

static int eqhex(const uint8_t *d, size_t len, const char *hex)
{
	uint8_t e[512];
	int n = unhex(hex, e, sizeof(e));
	return n == (int)len && memcmp(d, e, len) == 0;
}

static void test_prf_vectors(void)
{
	/* RFC 4868 section 2.7.1, test case 1 ("Hi There"), keys of the
	 * PRF's own output length filled with 0x0b. */
	static const struct { uint16_t prf; size_t klen; const char *out; } v[] = {
		{ 5, 32, "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
		{ 6, 48, "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc"
			 "4c5df61d5b3297b4fb68dab9f1b582c2" },
		{ 7, 64, "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"
			 "ac2878ebd5803f6f0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b" },
	};
	uint8_t key[64], out[64];
	memset(key, 0x0b, sizeof(key));
	for (size_t i = 0; i < 3; i++) {
		int n = ike_prf(v[i].prf, key, v[i].klen, (const uint8_t *)"Hi There", 8, out);
		OK(n > 0 && eqhex(out, (size_t)n, v[i].out), "RFC 4868 PRF test case 1, prf id %u", v[i].prf);
	}
	/* RFC 2202 test case 1 for HMAC-SHA1 (20-byte 0x0b key) */
	int n = ike_prf(2, key, 20, (const uint8_t *)"Hi There", 8, out);
	OK(n == 20 && eqhex(out, 20, "b617318655057264e28bc0b6fb378c8ef146be00"), "RFC 2202 HMAC-SHA1 test case 1");
	OK(ike_prf(99, key, 20, key, 1, out) < 0, "unknown PRF refused");
}

static void test_prf_plus(void)
{
	/* prf+ per RFC 7296 2.13: T1 = prf(K, S|0x01), T2 = prf(K, T1|S|0x02).
	 * Known answer: K = "key", S = "seed", PRF HMAC-SHA256, 40 bytes.
	 * Obtained independently of vpnd and OpenSSL's HMAC() one-shot with
	 * python3's hmac module:
	 *   t1 = hmac.new(b"key", b"seed\x01", sha256).digest()
	 *   t2 = hmac.new(b"key", t1 + b"seed\x02", sha256).digest()
	 *   (t1 + t2)[:40].hex() */
	uint8_t out[40];
	int r = ike_prf_plus(5, (const uint8_t *)"key", 3, (const uint8_t *)"seed", 4, out, 40);
	OK(r == 0 && eqhex(out, 40, PRFPLUS_KAT), "prf+ HMAC-SHA256 known answer (2 blocks, truncated)");
	uint8_t big[256 * 32];
	OK(ike_prf_plus(5, (const uint8_t *)"k", 1, (const uint8_t *)"s", 1, big, 255 * 32 + 1) < 0,
	   "prf+ refuses more than 255 blocks");
}

static void test_keys(void)
{
	/* SKEYSEED and SK_* for a GCM proposal: lengths and order per RFC 7296
	 * 2.14 (no SK_a for AEAD, 4-byte salt appended to SK_e).  Known answer
	 * from the same independent python3 computation:
	 *   skeyseed = hmac(Ni|Nr, g^ir, sha256); km = prf+(skeyseed, Ni|Nr|SPIi|SPIr)
	 * with Ni = 0x01*16, Nr = 0x02*16, g^ir = 0x03*32, SPIi = 0x04*8, SPIr = 0x05*8. */
	uint8_t ni[16], nr[16], gir[32], si[8], sr[8], seed[64];
	struct sa_choice c = { .proto = PROTO_IKE, .encr = ENCR_AES_GCM16, .encr_keylen = 256, .prf = 5, .dh = 19 };
	struct ike_keys k;
	memset(ni, 1, 16); memset(nr, 2, 16); memset(gir, 3, 32); memset(si, 4, 8); memset(sr, 5, 8);
	OK(ike_skeyseed(5, ni, 16, nr, 16, gir, 32, seed) == 0 && eqhex(seed, 32, SKEYSEED_KAT), "SKEYSEED known answer");
	OK(ike_derive_keys(&c, seed, ni, 16, nr, 16, si, sr, &k) == 0, "derive SK_* for aes256gcm16-prfsha256");
	OK(k.encr_len == 36 && k.integ_len == 0 && k.prf_len == 32, "GCM key lengths (32+4 salt, no integ)");
	OK(eqhex(k.sk_d, 32, SKD_KAT), "SK_d known answer");
	OK(eqhex(k.sk_er, 36, SKER_KAT), "SK_er known answer (after SK_d, SK_ei)");
	OK(eqhex(k.sk_pr, 32, SKPR_KAT), "SK_pr known answer (last)");
	struct child_keys ck;
	struct sa_choice esp = { .proto = PROTO_ESP, .encr = ENCR_AES_CBC, .encr_keylen = 128, .integ = 12 };
	OK(child_derive_keys(&k, &esp, NULL, 0, ni, 16, nr, 16, &ck) == 0 && ck.encr_len == 16 && ck.integ_len == 32,
	   "child keys for aes128-sha256");
	OK(eqhex(ck.ar, 32, CHILD_AR_KAT), "child KEYMAT known answer (r->i integrity key, last)");
	ike_keys_wipe(&k);
}

static void test_sk(void)
{
	static const struct { uint16_t encr, bits, integ; const char *name; } cs[] = {
		{ ENCR_AES_CBC, 128, 2, "aes128-sha1" }, { ENCR_AES_CBC, 256, 12, "aes256-sha256" },
		{ ENCR_AES_CBC, 256, 13, "aes256-sha384" }, { ENCR_AES_CBC, 256, 14, "aes256-sha512" },
		{ ENCR_3DES, 0, 2, "3des-sha1" }, { ENCR_AES_GCM16, 128, 0, "aes128gcm16" },
		{ ENCR_AES_GCM16, 256, 0, "aes256gcm16" },
	};
	uint8_t seed[32] = { 9 }, n1[16] = { 1 }, n2[16] = { 2 }, s1[8] = { 3 }, s2[8] = { 4 };
	const char *text = "inner payload chain";
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		struct sa_choice c = { .proto = PROTO_IKE, .encr = cs[i].encr, .encr_keylen = cs[i].bits,
				       .integ = cs[i].integ, .prf = 5 };
		struct ike_keys k;
		struct ike_builder b;
		struct buf plain;
		buf_init(&plain);
		ike_derive_keys(&c, seed, n1, 16, n2, 16, s1, s2, &k);
		ikeb_init(&b);
		ikeb_header(&b, s1, s2, EXCH_INFORMATIONAL, HDR_F_RESPONSE, 7);
		ikeb_begin(&b, PL_SK);
		b.b.p[IKE_HDR_LEN] = PL_NOTIFY;
		int r = ike_sk_seal(&k, 1, &b.b, b.b.len, (const uint8_t *)text, strlen(text));
		struct ike_msg m;
		int pr = r == 0 ? ike_parse(b.b.p, b.b.len, &m) : -1;
		const struct ike_payload *sk = pr == 0 ? ike_find(&m, PL_SK) : NULL;
		/* we sealed as responder: open as "from responder" */
		int o = sk ? ike_sk_open(&k, 0, b.b.p, b.b.len, (size_t)(sk->body - b.b.p), &plain) : -1;
		OK(o == 0 && plain.len == strlen(text) && !memcmp(plain.p, text, plain.len),
		   "SK seal/open round trip %s", cs[i].name);
		OK(sk && ike_sk_open(&k, 1, b.b.p, b.b.len, (size_t)(sk->body - b.b.p), &plain) < 0,
		   "SK with the other direction's keys rejected %s", cs[i].name);
		int bad = 0;
		for (size_t j = 0; sk && j < b.b.len; j += 7) {
			b.b.p[j] ^= 0x40;
			if (ike_sk_open(&k, 0, b.b.p, b.b.len, (size_t)(sk->body - b.b.p), &plain) == 0)
				bad++;
			b.b.p[j] ^= 0x40;
		}
		OK(sk && !bad, "every tampered byte (header, IV, ciphertext, ICV) rejected %s", cs[i].name);
		ikeb_free(&b);
		buf_free(&plain);
		ike_keys_wipe(&k);
	}
}

static void test_dh(void)
{
	static const uint16_t groups[] = { 2, 14, 15, 16, 19, 20, 31 };
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		uint16_t g = groups[i];
		struct dh *a = dh_new(g), *b = dh_new(g);
		uint8_t pa[512], pb[512], sa[512], sb[512];
		size_t la = sizeof(sa), lb = sizeof(sb), pl = dh_public_len(g);
		int ok = a && b && dh_public(a, pa, sizeof(pa)) == 0 && dh_public(b, pb, sizeof(pb)) == 0 &&
			 dh_derive(a, pb, pl, sa, &la) == 0 && dh_derive(b, pa, pl, sb, &lb) == 0 &&
			 la == lb && !memcmp(sa, sb, la);
		OK(ok, "DH group %u: both sides agree", g);
		OK(!a || dh_derive(a, pb, pl - 1, sa, &la) < 0, "DH group %u: wrong length refused", g);
		dh_free(a);
		dh_free(b);
	}
	/* RFC 6989: MODP values 0, 1, p-1 (and p) refused */
	uint8_t v[256];
	memset(v, 0, sizeof(v));
	OK(dh_check_peer(14, v, 256) < 0, "MODP2048 public value 0 refused");
	v[255] = 1;
	OK(dh_check_peer(14, v, 256) < 0, "MODP2048 public value 1 refused");
	v[255] = 2;
	OK(dh_check_peer(14, v, 256) == 0, "MODP2048 public value 2 accepted");
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	BN_bn2binpad(p, v, 256);
	OK(dh_check_peer(14, v, 256) < 0, "MODP2048 public value p refused");
	BN_sub_word(p, 1);
	BN_bn2binpad(p, v, 256);
	OK(dh_check_peer(14, v, 256) < 0, "MODP2048 public value p-1 refused");
	BN_free(p);
	/* ECP: a point not on the curve */
	struct dh *e = dh_new(19);
	uint8_t pt[64], s[64];
	size_t sl = sizeof(s);
	dh_public(e, pt, sizeof(pt));
	OK(dh_check_peer(19, pt, 64) == 0, "ECP256 valid point accepted");
	pt[63] ^= 1;
	OK(dh_check_peer(19, pt, 64) < 0 && dh_derive(e, pt, 64, s, &sl) < 0, "ECP256 point off the curve refused");
	memset(pt, 0, sizeof(pt));
	OK(dh_check_peer(19, pt, 64) < 0, "ECP256 all-zero point refused");
	dh_free(e);
	/* X25519 low-order point (all zero) gives an all-zero secret: refused */
	struct dh *x = dh_new(31);
	memset(pt, 0, 32);
	sl = sizeof(s);
	OK(x && dh_derive(x, pt, 32, s, &sl) < 0, "X25519 all-zero public value refused");
	dh_free(x);
	OK(dh_new(5) == NULL && !dh_supported(1) && dh_supported(31), "unsupported groups refused");
}

void test_crypto(void)
{
	test_prf_vectors();
	test_prf_plus();
	test_keys();
	test_sk();
	test_dh();
}
