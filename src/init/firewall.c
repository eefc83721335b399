/* firewall.c - boot steps "sysctl" and "firewall": the kernel settings and
 * the nftables ruleset the firewall owner ships.  Either failing keeps the
 * VPN service from starting: a gateway that forwards without its filter (or
 * filters without forwarding) is not what the site asked for. */
#include "init.h"
#include "log.h"
#include "proc.h"
#include "sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NFT_TIMEOUT_MS 30000

int step_sysctl(struct boot *b)
{
	if (access(SYSCTL_PATH, F_OK) < 0) {
		snprintf(b->why, sizeof(b->why), "%s is missing from the image: %s", SYSCTL_PATH,
			 strerror(errno));
		return -1;
	}
	if (sysctl_apply_file(SYSCTL_PATH, b->why, sizeof(b->why)) < 0)
		return -1;
	b->sysctl_ok = 1;
	return 0;
}

int step_firewall(struct boot *b)
{
	char *argv[] = { "nft", "-f", NFT_CONF, NULL };
	char why[200];

	if (access(NFT_CONF, F_OK) < 0) {
		snprintf(b->why, sizeof(b->why), "%s is missing from the image: %s", NFT_CONF,
			 strerror(errno));
		return -1;
	}
	if (proc_run(argv, NFT_TIMEOUT_MS, why, sizeof(why)) < 0) {
		snprintf(b->why, sizeof(b->why), "loading %s failed: %s", NFT_CONF, why);
		return -1;
	}
	b->firewall_ok = 1;
	log_msg(LOG_INFO, "step_firewall: loaded %s", NFT_CONF);
	return 0;
}
