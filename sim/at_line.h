/* at_line.h - bytes to AT command lines: "AT" prefix, S3/S5, "A/", overlong lines, garbage. */
#ifndef SIM_AT_LINE_H
#define SIM_AT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest command line any profile may allow (profile command_line.max_length <= this). */
#define AT_LINE_CAP 4096

enum at_line_event {
	AT_LINE_NONE,      /* all bytes consumed, no complete line yet */
	AT_LINE_COMMAND,   /* a line is ready: at_line_text() */
	AT_LINE_REPEAT,    /* "A/": re-issue the previous line (at_line_text() holds it) */
	AT_LINE_OVERFLOW,  /* the line was longer than the limit: answer ERROR (MAN §1.4.4) */
	AT_LINE_EMPTY_REPEAT, /* "A/" with no previous line */
};

enum at_line_state { AT_LINE_SEEK_A, AT_LINE_SEEK_T, AT_LINE_BODY };

/*
 * Only command state is handled here; prompts and data mode bypass it. Bytes before an
 * "AT"/"at" prefix are ignored (the manual: a leading "AT" is for synchronisation); CR (S3)
 * ends a line; LF is ignored (hosts send CRLF); BS (S5) deletes the last character.
 */
struct at_line {
	enum at_line_state st;
	unsigned max;             /* characters allowed after "AT" (556 on SIM800) */
	bool mixed_case;          /* accept "At"/"aT" */
	char a;                   /* the 'A' or 'a' that started the prefix */
	char s3, s5;              /* line end and backspace characters */
	size_t len;               /* characters in buf */
	bool overflow;            /* more than max characters arrived */
	char buf[AT_LINE_CAP];    /* the line after "AT", not NUL-terminated */
	size_t last_len;
	bool have_last;
	char last[AT_LINE_CAP];   /* previous line, for "A/" */
};

void at_line_init(struct at_line *l, unsigned max, bool mixed_case);
/*
 * Consume bytes until one event; returns how many were consumed (the rest must be fed again
 * after the event is handled: a command may switch the line into a prompt or data mode).
 */
size_t at_line_feed(struct at_line *l, const uint8_t *in, size_t n, enum at_line_event *ev);
/* The line of the last COMMAND/REPEAT event. */
const char *at_line_text(const struct at_line *l, size_t *len);
/* Forget a partial line (power loss, mode change). The "A/" memory survives. */
void at_line_reset(struct at_line *l);

#endif
