/* ike_sa_fuzz - libFuzzer target over vpnd's request handlers behind the
 * encryption: IKE_AUTH (ID, CERT, AUTH, CP, SA, TS, EAP), INFORMATIONAL
 * (Delete) and CREATE_CHILD_SA (CHILD_SA/IKE SA rekey with KE data) run on
 * a synthetic IKE SA, as if the fuzz input had been decrypted.  No kernel
 * (xfrm_fd = -1); replies go to a loopback socket of our own and are
 * discarded.  Input: byte 0 selects the exchange and the SA state, byte 1
 * is the first payload type, the rest the payload chain. */
#include "../../../../src/vpnd/config.h"
#include "../../../../src/vpnd/ike_crypto.h"
#include "../../../../src/vpnd/log.h"
#include "../../../../src/vpnd/sa.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void sa_fuzz_request(struct vpnd *v, struct ike_sa *sa, uint8_t exch, const struct ike_msg *inner, uint32_t msgid);

static struct vpnd g_v;
static uint16_t g_port;

static void setup(void)
{
	static int done;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);

	if (done)
		return;
	done = 1;
	log_open(0, LOG_LVL_ERROR - 1);
	config_defaults(&g_v.cfg);
	g_v.cfg.pool.prefix = 28;
	g_v.xfrm_fd = -1;
	g_v.sock_ike = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	bind(g_v.sock_ike, (struct sockaddr *)&a, sizeof(a));
	getsockname(g_v.sock_ike, (struct sockaddr *)&a, &l);
	g_port = ntohs(a.sin_port);
	g_v.sock_natt = g_v.sock_ike;
	pool_init(&g_v.pool, g_v.cfg.pool, 0);
	g_v.auth.store = X509_STORE_new(); /* no CA: every chain is refused */
	snprintf(g_v.auth.server_id, sizeof(g_v.auth.server_id), "vpn.test");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t exch[3] = { EXCH_IKE_AUTH, EXCH_INFORMATIONAL, EXCH_CREATE_CHILD_SA };
	static struct ike_msg inner;
	uint8_t buf[256];

	if (size < 2)
		return 0;
	setup();
	memset(&inner, 0, sizeof(inner));
	if (ike_parse_chain(data[1], data + 2, size - 2, &inner) < 0 || ike_validate_payloads(&inner) < 0)
		return 0;
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return 0;
	uint8_t ex = exch[(data[0] & 3) % 3];
	struct sa_choice c = { .proto = PROTO_IKE, .encr = (data[0] & 4) ? ENCR_AES_GCM16 : ENCR_AES_CBC,
			       .encr_keylen = 128, .integ = (data[0] & 4) ? 0 : 12, .prf = 5, .dh = 19 };
	uint8_t seed[32] = { 1 }, n[32] = { 2 };
	memset(sa->spi_i, 0x11, 8);
	memset(sa->spi_r, 0x22, 8);
	ike_derive_keys(&c, seed, n, 32, n, 32, sa->spi_i, sa->spi_r, &sa->keys);
	sa->prop = c;
	sa->peer_ip = sa->local_ip = 0x7f000001;
	sa->peer_port = g_port;
	sa->nilen = sa->nrlen = 32;
	sa->frag_ok = data[0] & 8;
	buf_init(&sa->init_req);
	buf_init(&sa->init_resp);
	buf_add(&sa->init_req, n, 32);
	buf_add(&sa->init_resp, n, 32);
	snprintf(sa->id, sizeof(sa->id), "fuzz@test");
	if (ex == EXCH_IKE_AUTH) {
		sa->state = SA_HALF_OPEN;
	} else {
		sa->state = SA_ESTABLISHED;
		sa->established = time(NULL);
		if (pool_acquire(&g_v.pool, sa->id, time(NULL), &sa->vip) == 0)
			sa->has_vip = 1;
		sa->child.installed = 1;
		sa->child.spi_in = 0xc0000001;
		sa->child.spi_out = get32(data[0] & 16 ? (const uint8_t *)"\x00\x00\x00\x01" : (const uint8_t *)"\xc1\x00\x00\x02");
		sa->child.reqid = 1;
		sa->child.tsi = (struct ike_ts){ TS_IPV4_ADDR_RANGE, 0, 0, 65535, sa->vip, sa->vip };
		sa->child.tsr[0] = (struct ike_ts){ TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0, 0xffffffffu };
		sa->child.ntsr = 1;
		sa->expect_msgid = 2;
	}
	sa->next = g_v.sas;
	g_v.sas = sa;
	sa_fuzz_request(&g_v, sa, ex, &inner, sa->expect_msgid);
	sa_close_all(&g_v, "shutdown");
	while (recv(g_v.sock_ike, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	return 0;
}
