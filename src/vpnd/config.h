/* config.h - /etc/vpnd.conf */
#ifndef VPND_CONFIG_H
#define VPND_CONFIG_H
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_NETS 16
#define CFG_MAX_SRV 2

struct net4 { uint32_t addr; uint8_t prefix; }; /* host byte order */

struct vpnd_config {
	uint32_t listen;             /* host order; 0 = any */
	uint16_t port, natt_port;
	struct net4 pool;
	uint32_t dns[CFG_MAX_SRV], nbns[CFG_MAX_SRV];
	int ndns, nnbns;
	struct net4 protected_nets[CFG_MAX_NETS];
	int nprotected;
	char ca[256], crl[256], cert[256], key[256], server_id_file[256], server_id[256];
	char socket_path[108], user[32];
	int legacy_windows;
	int log_level;
	unsigned lease_time;         /* seconds an address stays reserved after disconnect */
	unsigned fragment_size;      /* max IKE message size before fragmenting */
	unsigned half_open_timeout;  /* seconds */
	unsigned cookie_threshold;   /* half-open SAs from which on cookies are required */
	unsigned half_open_per_ip;   /* half-open SAs one address may hold */
	unsigned dpd_delay;          /* idle seconds before a liveness check; 0 = none */
	unsigned dpd_timeout;        /* seconds without an answer before the client is deleted */
	unsigned child_lifetime;     /* hard kernel lifetime of every CHILD_SA (seconds) */
	unsigned rekey_margin;       /* vpnd rekeys this long (+ jitter) before the hard expire */
	unsigned ike_lifetime;       /* an IKE SA the client never rekeyed is closed after this */
	unsigned max_ike_sas;        /* half-open + established: beyond it IKE_SA_INIT is dropped */
	unsigned max_half_open;      /* half-open cap: a cookie-verified IKE_SA_INIT evicts the oldest */
	unsigned max_message_size;   /* largest datagram / reassembled IKE message accepted */
};

void config_defaults(struct vpnd_config *c);
/* Parse; on error writes "file:line: message" into err and returns -1. */
int config_load(const char *path, struct vpnd_config *c, char *err, size_t errlen);
int config_parse_buf(const char *name, const char *text, struct vpnd_config *c, char *err, size_t errlen);
int parse_net4(const char *s, struct net4 *n);
#endif
