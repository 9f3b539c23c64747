/* scenario.c - scenario timelines of injected events, seeded random faults (see scenario.h). */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inject.h"
#include "modem.h"
#include "profile_tree.h"
#include "transcript.h"
#include "tree_json.h"

typedef struct profile_tree_node node_t;

/* The modem's running copy: timers and counters per event. */
struct scenario_run {
	const struct scenario *sc;
	struct sim_modem *m;
	uint32_t rng;                 /* its own generator: faults repeat for the same seed */
	struct ev_entry {
		ev_timer timer;
		struct scenario_run *run;
		size_t idx;
		long fired;
		long seen;            /* command executions counted */
		bool due;             /* triggered by a command: fires once its line has answered */
	} *e;
};

static bool fail(struct profile_error *err, const char *file, const node_t *n, const char *path,
		 const char *msg)
{
	snprintf(err->file, sizeof err->file, "%s", file);
	err->line = n ? n->line : 0;
	err->column = n ? n->column : 0;
	snprintf(err->path, sizeof err->path, "%s", path);
	snprintf(err->message, sizeof err->message, "%s", msg);
	return false;
}

static bool get_uint(const char *file, const node_t *map, const char *key, const char *path,
		     long lo, long hi, long *out, struct profile_error *err)
{
	const node_t *v = profile_tree_get(map, key);
	if (!v)
		return true;
	char p[256], msg[160];
	snprintf(p, sizeof p, "%s%s", path, key);
	char *end;
	long x = v->kind == PROFILE_TREE_SCALAR && v->plain ? strtol(v->text, &end, 10) : 0;
	if (v->kind != PROFILE_TREE_SCALAR || !v->plain || !*v->text || *end || x < lo || x > hi) {
		snprintf(msg, sizeof msg, "expected an integer from %ld to %ld", lo, hi);
		return fail(err, file, v, p, msg);
	}
	*out = x;
	return true;
}

static bool known_op(const char *name)
{
	for (size_t i = 0; inject_op_name(i); i++)
		if (strcmp(inject_op_name(i), name) == 0)
			return true;
	return false;
}

static bool load_event(struct scenario *s, const node_t *n, size_t i, struct profile_error *err)
{
	struct scenario_event *e = &s->ev[i];
	char path[64], p[96];
	snprintf(path, sizeof path, "events[%zu].", i);
	e->at_ms = -1;
	e->line = n->line;
	if (n->kind != PROFILE_TREE_MAP) {
		snprintf(p, sizeof p, "events[%zu]", i);
		return fail(err, s->path, n, p, "expected a mapping (an event)");
	}
	if (!get_uint(s->path, n, "at_ms", path, 0, 86400000L, &e->at_ms, err) ||
	    !get_uint(s->path, n, "every_ms", path, 1, 86400000L, &e->every_ms, err) ||
	    !get_uint(s->path, n, "times", path, 1, 1000000L, &e->times, err) ||
	    !get_uint(s->path, n, "count", path, 1, 1000000L, &e->count, err))
		return false;
	const node_t *after = profile_tree_get(n, "after");
	if (after) {
		snprintf(p, sizeof p, "%safter", path);
		if (after->kind != PROFILE_TREE_SCALAR || !after->text[0] ||
		    strlen(after->text) >= sizeof e->after)
			return fail(err, s->path, after, p, "expected a command name such as \"+CIPSEND\"");
		for (size_t k = 0; after->text[k]; k++)
			e->after[k] = (char)(after->text[k] >= 'a' && after->text[k] <= 'z'
						     ? after->text[k] - 32 : after->text[k]);
		if (e->count == 0)
			e->count = 1;
	}
	if ((e->at_ms >= 0) == (after != NULL))
		return fail(err, s->path, n, path, "an event needs exactly one of at_ms or after");
	if (e->every_ms && e->at_ms < 0)
		return fail(err, s->path, n, path, "every_ms goes with at_ms");
	if (e->every_ms && !e->times)
		e->times = 1;
	const node_t *op = profile_tree_get(n, "op");
	snprintf(p, sizeof p, "%sop", path);
	if (!op || op->kind != PROFILE_TREE_SCALAR)
		return fail(err, s->path, op ? op : n, p, "\"op\" is required (a control-socket event)");
	if (!known_op(op->text)) {
		char msg[160];
		snprintf(msg, sizeof msg, "unknown op \"%.60s\"", op->text);
		return fail(err, s->path, op, p, msg);
	}
	e->req = tree_json(n);
	static const char *const timing_keys[] = {"at_ms", "every_ms", "times", "after", "count"};
	for (size_t k = 0; k < sizeof timing_keys / sizeof timing_keys[0]; k++)
		json_object_del(e->req, timing_keys[k]);
	return true;
}

