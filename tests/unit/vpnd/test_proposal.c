/* Proposal selection with the built-in clients' proposal sets
 * (/work/shared/reference/builtin-clients.md, strongSwan interop docs). */
#include "tap.h"
#include "../../../src/vpnd/proposal.h"
#include <string.h>

void test_proposal(void);

/* Build a proposal from a strongSwan-style keyword string. */
static void mk(struct ike_proposal *p, uint8_t num, uint8_t proto, const char *kws)
{
	char tmp[256], *save = NULL;
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	p->spisize = proto == PROTO_ESP ? 4 : 0;
	snprintf(tmp, sizeof(tmp), "%s", kws);
	for (char *k = strtok_r(tmp, "-", &save); k; k = strtok_r(NULL, "-", &save)) {
		const struct xform_def *x = xform_by_keyword(k);
		if (!strcmp(k, "aes192")) { /* not in our table: Windows offers it */
			p->t[p->ntrans++] = (struct ike_transform){ TT_ENCR, ENCR_AES_CBC, 192 };
			continue;
		}
		if (!strcmp(k, "modp1536")) {
			p->t[p->ntrans++] = (struct ike_transform){ TT_DH, 5, 0 };
			continue;
		}
		if (!strcmp(k, "noesn")) {
			p->t[p->ntrans++] = (struct ike_transform){ TT_ESN, 0, 0 };
			continue;
		}
		if (!strcmp(k, "esn")) {
			p->t[p->ntrans++] = (struct ike_transform){ TT_ESN, 1, 0 };
			continue;
		}
		if (!x)
			continue;
		p->t[p->ntrans++] = (struct ike_transform){ x->type, x->id, x->keybits };
		/* strongSwan style: for IKE "sha256" means integrity and PRF */
		if (proto == PROTO_IKE && x->type == TT_INTEG && !strstr(kws, "prf")) {
			static const uint16_t prf_of[15] = { [2] = 2, [12] = 5, [13] = 6, [14] = 7 };
			p->t[p->ntrans++] = (struct ike_transform){ TT_PRF, prf_of[x->id], 0 };
		}
	}
}

static int sel(struct ike_proposal *ps, int n, uint8_t proto, int legacy, uint16_t ke, char *kw, uint16_t *want)
{
	struct sa_choice c;
	*want = 0;
	int r = proposal_select(ps, n, proto, legacy, ke, &c, want);
	if (r != PROP_NONE)
		proposal_keyword(&c, kw, 128);
	else
		strcpy(kw, "-");
	return r;
}

