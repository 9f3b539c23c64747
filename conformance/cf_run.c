/* cf_run.c - running cases: one case on one target (a fresh simulator, the adapter, the
 * checks), and every (target, case) on a number of job slots with a pool of fixture servers. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cf.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* {http} {https_legacy} ... in the request: the fixture servers as the target reaches them. */
static char *expand(const char *s, const struct cf_target *t, const struct cf_fixtures *fx)
{
	char host[256] = "";
	int base = 0;
	if (t->real && fx->remote)
		sscanf(fx->url, "http://%255[^:/]:%d", host, &base);
	struct { const char *key; char val[300]; } v[] = {
		{"{http}", ""}, {"{https_modern}", ""}, {"{https_legacy}", ""}, {"{https_expired}", ""},
		{"{echo_host}", ""}, {"{echo_port}", ""}, {"{sink_host}", ""}, {"{sink_port}", ""},
		{"{close_host}", ""}, {"{close_port}", ""}, {"{udp_host}", ""}, {"{udp_port}", ""},
		/* The TLS servers as host and port, for a TCP connection with the module's TLS. */
		{"{modern_host}", ""}, {"{modern_port}", ""}, {"{legacy_host}", ""}, {"{legacy_port}", ""},
		{"{source_host}", ""}, {"{source_port}", ""}, {"{mqtt_host}", ""}, {"{mqtt_port}", ""},
	};
	if (t->real) {
		snprintf(v[0].val, 300, "http://%s:%d", host, base);
		snprintf(v[1].val, 300, "https://%s:%d", host, base + 1);
		snprintf(v[2].val, 300, "https://%s:%d", host, base + 2);
		snprintf(v[3].val, 300, "https://%s:%d", host, base + 3);
		for (int i = 4; i < 12; i += 2)
			snprintf(v[i].val, 300, "%s", host);
		snprintf(v[5].val, 300, "%d", base + 4);
		snprintf(v[7].val, 300, "%d", base + 7);
		snprintf(v[9].val, 300, "%d", base + 8);
		snprintf(v[11].val, 300, "%d", base + 5);
		snprintf(v[12].val, 300, "%s", host);
		snprintf(v[13].val, 300, "%d", base + 1);
		snprintf(v[14].val, 300, "%s", host);
		snprintf(v[15].val, 300, "%d", base + 2);
		snprintf(v[16].val, 300, "%s", host);
		snprintf(v[17].val, 300, "%d", base + 6);
		snprintf(v[18].val, 300, "%s", host);
		snprintf(v[19].val, 300, "%d", base + 9);
	} else {
		/* Names the simulator maps to the fixtures (--host in cf_proc.c). */
		static const char *const sim[] = {"http://web.test", "https://modern.test",
			"https://legacy.test", "https://expired.test", "echo.test", "7", "sink.test",
			"9", "close.test", "13", "udp.test", "7", "modern.test", "443", "legacy.test",
			"443", "source.test", "19", "mqtt.test", "1883"};
		for (int i = 0; i < 20; i++)
			snprintf(v[i].val, 300, "%s", sim[i]);
	}
	char out[2048];
	size_t o = 0;
	while (*s && o + 1 < sizeof out) {
		bool hit = false;
		for (size_t i = 0; i < sizeof v / sizeof v[0] && !hit; i++) {
			size_t k = strlen(v[i].key);
			if (!strncmp(s, v[i].key, k)) {
				o += (size_t)snprintf(out + o, sizeof out - o, "%s", v[i].val);
				if (o >= sizeof out)
					o = sizeof out - 1;
				s += k;
				hit = true;
			}
		}
		if (!hit)
			out[o++] = *s++;
	}
	out[o] = '\0';
	return strdup(out);
}

static json_t *expand_json(const json_t *j, const struct cf_target *t, const struct cf_fixtures *fx)
{
	if (json_is_string(j)) {
		char *s = expand(json_string_value(j), t, fx);
		json_t *r = json_string(s);
		free(s);
		return r;
	}
	if (json_is_object(j)) {
		json_t *o = json_object();
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
			json_object_set_new(o, k, expand_json(v, t, fx));
		return o;
	}
	if (json_is_array(j)) {
		json_t *a = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			json_array_append_new(a, expand_json(v, t, fx));
		return a;
	}
	return json_deep_copy(j);
}

