/* cfg_payload.h - configuration payload (RFC 7296 3.15) */
#ifndef VPND_CFG_PAYLOAD_H
#define VPND_CFG_PAYLOAD_H
#include "config.h"
#include "ike_msg.h"

struct cp_request { int present, want_addr, want_dns, want_nbns; };
int cp_parse_request(const uint8_t *body, size_t len, struct cp_request *r);
/* CFG_REPLY: the address and the configured DNS / NBNS servers. */
void cp_build_reply(struct ike_builder *bl, uint32_t vip, const struct vpnd_config *c,
		    const struct cp_request *r);
#endif
