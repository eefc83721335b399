/* child.c - a CHILD_SA's kernel state: SPI allocation, ESP SAs (tunnel
 * mode, UDP-encapsulated behind NAT) and the IKE SA's policies. */
#include "sa.h"
#include "sa_int.h"
#include "lifetime.h"
#include "log.h"
#include "ts.h"
#include "xfrm.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

/* The policies belong to the IKE SA: rekeyed children share them (same
 * reqid, endpoints and selectors), so only the last removal takes them. */
int sa_policies(struct vpnd *v, struct ike_sa *sa, int add)
{
	struct child_sa *c = &sa->child;
	struct net4 vip = { c->tsi.saddr, 32 }, nets[16];
	int rc = 0;

	if (v->xfrm_fd < 0 || (!add && !sa->policies))
		return 0;
	for (int i = 0; i < c->ntsr; i++) {
		int n = ts_range_to_cidrs(c->tsr[i].saddr, c->tsr[i].eaddr, nets, 16);
		for (int j = 0; j < n; j++) {
			if (add) {
				rc |= xfrm_add_policy(v->xfrm_fd, nets[j], vip, XDIR_OUT, c->k_local, c->k_peer, c->reqid);
				rc |= xfrm_add_policy(v->xfrm_fd, vip, nets[j], XDIR_IN, c->k_peer, c->k_local, c->reqid);
				rc |= xfrm_add_policy(v->xfrm_fd, vip, nets[j], XDIR_FWD, c->k_peer, c->k_local, c->reqid);
			} else {
				xfrm_del_policy(v->xfrm_fd, nets[j], vip, XDIR_OUT);
				xfrm_del_policy(v->xfrm_fd, vip, nets[j], XDIR_IN);
				xfrm_del_policy(v->xfrm_fd, vip, nets[j], XDIR_FWD);
			}
		}
	}
	sa->policies = add;
	return rc ? -1 : 0;
}

/* Remove one child's kernel SAs; its byte counters are added to the IKE SA's. */
void child_remove(struct vpnd *v, struct ike_sa *sa, struct child_sa *c)
{
	uint64_t in = 0, out = 0;
	if (!c->installed)
		return;
	if (v->xfrm_fd >= 0) {
		xfrm_sa_bytes(v->xfrm_fd, c->k_local, c->spi_in, &in);
		xfrm_sa_bytes(v->xfrm_fd, c->k_peer, c->spi_out, &out);
		xfrm_del_sa(v->xfrm_fd, c->k_local, c->spi_in);
		xfrm_del_sa(v->xfrm_fd, c->k_peer, c->spi_out);
	}
	sa->bytes_in += in;
	sa->bytes_out += out;
	c->installed = 0;
}

/* Everything of the IKE SA in the kernel: both children and the policies. */
void sa_kernel_remove(struct vpnd *v, struct ike_sa *sa)
{
	sa_policies(v, sa, 0);
	child_remove(v, sa, &sa->old);
	child_remove(v, sa, &sa->child);
}

/* Install the SAs of child c (its spi_in already allocated); KEYMAT from
 * SK_d with the given nonces and, with PFS, the new g^ir. */
int child_install(struct vpnd *v, struct ike_sa *sa, struct child_sa *c, const uint8_t *gir,
			 size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen)
{
	return child_install_ex(v, sa, c, gir, girlen, ni, nilen, nr, nrlen, 0);
}

int child_install_ex(struct vpnd *v, struct ike_sa *sa, struct child_sa *c, const uint8_t *gir,
		     size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		     int initiator)
{
	struct child_keys ck;
	int rc = -1, encap = sa->nat_peer || sa->nat_local;
	uint32_t soft, hard;
	time_t now = time(NULL);

	if (child_derive_keys(&sa->keys, &c->prop, gir, girlen, ni, nilen, nr, nrlen, &ck) < 0)
		goto out;
	c->k_local = sa->local_ip;
	c->k_peer = sa->peer_ip;
	lifetime_child_times(v, &soft, &hard);
	c->soft_at = now + soft;
	c->hard_at = now + hard;
	c->soft_done = 0;
	if (v->xfrm_fd < 0) {
		c->installed = 1;
		rc = 0;
		goto out;
	}
	struct xfrm_sa in = {
		.src = c->k_peer, .dst = c->k_local, .spi = c->spi_in, .reqid = c->reqid,
		.encr = c->prop.encr, .encr_bits = c->prop.encr_keylen, .integ = c->prop.integ,
		.ekey = ck.ei, .elen = ck.encr_len, .akey = ck.ai, .alen = ck.integ_len,
		.encap = encap, .sport = sa->peer_port, .dport = v->cfg.natt_port, .update = 1,
		.soft_secs = soft, .hard_secs = hard,
	};
	struct xfrm_sa outsa = in;
	outsa.src = c->k_local;
	outsa.dst = c->k_peer;
	outsa.spi = c->spi_out;
	outsa.ekey = ck.er;
	outsa.akey = ck.ar;
	if (initiator) {
		/* keys initiator -> responder protect what we send */
		in.ekey = ck.er;
		in.akey = ck.ar;
		outsa.ekey = ck.ei;
		outsa.akey = ck.ai;
	}
	outsa.sport = v->cfg.natt_port;
	outsa.dport = sa->peer_port;
	outsa.update = 0;
	if (xfrm_add_sa(v->xfrm_fd, &in) < 0)
		goto out;
	if (xfrm_add_sa(v->xfrm_fd, &outsa) < 0) {
		xfrm_del_sa(v->xfrm_fd, c->k_local, c->spi_in);
		goto out;
	}
	c->installed = 1;
	rc = 0;
out:
	OPENSSL_cleanse(&ck, sizeof(ck));
	return rc;
}

int child_alloc_spi(struct vpnd *v, struct ike_sa *sa, struct child_sa *c)
{
	if (v->xfrm_fd >= 0)
		return xfrm_alloc_spi(v->xfrm_fd, sa->peer_ip, sa->local_ip, c->reqid, &c->spi_in);
	uint8_t r[4];
	if (RAND_bytes(r, 4) != 1)
		return -1;
	c->spi_in = 0xc0000000u | (get32(r) & 0x0fffffffu);
	return 0;
}

