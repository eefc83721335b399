# vpnctl: control client for vpnd (status, list, kick, report)
PROGS += vpnctl
vpnctl_SRCS := src/vpnctl/vpnctl.c
vpnctl_INSTALL := /usr/sbin/vpnctl
