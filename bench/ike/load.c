/* load.c - ike-load: N IKEv2 handshakes (IKE_SA_INIT + IKE_AUTH + CHILD_SA)
 * against one responder, at most W in flight, and the responder's resident
 * memory before and after.  Each client gets its own identity and EC P-256
 * certificate, minted here from the test CA before the clock starts (both
 * vpnd and charon replace an SA when the same identity connects again).
 *
 * ike-load -t IP -p PORT -n N -w W -P PID -C ca.crt -K ca.key -S server.crt
 * Prints one line: n= ok= fail= secs= rate= rss0_kib= rss1_kib= kib_per_tunnel=
 * cpu_ms= (responder CPU per handshake, from /proc/PID/stat)
 * Every wait is bounded: 1 s retransmission timer, 4 tries, 300 s overall. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "initiator.h"

#define MAX_N 100000
#define TRIES 4
#define DEADLINE 300.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS of a process in KiB, -1 if unreadable. */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long v = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* utime + stime of a process in seconds, -1 if unreadable.  The CPU a
 * responder spends per handshake holds up better than handshakes/s on
 * a machine shared with other work. */
static double cpu_s(long pid)
{
	char path[64], line[1024];
	unsigned long ut, st;
	double v = -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')');
		/* after the name: state ppid pgrp session tty tpgid flags minflt
		 * cminflt majflt cmajflt utime stime */
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			v = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	}
	fclose(f);
	return v;
}

static int add_ext(X509 *x, X509 *ca, int nid, const char *val)
{
	X509V3_CTX c;
	X509V3_set_ctx(&c, ca, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &c, nid, val);
	int rc = e && X509_add_ext(x, e, -1) ? 0 : -1;
	X509_EXTENSION_free(e);
	return rc;
}

/* A client certificate: CN=bench<i>, SAN email:bench<i>@bench, clientAuth. */
static int mint(struct client_cred *cr, unsigned i, X509 *ca, EVP_PKEY *cakey)
{
	X509 *x = X509_new();
	char san[80];
	unsigned char *der = NULL;
	int rc = -1, l;

	snprintf(cr->id, sizeof(cr->id), "bench%u@bench", i);
	snprintf(san, sizeof(san), "email:%s", cr->id);
	cr->key = EVP_EC_gen("P-256");
	if (!x || !cr->key || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(0x100000 + i)) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) || !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    !X509_set_pubkey(x, cr->key))
		goto out;
	X509_NAME *n = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cr->id, -1, -1, 0) ||
	    add_ext(x, ca, NID_subject_alt_name, san) < 0 ||
	    add_ext(x, ca, NID_ext_key_usage, "clientAuth") < 0 ||
	    add_ext(x, ca, NID_authority_key_identifier, "keyid") < 0 ||
	    !X509_sign(x, cakey, EVP_sha256()) || (l = i2d_X509(x, &der)) <= 0)
		goto out;
	cr->der = der;
	cr->derlen = (size_t)l;
	rc = 0;
out:
	X509_free(x);
	return rc;
}

static void *load_pem(const char *path, int key)
{
	FILE *f = fopen(path, "r");
	void *p = NULL;
	if (!f) {
		fprintf(stderr, "load_pem: cannot open %s\n", path);
		return NULL;
	}
	p = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) : (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!p)
		fprintf(stderr, "load_pem: cannot parse %s\n", path);
	return p;
}

struct run {
	struct hs *hs;
	int fd, fd2;
	EVP_PKEY *srv;
	long next, inflight, ok, failed;
};

/* Send the handshake's current request: IKE_SA_INIT to 500, IKE_AUTH to 4500. */
static void xmit(struct run *r, struct hs *h, double t)
{
	send(h->state == HS_INIT_SENT ? r->fd : r->fd2, h->last_req.p, h->last_req.len, 0);
	h->t_sent = t;
	h->tries = 1;
}

static void finish(struct run *r, struct hs *h)
{
	if (h->state == HS_DONE) {
		r->ok++;
	} else if (++r->failed <= 5) {
		fprintf(stderr, "finish: handshake %u: %s\n", h->index, h->why);
	}
	r->inflight--;
	hs_free(h);
}

