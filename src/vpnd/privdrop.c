/* privdrop.c - after the sockets are bound and netlink is open, vpnd runs
 * as its own user.  It keeps exactly one capability, CAP_NET_ADMIN: every
 * XFRM netlink request (adding/removing SAs and policies, allocating SPIs,
 * reading counters) is checked against it at send time, not only when the
 * socket was opened, so it cannot be dropped.  CAP_NET_BIND_SERVICE is not
 * kept: the UDP sockets are bound once before the drop and never rebound.
 * /etc/passwd is parsed here because getpwnam() needs NSS, which a static
 * binary cannot load. */
#include "privdrop.h"
#include "log.h"
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int passwd_lookup(const char *file, const char *user, uid_t *uid, gid_t *gid)
{
	FILE *f = fopen(file, "r");
	char line[512];
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *fields[7], *p = line;
		int n = 0;
		line[strcspn(line, "\n")] = 0;
		while (n < 7) {
			fields[n++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = 0;
		}
		if (n < 4 || strcmp(fields[0], user) != 0)
			continue;
		char *e1, *e2;
		errno = 0;
		unsigned long u = strtoul(fields[2], &e1, 10), g = strtoul(fields[3], &e2, 10);
		if (errno || *e1 || *e2 || e1 == fields[2] || e2 == fields[3] || u == 0 || u > 65534 || g > 65534)
			break; /* never "drop" to root, or to garbage */
		*uid = (uid_t)u;
		*gid = (gid_t)g;
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

int drop_privileges(const char *user)
{
	uid_t uid;
	gid_t gid;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (passwd_lookup("/etc/passwd", user, &uid, &gid) < 0) {
		LOGE("user %s not found in /etc/passwd", user);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		LOGE("switching to %s: %s", user, strerror(errno));
		return -1;
	}
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &hdr, data) < 0) {
		LOGE("capset: %s", strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (setuid(0) == 0) {
		LOGE("could regain root after dropping privileges");
		return -1;
	}
	LOGI("running as %s (uid %u) with CAP_NET_ADMIN only", user, (unsigned)uid);
	return 0;
}
