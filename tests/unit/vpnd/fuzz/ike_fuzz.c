/* ike_fuzz - libFuzzer target over vpnd's message parser: the header, the
 * payload chain, every payload decoder, and what is built on top of the
 * decoders (proposal selection, CP request parsing).  The first input byte
 * picks whether the data is a whole message or a bare payload chain (the
 * decrypted contents of an SK payload). */
#include "../../../../src/vpnd/cfg_payload.h"
#include "../../../../src/vpnd/ike_msg.h"
#include "../../../../src/vpnd/proposal.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	static struct ike_proposal props[IKE_MAX_PROPOSALS];
	int n;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (ike_parse(data + 1, size - 1, &m) < 0)
			return 0;
	} else {
		memset(&m, 0, sizeof(m));
		if (size < 2 || ike_parse_chain(data[1], data + 2, size - 2, &m) < 0 ||
		    ike_validate_payloads(&m) < 0)
			return 0;
	}
	for (int i = 0; i < m.npl; i++) {
		const struct ike_payload *p = &m.pl[i];
		struct sa_choice c;
		uint16_t want;
		struct cp_request r;
		switch (p->type) {
		case PL_SA:
			if (ike_parse_sa(p->body, p->len, props, IKE_MAX_PROPOSALS, &n) == 0) {
				proposal_select(props, n, PROTO_IKE, data[0] & 2, 14, &c, &want);
				proposal_select(props, n, PROTO_ESP, data[0] & 2, 0, &c, &want);
			}
			break;
		case PL_CP:
			cp_parse_request(p->body, p->len, &r);
			break;
		default:
			break;
		}
	}
	struct ike_notify nt;
	ike_find_notify(&m, N_NAT_DETECTION_SOURCE_IP, &nt);
	return 0;
}
