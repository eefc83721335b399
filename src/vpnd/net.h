/* net.h - the IKE UDP sockets (500 and NAT-T 4500) */
#ifndef VPND_NET_H
#define VPND_NET_H
#include <stdint.h>
#include "vpnd.h"

int net_open(uint32_t addr, uint16_t port, int natt);
/* Read every pending datagram of fd and hand it to ike_input(). */
void net_read(struct vpnd *v, int fd, int natt);
#endif
