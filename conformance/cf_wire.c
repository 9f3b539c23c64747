/* cf_wire.c - checks on the wire: the simulator's transcript (the driver's lines, the module's, notes). */
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

json_t *cf_wire_records(const struct cf_ctx *x)
{
	if (!x->wire_path)
		return NULL;
	json_t *recs = cf_jsonl_load(x->wire_path, 0);
	if (!x->t->real)
		return recs;
	json_t *rebuilt = cf_wire_from_proxy(recs, x->t->profile);
	json_decref(recs);
	return rebuilt;
}

static const char *rec_str(const json_t *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r, key));
	return v ? v : "";
}

static void wire_load(const json_t *recs, struct wire *w, bool raw)
{
	memset(w, 0, sizeof *w);
	uint8_t buf[8192];
	size_t i;
	json_t *o;
	json_array_foreach(recs, i, o) {
		const char *dir = rec_str(o, "dir"), *data = rec_str(o, "data");
		if (!strcmp(dir, "note")) {
			push(w, true, data);
		} else if (!raw && !strcmp(dir, "cmd")) {
			long k = transcript_unescape(data, buf, sizeof buf - 1);
			char cmd[sizeof w->line];
			snprintf(cmd, sizeof cmd, "AT%.*s", k > 0 ? (int)k : 0, (const char *)buf);
			push(w, false, cmd);
		} else if (raw && !strcmp(dir, "rx")) {
			long k = transcript_unescape(data, buf, sizeof buf);
			if (k > 0)
				rx_bytes(w, buf, (size_t)k);
		}
	}
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

/* The simulator's notes ("injected: ...", "ppp: escape") exist only on a simulated module: on
 * a real one a check that names them cannot be judged, and holds. */
static bool names_notes(const struct cf_ctx *x, const json_t *spec)
{
	const char *dir = json_string_value(json_object_get(spec, "dir"));
	return x->t->real && ((dir && !strcmp(dir, "note")) || json_object_get(spec, "since"));
}

/* Run a check on the wire from its start: with no wire to read (a module seen directly, not
 * through sim800-proxy), it holds. */
static bool on_wire(const struct cf_ctx *x, const json_t *c, char *why, size_t cap,
		    bool (*fn)(const struct wire *w, size_t at, const json_t *c, char *why, size_t cap))
{
	if (names_notes(x, c))
		return true;
	json_t *recs = cf_wire_records(x);
	if (!recs)
		return true;
	struct wire w;
	size_t at;
	wire_load(recs, &w, json_is_true(json_object_get(c, "raw")));
	json_decref(recs);
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

/* ---- any record: wire_count, wire_next, wire ---------------------------------------------- */

/* A transcript record ({dir, data}) that a wire check's spec ({dir, text | equals}) names:
 * data (escaped as the transcript writes it: "\\r") contains text, or equals equals. */
static bool spec_match(const json_t *spec, const json_t *rec)
{
	const char *dir = json_string_value(json_object_get(spec, "dir"));
	const char *text = json_string_value(json_object_get(spec, "text"));
	const char *eq = json_string_value(json_object_get(spec, "equals"));
	const char *d = rec_str(rec, "data");
	if (!dir || strcmp(dir, rec_str(rec, "dir")))
		return false;
	return eq ? !strcmp(d, eq) : !text || strstr(d, text);
}

/* How many records match ({dir, text | equals, min, max}): e.g. at most 3 escapes sent. */
bool cf_chk_wire_count(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	if (names_notes(x, c))
		return true;
	json_t *recs = cf_wire_records(x);
	if (!recs)
		return true;
	json_int_t n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
		n += spec_match(c, r);
	json_decref(recs);
	const json_t *lo = json_object_get(c, "min"), *hi = json_object_get(c, "max");
	if ((!lo || n >= json_integer_value(lo)) && (!hi || n <= json_integer_value(hi)))
		return true;
	char got[32], want[64];
	snprintf(got, sizeof got, "%lld", (long long)n);
	snprintf(want, sizeof want, "%lld..%lld", lo ? (long long)json_integer_value(lo) : 0LL,
		 hi ? (long long)json_integer_value(hi) : -1LL);
	snprintf(why, cap, "%s matching records on the wire, expected %s", got, want);
	return false;
}

/* After the first record matching "after", the next record of next's dir matches next, and
 * (within_s) comes within that many seconds: e.g. the command after a timed-out one is the
 * resync "AT", or ATH follows the escape within 3 s. */
bool cf_chk_wire_next(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	const json_t *after = json_object_get(c, "after"), *next = json_object_get(c, "next");
	if (names_notes(x, after) || names_notes(x, next))
		return true;
	json_t *recs = cf_wire_records(x);
	if (!recs)
		return true;
	const json_t *within = json_object_get(c, "within_s");
	const char *ndir = json_string_value(json_object_get(next, "dir"));
	double t0 = -1;
	const json_t *hit = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		if (t0 < 0) {
			if (spec_match(after, r))
				t0 = json_number_value(json_object_get(r, "t"));
			continue;
		}
		if (ndir && !strcmp(ndir, rec_str(r, "dir"))) {
			hit = r;
			break;
		}
	}
	bool ok = false;
	char got[160] = "";
	if (t0 < 0) {
		const char *a = json_string_value(json_object_get(after, "text"));
		snprintf(why, cap, "the wire never shows \"%s\"",
			 a ? a : json_string_value(json_object_get(after, "equals")));
	} else if (!hit) {
		snprintf(why, cap, "nothing of dir %s came after it", ndir ? ndir : "?");
	} else {
		double dt = json_number_value(json_object_get(hit, "t")) - t0;
		snprintf(got, sizeof got, "%s after %.3f s", rec_str(hit, "data"), dt);
		ok = spec_match(next, hit) && (!within || dt <= json_number_value(within));
		if (!ok)
			snprintf(why, cap, "the next %s record is \"%s\"", ndir, got);
	}
	json_decref(recs);
	return ok;
}

/* The wire: commands the module executed ({command: "+CIPCLOSE", min, max}), or what the
 * host sent, heard or not ({sent: "AT\\r"}, escaped as in the transcript), counted from the
 * first module line containing `after` (or the first command starting with `after_command`)
 * up to the first module line containing `before`. A case whose `after`
 * never came fails: the fault it counts from did not happen. Lets a case judge how a driver
 * talks, e.g. "at most one CIPCLOSE after CLOSED". */
struct wire_win {
	const char *command, *sent, *after, *after_command, *before;
	bool open, done;
	long n;
};

static void wire_line(struct wire_win *w, const char *dir, const char *data)
{
	bool tx = !strcmp(dir, "tx"), cmd = !strcmp(dir, "cmd"), rx = !strcmp(dir, "rx");
	if (w->done || !(tx || cmd || rx))
		return;
	if (!w->open) { /* the line that opens the window is not counted */
		w->open = (tx && w->after && strstr(data, w->after)) ||
			  (cmd && w->after_command &&
			   !strncmp(data, w->after_command, strlen(w->after_command)));
		return;
	}
	if (tx && w->before && strstr(data, w->before))
		w->done = true;
	else if (cmd && w->command && !strncmp(data, w->command, strlen(w->command)))
		w->n++;
	else if (rx && w->sent && !strncmp(data, w->sent, strlen(w->sent)))
		w->n++;
}

bool cf_chk_wire(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	struct wire_win w = {
		.command = json_string_value(json_object_get(c, "command")),
		.sent = json_string_value(json_object_get(c, "sent")),
		.after = json_string_value(json_object_get(c, "after")),
		.after_command = json_string_value(json_object_get(c, "after_command")),
		.before = json_string_value(json_object_get(c, "before")),
	};
	w.open = !w.after && !w.after_command;
	const json_t *jmin = json_object_get(c, "min"), *jmax = json_object_get(c, "max");
	if (!w.command == !w.sent)
		{
		snprintf(why, cap, "wire needs one of \"command\" and \"sent\"");
		return false;
	}
	json_t *recs = cf_wire_records(x);
	if (!recs)
		return true;
	size_t i;
	json_t *o;
	json_array_foreach(recs, i, o)
		wire_line(&w, rec_str(o, "dir"), rec_str(o, "data"));
	json_decref(recs);
	if (!w.open) {
		snprintf(why, cap, "the wire never had %s: the case's fault did not happen",
			 w.after ? w.after : w.after_command);
		return false;
	}
	const json_t *bad = json_is_integer(jmin) && w.n < json_integer_value(jmin) ? jmin
			    : json_is_integer(jmax) && w.n > json_integer_value(jmax) ? jmax : NULL;
	if (bad) {
		snprintf(why, cap, "%s %ld times%s%s, expected %s %lld",
			 w.command ? w.command : w.sent, w.n,
			 w.after || w.after_command ? " after " : "",
			 w.after ? w.after : w.after_command ? w.after_command : "",
			 bad == jmin ? "at least" : "at most", (long long)json_integer_value(bad));
		return false;
	}
	return true;
}
