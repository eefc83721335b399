/* strtrim.h - the one whitespace trimmer of our config parsers
 * (init.conf, sysctl.conf, vpnd.conf, report.conf). */
#ifndef ROADBOX_STRTRIM_H
#define ROADBOX_STRTRIM_H

#include <ctype.h>
#include <string.h>

/* Cut leading and trailing white space (incl. a CR from a CRLF file) in
 * place; returns the first non-blank character of s. */
static inline char *str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

#endif
