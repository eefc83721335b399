/* services.c - boot steps that start the supervised services: syslogd,
 * crond, DHCP renewal, vpnd, the site's extras, and the console gettys. */
#include "init.h"
#include "log.h"
#include "proc.h"
#include "svc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VPND_PATH        "/usr/sbin/vpnd"
#define PLACEHOLDER_PATH "/usr/sbin/vpnd-placeholder"
#define CRON_SRC         "/etc/crontabs"
#define CRON_DIR         "/var/spool/cron/crontabs"

int step_syslogd(struct boot *b)
{
	const struct conf *c = &b->conf;
	char size[16], rotate[16], remote[CONF_REMOTE_MAX];
	char *argv[] = { "syslogd", "-n", "-O", "/var/log/messages", "-s", size, "-b", rotate,
			 NULL, NULL, NULL, NULL };
	struct timespec nap = { 0, 50 * 1000 * 1000 };

	snprintf(size, sizeof(size), "%u", c->syslog_size_kb);
	snprintf(rotate, sizeof(rotate), "%u", c->syslog_rotate);
	if (c->syslog_remote[0]) {
		/* -L: keep the local copy as well as sending to the log host */
		snprintf(remote, sizeof(remote), "%s", c->syslog_remote);
		argv[8] = "-R";
		argv[9] = remote;
		argv[10] = "-L";
	}
	if (svc_add("syslogd", argv) < 0) {
		snprintf(b->why, sizeof(b->why), "cannot start syslogd");
		return -1;
	}
	/* Let it create /dev/log so the next steps' messages are kept. */
	for (int i = 0; i < 40 && access("/dev/log", F_OK) < 0; i++)
		nanosleep(&nap, NULL);
	if (access("/dev/log", F_OK) < 0) {
		snprintf(b->why, sizeof(b->why), "syslogd did not create /dev/log within 2 s");
		return -1;
	}
	return 0;
}

/* crontab files come read-only from the image; crond reads a RAM copy so
 * `crontab -e` still works until the next boot. */
static void copy_crontabs(void)
{
	DIR *d = opendir(CRON_SRC);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char src[300], dst[300], buf[4096];
		int in, out;
		ssize_t r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", CRON_SRC, e->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", CRON_DIR, e->d_name);
		in = open(src, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0) {
			log_msg(LOG_ERR, "copy_crontabs: %s: %s", dst, strerror(errno));
			close(in);
			continue;
		}
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r) {
				log_msg(LOG_ERR, "copy_crontabs: writing %s: %s", dst, strerror(errno));
				break;
			}
		close(in);
		close(out);
	}
	closedir(d);
}

int step_services(struct boot *b)
{
	char *crond[] = { "crond", "-f", "-c", CRON_DIR, NULL };
	int failed = 0;

	copy_crontabs();
	failed += svc_add("crond", crond) < 0;
	/* Keep renewing DHCP leases (the boot-time udhcpc quits after one). */
	for (int i = 0; i < b->conf.n_ifaces; i++) {
		char name[CONF_NAME_MAX + 8], ifname[CONF_NAME_MAX];
		char *argv[] = { "udhcpc", "-f", "-S", "-i", ifname, "-s", DHCP_SCRIPT, NULL };

		if (b->conf.ifaces[i].mode != IFACE_DHCP || !b->iface_present[i])
			continue;
		snprintf(ifname, sizeof(ifname), "%s", b->conf.ifaces[i].name);
		snprintf(name, sizeof(name), "udhcpc-%s", ifname);
		failed += svc_add(name, argv) < 0;
	}
	for (int i = 0; i < b->conf.n_svcs; i++)
		failed += svc_add(b->conf.svcs[i].name, b->conf.svcs[i].argv) < 0;
	if (failed) {
		snprintf(b->why, sizeof(b->why), "%d service(s) could not be started", failed);
		return -1;
	}
	return 0;
}

int step_vpnd(struct boot *b)
{
	char *vpnd[] = { VPND_PATH, "-f", NULL };
	char *placeholder[] = { PLACEHOLDER_PATH, NULL };
	char *const *argv = vpnd;

	if (!b->sysctl_ok || !b->firewall_ok || !b->ca_ok) {
		snprintf(b->why, sizeof(b->why), "the VPN service is NOT started:%s%s%s",
			 b->sysctl_ok ? "" : " [sysctl settings not applied]",
			 b->firewall_ok ? "" : " [firewall not loaded]",
			 b->ca_ok ? "" : " [CA not unlocked]");
		return -1;
	}
	if (access(VPND_PATH, X_OK) < 0) {
		/* Say plainly that no VPN is running, only its stand-in. */
		log_msg(LOG_WARNING, "step_vpnd: %s is not in this image; supervising the placeholder %s instead",
			VPND_PATH, PLACEHOLDER_PATH);
		argv = placeholder;
	}
	if (svc_add("vpnd", argv) < 0) {
		snprintf(b->why, sizeof(b->why), "cannot start %s", argv[0]);
		return -1;
	}
	b->vpnd_started = 1;
	return 0;
}

int step_gettys(struct boot *b)
{
	char *serial[] = { "getty", "-L", "115200", "ttyS0", "vt100", NULL };
	char *vga[] = { "getty", "38400", "tty1", "linux", NULL };
	int started = 0;

	/* Only consoles that exist: a getty on a missing tty would just
	 * restart every minute forever. */
	if (access("/dev/ttyS0", R_OK | W_OK) == 0 && svc_add("getty-ttyS0", serial) == 0)
		started++;
	if (access("/dev/tty1", R_OK | W_OK) == 0 && svc_add("getty-tty1", vga) == 0)
		started++;
	if (!started) {
		snprintf(b->why, sizeof(b->why), "no console login could be started on ttyS0 or tty1");
		return -1;
	}
	return 0;
}
