/* ctl.c - a unix stream socket (mode 0600, so only root and vpnd itself
 * can talk to it).  One request line per connection: "status", "list",
 * "kick NAME"; the answer is text, ended by closing the connection. */
#include "ctl.h"
#include "log.h"
#include "sa.h"
#include "xfrm.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	mode_t old = umask(077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
		LOGE("control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void appendf(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *out, size_t outlen, const char *fmt, ...)
{
	size_t l = strlen(out);
	va_list ap;
	if (l + 1 >= outlen)
		return;
	va_start(ap, fmt);
	vsnprintf(out + l, outlen - l, fmt, ap);
	va_end(ap);
}

void ctl_command(struct vpnd *v, const char *line, char *out, size_t outlen)
{
	time_t now = time(NULL);
	out[0] = 0;
	if (!strcmp(line, "status")) {
		unsigned est = 0, half = 0, total = 0;
		for (struct ike_sa *s = v->sas; s; s = s->next) {
			total++;
			est += s->state == SA_ESTABLISHED && !s->rekeyed;
			half += s->state == SA_HALF_OPEN;
		}
		appendf(out, outlen, "version %s\nuptime %lld\nestablished %u\nhalf_open %u\n"
			"pool_used %u of %u\ntotal_established %lu\ntotal_auth_failed %lu\n",
			VPND_VERSION, (long long)(now - v->started), est, half, pool_used(&v->pool),
			v->pool.count, v->n_established, v->n_auth_failed);
		/* added later: appended so the lines above stay as they were */
		appendf(out, outlen, "ike_sas %u of %u\ncookies_sent %lu\ninit_dropped_per_ip %lu\n"
			"init_dropped_cap %lu\nmessages_too_big %lu\nrekeys_by_us %lu\nrekeys_by_clients %lu\n"
			"expired %lu\n",
			total, v->cfg.max_ike_sas, v->n_cookies_sent, v->n_init_dropped_ip, v->n_init_dropped_cap,
			v->n_too_big, v->n_rekeys_ours, v->n_rekeys_peer, v->n_expired);
		appendf(out, outlen, "half_open_evicted %lu\n", v->n_half_open_evicted);
	} else if (!strcmp(line, "list")) {
		for (struct ike_sa *s = v->sas; s; s = s->next) {
			if (s->state != SA_ESTABLISHED || s->rekeyed)
				continue;
			char idq[300], vip[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
			struct in_addr a = { htonl(s->vip) }, p = { htonl(s->peer_ip) };
			uint64_t bin = s->bytes_in, bout = s->bytes_out, x;
			inet_ntop(AF_INET, &a, vip, sizeof(vip));
			inet_ntop(AF_INET, &p, peer, sizeof(peer));
			const struct child_sa *cs[2] = { &s->child, &s->old };
			for (int k = 0; k < 2; k++) {
				if (v->xfrm_fd < 0 || !cs[k]->installed)
					continue;
				if (xfrm_sa_bytes(v->xfrm_fd, cs[k]->k_local, cs[k]->spi_in, &x) == 0)
					bin += x;
				if (xfrm_sa_bytes(v->xfrm_fd, cs[k]->k_peer, cs[k]->spi_out, &x) == 0)
					bout += x;
			}
			log_value(idq, sizeof(idq), s->id);
			appendf(out, outlen, "id=%s vip=%s outer=%s:%u nat=%s since=%lld bytes_in=%llu bytes_out=%llu proposal=%s esp=%s\n",
				idq, vip, peer, s->peer_port, (s->nat_peer || s->nat_local) ? "yes" : "no", (long long)s->established,
				(unsigned long long)bin, (unsigned long long)bout, s->ike_kw, s->esp_kw);
		}
	} else if (!strncmp(line, "kick ", 5) && line[5]) {
		int n = 0;
		for (struct ike_sa *s = v->sas, *nx; s; s = nx) {
			nx = s->next;
			if (s->state == SA_ESTABLISHED && !s->rekeyed && !strcmp(s->id, line + 5)) {
				sa_close(v, s, "kicked", 1);
				n++;
			}
		}
		if (n)
			appendf(out, outlen, "kicked %d\n", n);
		else
			appendf(out, outlen, "error: no client %s\n", line + 5);
	} else {
		appendf(out, outlen, "error: unknown command (status, list, kick NAME)\n");
	}
}

void ctl_accept(struct vpnd *v, int lfd)
{
	static char out[256 * 1024];
	char line[512];
	size_t len = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* a short, bounded wait for the one request line */
	while (len < sizeof(line) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 1000) <= 0)
			break;
		ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len))
			break;
	}
	line[len] = 0;
	line[strcspn(line, "\r\n")] = 0;
	ctl_command(v, line, out, sizeof(out));
	size_t off = 0, total = strlen(out);
	while (off < total) {
		ssize_t n = write(fd, out + off, total - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
}
