/* privdrop.h - become the unprivileged vpnd user, keeping CAP_NET_ADMIN */
#ifndef VPND_PRIVDROP_H
#define VPND_PRIVDROP_H
#include <sys/types.h>
/* Look a user up in a passwd-format file (static binary: no NSS). */
int passwd_lookup(const char *file, const char *user, uid_t *uid, gid_t *gid);
int drop_privileges(const char *user);
#endif
