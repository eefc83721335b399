/* proposal.h - transform table (transforms.def) and SA proposal selection */
#ifndef VPND_PROPOSAL_H
#define VPND_PROPOSAL_H
#include <stddef.h>
#include <stdint.h>
#include "ike_msg.h"

enum { POLICY_DEFAULT = 0, POLICY_LEGACY = 1 };
struct xform_def { uint8_t type; uint16_t id; uint16_t keybits; const char *keyword; int policy; };
extern const struct xform_def xform_table[];
extern const size_t xform_count;
const struct xform_def *xform_lookup(uint8_t type, uint16_t id, uint16_t keybits);
const struct xform_def *xform_by_keyword(const char *kw);

struct sa_choice {
	uint8_t proto, num, spisize;
	uint8_t spi[8];
	uint16_t encr, encr_keylen, prf, integ, dh;
	int esn_present;   /* the peer's proposal carried ESN transforms */
};

#define PROP_OK 0
#define PROP_NONE (-1)
#define PROP_BAD_KE 1
/* Select from the peer's proposals for protocol 'proto' (PROTO_IKE or
 * PROTO_ESP).  For IKE, ke_group is the group of the peer's KE payload: if
 * the best proposal does not contain it, PROP_BAD_KE is returned with
 * *want_group set to the group to ask for (INVALID_KE_PAYLOAD).  For ESP
 * (child SAs in IKE_AUTH) DH transforms are ignored. */
int proposal_select(const struct ike_proposal *props, int n, uint8_t proto, int legacy,
		    uint16_t ke_group, struct sa_choice *out, uint16_t *want_group);
/* child_dh: a CREATE_CHILD_SA child proposal, where DH (PFS) counts:
 * ke_group 0 means the peer sent no KE. */
int proposal_select_ex(const struct ike_proposal *props, int n, uint8_t proto, int legacy,
		       uint16_t ke_group, struct sa_choice *out, uint16_t *want_group, int child_dh);
/* The proposal to send back (one proposal, chosen transforms). */
void proposal_to_wire(const struct sa_choice *c, struct ike_proposal *p);
/* "aes256gcm16-prfsha384-ecp384" / "aes256-sha1" */
void proposal_keyword(const struct sa_choice *c, char *out, size_t outlen);
int encr_is_aead(uint16_t encr);
#endif
