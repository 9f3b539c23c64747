/* transcript.c - the wire transcript as JSON Lines (see transcript.h). */
#include "transcript.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct transcript {
	struct ev_loop *loop;
	FILE *f;
	ev_tstamp t0;
	ev_timer flush_timer;
	char *scratch;      /* escape buffer, grown on demand */
	size_t scratch_cap;
};

static void flush_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct transcript *t = (struct transcript *)((char *)w - offsetof(struct transcript, flush_timer));
	fflush(t->f);
}

struct transcript *transcript_open(struct ev_loop *loop, const char *path, char *why, size_t cap)
{
	struct transcript *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	t->f = fopen(path, "w");
	if (!t->f) {
		snprintf(why, cap, "cannot write transcript %s: %s", path, strerror(errno));
		free(t);
		return NULL;
	}
	t->loop = loop;
	t->t0 = ev_time();
	ev_timer_init(&t->flush_timer, flush_cb, 1., 1.);
	ev_timer_start(loop, &t->flush_timer);
	ev_unref(loop); /* the flush timer alone must not keep the loop running */
	return t;
}

void transcript_flush(struct transcript *t)
{
	if (t)
		fflush(t->f);
}

void transcript_close(struct transcript *t)
{
	if (!t)
		return;
	ev_ref(t->loop);
	ev_timer_stop(t->loop, &t->flush_timer);
	fclose(t->f);
	free(t->scratch);
	free(t);
}

size_t transcript_escape(const void *buf, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *b = buf;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char tmp[4];
		size_t k = 0;
		uint8_t c = b[i];
		if (c == '\\') {
			tmp[k++] = '\\';
			tmp[k++] = '\\';
		} else if (c == '\r') {
			tmp[k++] = '\\';
			tmp[k++] = 'r';
		} else if (c == '\n') {
			tmp[k++] = '\\';
			tmp[k++] = 'n';
		} else if (c == '\t') {
			tmp[k++] = '\\';
			tmp[k++] = 't';
		} else if (c >= 0x20 && c < 0x7f) {
			tmp[k++] = (char)c;
		} else {
			tmp[k++] = '\\';
			tmp[k++] = 'x';
			tmp[k++] = hex[c >> 4];
			tmp[k++] = hex[c & 15];
		}
		for (size_t j = 0; j < k; j++, o++)
			if (o + 1 < cap)
				out[o] = tmp[j];
	}
	if (cap)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long transcript_unescape(const char *s, uint8_t *out, size_t cap)
{
	size_t o = 0;
	while (*s) {
		uint8_t c;
		if (*s != '\\') {
			c = (uint8_t)*s++;
		} else {
			s++;
			switch (*s) {
			case '\\': c = '\\'; s++; break;
			case 'r': c = '\r'; s++; break;
			case 'n': c = '\n'; s++; break;
			case 't': c = '\t'; s++; break;
			case 'x': {
				int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
				if (hi < 0 || lo < 0)
					return -1;
				c = (uint8_t)(hi << 4 | lo);
				s += 3;
				break;
			}
			default:
				return -1;
			}
		}
		if (o >= cap)
			return -1;
		out[o++] = c;
	}
	return (long)o;
}

static void record(struct transcript *t, int modem, const char *dir, const char *data)
{
	json_t *o = json_object();
	if (!o)
		return;
	json_object_set_new(o, "t", json_real(ev_time() - t->t0));
	if (modem >= 0) /* -1: the process, not one modem */
		json_object_set_new(o, "modem", json_integer(modem));
	json_object_set_new(o, "dir", json_string(dir));
	json_object_set_new(o, "data", json_string(data));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, t->f);
		fputc('\n', t->f);
		free(s);
	}
	json_decref(o);
}

static const char *escaped(struct transcript *t, const void *buf, size_t n)
{
	size_t need = n * 4 + 1;
	if (need > t->scratch_cap) {
		char *s = realloc(t->scratch, need);
		if (!s)
			return NULL;
		t->scratch = s;
		t->scratch_cap = need;
	}
	transcript_escape(buf, n, t->scratch, t->scratch_cap);
	return t->scratch;
}

void transcript_chunk(struct transcript *t, int modem, const char *dir, const void *buf, size_t n)
{
	if (!t || n == 0)
		return;
	const char *s = escaped(t, buf, n);
	if (s)
		record(t, modem, dir, s);
}

void transcript_command(struct transcript *t, int modem, const char *line, size_t n)
{
	if (!t)
		return;
	const char *s = escaped(t, line, n);
	if (s)
		record(t, modem, "cmd", s);
}

void transcript_note(struct transcript *t, int modem, const char *fmt, ...)
{
	if (!t)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const char *s = escaped(t, buf, strlen(buf));
	if (s)
		record(t, modem, "note", s);
}
