/* ca.c - boot step "ca": unlock the site's CA at the console.
 *
 * The image carries the CA only as /etc/roadbox/ca.tar.gpg (symmetric GnuPG).
 * The operator types the passphrase on tty1 or ttyS0; gpg gets it through a
 * pipe (never argv, environment or a file) and its output goes straight into
 * BusyBox tar, which unpacks into a RAM-only tmpfs at /run/ca that only the
 * vpnd user can read.  At shutdown ca_wipe() zeroes every file and unmounts.
 */
#define _DEFAULT_SOURCE
#include "console.h"
#include "init.h"
#include "log.h"
#include "passwd.h"
#include "proc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GNUPG_HOME     "/run/ca-gnupg"
#define PASS_MAX       256
#define GPG_TIMEOUT_MS 180000   /* the key derivation is slow under emulation */
#define WRONG_PAUSE_S  30

enum { CA_OK, CA_WRONG, CA_BROKEN };

static const char *const required[] = { "ca.crt", "server.crt", "server.key", NULL };

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int rm_tree(const char *path)
{
	if (access(path, F_OK) < 0)
		return 0;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Overwrite a file's bytes with zeros before unlinking it: tmpfs pages are
 * freed without being cleared, so the key would otherwise linger in RAM. */
static int zero_file(const char *path, off_t size)
{
	static const char zeros[4096];
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	off_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		size_t n = size - done < (off_t)sizeof(zeros) ? (size_t)(size - done) : sizeof(zeros);
		ssize_t w = write(fd, zeros, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		done += w;
	}
	fsync(fd);
	return close(fd);
}

static int wiped, wipe_errors;

static int wipe_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (ftw->level == 0)
		return 0;                      /* the mount point itself stays */
	if (flag == FTW_DP) {
		if (rmdir(path) < 0)
			wipe_errors++;
		return 0;
	}
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		if (zero_file(path, st->st_size) < 0) {
			log_msg(LOG_ERR, "ca_wipe: cannot zero %s: %s", path, strerror(errno));
			wipe_errors++;
		} else {
			wiped++;
		}
	}
	if (unlink(path) < 0)
		wipe_errors++;
	return 0;
}