/* Every datagram waiting on one socket; natt: strip the non-ESP marker. */
static void drain(struct run *r, int fd, int natt)
{
	static uint8_t buf[65536];
	ssize_t l;
	while ((l = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const uint8_t *pkt = buf;
		if (natt) {
			if (l < 4 || memcmp(buf, "\0\0\0\0", 4) != 0)
				continue; /* keepalive or ESP */
			pkt += 4;
			l -= 4;
		}
		if (l < 28)
			continue;
		uint32_t idx = (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
		if (idx >= (uint32_t)r->next || memcmp(pkt, r->hs[idx].spi_i, 8) != 0)
			continue;
		struct hs *h = &r->hs[idx];
		enum hs_state before = h->state;
		if (before != HS_INIT_SENT && before != HS_AUTH_SENT)
			continue;
		hs_input(h, pkt, (size_t)l, r->srv);
		if (h->state == HS_AUTH_SENT && before == HS_INIT_SENT)
			xmit(r, h, now_s());
		else if (h->state == HS_DONE || h->state == HS_FAILED)
			finish(r, h);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: ike-load -t IP -p PORT -n N -w W -P PID -C ca.crt -K ca.key -S server.crt\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ip = "127.0.0.1", *cafile = NULL, *cakeyfile = NULL, *srvfile = NULL;
	long n = 1, w = 50, pid = 0, port = 500;
	int opt, fd = -1, fd2 = -1, rc = 1;
	struct client_cred *creds = NULL;
	struct hs *hs = NULL;
	X509 *ca = NULL, *srv = NULL;
	EVP_PKEY *cakey = NULL;

	while ((opt = getopt(argc, argv, "t:p:n:w:P:C:K:S:")) != -1) {
		switch (opt) {
		case 't': ip = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'w': w = strtol(optarg, NULL, 10); break;
		case 'P': pid = strtol(optarg, NULL, 10); break;
		case 'C': cafile = optarg; break;
		case 'K': cakeyfile = optarg; break;
		case 'S': srvfile = optarg; break;
		default: usage();
		}
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!cafile || !cakeyfile || !srvfile || n < 1 || n > MAX_N || w < 1 || port < 1 || port > 65535 ||
	    inet_pton(AF_INET, ip, &to.sin_addr) != 1)
		usage();
	if (!(ca = load_pem(cafile, 0)) || !(cakey = load_pem(cakeyfile, 1)) || !(srv = load_pem(srvfile, 0)))
		goto out;
	creds = calloc((size_t)n, sizeof(*creds));
	hs = calloc((size_t)n, sizeof(*hs));
	if (!creds || !hs)
		goto out;
	for (long i = 0; i < n; i++)
		if (mint(&creds[i], (unsigned)i, ca, cakey) < 0) {
			fprintf(stderr, "main: minting client certificate %ld failed\n", i);
			goto out;
		}
	/* fd: port 500 (IKE_SA_INIT), fd2: 4500 (IKE_AUTH, after the "NAT") */
	struct sockaddr_in to2 = to;
	to2.sin_port = htons(4500);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	fd2 = socket(AF_INET, SOCK_DGRAM, 0);
	int big = 4 << 20;
	if (fd < 0 || fd2 < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) < 0 ||
	    setsockopt(fd2, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 || connect(fd2, (struct sockaddr *)&to2, sizeof(to2)) < 0) {
		perror("main: socket");
		goto out;
	}
	long rss0 = pid ? rss_kib(pid) : -1;
	double cpu0 = pid ? cpu_s(pid) : -1;
	struct run r = { .hs = hs, .fd = fd, .fd2 = fd2, .srv = X509_get0_pubkey(srv) };
	double t0 = now_s();
	while ((r.ok + r.failed < n) && now_s() - t0 < DEADLINE) {
		while (r.inflight < w && r.next < n) {
			struct hs *h = &hs[r.next];
			if (hs_start(h, (uint32_t)r.next, &creds[r.next], to.sin_addr.s_addr, to.sin_port) < 0) {
				fprintf(stderr, "main: handshake %ld: %s\n", r.next, h->why);
				r.failed++;
			} else {
				xmit(&r, h, now_s());
				r.inflight++;
			}
			r.next++;
		}
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN }, { .fd = fd2, .events = POLLIN } };
		if (poll(pf, 2, 50) > 0) {
			drain(&r, fd, 0);
			drain(&r, fd2, 1);
		}
		double t = now_s();
		for (long i = 0; i < r.next; i++) {
			struct hs *h = &hs[i];
			if ((h->state != HS_INIT_SENT && h->state != HS_AUTH_SENT) || t - h->t_sent < 1.0)
				continue;
			if (h->tries >= TRIES) {
				snprintf(h->why, sizeof(h->why), "no response after %d tries", TRIES);
				h->state = HS_FAILED;
				finish(&r, h);
				continue;
			}
			h->tries++;
			send(h->state == HS_INIT_SENT ? fd : fd2, h->last_req.p, h->last_req.len, 0);
			h->t_sent = t;
		}
	}
	long ok = r.ok;
	double secs = now_s() - t0;
	/* let the responder finish what it does after its last response */
	usleep(500000);
	long rss1 = pid ? rss_kib(pid) : -1;
	double cpu1 = pid ? cpu_s(pid) : -1;
	printf("n=%ld ok=%ld fail=%ld secs=%.3f rate=%.1f rss0_kib=%ld rss1_kib=%ld kib_per_tunnel=%.1f cpu_ms=%.2f\n", n, ok,
	       n - ok, secs, ok / secs, rss0, rss1,
	       ok && rss0 > 0 && rss1 > 0 ? (double)(rss1 - rss0) / (double)ok : -1.0,
	       ok && cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) * 1000.0 / (double)ok : -1.0);
	rc = ok == n ? 0 : 1;
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	for (long i = 0; creds && i < n; i++) {
		EVP_PKEY_free(creds[i].key);
		OPENSSL_free(creds[i].der);
		if (hs)
			hs_free(&hs[i]);
	}
	free(creds);
	free(hs);
	X509_free(ca);
	X509_free(srv);
	EVP_PKEY_free(cakey);
	return rc;
}
