/* passwd.h - look a user up in /etc/passwd text: getpwnam() in a static
 * glibc binary would want NSS modules the box does not have. */
#ifndef ROADBOX_INIT_PASSWD_H
#define ROADBOX_INIT_PASSWD_H

#include <stddef.h>
#include <sys/types.h>

/* Returns 0 and sets uid/gid when user has a well-formed line, else -1. */
int passwd_lookup(const char *text, size_t len, const char *user, uid_t *uid, gid_t *gid);
int passwd_lookup_file(const char *path, const char *user, uid_t *uid, gid_t *gid);

/* The same for /etc/group (name:password:gid:members). */
int group_lookup(const char *text, size_t len, const char *group, gid_t *gid);
int group_lookup_file(const char *path, const char *group, gid_t *gid);

#endif
