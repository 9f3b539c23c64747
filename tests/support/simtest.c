/* simtest.c - a modem on the in-memory transport, stepped by the test (see simtest.h). */
#include "simtest.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inject.h"
#include "netmap.h"
#include "profile_yaml.h"
#include "transcript.h"
#include "transport_mem.h"

struct simtest *simtest_new(const char *profile, size_t limit, double time_scale)
{
	struct simtest *t = calloc(1, sizeof *t);
	assert_non_null(t);
	struct profile_error err;
	const char *dir = getenv("SIM800_PROFILE_DIR");
	t->profile = profile_yaml_load(profile, dir ? dir : SIM800_SOURCE_DIR "/profiles", &err);
	if (!t->profile) {
		char msg[1600];
		profile_error_format(&err, msg, sizeof msg);
		fail_msg("profile %s: %s", profile, msg);
	}
	t->loop = ev_loop_new(EVFLAG_AUTO);
	t->netmap = netmap_new();
	assert_non_null(t->netmap);
	char why[256];
	if (!netmap_hosts(t->netmap, t->profile->hosts, t->profile->n_hosts, why, sizeof why))
		fail_msg("profile %s: hosts: %s", profile, why);
	t->opt = (struct sim_options){.time_scale = time_scale, .baud = 0,
				      .power_on = SIM_POWER_ON_OPEN, .seed = 1,
				      .netmap = t->netmap};
	t->tr = transport_mem_new(t->loop, limit);
	t->m = modem_new(t->loop, 0, t->profile, &t->opt, NULL, t->tr);
	assert_non_null(t->m);
	transport_mem_bind(t->tr, &modem_transport_cb, t->m);
	transport_mem_set_present(t->tr, true);
	simtest_settle(t);
	return t;
}

void simtest_free(struct simtest *t)
{
	modem_destroy(t->m);
	netmap_free(t->netmap);
	profile_free(t->profile);
	ev_loop_destroy(t->loop);
	free(t);
}

void simtest_send_n(struct simtest *t, const void *b, size_t n)
{
	transport_mem_host_write(t->tr, b, n);
}

void simtest_send(struct simtest *t, const char *s)
{
	simtest_send_n(t, s, strlen(s));
}

void simtest_settle(struct simtest *t)
{
	size_t quiet = 0;
	size_t last = transport_mem_pending(t->tr);
	for (int i = 0; i < 200000 && quiet < 4; i++) {
		ev_run(t->loop, EVRUN_NOWAIT);
		size_t now = transport_mem_pending(t->tr);
		/* A queue the host gives no room to (out.blocked) cannot move until the test
		 * makes room: that is quiet too (spinning on it cost 160 s under valgrind). */
		if (transport_mem_undelivered(t->tr) == 0 && now == last &&
		    (pacing_idle(&t->m->out) || t->m->out.blocked))
			quiet++;
		else
			quiet = 0;
		last = now;
	}
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

void simtest_run_for(struct simtest *t, double seconds)
{
	ev_timer stop;
	ev_timer_init(&stop, stop_cb, seconds, 0.);
	ev_timer_start(t->loop, &stop);
	ev_run(t->loop, 0);
	ev_timer_stop(t->loop, &stop);
	simtest_settle(t);
}

static bool contains(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0)
		return true;
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

bool simtest_wait_for(struct simtest *t, const char *needle, double timeout)
{
	ev_timer stop;
	ev_timer_init(&stop, stop_cb, timeout, 0.);
	ev_timer_start(t->loop, &stop);
	bool found = false;
	for (;;) {
		size_t n;
		const uint8_t *out = transport_mem_peek(t->tr, &n);
		if (contains(out, n, needle)) {
			found = true;
			break;
		}
		if (!ev_is_active(&stop))
			break;
		ev_run(t->loop, EVRUN_ONCE);
	}
	ev_timer_stop(t->loop, &stop);
	if (found)
		simtest_settle(t);
	return found;
}

const char *simtest_take(struct simtest *t, size_t *len)
{
	size_t n = transport_mem_take(t->tr, t->out, sizeof t->out);
	if (len)
		*len = n;
	return t->out;
}

void simtest_expect(struct simtest *t, const char *expect, const char *file, int line)
{
	size_t n;
	const char *got = simtest_take(t, &n);
	if (n == strlen(expect) && memcmp(got, expect, n) == 0)
		return;
	size_t cap = 4 * n + 1;
	char *eg = malloc(cap);
	char ee[4096];
	assert_non_null(eg);
	transcript_escape(got, n, eg, cap);
	transcript_escape(expect, strlen(expect), ee, sizeof ee);
	print_error("%s:%d: modem wrote\n  \"%s\"\nexpected\n  \"%s\"\n", file, line, eg, ee);
	free(eg);
	fail();
}

void simtest_expect_reply(struct simtest *t, const char *send, const char *expect, const char *file,
			  int line)
{
	simtest_take(t, NULL);
	simtest_send(t, send);
	simtest_settle(t);
	simtest_expect(t, expect, file, line);
}

void simtest_inject(struct simtest *t, const char *req, bool want_ok)
{
	json_t *j = json_loads(req, 0, NULL);
	assert_non_null(j);
	json_t *reply = json_object();
	char why[256], field[64];
	bool ok = inject_apply(t->m, j, reply, why, sizeof why, field, sizeof field);
	if (ok != want_ok)
		fail_msg("%s: %s (%s)", req, ok ? "accepted" : why, field);
	json_decref(reply);
	json_decref(j);
}
