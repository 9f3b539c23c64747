/* replay.c - answer a driver from a recorded transcript (see replay.h). */
#include "replay.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_line.h"
#include "modem.h"
#include "modem_internal.h"
#include "transcript.h"

struct bytes {
	uint8_t *d;
	size_t len, cap;
};

struct exchange {
	struct bytes rx;        /* what the host sent */
	struct bytes tx;        /* what the module answered, until the host spoke again */
	char **lines;           /* command lines in rx (after "AT"), for lenient matching */
	size_t n_lines;
	unsigned line_no;       /* transcript line of the first rx record */
};

struct replay {
	struct bytes prelude;   /* before the host's first byte: boot URCs */
	struct exchange *ex;
	size_t n_ex;
};

struct replay_run {
	const struct replay *r;
	bool strict;
	size_t ex;              /* next exchange expected */
	size_t off;             /* strict: bytes of ex's rx matched so far */
	uint64_t total;         /* strict: host bytes matched overall */
	bool diverged;
	struct at_line line;    /* lenient: the host's lines */
};

static bool add(struct bytes *b, const uint8_t *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->d, cap);
		if (!d)
			return false;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
	return true;
}

static void free_exchange(struct exchange *e)
{
	free(e->rx.d);
	free(e->tx.d);
	for (size_t i = 0; i < e->n_lines; i++)
		free(e->lines[i]);
	free(e->lines);
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_ex; i++)
		free_exchange(&r->ex[i]);
	free(r->ex);
	free(r->prelude.d);
	free(r);
}

size_t replay_exchanges(const struct replay *r)
{
	return r->n_ex;
}

/* The command lines in an exchange's host bytes, found as the simulator itself finds them. */
static bool split_lines(struct exchange *e)
{
	struct at_line l;
	at_line_init(&l, AT_LINE_CAP, true);
	size_t off = 0;
	while (off < e->rx.len) {
		enum at_line_event ev;
		off += at_line_feed(&l, e->rx.d + off, e->rx.len - off, &ev);
		if (ev != AT_LINE_COMMAND && ev != AT_LINE_REPEAT)
			continue;
		size_t n;
		const char *t = at_line_text(&l, &n);
		char **lines = realloc(e->lines, (e->n_lines + 1) * sizeof *lines);
		if (!lines)
			return false;
		e->lines = lines;
		if (!(e->lines[e->n_lines] = strndup(t, n)))
			return false;
		e->n_lines++;
	}
	return true;
}

struct replay *replay_load(const char *path, int modem, char *why, size_t why_cap)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, why_cap, "--replay %s: cannot open it", path);
		return NULL;
	}
	struct replay *r = calloc(1, sizeof *r);
	char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	bool ok = r != NULL, last_rx = false;
	uint8_t *buf = NULL;
	while (ok && getline(&line, &cap, f) > 0) {
		no++;
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		if (!o) {
			snprintf(why, why_cap, "--replay %s:%u: not JSON: %s", path, no, e.text);
			ok = false;
			break;
		}
		const json_t *mj = json_object_get(o, "modem");
		const char *dir = json_string_value(json_object_get(o, "dir"));
		const char *data = json_string_value(json_object_get(o, "data"));
		bool mine = mj && json_is_integer(mj) && json_integer_value(mj) == modem;
		bool bytes = dir && (!strcmp(dir, "rx") || !strcmp(dir, "tx"));
		if (mine && bytes) {
			if (!data) {
				snprintf(why, why_cap, "--replay %s:%u: \"data\" missing", path, no);
				ok = false;
			} else {
				size_t n = strlen(data);
				uint8_t *b = realloc(buf, n + 1);
				long k = b ? transcript_unescape(data, b, n + 1) : -1;
				buf = b ? b : buf;
				if (k < 0) {
					snprintf(why, why_cap, "--replay %s:%u: bad escape in \"data\"", path, no);
					ok = false;
				} else if (!strcmp(dir, "rx")) {
					if (!last_rx) {
						struct exchange *ex = realloc(r->ex, (r->n_ex + 1) * sizeof *ex);
						ok = ex != NULL;
						if (ok) {
							r->ex = ex;
							memset(&r->ex[r->n_ex], 0, sizeof *ex);
							r->ex[r->n_ex].line_no = no;
							r->n_ex++;
						}
					}
					ok = ok && add(&r->ex[r->n_ex - 1].rx, b, (size_t)k);
					last_rx = true;
				} else {
					ok = add(r->n_ex ? &r->ex[r->n_ex - 1].tx : &r->prelude, b, (size_t)k);
					last_rx = false;
				}
				if (!ok && !why[0])
					snprintf(why, why_cap, "out of memory");
			}
		}
		json_decref(o);
	}
	free(line);
	free(buf);
	fclose(f);
	for (size_t i = 0; ok && i < r->n_ex; i++)
		ok = split_lines(&r->ex[i]);
	if (ok && r->n_ex == 0 && r->prelude.len == 0) {
		snprintf(why, why_cap, "--replay %s: no bytes recorded for modem %d", path, modem);
		ok = false;
	}
	if (!ok) {
		if (!why[0])
			snprintf(why, why_cap, "out of memory");
		replay_free(r);
		return NULL;
	}
	return r;
}