static bool load_random(struct scenario *s, const node_t *r, struct profile_error *err)
{
	if (r->kind != PROFILE_TREE_MAP)
		return fail(err, s->path, r, "random", "expected a mapping");
	for (size_t i = 0; i + 1 < r->n_kids; i += 2) {
		const char *k = r->kids[i]->text;
		if (strcmp(k, "drop_per_mille") && strcmp(k, "corrupt_per_mille") && strcmp(k, "delay_ms")) {
			char p[96];
			snprintf(p, sizeof p, "random.%.60s", k);
			return fail(err, s->path, r->kids[i], p,
				    "unknown key (expected drop_per_mille, corrupt_per_mille, delay_ms)");
		}
	}
	long drop = 0, corrupt = 0;
	if (!get_uint(s->path, r, "drop_per_mille", "random.", 0, 1000, &drop, err) ||
	    !get_uint(s->path, r, "corrupt_per_mille", "random.", 0, 1000, &corrupt, err))
		return false;
	s->drop_pm = (unsigned)drop;
	s->corrupt_pm = (unsigned)corrupt;
	const node_t *d = profile_tree_get(r, "delay_ms");
	if (d) {
		long lo = 0, hi = 0;
		char *e1, *e2;
		if (d->kind != PROFILE_TREE_SEQ || d->n_kids != 2 ||
		    d->kids[0]->kind != PROFILE_TREE_SCALAR || d->kids[1]->kind != PROFILE_TREE_SCALAR ||
		    (lo = strtol(d->kids[0]->text, &e1, 10)) < 0 || *e1 ||
		    (hi = strtol(d->kids[1]->text, &e2, 10)) < lo || *e2 || hi > 600000)
			return fail(err, s->path, d, "random.delay_ms", "expected [min, max] in ms");
		s->delay_min = (unsigned)lo;
		s->delay_max = (unsigned)hi;
	}
	return true;
}

struct scenario *scenario_load(const char *path, struct profile_error *err)
{
	memset(err, 0, sizeof *err);
	struct scenario *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		fail(err, path, NULL, "", "out of memory");
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (f) {
		struct stat st;
		if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (1 << 20)) {
			buf = malloc((size_t)st.st_size + 1);
			if (buf)
				len = fread(buf, 1, (size_t)st.st_size, f);
		}
		fclose(f);
	}
	if (!buf) {
		fail(err, path, NULL, "", "cannot read the scenario file (missing, not a file, or over 1 MiB)");
		scenario_free(s);
		return NULL;
	}
	node_t *root = profile_tree_parse(buf, len, s->path, err);
	free(buf);
	if (!root) {
		scenario_free(s);
		return NULL;
	}
	bool ok = true;
	if (root->kind != PROFILE_TREE_MAP)
		ok = fail(err, s->path, root, "", "a scenario is a mapping (seed, random, events)");
	for (size_t i = 0; ok && i + 1 < root->n_kids; i += 2) {
		const char *k = root->kids[i]->text;
		if (strcmp(k, "seed") && strcmp(k, "random") && strcmp(k, "events") && strcmp(k, "description"))
			ok = fail(err, s->path, root->kids[i], k,
				  "unknown key (expected description, seed, random, events)");
	}
	long seed = -1;
	if (ok && profile_tree_get(root, "seed")) {
		ok = get_uint(s->path, root, "seed", "", 0, 4294967295L, &seed, err);
		s->has_seed = ok;
		s->seed = (uint32_t)seed;
	}
	const node_t *r = ok ? profile_tree_get(root, "random") : NULL;
	if (r)
		ok = load_random(s, r, err);
	const node_t *evs = ok ? profile_tree_get(root, "events") : NULL;
	if (ok && evs && evs->kind != PROFILE_TREE_SEQ)
		ok = fail(err, s->path, evs, "events", "expected a sequence of events");
	if (ok && evs && evs->n_kids) {
		s->ev = calloc(evs->n_kids, sizeof *s->ev);
		ok = s->ev ? true : fail(err, s->path, evs, "events", "out of memory");
		for (size_t i = 0; ok && i < evs->n_kids; i++) {
			s->n_ev = i + 1;
			ok = load_event(s, evs->kids[i], i, err);
		}
	}
	profile_tree_free(root);
	if (!ok) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_ev; i++)
		json_decref(s->ev[i].req);
	free(s->ev);
	free(s->path);
	free(s);
}