/* The case's wire, readable: one "rx"/"tx"/"note" line per record. */
static char *wire_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("");
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap), *line = NULL;
	size_t lcap = 0;
	out[0] = '\0';
	while (getline(&line, &lcap, f) > 0 && len + 600 < cap) {
		json_t *o = json_loads(line, 0, NULL);
		if (!o)
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%8.3f %-4s %.500s\n",
					json_number_value(json_object_get(o, "t")),
					json_string_value(json_object_get(o, "dir")),
					json_string_value(json_object_get(o, "data")));
		json_decref(o);
	}
	free(line);
	fclose(f);
	return out;
}

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
	char buf[8192];
	size_t n;
	while (b && (n = fread(buf, 1, sizeof buf, a)) > 0)
		fwrite(buf, 1, n, b);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
}

/* The case's scenario events as a sim800-sim --scenario file (JSON is YAML); false on error. */
static bool write_scenario(const struct cf_case *c, char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/sim800-cf-scenario-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	json_t *sc = json_pack("{s:s,s:O}", "description", c->id, "events", c->scenario);
	bool ok = sc && json_dumpfd(sc, fd, JSON_COMPACT) == 0;
	json_decref(sc);
	close(fd);
	return ok;
}

/* A case's needs ("needs:" in its YAML) that this target cannot give, and why. */
static const struct {
	const char *need;
	bool on_real;   /* unmet on a real module (else: on a simulated one) */
	const char *why;
} unmet[] = {
	{"pins", false, "needs the module's RI/DTR lines, which a simulated module on a pty does "
			"not have"},
	{"control", true, "needs fault injection, which only a simulated module gives"},
	{"uart", false, "needs a real UART: a pty carries no line rate and no modem-control pins"},
};

static const char *skip_reason(const struct cf_case *c, const struct cf_target *t,
			       const struct cf_fixtures *fx)
{
	for (size_t i = 0; i < sizeof unmet / sizeof unmet[0]; i++)
		if (t->real == unmet[i].on_real && cf_case_needs(c, unmet[i].need))
			return unmet[i].why;
	if (t->real && cf_case_needs(c, "fixtures") && !fx->remote)
		return "needs fixture servers the module can reach: give --fixtures URL";
	return NULL;
}

