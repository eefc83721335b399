/* vpnctl - talk to vpnd over its control socket.
 *   vpnctl status | list | kick NAME     (answers from vpnd)
 *   vpnctl report [--send]               (runs /usr/sbin/roadbox-report)
 *   -s PATH  use another control socket (default /run/vpnd.sock) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPORT_PROG "/usr/sbin/roadbox-report"

static int usage(void)
{
	fprintf(stderr, "usage: vpnctl [-s SOCKET] status | list | kick NAME | report [--send]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = "/run/vpnd.sock";
	char req[600], buf[4096];
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "-s")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i];
	if (!strcmp(cmd, "report")) {
		/* the report owner's program does the work; same arguments */
		argv[i] = (char *)REPORT_PROG;
		execv(REPORT_PROG, argv + i);
		fprintf(stderr, "vpnctl: %s: %s\n", REPORT_PROG, strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "list")) {
		if (i + 1 != argc)
			return usage();
		snprintf(req, sizeof(req), "%s\n", cmd);
	} else if (!strcmp(cmd, "kick")) {
		if (i + 2 != argc || !argv[i + 1][0] || strlen(argv[i + 1]) > 512 ||
		    strpbrk(argv[i + 1], "\r\n"))
			return usage();
		snprintf(req, sizeof(req), "kick %s\n", argv[i + 1]);
	} else {
		return usage();
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return usage();
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "vpnctl: cannot reach vpnd at %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t len = strlen(req);
	if (write(fd, req, len) != (ssize_t)len) {
		fprintf(stderr, "vpnctl: write: %s\n", strerror(errno));
		return 1;
	}
	int rc = 0, first = 1;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (first && n >= 6 && !memcmp(buf, "error:", 6))
			rc = 1;
		first = 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	return rc;
}