static void fire(struct scenario_run *run, size_t idx)
{
	struct sim_modem *m = run->m;
	const struct scenario_event *e = &run->sc->ev[idx];
	json_t *reply = json_object();
	char why[512], field[64];
	if (!inject_apply(m, e->req, reply, why, sizeof why, field, sizeof field))
		transcript_note(m->log, m->index, "scenario %s:%u: %s%s%s", run->sc->path, e->line, why,
				field[0] ? " in " : "", field);
	json_decref(reply);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ev_entry *en = (struct ev_entry *)w;
	struct scenario_run *run = en->run;
	const struct scenario_event *e = &run->sc->ev[en->idx];
	en->fired++;
	if (!e->every_ms || en->fired >= e->times)
		ev_timer_stop(run->m->loop, w);
	fire(run, en->idx); /* may power the modem off: nothing of run is used after this */
}

bool scenario_attach(struct sim_modem *m, const struct scenario *s)
{
	struct scenario_run *run = calloc(1, sizeof *run);
	if (!run)
		return false;
	run->e = calloc(s->n_ev ? s->n_ev : 1, sizeof *run->e);
	if (!run->e) {
		free(run);
		return false;
	}
	run->sc = s;
	run->m = m;
	for (size_t i = 0; i < s->n_ev; i++) {
		run->e[i].run = run;
		run->e[i].idx = i;
		ev_init(&run->e[i].timer, timer_cb);
	}
	m->scenario = run;
	m->scenario_faults = s->drop_pm || s->corrupt_pm;
	return true;
}

void scenario_stop(struct sim_modem *m)
{
	struct scenario_run *run = m->scenario;
	if (!run)
		return;
	for (size_t i = 0; i < run->sc->n_ev; i++)
		ev_timer_stop(m->loop, &run->e[i].timer);
}

void scenario_detach(struct sim_modem *m)
{
	struct scenario_run *run = m->scenario;
	if (!run)
		return;
	scenario_stop(m);
	free(run->e);
	free(run);
	m->scenario = NULL;
}

void scenario_start(struct sim_modem *m)
{
	struct scenario_run *run = m->scenario;
	if (!run)
		return;
	const struct scenario *s = run->sc;
	/* Seeded per modem: the same file and seed give the same faults run after run. */
	uint32_t seed = s->has_seed ? s->seed : m->opt->seed;
	run->rng = (seed + (uint32_t)m->index) * 2654435761u | 1u;
	for (size_t i = 0; i < s->n_ev; i++) {
		struct ev_entry *en = &run->e[i];
		ev_timer_stop(m->loop, &en->timer);
		en->fired = en->seen = 0;
		en->due = false;
		if (s->ev[i].at_ms < 0)
			continue;
		double rep = s->ev[i].every_ms ? modem_delay(m, (unsigned)s->ev[i].every_ms) : 0.;
		ev_timer_set(&en->timer, modem_delay(m, (unsigned)s->ev[i].at_ms), rep > 0 ? rep : 0.);
		ev_timer_start(m->loop, &en->timer);
	}
}

void scenario_command(struct sim_modem *m, const char *name)
{
	struct scenario_run *run = m->scenario;
	if (!run)
		return;
	for (size_t i = 0; i < run->sc->n_ev; i++) {
		const struct scenario_event *e = &run->sc->ev[i];
		if (!e->after[0] || strcmp(e->after, name) != 0)
			continue;
		if (++run->e[i].seen == e->count)
			run->e[i].due = true;
	}
}

void scenario_flush(struct sim_modem *m)
{
	struct scenario_run *run = m->scenario;
	if (!run)
		return;
	for (size_t i = 0; i < run->sc->n_ev; i++) {
		if (!run->e[i].due)
			continue;
		run->e[i].due = false;
		fire(run, i);
	}
}

static uint32_t next(struct scenario_run *run)
{
	uint32_t x = run->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	run->rng = x;
	return x;
}

size_t scenario_filter(struct sim_modem *m, const uint8_t *in, size_t n, uint8_t *out)
{
	struct scenario_run *run = m->scenario;
	const struct scenario *s = run->sc;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s->drop_pm && next(run) % 1000 < s->drop_pm)
			continue;
		uint8_t b = in[i];
		if (s->corrupt_pm && next(run) % 1000 < s->corrupt_pm)
			b ^= (uint8_t)(1u << (next(run) % 8));
		out[k++] = b;
	}
	return k;
}

unsigned scenario_extra_delay(struct sim_modem *m)
{
	struct scenario_run *run = m->scenario;
	if (!run || run->sc->delay_max == 0)
		return 0;
	const struct scenario *s = run->sc;
	return s->delay_min + next(run) % (s->delay_max - s->delay_min + 1);
}
