/* net.c - boot steps "hostname" and "network": the site's addresses from
 * init.conf, applied with BusyBox ip/udhcpc.  Every wait is bounded: a box
 * without a cable must still reach its console prompt. */
#include "init.h"
#include "log.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IP_TIMEOUT_MS 10000

int step_hostname(struct boot *b)
{
	char name[CONF_HOST_MAX + 2] = "";
	const char *src = "init.conf";

	if (b->conf.hostname[0]) {
		snprintf(name, sizeof(name), "%s", b->conf.hostname);
	} else {
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, name, sizeof(name) - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0) {
			snprintf(b->why, sizeof(b->why), "no hostname in init.conf and /etc/hostname unreadable");
			return -1;
		}
		name[n] = '\0';
		name[strcspn(name, "\r\n \t")] = '\0';
		src = "/etc/hostname";
	}
	if (name[0] == '\0' || sethostname(name, strlen(name)) < 0) {
		snprintf(b->why, sizeof(b->why), "sethostname '%s' (from %s): %s", name, src,
			 name[0] ? strerror(errno) : "empty name");
		return -1;
	}
	log_msg(LOG_INFO, "step_hostname: hostname %s (from %s)", name, src);
	return 0;
}

static int read_sysfs_flag(const char *ifname, const char *attr)
{
	char path[96], v[4] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, v, sizeof(v) - 1);   /* EINVAL while the link is down */
	close(fd);
	return n > 0 && v[0] == '1';
}

static int iface_exists(const char *ifname)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return access(path, F_OK) == 0;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Built-in NIC drivers probe before PID 1 runs, so a short wait suffices
 * for the device; the carrier may take longer (switch port negotiation). */
static int wait_for(const char *ifname, int carrier, unsigned seconds)
{
	long long end = proc_now_ms() + (long long)seconds * 1000;

	for (;;) {
		if (carrier ? read_sysfs_flag(ifname, "carrier") == 1 : iface_exists(ifname))
			return 0;
		if (proc_now_ms() >= end)
			return -1;
		nap_ms(100);
	}
}

static int ip(char *why, size_t whylen, char *a1, char *a2, char *a3, char *a4,
	      char *a5, char *a6, char *a7, char *a8)
{
	char *argv[] = { "ip", a1, a2, a3, a4, a5, a6, a7, a8, NULL };

	return proc_run(argv, IP_TIMEOUT_MS, why, whylen);
}

static int config_static(struct boot *b, const struct conf_iface *ifc)
{
	char why[200];
	char name[CONF_NAME_MAX], addr[CONF_ADDR_MAX], gw[CONF_ADDR_MAX];

	/* ip's argv wants char *; work on copies rather than cast away const */
	snprintf(name, sizeof(name), "%s", ifc->name);
	snprintf(addr, sizeof(addr), "%s", ifc->addr);
	snprintf(gw, sizeof(gw), "%s", ifc->gateway);
	if (ip(why, sizeof(why), strchr(addr, ':') ? "-6" : "-4", "addr", "add", addr,
	       "dev", name, NULL, NULL)) {
		snprintf(b->why, sizeof(b->why), "%s: address %s: %s", name, addr, why);
		return -1;
	}
	if (gw[0] && ip(why, sizeof(why), strchr(gw, ':') ? "-6" : "-4", "route", "add",
			"default", "via", gw, "dev", name)) {
		snprintf(b->why, sizeof(b->why), "%s: default route via %s: %s", name, gw, why);
		return -1;
	}
	log_msg(LOG_INFO, "step_network: %s static %s%s%s", name, addr,
		gw[0] ? " gateway " : "", gw);
	return 0;
}

static int config_dhcp(struct boot *b, const struct conf_iface *ifc)
{
	char name[CONF_NAME_MAX], tries[12], why[200];
	char *argv[] = { "udhcpc", "-i", name, "-n", "-q", "-t", tries, "-T", "2",
			 "-s", DHCP_SCRIPT, NULL };
	unsigned secs = b->conf.dhcp_tries * 3 + 5;

	snprintf(name, sizeof(name), "%s", ifc->name);
	snprintf(tries, sizeof(tries), "%u", b->conf.dhcp_tries);
	log_msg(LOG_INFO, "step_network: %s: asking DHCP (at most %u s)", name, secs);
	if (proc_run(argv, (int)secs * 1000, why, sizeof(why))) {
		/* Not fatal: the supervised udhcpc keeps asking after boot. */
		snprintf(b->why, sizeof(b->why), "%s: no DHCP lease at boot (%s); will keep trying",
			 name, why);
		return -1;
	}
	return 0;
}

static int write_resolv(struct boot *b)
{
	FILE *f = fopen("/run/resolv.conf", "we");

	if (!f) {
		snprintf(b->why, sizeof(b->why), "/run/resolv.conf: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < b->conf.n_dns; i++)
		fprintf(f, "nameserver %s\n", b->conf.dns[i]);
	if (fclose(f) != 0) {
		snprintf(b->why, sizeof(b->why), "/run/resolv.conf: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int step_network(struct boot *b)
{
	char why[200], first[WHY_MAX] = "";
	int failed = 0;

	if (ip(why, sizeof(why), "link", "set", "dev", "lo", "up", NULL, NULL, NULL)) {
		snprintf(first, sizeof(first), "loopback: %s", why);
		failed++;
	}
	for (int i = 0; i < b->conf.n_ifaces; i++) {
		const struct conf_iface *ifc = &b->conf.ifaces[i];
		char name[CONF_NAME_MAX];
		int rc;

		snprintf(name, sizeof(name), "%s", ifc->name);
		b->iface_present[i] = wait_for(name, 0, 1) == 0;
		if (!b->iface_present[i]) {
			log_msg(LOG_ERR, "step_network: interface %s (init.conf line %d) is not present",
				name, ifc->line);
			if (!failed++)
				snprintf(first, sizeof(first), "interface %s not present", name);
			continue;
		}
		if (ip(why, sizeof(why), "link", "set", "dev", name, "up", NULL, NULL, NULL)) {
			log_msg(LOG_ERR, "step_network: %s up: %s", name, why);
			if (!failed++)
				snprintf(first, sizeof(first), "%s up: %s", name, why);
			continue;
		}
		if (wait_for(name, 1, b->conf.link_wait) < 0)
			log_msg(LOG_WARNING, "step_network: %s: no link after %u s; configuring anyway",
				name, b->conf.link_wait);
		rc = ifc->mode == IFACE_STATIC ? config_static(b, ifc) : config_dhcp(b, ifc);
		if (rc) {
			log_msg(LOG_ERR, "step_network: %s", b->why);
			if (!failed++)
				snprintf(first, sizeof(first), "%.300s", b->why);
		}
	}
	if (b->conf.n_dns && write_resolv(b)) {
		log_msg(LOG_ERR, "step_network: %s", b->why);
		if (!failed++)
			snprintf(first, sizeof(first), "%.300s", b->why);
	}
	if (failed) {
		snprintf(b->why, sizeof(b->why), "%s%s", first,
			 failed > 1 ? " (and more, see above)" : "");
		return -1;
	}
	return 0;
}
