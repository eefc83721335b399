/* logread.c - read syslog files line by line into the aggregation. */
#include "logread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int rb_read_log(struct rb_agg *a, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if (!f) {
		a->stats.unreadable++;
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0)
		rb_agg_line(a, line, (size_t)n);
	if (ferror(f))
		a->stats.unreadable++;
	else
		rc = 0;
	free(line);
	fclose(f);
	return rc;
}

int rb_read_rotated(struct rb_agg *a, const char *base)
{
	char path[4096];
	struct stat st;
	int n, rc = 0;

	/* oldest first; order does not matter to the result, but reading in
	 * time order keeps the sort cheap */
	for (n = RB_MAX_ROTATED - 1; n >= 0; n--) {
		snprintf(path, sizeof(path), "%s.%d", base, n);
		if (stat(path, &st) < 0)
			continue;
		if (rb_read_log(a, path) < 0)
			rc = -1;
	}
	if (stat(base, &st) < 0 && errno == ENOENT)
		return rc;
	if (rb_read_log(a, base) < 0)
		rc = -1;
	return rc;
}
