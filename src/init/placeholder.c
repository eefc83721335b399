/* placeholder.c - vpnd-placeholder: stands in for /usr/sbin/vpnd until the
 * real VPN daemon is in the image, so the init's supervision of "vpnd" can
 * be seen and tested.  It does nothing else and says so. */
#include <signal.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

int main(void)
{
	openlog("vpnd-placeholder", LOG_PID, LOG_DAEMON);
	syslog(LOG_WARNING, "vpnd placeholder running: no VPN service in this image, only this stand-in");
	fprintf(stderr, "vpnd-placeholder: vpnd placeholder running (no VPN service in this image)\n");
	for (;;)
		pause();
}