/* Empty CA_DIR, zeroing every file.  Returns files wiped or -1. */
static int ca_clear(void)
{
	wiped = wipe_errors = 0;
	if (nftw(CA_DIR, wipe_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT) {
		log_msg(LOG_ERR, "ca_clear: walking %s: %s", CA_DIR, strerror(errno));
		return -1;
	}
	return wipe_errors ? -1 : wiped;
}

int ca_wipe(void)
{
	struct stat st, parent;
	int n;

	/* Only a mounted CA tmpfs has anything to wipe. */
	if (stat(CA_DIR, &st) < 0 || stat("/run", &parent) < 0 || st.st_dev == parent.st_dev) {
		log_msg(LOG_INFO, "ca_wipe: %s is not mounted; nothing to wipe", CA_DIR);
		return 0;
	}
	n = ca_clear();
	if (n >= 0)
		log_msg(LOG_NOTICE, "ca_wipe: wiped %d files in %s (overwritten with zeros)", n, CA_DIR);
	if (umount2(CA_DIR, 0) < 0) {
		log_msg(LOG_ERR, "ca_wipe: umount %s: %s; detaching", CA_DIR, strerror(errno));
		if (umount2(CA_DIR, MNT_DETACH) < 0)
			return -1;
	}
	log_msg(LOG_NOTICE, "ca_wipe: unmounted %s", CA_DIR);
	return n;
}

/* gpg 2.2 starts gpg-agent even for symmetric decryption; it daemonizes and
 * so becomes our child.  End it so no process keeps key material around. */
static void kill_gpg_agents(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[64], stat[256], *comm, *end;
		pid_t pid = (pid_t)atoi(e->d_name);
		int fd, st;
		ssize_t n;

		if (pid <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (n <= 0)
			continue;
		stat[n] = '\0';
		comm = strchr(stat, '(');
		end = strrchr(stat, ')');
		if (!comm || !end || end - comm - 1 != 9 || strncmp(comm + 1, "gpg-agent", 9) != 0)
			continue;
		kill(pid, SIGTERM);
		if (proc_wait(pid, 3000, &st) < 0)
			log_msg(LOG_WARNING, "kill_gpg_agents: gpg-agent %d needed SIGKILL", (int)pid);
	}
	closedir(d);
}

static int has_word(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* One decryption attempt.  msg gets gpg's first complaint. */
static int ca_decrypt(const char *pass, size_t passlen, char *msg, size_t msglen)
{
	char *gpg[] = { "/usr/bin/gpg", "--homedir", GNUPG_HOME, "--batch", "--no-tty",
			"--quiet", "--no-symkey-cache", "--pinentry-mode", "loopback",
			"--passphrase-fd", "3", "--decrypt", CA_TARBALL, NULL };
	char *tar[] = { "tar", "-x", "-f", "-", "-C", CA_DIR, NULL };
	char *env[] = { PROC_PATH, "GNUPGHOME=" GNUPG_HOME, "HOME=" GNUPG_HOME, NULL };
	int pp[2] = { -1, -1 }, dp[2] = { -1, -1 }, ep[2] = { -1, -1 };
	pid_t gpid = -1, tpid = -1;
	char errs[2048] = "";
	size_t elen = 0;
	int gst = -1, tst = -1, rc = CA_BROKEN;
	long long deadline = proc_now_ms() + GPG_TIMEOUT_MS;

	msg[0] = '\0';
	if (rm_tree(GNUPG_HOME) < 0 || mkdir(GNUPG_HOME, 0700) < 0) {
		snprintf(msg, msglen, "cannot create %s: %s", GNUPG_HOME, strerror(errno));
		return CA_BROKEN;
	}
	if (pipe2(pp, O_CLOEXEC) < 0 || pipe2(dp, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(msg, msglen, "pipe: %s", strerror(errno));
		goto out;
	}
	gpid = proc_spawn(gpg, env, &(struct proc_fds){ .fd = { -1, dp[1], ep[1], pp[0] } });
	tpid = gpid < 0 ? -1 : proc_spawn(tar, NULL, &(struct proc_fds){ .fd = { dp[0], ep[1], ep[1], -1 } });
	close(pp[0]);
	close(dp[0]);
	close(dp[1]);
	close(ep[1]);
	pp[0] = dp[0] = dp[1] = ep[1] = -1;
	if (gpid < 0 || tpid < 0) {
		snprintf(msg, msglen, "cannot start %s: %s", gpid < 0 ? "gpg" : "tar", strerror(errno));
		goto out;
	}
	/* The passphrase fits in the pipe buffer: this write cannot block. */
	if (write(pp[1], pass, passlen) != (ssize_t)passlen || write(pp[1], "\n", 1) != 1)
		log_msg(LOG_WARNING, "ca_decrypt: gpg did not take the passphrase: %s", strerror(errno));
	close(pp[1]);
	pp[1] = -1;

	/* Collect gpg's and tar's complaints until both have exited (not
	 * until EOF: a daemonized gpg-agent could hold the pipe open). */
	for (;;) {
		struct pollfd pfd = { .fd = ep[0], .events = POLLIN };
		ssize_t r = 0;
		char junk[256];
		int st;

		if (gpid > 0 && waitpid(gpid, &st, WNOHANG) == gpid) {
			gst = st;
			gpid = -1;
		}
		if (tpid > 0 && waitpid(tpid, &st, WNOHANG) == tpid) {
			tst = st;
			tpid = -1;
		}
		if (proc_now_ms() > deadline) {
			snprintf(msg, msglen, "gpg took longer than %d s", GPG_TIMEOUT_MS / 1000);
			goto out;
		}
		if (ep[0] >= 0 && poll(&pfd, 1, 100) > 0) {
			if (elen < sizeof(errs) - 1)
				r = read(ep[0], errs + elen, sizeof(errs) - 1 - elen);
			else
				r = read(ep[0], junk, sizeof(junk));
			if (r > 0 && elen < sizeof(errs) - 1)
				elen += (size_t)r;
			errs[elen] = '\0';
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
				close(ep[0]);
				ep[0] = -1;
			}
			if (r > 0)
				continue;   /* drain before looking at the exits again */
		} else if (ep[0] < 0) {
			struct timespec nap = { 0, 50 * 1000 * 1000 };
			nanosleep(&nap, NULL);
		}
		if (gpid < 0 && tpid < 0)
			break;
	}
	if (gst == 0 && tst == 0) {
		rc = CA_OK;
	} else if (has_word(errs, "Bad session key") || has_word(errs, "bad passphrase")) {
		rc = CA_WRONG;
	} else {
		char gd[64], td[64], *line = errs, *nl;
		/* gpg's "decryption failed: ..." says more than its first line */
		char *f = strstr(errs, "failed");
		if (f) {
			while (f > errs && f[-1] != '\n')
				f--;
			line = f;
		}
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		proc_describe(gst, gd, sizeof(gd));
		proc_describe(tst, td, sizeof(td));
		snprintf(msg, msglen, "%s (gpg %s, tar %s)", line[0] ? line : "no message", gd, td);
	}
out:
	if (gpid > 0)
		proc_wait(gpid, 0, &gst);   /* kills it */
	if (tpid > 0)
		proc_wait(tpid, 0, &tst);
	for (int i = 0; i < 2; i++) {
		if (pp[i] >= 0)
			close(pp[i]);
		if (dp[i] >= 0)
			close(dp[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	kill_gpg_agents();
	if (rm_tree(GNUPG_HOME) < 0)
		log_msg(LOG_WARNING, "ca_decrypt: cannot remove %s: %s", GNUPG_HOME, strerror(errno));
	return rc;
}

/* The tarball holds flat files only; hand them to vpnd, read-only. */
static int ca_check_files(struct boot *b, char *id, size_t idlen)
{
	DIR *d = opendir(CA_DIR);
	struct dirent *e;
	int n = 0, rc = -1;

	id[0] = '\0';
	if (!d) {
		snprintf(b->why, sizeof(b->why), "opendir %s: %s", CA_DIR, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char path[300];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CA_DIR, e->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(b->why, sizeof(b->why),
				 "CA tarball is corrupt: '%.64s' is not a plain file", e->d_name);
			goto out;
		}
		if (chown(path, b->vpnd_uid, b->vpnd_gid) < 0 || chmod(path, 0400) < 0) {
			snprintf(b->why, sizeof(b->why), "chown/chmod %s: %s", path, strerror(errno));
			goto out;
		}
		n++;
	}
	for (int i = 0; required[i]; i++) {
		char path[64];
		snprintf(path, sizeof(path), "%s/%s", CA_DIR, required[i]);
		if (access(path, F_OK) < 0) {
			snprintf(b->why, sizeof(b->why), "CA tarball is corrupt: it has no %s", required[i]);
			goto out;
		}
	}
	if (access(CA_DIR "/crl.pem", F_OK) < 0)
		log_msg(LOG_WARNING, "step_ca: the CA tarball has no crl.pem");
	{
		int fd = open(CA_DIR "/server.id", O_RDONLY | O_CLOEXEC);
		ssize_t r = fd < 0 ? -1 : read(fd, id, idlen - 1);
		if (fd >= 0)
			close(fd);
		id[r > 0 ? r : 0] = '\0';
		id[strcspn(id, "\r\n")] = '\0';
		for (char *p = id; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				*p = '?';
	}
	rc = n;
out:
	closedir(d);
	return rc;
}

static void ca_banner(struct cons *cons, off_t size)
{
	char host[65] = "?", line[256];
	struct ifaddrs *ifa, *i;
	int demo = 0, fd;

	gethostname(host, sizeof(host) - 1);
	fd = open(CA_INFO, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char info[16] = "";
		ssize_t r = read(fd, info, sizeof(info) - 1);
		close(fd);
		demo = r >= 4 && strncmp(info, "demo", 4) == 0;
	}
	cons_puts(cons, "\n==================================================================\n");
	snprintf(line, sizeof(line), " roadbox %s: the CA must be unlocked before the VPN starts\n", host);
	cons_puts(cons, line);
	snprintf(line, sizeof(line), " CA tarball %s (%lld bytes)\n", CA_TARBALL, (long long)size);
	cons_puts(cons, line);
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next) {
			char a[INET6_ADDRSTRLEN];
			if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
				continue;
			if (i->ifa_addr->sa_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a, sizeof(a));
			else
				continue;
			snprintf(line, sizeof(line), " address %s on %s\n", a, i->ifa_name);
			cons_puts(cons, line);
		}
		freeifaddrs(ifa);
	}
	cons_puts(cons, "==================================================================\n");
	if (demo) {
		cons_puts(cons,
			"\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
			"!!! WARNING: this image carries the DEMO CA.                   !!!\n"
			"!!! Its passphrase is \"demo\" and its keys are not secret.      !!!\n"
			"!!! NOT FOR PRODUCTION: build the image with your own CA.      !!!\n"
			"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n");
		log_msg(LOG_WARNING, "step_ca: this image carries the DEMO CA (passphrase \"demo\"), not for production");
	}
}

static int mount_ca(struct boot *b)
{
	char opts[96];

	if (mkdir(CA_DIR, 0700) < 0 && errno != EEXIST) {
		snprintf(b->why, sizeof(b->why), "mkdir %s: %s", CA_DIR, strerror(errno));
		return -1;
	}
	snprintf(opts, sizeof(opts), "size=4m,nr_inodes=64,mode=0700,uid=%u,gid=%u",
		 (unsigned)b->vpnd_uid, (unsigned)b->vpnd_gid);
	if (mount("tmpfs", CA_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0) {
		snprintf(b->why, sizeof(b->why), "mount tmpfs on %s (%s): %s", CA_DIR, opts,
			 strerror(errno));
		return -1;
	}
	b->ca_mounted = 1;
	return 0;
}

int step_ca(struct boot *b)
{
	static char pass[PASS_MAX];
	char host[65] = "", prompt[128], msg[WHY_MAX], id[128], line[WHY_MAX + 64];
	struct stat st;
	struct cons cons;
	int wrong = 0, rc = -1;

	if (stat(CA_TARBALL, &st) < 0) {
		snprintf(b->why, sizeof(b->why), "no CA tarball at %s (%s)",
			 CA_TARBALL, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(b->why, sizeof(b->why), "CA tarball %s is empty or not a file", CA_TARBALL);
		return -1;
	}
	if (passwd_lookup_file("/etc/passwd", VPND_USER, &b->vpnd_uid, &b->vpnd_gid) < 0) {
		snprintf(b->why, sizeof(b->why), "no user '%s' in /etc/passwd", VPND_USER);
		return -1;
	}
	if (access("/usr/bin/gpg", X_OK) < 0) {
		snprintf(b->why, sizeof(b->why), "/usr/bin/gpg is missing from the image");
		return -1;
	}
	if (mount_ca(b) < 0)
		return -1;
	if (cons_open(&cons, b->sigfd, signals_handle) < 0) {
		snprintf(b->why, sizeof(b->why), "no console to ask for the CA passphrase");
		goto fail;
	}
	ca_banner(&cons, st.st_size);
	gethostname(host, sizeof(host) - 1);
	snprintf(prompt, sizeof(prompt), "%s CA passphrase: ", host);
	/* The VPN never starts without its CA: ask until it is right. */
	for (;;) {
		int n, r;

		n = cons_read_secret(&cons, prompt, pass, sizeof(pass));
		if (n < 0) {
			explicit_bzero(pass, sizeof(pass));
			if (n == -2) {
				cons_puts(&cons, "passphrase too long; try again\n");
				continue;
			}
			snprintf(b->why, sizeof(b->why), "cannot read the passphrase from the console");
			goto fail;
		}
		if (n == 0) {
			cons_puts(&cons, "empty passphrase; try again\n");
			continue;
		}
		cons_puts(&cons, "decrypting the CA...\n");
		r = ca_decrypt(pass, (size_t)n, msg, sizeof(msg));
		explicit_bzero(pass, sizeof(pass));
		if (r == CA_OK) {
			n = ca_check_files(b, id, sizeof(id));
			if (n < 0)
				goto fail;
			snprintf(line, sizeof(line), "init: CA unlocked: %d files in %s for user %s%s%s\n",
				 n, CA_DIR, VPND_USER, id[0] ? ", server identity " : "", id);
			cons_puts(&cons, line);
			log_msg(LOG_NOTICE, "step_ca: CA unlocked (%d files, server identity %s)", n,
				id[0] ? id : "unknown");
			b->ca_ok = 1;
			rc = 0;
			break;
		}
		if (ca_clear() < 0)
			log_msg(LOG_ERR, "step_ca: could not empty %s after a failed attempt", CA_DIR);
		if (r == CA_BROKEN) {
			snprintf(b->why, sizeof(b->why), "CA tarball %s is corrupt or unreadable: %s",
				 CA_TARBALL, msg);
			goto fail;
		}
		wrong++;
		snprintf(line, sizeof(line), "init: wrong passphrase (%d failed attempt%s); try again\n",
			 wrong, wrong == 1 ? "" : "s");
		cons_puts(&cons, line);
		log_msg(LOG_WARNING, "step_ca: wrong CA passphrase (attempt %d)", wrong);
		if (wrong % 3 == 0) {
			snprintf(line, sizeof(line), "init: %d wrong passphrases: waiting %d seconds before asking again\n",
				 wrong, WRONG_PAUSE_S);
			cons_puts(&cons, line);
			cons_pause(&cons, WRONG_PAUSE_S);
		}
	}
	cons_close(&cons);
	return rc;
fail:
	explicit_bzero(pass, sizeof(pass));
	if (cons.n)
		cons_close(&cons);
	ca_wipe();
	b->ca_mounted = 0;
	return -1;
}