static void run_case(const struct cf_run_opts *o, struct cf_target *t, const struct cf_fixtures *fx,
		     const struct cf_case *c, struct cf_result *r)
{
	char why[1024] = "", scen[64] = "";
	r->c = c;
	double t0 = now();
	if (c->profile && t->real && cf_module_skip(c, t->profile, why, sizeof why)) {
		r->v = CF_SKIP;
		goto done;
	}
	if (c->profile && !t->real && strcmp(c->profile, t->profile->name)) {
		r->v = CF_SKIP;
		snprintf(why, sizeof why, "only on %s", c->profile);
		goto done;
	}
	const char *skip = skip_reason(c, t, fx);
	if (skip) {
		r->v = CF_SKIP;
		snprintf(why, sizeof why, "%s", skip);
		goto done;
	}
	if (t->real && c->baud && c->baud != t->baud) {
		r->v = CF_SKIP;
		snprintf(why, sizeof why, "runs at %ld baud: give --baud %ld (and set the module's "
			 "AT+IPR)", c->baud, c->baud);
		goto done;
	}
	/* The simulator paces its output at the case's rate, and the adapter is told it. */
	long target_baud = t->baud;
	if (c->baud)
		t->baud = c->baud;
	if (!t->real && json_array_size(c->scenario) && !write_scenario(c, scen, sizeof scen)) {
		r->v = CF_FAIL;
		snprintf(why, sizeof why, "cannot write the case's scenario file");
		goto done;
	}
	/* A fresh simulator per case: every case starts from power-on, as on a bench. */
	if (!t->real &&
	    !cf_sim_start(t, o->bin_dir, fx, o->scale, scen[0] ? scen : NULL, why, sizeof why)) {
		r->v = CF_FAIL;
		goto done;
	}
	/* A real module is watched through sim800-proxy, so that the wire checks see its wire;
	 * a case about the line itself (its pins or rate, which a pty does not carry) gets the
	 * device. */
	bool proxied = t->real && !o->no_proxy && !cf_case_needs(c, "pins") &&
		       !cf_case_needs(c, "uart");
	if (proxied && !cf_proxy_start(t, o->bin_dir, why, sizeof why)) {
		r->v = CF_FAIL;
		goto done;
	}
	/* The runner's fragmentation first: a case's own setup may change it. */
	json_t *all = json_array();
	if (!t->real && o->frag_max)
		json_array_append_new(all, json_pack("{s:s,s:i,s:i}", "op", "fragment", "max_bytes",
						     (int)o->frag_max, "max_gap_ms",
						     (int)o->frag_gap_ms));
	json_array_extend(all, c->setup);
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		json_t *rq = expand_json(s, t, fx);
		json_t *reply = cf_control(t, rq, why, sizeof why);
		json_decref(rq);
		if (!reply || !json_is_true(json_object_get(reply, "ok"))) {
			r->v = CF_FAIL;
			snprintf(why, sizeof why, "case setup %s refused: %s",
				 json_string_value(json_object_get(s, "op")),
				 reply ? json_string_value(json_object_get(reply, "error")) : "no reply");
			json_decref(reply);
			json_decref(all);
			goto stop;
		}
		json_decref(reply);
	}
	json_decref(all);
	json_t *req = expand_json(c->request, t, fx);
	json_object_set_new(req, "case", json_string(c->id));
	json_object_set_new(req, "time_limit_s", json_real(c->time_limit));
	/* How fast the simulated module's network and delays run (ADAPTERS.md): an adapter may
	 * size its waits by it. A real module has no such field. */
	if (!t->real)
		json_object_set_new(req, "time_scale", json_real(o->scale));
	struct cf_ctx x = {.c = c, .t = t, .fx = fx, .request = req,
			   .log_mark = cf_fixtures_mark(fx)};
	bool timed_out;
	r->outcome = cf_adapter_run(o->adapter, t, req, c->time_limit, c->during, &r->stderr_text,
				    &timed_out, why, sizeof why);
	x.outcome = r->outcome;
	if (cf_case_needs(c, "fixtures"))
		cf_fixtures_settle(fx);
	/* What the checks need from the running simulator; then it stops, so that its
	 * transcript is complete when they read it. */
	json_t *sms = NULL;
	if (!t->real) {
		json_t *q = json_pack("{s:s}", "op", "sms_sent");
		char w[128];
		sms = cf_control(t, q, w, sizeof w);
		json_decref(q);
		cf_sim_stop_keep(t);
		x.wire_path = t->transcript;
	} else if (proxied) {
		cf_proxy_stop(t);
		x.wire_path = t->transcript;
	}
	x.sms_sent = sms;
	const json_t *err = json_object_get(r->outcome, "error");
	const char *code = json_string_value(json_object_get(err, "code"));
	if (!r->outcome) {
		r->v = CF_FAIL;
	} else if (code && !strcmp(code, "UNSUPPORTED_ACTION")) {
		/* The adapter's software cannot do this at all (ADAPTERS.md): not a verdict on it. */
		r->v = CF_SKIP;
		const char *text = json_string_value(json_object_get(err, "text"));
		snprintf(why, sizeof why, "the adapter does not support this: %s",
			 text ? text : "(no reason given)");
	} else {
		r->v = cf_check_all(&x, cf_case_expect(c, t->profile), why, sizeof why) ? CF_PASS
											: CF_FAIL;
	}
	json_decref(sms);
	/* The adapter's own reading of a failure (e.g. which side deviated from the facts). */
	const char *note = json_string_value(json_object_get(r->outcome, "note"));
	if (note && r->v != CF_PASS) {
		size_t l = strlen(why);
		snprintf(why + l, sizeof why - l, "%sadapter note: %s", l ? "; " : "", note);
	}
	json_decref(req);
stop:
	if (!t->real || proxied) {
		if (proxied)
			cf_proxy_stop(t);
		else
			cf_sim_stop_keep(t);
		r->wire = wire_text(t->transcript);
		if (o->transcripts) {
			/* One folder per target, named after it ("/dev/ttyUSB0 (...)": slashes go). */
			char p[PATH_MAX], name[256];
			snprintf(name, sizeof name, "%s", t->name);
			for (char *q = name; *q; q++)
				*q = *q == '/' ? '_' : *q;
			snprintf(p, sizeof p, "%s/%s", o->transcripts, name);
			mkdir(p, 0755);
			snprintf(p, sizeof p, "%s/%s/%s.jsonl", o->transcripts, name, c->id);
			copy_file(t->transcript, p);
		}
		cf_sim_cleanup(t);
	}
	t->baud = target_baud;
