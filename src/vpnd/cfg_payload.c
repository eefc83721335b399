/* cfg_payload.c - CFG_REQUEST parsing and CFG_REPLY building */
#include "cfg_payload.h"
#include <string.h>

int cp_parse_request(const uint8_t *body, size_t len, struct cp_request *r)
{
	struct ike_cp_attr a[IKE_MAX_CP_ATTRS];
	uint8_t type;
	int n;

	memset(r, 0, sizeof(*r));
	if (ike_parse_cp(body, len, &type, a, IKE_MAX_CP_ATTRS, &n) < 0 || type != CFG_REQUEST)
		return -1;
	r->present = 1;
	for (int i = 0; i < n; i++) {
		switch (a[i].type) {
		case CA_INTERNAL_IP4_ADDRESS: r->want_addr = 1; break;
		case CA_INTERNAL_IP4_DNS: r->want_dns = 1; break;
		case CA_INTERNAL_IP4_NBNS: r->want_nbns = 1; break;
		}
	}
	return 0;
}

static void attr4(struct ike_builder *bl, uint16_t type, uint32_t v)
{
	buf_u16(&bl->b, type);
	buf_u16(&bl->b, 4);
	buf_u32(&bl->b, v);
}

void cp_build_reply(struct ike_builder *bl, uint32_t vip, const struct vpnd_config *c,
		    const struct cp_request *r)
{
	size_t s = ikeb_begin(bl, PL_CP);
	buf_u8(&bl->b, CFG_REPLY);
	buf_u8(&bl->b, 0);
	buf_u16(&bl->b, 0);
	attr4(bl, CA_INTERNAL_IP4_ADDRESS, vip);
	/* DNS is sent whenever configured: some clients (strongSwan without
	 * the resolve plugin's request) only ask for the address. */
	for (int i = 0; i < c->ndns; i++)
		attr4(bl, CA_INTERNAL_IP4_DNS, c->dns[i]);
	if (r->want_nbns)
		for (int i = 0; i < c->nnbns; i++)
			attr4(bl, CA_INTERNAL_IP4_NBNS, c->nbns[i]);
	ikeb_end(bl, s);
}