static void answer(struct sim_modem *m, const struct exchange *e)
{
	modem_send(m, e->tx.d, e->tx.len);
}

/* Strict: the host's bytes against the recording, byte by byte. */
static size_t feed_strict(struct sim_modem *m, struct replay_run *run, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (run->diverged)
			return n;
		if (run->ex >= run->r->n_ex) {
			run->diverged = true;
			transcript_note(m->log, m->index, "replay: the host sent more than was recorded, "
							  "at byte %llu (0x%02x)",
					(unsigned long long)run->total, b[i]);
			fprintf(stderr, "sim800-sim: replay: modem %d: host sent more than recorded at byte %llu\n",
				m->index, (unsigned long long)run->total);
			return n;
		}
		const struct exchange *e = &run->r->ex[run->ex];
		if (b[i] != e->rx.d[run->off]) {
			run->diverged = true;
			transcript_note(m->log, m->index,
					"replay: input diverges at byte %llu (transcript line %u, offset %zu): "
					"expected 0x%02x, got 0x%02x",
					(unsigned long long)run->total, e->line_no, run->off,
					e->rx.d[run->off], b[i]);
			fprintf(stderr, "sim800-sim: replay: modem %d: input diverges at byte %llu "
					"(transcript line %u, offset %zu): expected 0x%02x, got 0x%02x\n",
				m->index, (unsigned long long)run->total, e->line_no, run->off,
				e->rx.d[run->off], b[i]);
			return n;
		}
		run->total++;
		if (++run->off == e->rx.len) {
			run->off = 0;
			run->ex++;
			answer(m, e);
		}
	}
	return n;
}

/* Lenient: whole command lines, in order; recorded lines the driver skips are passed over. */
static size_t feed_lenient(struct sim_modem *m, struct replay_run *run, const uint8_t *b, size_t n)
{
	size_t off = 0;
	while (off < n) {
		enum at_line_event ev;
		off += at_line_feed(&run->line, b + off, n - off, &ev);
		if (ev != AT_LINE_COMMAND && ev != AT_LINE_REPEAT)
			continue;
		size_t len;
		const char *t = at_line_text(&run->line, &len);
		bool found = false;
		for (size_t k = run->ex; k < run->r->n_ex && !found; k++) {
			const struct exchange *e = &run->r->ex[k];
			for (size_t j = 0; j < e->n_lines; j++) {
				if (strlen(e->lines[j]) != len || memcmp(e->lines[j], t, len) != 0)
					continue;
				/* The recorded answer follows the exchange's last line only. */
				if (j + 1 == e->n_lines)
					answer(m, e);
				run->ex = j + 1 == e->n_lines ? k + 1 : k;
				found = true;
				break;
			}
		}
		if (!found) {
			char shown[64];
			transcript_escape(t, len < 40 ? len : 40, shown, sizeof shown);
			transcript_note(m->log, m->index, "replay: \"AT%s\" was not recorded: ERROR", shown);
			modem_send(m, "\r\nERROR\r\n", 9);
		}
	}
	return n;
}

static size_t feed(struct sim_modem *m, void *ctx, const uint8_t *b, size_t n)
{
	struct replay_run *run = ctx;
	return run->strict ? feed_strict(m, run, b, n) : feed_lenient(m, run, b, n);
}

bool replay_attach(struct sim_modem *m, const struct replay *r, bool strict)
{
	struct replay_run *run = calloc(1, sizeof *run);
	if (!run)
		return false;
	run->r = r;
	run->strict = strict;
	m->replay = run;
	return true;
}

void replay_detach(struct sim_modem *m)
{
	free(m->replay);
	m->replay = NULL;
}

void replay_start(struct sim_modem *m)
{
	struct replay_run *run = m->replay;
	run->ex = run->off = 0;
	run->total = 0;
	run->diverged = false;
	at_line_init(&run->line, AT_LINE_CAP, true);
	transcript_note(m->log, m->index, "replay: %zu exchanges, %s", run->r->n_ex,
			run->strict ? "strict" : "lenient");
	const struct modem_input_hook hook = {.feed = feed, .ctx = run};
	modem_set_input_hook(m, &hook);
	modem_send(m, run->r->prelude.d, run->r->prelude.len);
}
