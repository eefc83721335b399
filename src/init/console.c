/* console.c - the CA passphrase dialogue's terminal handling. */
#include "console.h"
#include "log.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void echo_off(struct cons *c)
{
	for (int i = 0; i < c->n; i++) {
		struct termios t;

		c->tio_saved[i] = tcgetattr(c->fd[i], &c->saved[i]) == 0;
		if (!c->tio_saved[i])
			continue;
		t = c->saved[i];
		/* canonical mode keeps backspace working; CR from a serial
		 * terminal's Enter must end the line */
		t.c_lflag |= ICANON;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		t.c_iflag |= ICRNL;
		t.c_iflag &= ~(tcflag_t)(INLCR | IGNCR);
		t.c_oflag |= OPOST | ONLCR;
		tcsetattr(c->fd[i], TCSANOW, &t);
	}
}

static void echo_restore(struct cons *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->tio_saved[i])
			tcsetattr(c->fd[i], TCSANOW, &c->saved[i]);
}

int cons_open(struct cons *c, int sigfd, void (*on_signal)(void))
{
	static const char *const ttys[] = { "/dev/ttyS0", "/dev/tty1" };

	memset(c, 0, sizeof(*c));
	c->sigfd = sigfd;
	c->on_signal = on_signal;
	for (size_t i = 0; i < 2; i++) {
		/* O_NOCTTY: PID 1 must never get a controlling terminal (a hangup
		 * on it would kill the init). */
		int fd = open(ttys[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!isatty(fd)) {
			close(fd);
			continue;
		}
		c->fd[c->n++] = fd;
	}
	if (c->n == 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			log_msg(LOG_ERR, "cons_open: no console to ask on: %s", strerror(errno));
			return -1;
		}
		c->fd[c->n++] = fd;
	}
	echo_off(c);
	return 0;
}

void cons_puts(struct cons *c, const char *s)
{
	for (int i = 0; i < c->n; i++) {
		size_t n = strlen(s);
		const char *p = s;
		while (n > 0) {
			ssize_t w = write(c->fd[i], p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			n -= (size_t)w;
		}
	}
}

void cons_pause(struct cons *c, int seconds)
{
	long long end = proc_now_ms() + (long long)seconds * 1000;
	struct pollfd p = { .fd = c->sigfd, .events = POLLIN };

	for (long long left; (left = end - proc_now_ms()) > 0; )
		if (poll(&p, c->sigfd >= 0 ? 1 : 0, (int)left) > 0 && c->on_signal)
			c->on_signal();
}

int cons_read_secret(struct cons *c, const char *prompt, char *buf, size_t size)
{
	struct pollfd pfd[3];
	int live = c->n, rc = -1;

	/* Flush before the prompt, not after: an answer typed as soon as the
	 * prompt shows must not be thrown away. */
	for (int i = 0; i < c->n; i++) {
		tcflush(c->fd[i], TCIFLUSH);
		pfd[i] = (struct pollfd){ .fd = c->fd[i], .events = POLLIN };
	}
	pfd[c->n] = (struct pollfd){ .fd = c->sigfd, .events = POLLIN };
	cons_puts(c, prompt);
	while (live > 0) {
		if (poll(pfd, (nfds_t)c->n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "cons_read_secret: poll: %s", strerror(errno));
			break;
		}
		if (pfd[c->n].fd >= 0 && pfd[c->n].revents && c->on_signal)
			c->on_signal();   /* reaps, or shuts down and does not return */
		for (int i = 0; i < c->n; i++) {
			ssize_t r;
			size_t len;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!(pfd[i].revents & POLLIN)) {
				pfd[i].fd = -1;   /* hung up: ask only the others */
				live--;
				continue;
			}
			/* one read = one line in canonical mode */
			r = read(pfd[i].fd, buf, size - 1);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r == 0 && !(pfd[i].revents & (POLLHUP | POLLERR))) {
				/* Ctrl-D on a live terminal: an empty answer */
				buf[0] = '\0';
				return 0;
			}
			if (r <= 0) {
				/* error or end of file of a hung-up line: stop asking
				 * this console, or the caller spins on empty answers */
				pfd[i].fd = -1;
				live--;
				continue;
			}
			len = (size_t)r;
			if (len == size - 1 && buf[len - 1] != '\n') {
				char junk[64];
				/* too long: swallow the rest of the line, say so */
				while ((r = read(pfd[i].fd, junk, sizeof(junk))) > 0 &&
				       junk[r - 1] != '\n')
					;
				explicit_bzero(junk, sizeof(junk));
				explicit_bzero(buf, size);
				rc = -2;
			} else {
				while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
					len--;
				buf[len] = '\0';
				rc = (int)len;
			}
			/* echo was off: end the prompt line ourselves */
			if (write(pfd[i].fd, "\n", 1) < 0)
				(void)0;
			return rc;
		}
	}
	return rc;
}

void cons_close(struct cons *c)
{
	echo_restore(c);
	for (int i = 0; i < c->n; i++)
		close(c->fd[i]);
	c->n = 0;
}
