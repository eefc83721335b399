/* console.h - ask the operator something on tty1 (VGA) and ttyS0 (serial)
 * at once; whichever console answers first wins. */
#ifndef ROADBOX_INIT_CONSOLE_H
#define ROADBOX_INIT_CONSOLE_H

#include <stddef.h>
#include <termios.h>

struct cons {
	int sigfd;                 /* also watched while waiting; -1 = none */
	void (*on_signal)(void);   /* called when sigfd is readable */
	int n;
	int fd[2];
	int tio_saved[2];
	struct termios saved[2];
};

/* Open the consoles that exist and turn their echo off until cons_close()
 * (what is typed during the dialogue is never shown); -1 if none opens.
 * While waiting for input, on_signal() is called whenever sigfd is readable. */
int cons_open(struct cons *c, int sigfd, void (*on_signal)(void));

/* Wait seconds, still serving signals; typed input is discarded later. */
void cons_pause(struct cons *c, int seconds);

/* Write s to every open console (\n becomes \r\n through the tty's ONLCR). */
void cons_puts(struct cons *c, const char *s);

/* Drop typed-ahead input, print prompt, then read one line.  Returns the
 * length (newline stripped, buf NUL-terminated), -2 if the line did not fit
 * (buf is wiped), -1 when no console can be read. */
int cons_read_secret(struct cons *c, const char *prompt, char *buf, size_t size);

/* Restore the terminal settings and close. */
void cons_close(struct cons *c);

#endif
