/* xfrm.c against the running kernel, inside a private network namespace
 * (a forked child that unshares CLONE_NEWNET, so the host's tables are
 * never touched).  Needs root; on a kernel without ESP (this build host)
 * the SA parts report why and only the SPI/policy/flush parts run. */
#include "tap.h"
#include "../../../src/vpnd/xfrm.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void test_xfrm(void);

static int count_lines(const char *cmd, const char *pat)
{
	char line[512];
	int n = 0;
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, pat))
			n++;
	pclose(f);
	return n;
}

static void child(void)
{
	int fd = xfrm_open();
	uint32_t spi = 0, reqid = XFRM_REQID_BASE | 42;
	const uint32_t local = 0xc0000201, peer = 0xc6336407;
	struct net4 vip = { 0x0a630002, 32 }, any = { 0, 0 }, lan = { 0xc0a80000, 16 };

	OK(fd >= 0, "XFRM netlink socket in a private namespace");
	OK(xfrm_alloc_spi(fd, peer, local, reqid, &spi) == 0 && spi >= 0xc0000000u && spi <= 0xcfffffffu,
	   "ALLOCSPI gives an SPI in vpnd's range (%08x)", spi);
	int pr = xfrm_add_policy(fd, any, vip, XDIR_OUT, local, peer, reqid) |
		 xfrm_add_policy(fd, vip, any, XDIR_IN, peer, local, reqid) |
		 xfrm_add_policy(fd, vip, any, XDIR_FWD, peer, local, reqid) |
		 xfrm_add_policy(fd, lan, vip, XDIR_OUT, local, peer, reqid);
	OK(pr == 0, "out/in/fwd tunnel policies added");
	OK(count_lines("ip xfrm policy 2>/dev/null", "reqid 1987051562") == 4 &&
	   count_lines("ip xfrm policy 2>/dev/null", "src 10.99.0.2/32 dst 0.0.0.0/0") == 2 &&
	   count_lines("ip xfrm policy 2>/dev/null", "tmpl src 198.51.100.7 dst 192.0.2.1") == 2,
	   "ip xfrm policy shows them with vpnd's reqid and tunnel endpoints");
	OK(xfrm_del_policy(fd, lan, vip, XDIR_OUT) == 0 &&
	   count_lines("ip xfrm policy 2>/dev/null", "src 192.168.0.0/16") == 0, "a policy deleted");
	OK(xfrm_del_policy(fd, lan, vip, XDIR_OUT) < 0, "deleting it again fails cleanly");

	uint8_t ek[36], ak[32];
	memset(ek, 1, sizeof(ek));
	memset(ak, 2, sizeof(ak));
	struct xfrm_sa in = { .src = peer, .dst = local, .spi = spi, .reqid = reqid, .encr = 20, .encr_bits = 256,
			      .ekey = ek, .elen = 36, .encap = 1, .sport = 4500, .dport = 4500, .update = 1 };
	struct xfrm_sa out = { .src = local, .dst = peer, .spi = 0xc0001234, .reqid = reqid, .encr = 12,
			       .encr_bits = 128, .integ = 12, .ekey = ek, .elen = 16, .akey = ak, .alen = 32 };
	int a = xfrm_add_sa(fd, &in), b = a == 0 ? xfrm_add_sa(fd, &out) : -1;
	if (a < 0 && count_lines("grep -w esp4 /proc/modules /proc/kallsyms 2>/dev/null", "esp4") == 0) {
		printf("# this kernel has no ESP: SA installation is tested in the QEMU interop test\n");
	} else {
		OK(a == 0 && b == 0, "GCM SA (UDP-encapsulated) and CBC+HMAC SA installed");
		uint64_t bytes = 1;
		OK(xfrm_sa_bytes(fd, local, spi, &bytes) == 0 && bytes == 0, "SA byte counter read");
		OK(count_lines("ip xfrm state 2>/dev/null", "encap type espinudp sport 4500 dport 4500") == 1,
		   "NAT-T encapsulation on the inbound SA");
		OK(xfrm_del_sa(fd, peer, 0xc0001234) == 0, "SA deleted");
	}
	OK(xfrm_flush_owned(fd) == 0 && count_lines("ip xfrm policy 2>/dev/null", "reqid") == 0 &&
	   count_lines("ip xfrm state 2>/dev/null", "reqid 1987051562") == 0,
	   "flush removes every policy and SA with vpnd's reqids");
	fflush(stdout);
}

void test_xfrm(void)
{
	if (geteuid() != 0) {
		printf("# not root: XFRM netlink tests skipped\n");
		return;
	}
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			printf("# unshare(CLONE_NEWNET): %s: XFRM tests skipped\n", strerror(errno));
			_exit(0);
		}
		child();
		_exit(tap_failed ? 1 : 0);
	}
	int st = 0;
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tap_failed++;
}
