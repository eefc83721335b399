/* libFuzzer target: init.conf and sysctl.conf parsing must never crash or
 * overrun, whatever the bytes (the site writes these files by hand). */
#include "../../src/init/conf.h"
#include "../../src/init/sysctl.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int count(void *ctx, const char *key, const char *value, int optional, int line)
{
	(void)key;
	(void)optional;
	(void)line;
	*(size_t *)ctx += strlen(value);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	char err[256];
	size_t n = 0;

	conf_defaults(&c);
	if (conf_parse(&c, (const char *)data, size, "fuzz", err, sizeof(err)) == 0) {
		/* what the init later relies on */
		for (int i = 0; i < c.n_svcs; i++)
			if (c.svcs[i].argv[c.svcs[i].argc] != NULL || c.svcs[i].argv[0][0] != '/')
				__builtin_trap();
		if (c.n_ifaces > CONF_MAX_IFACES || c.n_dns > CONF_MAX_DNS)
			__builtin_trap();
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		__builtin_trap();   /* every error names file:line */
	}
	sysctl_parse((const char *)data, size, "fuzz", count, &n, err, sizeof(err));
	return 0;
}