done:
	if (scen[0])
		unlink(scen);
	r->seconds = now() - t0;
	r->message = why[0] ? strdup(why) : NULL;
	if (!r->wire)
		r->wire = strdup("");
	if (!r->stderr_text)
		r->stderr_text = strdup("");
	static const char *const mark[] = {"PASS", "FAIL", "skip"};
	printf("%-28s %-44s %s %5.1fs%s%s\n", t->name, c->id, mark[r->v], r->seconds,
	       r->v != CF_PASS && why[0] ? "  " : "", r->v != CF_PASS ? why : "");
	fflush(stdout);
}

/* One case on one target, in a child process; its result goes to a JSON file. */
static void run_unit(const struct cf_run_opts *o, struct cf_target *t, const struct cf_fixtures *fx,
		     const struct cf_case *c, const char *out_path)
{
	struct cf_result r = {0};
	run_case(o, t, fx, c, &r);
	json_t *j = json_pack("{s:i,s:s?,s:O?,s:s,s:s,s:f}", "v", (int)r.v, "message", r.message,
			      "outcome", r.outcome, "stderr", r.stderr_text, "wire", r.wire,
			      "seconds", r.seconds);
	json_dump_file(j, out_path, JSON_COMPACT);
	json_decref(j);
	json_decref(r.outcome);
	free(r.message);
	free(r.stderr_text);
	free(r.wire);
}

void cf_result_take(const char *dir, size_t t, size_t k, const struct cf_case *c,
		    struct cf_result *r)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%zu-%zu.json", dir, t, k);
	json_t *j = json_load_file(path, 0, NULL);
	unlink(path);
	r->c = c;
	if (!j) {
		r->v = CF_FAIL;
		r->message = strdup("the case's run ended early (see the runner's output)");
		r->stderr_text = strdup("");
		r->wire = strdup("");
		return;
	}
	r->v = (enum cf_verdict)json_integer_value(json_object_get(j, "v"));
	const char *m = json_string_value(json_object_get(j, "message"));
	r->message = m ? strdup(m) : NULL;
	r->outcome = json_incref(json_object_get(j, "outcome"));
	r->stderr_text = strdup(json_string_value(json_object_get(j, "stderr")) ?: "");
	r->wire = strdup(json_string_value(json_object_get(j, "wire")) ?: "");
	r->seconds = json_number_value(json_object_get(j, "seconds"));
	json_decref(j);
}

static int unit_order(const void *a, const void *b)
{
	const struct cf_unit *x = a, *y = b;
	if (x->c->expected != y->c->expected)
		return x->c->expected < y->c->expected ? 1 : -1;
	if (x->c->time_limit != y->c->time_limit)
		return x->c->time_limit < y->c->time_limit ? 1 : -1;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

void cf_units_sort(struct cf_unit *units, size_t n)
{
	qsort(units, n, sizeof *units, unit_order);
}

/* The fixture servers: a pool, each lent to one case at a time. */
struct fx_pool {
	struct cf_fixtures *fx;
	size_t n;
	bool *ready, *busy;
	bool device;             /* a real module: fx[0] (remote or none) for every case */
	struct cf_fixtures none; /* for cases that need no servers: nothing to reach, empty log */
};

/* Read the ready lines that have arrived (servers start while the first cases run). */
static void pool_poll(struct fx_pool *p, int timeout_ms)
{
	struct pollfd pf[64];
	size_t idx[64], n = 0;
	for (size_t i = 0; i < p->n && n < 64; i++)
		if (!p->ready[i] && p->fx[i].pid > 0) {
			pf[n] = (struct pollfd){.fd = p->fx[i].out_fd, .events = POLLIN};
			idx[n++] = i;
		}
	if (!n || poll(pf, n, timeout_ms) <= 0)
		return;
	for (size_t k = 0; k < n; k++) {
		if (!(pf[k].revents & (POLLIN | POLLHUP)))
			continue;
		char why[256];
		struct cf_fixtures *fx = &p->fx[idx[k]];
		if (cf_fixtures_ready(fx, why, sizeof why)) {
			p->ready[idx[k]] = true;
		} else {
			fprintf(stderr, "sim800-conformance: %s\n", why);
			cf_fixtures_stop(fx); /* the pool goes on without it */
			fx->pid = 0;
		}
	}
}

static bool pool_waiting(const struct fx_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->ready[i] && p->fx[i].pid > 0)
			return true;
	return false;
}