void test_proposal(void)
{
	struct ike_proposal ps[8];
	char kw[128];
	uint16_t want;

	/* Windows with NegotiateDH2048_AES256=2: aes256-sha1-sha256-sha384-modp2048 */
	mk(&ps[0], 1, PROTO_IKE, "aes256-sha1-modp2048");
	OK(sel(ps, 1, PROTO_IKE, 0, 14, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha1-prfsha1-modp2048"),
	   "Windows registry tweak aes256-sha1-modp2048 accepted (%s)", kw);
	/* Windows' default: 3DES/AES-CBC with SHA1/SHA256/SHA384 and MODP1024 only */
	mk(&ps[0], 1, PROTO_IKE, "3des-sha1-modp1024");
	mk(&ps[1], 2, PROTO_IKE, "aes256-sha1-modp1024");
	mk(&ps[2], 3, PROTO_IKE, "3des-sha256-modp1024");
	mk(&ps[3], 4, PROTO_IKE, "aes256-sha256-modp1024");
	mk(&ps[4], 5, PROTO_IKE, "aes128-sha384-modp1024");
	OK(sel(ps, 5, PROTO_IKE, 0, 2, kw, &want) == PROP_NONE, "Windows default (MODP1024 only) refused without legacy_windows");
	OK(sel(ps, 5, PROTO_IKE, 1, 2, kw, &want) == PROP_OK && !strcmp(kw, "3des-sha1-prfsha1-modp1024"),
	   "Windows default accepted with legacy_windows = yes (%s)", kw);
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha1");
	mk(&ps[1], 2, PROTO_ESP, "aes128-sha1");
	mk(&ps[2], 3, PROTO_ESP, "3des-sha1");
	OK(sel(ps, 3, PROTO_ESP, 0, 0, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha1"), "Windows ESP aes256-sha1");
	mk(&ps[0], 1, PROTO_ESP, "3des-sha1");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_NONE, "ESP 3des refused without legacy_windows");
	/* Windows' own AES-192 offer is skipped, AES-256 chosen */
	mk(&ps[0], 1, PROTO_IKE, "aes192-sha256-modp2048");
	mk(&ps[1], 2, PROTO_IKE, "aes256-sha256-modp2048");
	OK(sel(ps, 2, PROTO_IKE, 0, 14, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha256-prfsha256-modp2048"),
	   "AES-192 (not offered by us) skipped");

	/* iOS/macOS manual setup */
	mk(&ps[0], 1, PROTO_IKE, "aes256-sha256-modp2048");
	mk(&ps[1], 2, PROTO_IKE, "aes256-sha256-ecp256");
	mk(&ps[2], 3, PROTO_IKE, "aes256-sha256-modp1536");
	mk(&ps[3], 4, PROTO_IKE, "aes128-sha1-modp1024");
	mk(&ps[4], 5, PROTO_IKE, "3des-sha1-modp1024");
	OK(sel(ps, 5, PROTO_IKE, 0, 14, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha256-prfsha256-modp2048"),
	   "iOS set with KE modp2048 (%s)", kw);
	OK(sel(ps, 5, PROTO_IKE, 0, 19, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha256-prfsha256-ecp256"),
	   "iOS set with KE ecp256: no round trip (%s)", kw);
	OK(sel(ps, 5, PROTO_IKE, 0, 5, kw, &want) == PROP_BAD_KE && want == 14,
	   "iOS set with KE modp1536: INVALID_KE_PAYLOAD asks for modp2048");
	/* iOS .mobileconfig: GCM + ecp384 */
	mk(&ps[0], 1, PROTO_IKE, "aes256gcm16-prfsha384-ecp384");
	OK(sel(ps, 1, PROTO_IKE, 0, 20, kw, &want) == PROP_OK && !strcmp(kw, "aes256gcm16-prfsha384-ecp384"),
	   "bundle proposal (mobileconfig) accepted");

	/* Android 11+: DH 14, 15, 16, 31 only; no SHA-1 integrity */
	mk(&ps[0], 1, PROTO_IKE, "aes256gcm16-aes128gcm16-prfsha256-prfsha384-prfsha512-modp3072-modp2048-modp4096-curve25519");
	OK(sel(ps, 1, PROTO_IKE, 0, 15, kw, &want) == PROP_OK && !strcmp(kw, "aes256gcm16-prfsha256-modp3072"),
	   "Android GCM set with KE modp3072 (%s)", kw);
	OK(sel(ps, 1, PROTO_IKE, 0, 31, kw, &want) == PROP_OK && !strcmp(kw, "aes256gcm16-prfsha256-curve25519"),
	   "Android GCM set with KE curve25519 (%s)", kw);
	OK(sel(ps, 1, PROTO_IKE, 0, 19, kw, &want) == PROP_BAD_KE && want == 15,
	   "Android set with KE ecp256 (not offered): INVALID_KE asks for its first group");
	mk(&ps[0], 1, PROTO_ESP, "aes256gcm16-aes128gcm16");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_OK && !strcmp(kw, "aes256gcm16"), "Android ESP aes256gcm16");
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha512-noesn");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha512"), "ESP with explicit no-ESN");
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha512-esn");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_NONE, "ESP requiring ESN refused");
	/* iOS with PFS: a DH transform in the IKE_AUTH child proposal is ignored */
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha256-modp2048");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_OK && !strcmp(kw, "aes256-sha256"),
	   "child proposal with DH group accepted in IKE_AUTH (DH ignored)");
	/* CREATE_CHILD_SA: PFS counts there */
	struct sa_choice cc;
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha256-modp2048-ecp256");
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 19, &cc, &want, 1) == PROP_OK && cc.dh == 19,
	   "child rekey with KE ecp256 (iOS PFS) accepted");
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 20, &cc, &want, 1) == PROP_BAD_KE && want == 14,
	   "child rekey with KE for an unoffered group: INVALID_KE asks for modp2048");
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 0, &cc, &want, 1) == PROP_NONE,
	   "child rekey without KE refused when the proposal requires PFS");
	mk(&ps[0], 1, PROTO_ESP, "aes256gcm16");
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 0, &cc, &want, 1) == PROP_OK && cc.dh == 0,
	   "child rekey without PFS (macOS, Android) accepted");
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 19, &cc, &want, 1) == PROP_NONE,
	   "child rekey with KE but no DH in the proposal refused");
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha256-ecp256");
	ps[0].t[ps[0].ntrans++] = (struct ike_transform){ TT_DH, 0, 0 };
	OK(proposal_select_ex(ps, 1, PROTO_ESP, 0, 0, &cc, &want, 1) == PROP_OK && cc.dh == 0,
	   "child rekey: DH NONE offered, no KE: accepted without PFS");

	/* CBC without integrity, IKE without DH or PRF */
	mk(&ps[0], 1, PROTO_ESP, "aes256");
	OK(sel(ps, 1, PROTO_ESP, 0, 0, kw, &want) == PROP_NONE, "CBC without integrity refused");
	mk(&ps[0], 1, PROTO_IKE, "aes256gcm16-prfsha256");
	OK(sel(ps, 1, PROTO_IKE, 0, 14, kw, &want) == PROP_NONE, "IKE proposal without DH refused");
	mk(&ps[0], 1, PROTO_ESP, "aes256-sha256");
	OK(sel(ps, 1, PROTO_IKE, 0, 14, kw, &want) == PROP_NONE, "ESP proposal offered for IKE refused");
	/* unknown transform type makes a proposal unusable, the next one is taken */
	mk(&ps[0], 1, PROTO_IKE, "aes256-sha256-modp2048");
	ps[0].t[ps[0].ntrans++] = (struct ike_transform){ 9, 1, 0 };
	mk(&ps[1], 2, PROTO_IKE, "aes128-sha256-modp2048");
	OK(sel(ps, 2, PROTO_IKE, 0, 14, kw, &want) == PROP_OK && !strncmp(kw, "aes128-", 7),
	   "proposal with an unknown transform type skipped");

	/* response: one proposal with exactly the chosen transforms */
	struct sa_choice c;
	struct ike_proposal w;
	mk(&ps[0], 3, PROTO_ESP, "aes128gcm16-aes256gcm16-noesn");
	ps[0].spi[0] = 0xc1;
	proposal_select(ps, 1, PROTO_ESP, 0, 0, &c, &want);
	proposal_to_wire(&c, &w);
	OK(w.num == 3 && w.ntrans == 2 && w.t[0].type == TT_ENCR && w.t[0].keylen == 128 && w.t[1].type == TT_ESN &&
	   w.spi[0] == 0xc1, "response proposal keeps the number, chosen cipher and ESN");

	/* transforms.def: the bundle uses only DEFAULT transforms */
	int bad = 0, nb = 0;
	static const char *bundles[] = {
#define T(...)
#define BUNDLE(kind, prop) prop,
#include "../../../src/vpnd/transforms.def"
#undef T
#undef BUNDLE
	};
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++) {
		char tmp[128], *save = NULL;
		snprintf(tmp, sizeof(tmp), "%s", bundles[i]);
		for (char *k = strtok_r(tmp, "-", &save); k; k = strtok_r(NULL, "-", &save)) {
			const struct xform_def *x = xform_by_keyword(k);
			nb++;
			if (!x || x->policy != POLICY_DEFAULT)
				bad++;
		}
	}
	OK(nb >= 4 && bad == 0, "every BUNDLE keyword is a DEFAULT transform (%d checked)", nb);
	int dup = 0;
	for (size_t i = 0; i < xform_count; i++)
		for (size_t j = i + 1; j < xform_count; j++)
			if (!strcmp(xform_table[i].keyword, xform_table[j].keyword) ||
			    (xform_table[i].type == xform_table[j].type && xform_table[i].id == xform_table[j].id &&
			     xform_table[i].keybits == xform_table[j].keybits))
				dup++;
	OK(dup == 0, "transforms.def has no duplicate keyword or transform");
}
