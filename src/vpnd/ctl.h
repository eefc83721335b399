/* ctl.h - the control socket vpnctl talks to */
#ifndef VPND_CTL_H
#define VPND_CTL_H
#include <stddef.h>
#include "vpnd.h"

int ctl_open(const char *path);
void ctl_accept(struct vpnd *v, int lfd);
/* Execute one command line; the answer goes to out (for tests too). */
void ctl_command(struct vpnd *v, const char *line, char *out, size_t outlen);
#endif