static bool pool_alive(const struct fx_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ready[i])
			return true;
	return false;
}

/* A free, ready server, or -1. */
static long pool_take(struct fx_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ready[i] && !p->busy[i]) {
			p->busy[i] = true;
			return (long)i;
		}
	return -1;
}

/*
 * Every (target, case) on up to jobs at once, each in a child process with its own simulator.
 * A case that needs the fixture servers borrows a server set of its own from the pool for
 * its whole run, so that what a server logs during the case belongs to that case alone; the
 * other cases reach no server at all. Cases run in the given order, except that one waiting
 * for a server lets the next that needs none go first.
 */
static void run_units(const struct cf_run_opts *o, struct cf_target *targets, struct fx_pool *pool,
		      size_t jobs, struct cf_unit *units, size_t n, const char *dir)
{
	struct slot {
		pid_t pid;
		long fx;
	} *slot = calloc(jobs, sizeof *slot);
	bool *started = calloc(n, sizeof *started);
	size_t left = n, running = 0;
	while (left || running) {
		for (size_t s = 0; s < jobs && left; s++) {
			if (slot[s].pid)
				continue;
			size_t u;
			long f = -1;
			for (u = 0; u < n; u++) {
				if (started[u])
					continue;
				if (!cf_case_needs(units[u].c, "fixtures") || pool->device)
					break;
				if ((f = pool_take(pool)) >= 0)
					break;
				/* No server started at all (said on stderr): run it without one; its
				 * checks then say what did not arrive. */
				if (!pool_waiting(pool) && !pool_alive(pool))
					break;
			}
			if (u == n)
				break; /* every case left waits for a server */
			started[u] = true;
			left--;
			const struct cf_fixtures *fx = pool->device ? &pool->fx[0]
						       : f >= 0 ? &pool->fx[f] : &pool->none;
			char path[256];
			snprintf(path, sizeof path, "%s/%zu-%zu.json", dir, units[u].t, units[u].k);
			fflush(stdout);
			pid_t pid = fork();
			if (pid == 0) {
				run_unit(o, &targets[units[u].t], fx, units[u].c, path);
				_exit(0);
			}
			if (pid < 0) {
				if (f >= 0)
					pool->busy[f] = false;
				continue; /* its result file stays missing: reported as ended early */
			}
			slot[s] = (struct slot){pid, f};
			running++;
		}
		pid_t done;
		if (pool_waiting(pool)) {
			pool_poll(pool, 20);
			done = waitpid(-1, NULL, WNOHANG);
			if (done == 0)
				continue;
		} else {
			done = wait(NULL);
		}
		if (done < 0)
			break;
		for (size_t s = 0; s < jobs; s++)
			if (slot[s].pid == done) {
				if (slot[s].fx >= 0)
					pool->busy[slot[s].fx] = false;
				slot[s] = (struct slot){0, -1};
				running--;
			}
	}
	free(started);
	free(slot);
}

void cf_run_units(const struct cf_run_opts *o, struct cf_target *targets, struct cf_unit *units,
		  size_t n, size_t jobs, size_t n_fx, const struct cf_fixtures *device_fx,
		  const char *dir)
{
	struct fx_pool pool = {.device = device_fx != NULL};
	size_t n_fx_units = 0;
	for (size_t u = 0; u < n; u++)
		n_fx_units += cf_case_needs(units[u].c, "fixtures");
	pool.n = device_fx ? 1 : n_fx < n_fx_units ? n_fx : n_fx_units;
	pool.fx = calloc(pool.n ? pool.n : 1, sizeof *pool.fx);
	pool.ready = calloc(pool.n ? pool.n : 1, sizeof *pool.ready);
	pool.busy = calloc(pool.n ? pool.n : 1, sizeof *pool.busy);
	if (device_fx) {
		pool.fx[0] = *device_fx;
	} else {
		/* Started all at once; the first cases (those that need no server) run meanwhile. */
		for (size_t s = 0; s < pool.n; s++) {
			char why[256];
			if (!cf_fixtures_spawn(&pool.fx[s], o->bin_dir, why, sizeof why))
				fprintf(stderr, "sim800-conformance: %s\n", why);
		}
	}
	run_units(o, targets, &pool, jobs, units, n, dir);
	for (size_t s = 0; s < pool.n && !device_fx; s++)
		cf_fixtures_stop(&pool.fx[s]);
	free(pool.fx);
	free(pool.ready);
	free(pool.busy);
}
