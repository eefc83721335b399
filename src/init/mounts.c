/* mounts.c - boot step "mounts": the kernel API filesystems and the RAM
 * filesystems that make a read-only root usable.  Nothing here is backed by
 * disk: the box forgets everything at power-off, by design. */
#include "init.h"
#include "log.h"
#include "passwd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOSUID_NODEV (MS_NOSUID | MS_NODEV)

static int do_mount(struct boot *b, const char *src, const char *dir, const char *type,
		    unsigned long flags, const char *opts)
{
	if (mount(src, dir, type, flags, opts) == 0)
		return 0;
	/* EBUSY: the kernel mounted it already (devtmpfs with DEVTMPFS_MOUNT). */
	if (errno == EBUSY)
		return 0;
	snprintf(b->why, sizeof(b->why), "mount %s on %s (%s): %s", type, dir,
		 opts ? opts : "", strerror(errno));
	return -1;
}

static int make_dir(struct boot *b, const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		snprintf(b->why, sizeof(b->why), "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	/* mkdir honours the umask; the sticky bit needs chmod anyway */
	if (chmod(path, mode) < 0) {
		snprintf(b->why, sizeof(b->why), "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int mount_tmpfs(struct boot *b, const char *dir, const char *size, const char *mode,
		       unsigned long flags)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%s,mode=%s", size, mode);
	return do_mount(b, "tmpfs", dir, "tmpfs", flags, opts);
}

/* /var layout: logs, locks, cron spool, and /var/run -> /run for programs
 * that still use the old path. */
static int var_layout(struct boot *b)
{
	if (make_dir(b, "/var/log", 0755) || make_dir(b, "/var/lock", 0755) ||
	    make_dir(b, "/var/tmp", 01777) || make_dir(b, "/var/spool", 0755) ||
	    make_dir(b, "/var/spool/cron", 0755) ||
	    make_dir(b, "/var/spool/cron/crontabs", 0700) || make_dir(b, "/var/empty", 0755))
		return -1;
	if (symlink("/run", "/var/run") < 0 && errno != EEXIST) {
		snprintf(b->why, sizeof(b->why), "symlink /var/run -> /run: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int step_mounts(struct boot *b)
{
	const struct conf *c = &b->conf;
	gid_t tty_gid = 5;
	char opts[64];

	if (do_mount(b, "proc", "/proc", "proc", NOSUID_NODEV | MS_NOEXEC, NULL) ||
	    do_mount(b, "sysfs", "/sys", "sysfs", NOSUID_NODEV | MS_NOEXEC, NULL))
		return -1;
	if (access("/dev/null", F_OK) < 0 &&
	    do_mount(b, "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"))
		return -1;
	/* ttys of logged-in users: group tty may write to them (write/wall) */
	if (group_lookup_file("/etc/group", "tty", &tty_gid) < 0)
		log_msg(LOG_WARNING, "step_mounts: no group 'tty' in /etc/group; using gid 5");
	snprintf(opts, sizeof(opts), "mode=620,gid=%u,ptmxmode=666", (unsigned)tty_gid);
	if (make_dir(b, "/dev/pts", 0755) ||
	    do_mount(b, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, opts))
		return -1;
	if (mount_tmpfs(b, "/run", c->tmpfs_run, "0755", NOSUID_NODEV | MS_NOEXEC) ||
	    mount_tmpfs(b, "/tmp", c->tmpfs_tmp, "1777", NOSUID_NODEV) ||
	    mount_tmpfs(b, "/var", c->tmpfs_var, "0755", NOSUID_NODEV) ||
	    mount_tmpfs(b, "/root", c->tmpfs_root, "0700", NOSUID_NODEV))
		return -1;
	return var_layout(b);
}
