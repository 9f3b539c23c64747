/* cf_wire.c - checks on what the driver sent: its command lines in the simulator's transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cf.h"
#include "transcript.h"

/* The transcript as the checks see it: the host's command lines and the simulator's notes
 * ("injected: pdp_deact"), in the order they happened. The lines are those the module parsed
 * (its "cmd" records, written "AT..."): a CIPSEND payload without a line end never merges with
 * the command after it. Raw: the host's rx bytes split at CR or LF instead, which also shows
 * what the module ignored (a deaf boot, autobaud), payloads included. */
struct wire_ev {
	bool note;
	char *text;
};

struct wire {
	struct wire_ev *ev;
	size_t n, cap;
	char line[600];       /* the host line being assembled; longer lines are cut (the
			       * module takes 556 characters, sim800-facts.md §0) */
	size_t len;
};

static void push(struct wire *w, bool note, const char *text)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct wire_ev *ev = realloc(w->ev, cap * sizeof *ev);
		if (!ev)
			return;
		w->ev = ev;
		w->cap = cap;
	}
	char *copy = strdup(text);
	if (copy)
		w->ev[w->n++] = (struct wire_ev){note, copy};
}

static void rx_bytes(struct wire *w, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\r' || b[i] == '\n') {
			w->line[w->len] = '\0';
			if (w->len)
				push(w, false, w->line);
			w->len = 0;
		} else if (w->len + 1 < sizeof w->line) {
			w->line[w->len++] = (char)b[i];
		}
	}
}

static void wire_free(struct wire *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->ev[i].text);
	free(w->ev);
}

static bool wire_load(const char *path, struct wire *w, bool raw)
{
	memset(w, 0, sizeof *w);
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return false;
	char *line = NULL;
	size_t lcap = 0;
	uint8_t buf[8192];
	while (getline(&line, &lcap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *dir = json_string_value(json_object_get(o, "dir"));
		const char *data = json_string_value(json_object_get(o, "data"));
		if (dir && data && !strcmp(dir, "note")) {
			push(w, true, data);
		} else if (dir && data && !raw && !strcmp(dir, "cmd")) {
			long k = transcript_unescape(data, buf, sizeof buf - 1);
			char cmd[sizeof w->line];
			snprintf(cmd, sizeof cmd, "AT%.*s", k > 0 ? (int)k : 0, (const char *)buf);
			push(w, false, cmd);
		} else if (dir && data && raw && !strcmp(dir, "rx")) {
			long k = transcript_unescape(data, buf, sizeof buf);
			if (k > 0)
				rx_bytes(w, buf, (size_t)k);
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	return true;
}

/* "AT+CIPSHUT" matches that line exactly (any case); "AT+CIPSTART*" every line it begins. */
static bool line_is(const char *line, const char *pat)
{
	size_t n = strlen(pat);
	if (n && pat[n - 1] == '*')
		return strncasecmp(line, pat, n - 1) == 0;
	return strcasecmp(line, pat) == 0;
}

/* Where the check starts: after the first note that begins with "since", or the start. */
static bool start_at(const struct wire *w, const json_t *c, size_t *from, char *why, size_t cap)
{
	const char *since = json_string_value(json_object_get(c, "since"));
	*from = 0;
	if (!since)
		return true;
	for (size_t i = 0; i < w->n; i++)
		if (w->ev[i].note && !strncmp(w->ev[i].text, since, strlen(since))) {
			*from = i + 1;
			return true;
		}
	snprintf(why, cap, "the simulator never noted \"%s\"", since);
	return false;
}

/* Run a check on the wire from its start: a real device (the runner sees no wire) holds. */
static bool on_wire(const struct cf_ctx *x, const json_t *c, char *why, size_t cap,
		    bool (*fn)(const struct wire *w, size_t at, const json_t *c, char *why, size_t cap))
{
	if (x->t->real || !x->wire_path)
		return true;
	struct wire w;
	size_t at;
	if (!wire_load(x->wire_path, &w, json_is_true(json_object_get(c, "raw")))) {
		snprintf(why, cap, "cannot read the transcript %s", x->wire_path);
		return false;
	}
	bool ok = start_at(&w, c, &at, why, cap) && fn(&w, at, c, why, cap);
	wire_free(&w);
	return ok;
}

/* {lines: [A, B, ...], since}: the driver sent A, then later B, ... (others may come between). */
static bool sent(const struct wire *w, size_t at, const json_t *c, char *why, size_t cap)
{
	size_t i, k;
	json_t *v;
	json_array_foreach(json_object_get(c, "lines"), k, v) {
		const char *pat = json_string_value(v);
		for (i = at; i < w->n && (w->ev[i].note || !line_is(w->ev[i].text, pat ? pat : "")); i++)
			;
		if (i == w->n) {
			snprintf(why, cap, "the driver never sent %s%s", pat ? pat : "?",
				 k ? " after the lines before it in the list" : "");
			return false;
		}
		at = i + 1;
	}
	return true;
}

/* {line, min, max, since, raw}: how many times the driver sent a line; raw counts what the
 * module ignored too (e.g. AT retries while it was deaf). */
static bool sent_count(const struct wire *w, size_t at, const json_t *c, char *why, size_t cap)
{
	const char *pat = json_string_value(json_object_get(c, "line"));
	const json_t *min = json_object_get(c, "min"), *max = json_object_get(c, "max");
	long n = 0;
	for (size_t i = at; i < w->n; i++)
		n += !w->ev[i].note && line_is(w->ev[i].text, pat ? pat : "");
	if (min && n < json_integer_value(min)) {
		snprintf(why, cap, "the driver sent %s %ld times, at least %lld expected",
			 pat ? pat : "?", n, (long long)json_integer_value(min));
		return false;
	}
	if (max && n > json_integer_value(max)) {
		snprintf(why, cap, "the driver sent %s %ld times, at most %lld expected",
			 pat ? pat : "?", n, (long long)json_integer_value(max));
		return false;
	}
	return true;
}

/* {first, then, since}: no "then" line before a "first" line, e.g. no AT+CIPSTART after a
 * +PDP: DEACT until the driver has sent AT+CIPSHUT. A driver that never sends "then" passes. */
static bool sent_before(const struct wire *w, size_t at, const json_t *c, char *why, size_t cap)
{
	const char *first = json_string_value(json_object_get(c, "first"));
	const char *then = json_string_value(json_object_get(c, "then"));
	for (size_t i = at; i < w->n; i++) {
		if (w->ev[i].note)
			continue;
		if (line_is(w->ev[i].text, first ? first : ""))
			return true;
		if (line_is(w->ev[i].text, then ? then : "")) {
			snprintf(why, cap, "the driver sent %s before %s", w->ev[i].text,
				 first ? first : "?");
			return false;
		}
	}
	return true;
}

bool cf_chk_sent(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	return on_wire(x, c, why, cap, sent);
}

bool cf_chk_sent_count(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	return on_wire(x, c, why, cap, sent_count);
}

bool cf_chk_sent_before(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	return on_wire(x, c, why, cap, sent_before);
}
