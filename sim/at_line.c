/* at_line.c - bytes to AT command lines (see at_line.h). */
#include "at_line.h"

#include <string.h>

void at_line_init(struct at_line *l, unsigned max, bool mixed_case)
{
	memset(l, 0, sizeof *l);
	l->max = max > AT_LINE_CAP ? AT_LINE_CAP : max;
	l->mixed_case = mixed_case;
	l->s3 = '\r';
	l->s5 = '\b';
}

void at_line_reset(struct at_line *l)
{
	l->st = AT_LINE_SEEK_A;
	l->len = 0;
	l->overflow = false;
}

static bool is_a(char c)
{
	return c == 'A' || c == 'a';
}

/* "AT" or "at"; "At"/"aT" only when the profile says so (sim800-facts.md §0, UNCERTAIN). */
static bool is_t_for(const struct at_line *l, char c)
{
	if (l->mixed_case)
		return c == 'T' || c == 't';
	return (l->a == 'A' && c == 'T') || (l->a == 'a' && c == 't');
}

static void remember(struct at_line *l)
{
	memcpy(l->last, l->buf, l->len);
	l->last_len = l->len;
	l->have_last = true;
}

size_t at_line_feed(struct at_line *l, const uint8_t *in, size_t n, enum at_line_event *ev)
{
	*ev = AT_LINE_NONE;
	for (size_t i = 0; i < n; i++) {
		char c = (char)in[i];
		switch (l->st) {
		case AT_LINE_SEEK_A:
			if (is_a(c)) {
				l->a = c;
				l->st = AT_LINE_SEEK_T;
			}
			break;
		case AT_LINE_SEEK_T:
			if (is_t_for(l, c)) {
				l->st = AT_LINE_BODY;
				l->len = 0;
				l->overflow = false;
			} else if (c == '/') {
				l->st = AT_LINE_SEEK_A;
				*ev = l->have_last ? AT_LINE_REPEAT : AT_LINE_EMPTY_REPEAT;
				return i + 1;
			} else if (is_a(c)) {
				l->a = c;
			} else {
				l->st = AT_LINE_SEEK_A;
			}
			break;
		case AT_LINE_BODY:
			if (c == l->s3) {
				l->st = AT_LINE_SEEK_A;
				if (l->overflow) {
					*ev = AT_LINE_OVERFLOW;
					l->len = 0;
				} else {
					*ev = AT_LINE_COMMAND;
					remember(l);
				}
				return i + 1;
			}
			if (c == '\n')
				break;
			if (c == l->s5) {
				if (l->len > 0)
					l->len--;
				else
					l->st = AT_LINE_SEEK_T; /* the 'T' itself was deleted */
				break;
			}
			if (l->len < l->max)
				l->buf[l->len++] = c;
			else
				l->overflow = true;
			break;
		}
	}
	return n;
}

const char *at_line_text(const struct at_line *l, size_t *len)
{
	*len = l->last_len;
	return l->last;
}
