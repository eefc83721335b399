# src/init: roadbox's PID 1 (issue 8) and the vpnd placeholder.
INIT_CORE_SRCS := src/init/conf.c src/init/sysctl.c src/init/passwd.c \
                  src/init/backoff.c src/init/log.c src/init/proc.c src/init/svc.c

PROGS += init
init_SRCS := $(INIT_CORE_SRCS) src/init/main.c src/init/mounts.c src/init/net.c \
             src/init/firewall.c src/init/ca.c src/init/console.c \
             src/init/services.c src/init/supervise.c src/init/shutdown.c
init_INSTALL := /sbin/init

# Stands in for /usr/sbin/vpnd until the real daemon is in the image.
PROGS += vpnd-placeholder
vpnd-placeholder_SRCS := src/init/placeholder.c
vpnd-placeholder_INSTALL := /usr/sbin/vpnd-placeholder

UNIT_TESTS += init_unit
init_unit_SRCS := $(wildcard tests/unit/init/*.c) $(INIT_CORE_SRCS)

# gpg 2.2 needs its agent even for symmetric decryption.
ROOTFS_HELPERS += /usr/bin/gpg /usr/bin/gpg-agent

# init.conf and sysctl.conf parsers under libFuzzer (sysctl.c's apply half
# logs through log.c).
FUZZERS += init_conf_fuzz
init_conf_fuzz_SRCS := tests/init/fuzz_conf.c src/init/conf.c src/init/sysctl.c src/init/log.c
