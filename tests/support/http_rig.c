/* http_rig.c - modems sharing one loop, netmap and libcurl multi (see http_rig.h). */
#include "http_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profile_yaml.h"
#include "svc_http.h"
#include "transcript.h"
#include "transport_mem.h"

static void collect(struct http_rig_modem *d)
{
	size_t pend = transport_mem_pending(d->tr);
	if (d->len + pend + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;
		while (cap < d->len + pend + 1)
			cap *= 2;
		char *o = realloc(d->out, cap);
		assert_non_null(o);
		d->out = o;
		d->cap = cap;
	}
	d->len += transport_mem_take(d->tr, d->out + d->len, d->cap - d->len);
	d->out[d->len] = '\0';
}

static bool quiet(struct http_rig *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct http_rig_modem *d = &r->md[i];
		if (transport_mem_undelivered(d->tr) || !pacing_idle(&d->m->out))
			return false;
	}
	return true;
}

void http_rig_settle(struct http_rig *r)
{
	size_t calm = 0;
	for (int i = 0; i < 200000 && calm < 4; i++) {
		ev_run(r->loop, EVRUN_NOWAIT);
		size_t before = 0, after = 0;
		for (size_t k = 0; k < r->n; k++) {
			before += r->md[k].len;
			collect(&r->md[k]);
			after += r->md[k].len;
		}
		calm = quiet(r) && before == after ? calm + 1 : 0;
	}
}

struct http_rig *http_rig_new(const char *profile, size_t n, size_t limit)
{
	struct http_rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	struct profile_error err;
	const char *dir = getenv("SIM800_PROFILE_DIR");
	r->profile = profile_yaml_load(profile, dir ? dir : SIM800_SOURCE_DIR "/profiles", &err);
	if (!r->profile) {
		char msg[1600];
		profile_error_format(&err, msg, sizeof msg);
		fail_msg("profile %s: %s", profile, msg);
	}
	r->loop = ev_loop_new(EVFLAG_AUTO);
	r->netmap = netmap_new();
	r->multi = http_multi_new(r->loop);
	assert_non_null(r->loop);
	assert_non_null(r->netmap);
	assert_non_null(r->multi);
	r->opt = (struct sim_options){.time_scale = 0, .baud = 0, .power_on = SIM_POWER_ON_OPEN,
				      .seed = 1, .netmap = r->netmap};
	r->md = calloc(n, sizeof *r->md);
	assert_non_null(r->md);
	for (size_t i = 0; i < n; i++) {
		struct http_rig_modem *d = &r->md[i];
		d->tr = transport_mem_new(r->loop, limit);
		d->m = modem_new(r->loop, (int)i, r->profile, &r->opt, NULL, d->tr);
		assert_non_null(d->m);
		d->m->http_multi = r->multi;
		transport_mem_bind(d->tr, &modem_transport_cb, d->m);
		transport_mem_set_present(d->tr, true);
		r->n++;
	}
	http_rig_settle(r);
	for (size_t i = 0; i < n; i++) {
		/* The timeline runs at --time-scale 0: registered and attached at once. */
		http_rig_send(r, i, "ATE0\r");
		http_rig_settle(r);
		http_rig_clear(r, i);
		RIG_REPLY(r, i, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
	}
	return r;
}

void http_rig_free(struct http_rig *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		modem_destroy(r->md[i].m);
		free(r->md[i].out);
	}
	free(r->md);
	http_multi_free(r->multi);
	netmap_free(r->netmap);
	profile_free(r->profile);
	ev_loop_destroy(r->loop);
	free(r);
}

void http_rig_send_n(struct http_rig *r, size_t i, const void *b, size_t n)
{
	transport_mem_host_write(r->md[i].tr, b, n);
}

void http_rig_send(struct http_rig *r, size_t i, const char *s)
{
	http_rig_send_n(r, i, s, strlen(s));
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

bool http_rig_wait(struct http_rig *r, size_t i, const char *needle, double timeout)
{
	ev_timer stop;
	ev_timer_init(&stop, stop_cb, timeout, 0.);
	ev_timer_start(r->loop, &stop);
	bool found = false;
	while (ev_is_active(&stop)) {
		collect(&r->md[i]);
		if (strstr(r->md[i].out ? r->md[i].out : "", needle)) {
			found = true;
			break;
		}
		/* Blocks on the curl sockets and timers; the stop timer bounds it. */
		ev_run(r->loop, EVRUN_ONCE);
	}
	ev_timer_stop(r->loop, &stop);
	http_rig_settle(r);
	return found;
}

const char *http_rig_out(struct http_rig *r, size_t i, size_t *len)
{
	collect(&r->md[i]);
	if (len)
		*len = r->md[i].len;
	return r->md[i].out ? r->md[i].out : "";
}

void http_rig_clear(struct http_rig *r, size_t i)
{
	collect(&r->md[i]);
	r->md[i].len = 0;
	if (r->md[i].out)
		r->md[i].out[0] = '\0';
}

void http_rig_expect_n(struct http_rig *r, size_t i, const void *expect, size_t en,
		       const char *file, int line)
{
	size_t n;
	const char *got = http_rig_out(r, i, &n);
	if (n == en && memcmp(got, expect, n) == 0) {
		http_rig_clear(r, i);
		return;
	}
	size_t cap = 4 * n + 1, ecap = 4 * en + 1;
	char *eg = malloc(cap);
	char *ee = malloc(ecap);
	assert_non_null(eg);
	assert_non_null(ee);
	transcript_escape(got, n, eg, cap);
	transcript_escape(expect, en, ee, ecap);
	print_error("%s:%d: modem %zu wrote\n  \"%s\"\nexpected\n  \"%s\"\n", file, line, i, eg, ee);
	free(eg);
	free(ee);
	fail();
}

void http_rig_expect(struct http_rig *r, size_t i, const char *expect, const char *file, int line)
{
	http_rig_expect_n(r, i, expect, strlen(expect), file, line);
}

void http_rig_expect_reply_n(struct http_rig *r, size_t i, const char *send, const void *expect,
			     size_t n, const char *file, int line)
{
	http_rig_clear(r, i);
	http_rig_send(r, i, send);
	http_rig_settle(r);
	http_rig_expect_n(r, i, expect, n, file, line);
}

void http_rig_expect_reply(struct http_rig *r, size_t i, const char *send, const char *expect,
			   const char *file, int line)
{
	http_rig_expect_reply_n(r, i, send, expect, strlen(expect), file, line);
}
