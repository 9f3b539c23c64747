/* svc_http.c - per-modem bearer and HTTP action state: lifecycle, URCs, output (svc_http.h). */
#include "svc_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_multi.h"
#include "http_state.h"
#include "modem_internal.h"
#include "respond.h"
#include "transcript.h"

#define HTTP_FROM(w, field) \
	((struct sim_modem *)((struct svc_http_box *)((char *)(w) - \
		offsetof(struct svc_http_box, s.field)))->m)

/* The state plus its modem, so watchers embedded in it find their way back. */
struct svc_http_box {
	struct svc_http s;
	struct sim_modem *m;
};

/* Output chunks when a block does not fit the output queue at once (HTTPREAD of a big body). */
#define OUT_TICK 0.01

bool svc_http_buf_append(struct http_buf *b, const void *p, size_t n, size_t max)
{
	if (b->len > max || n > max - b->len)
		return false;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return false;
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return true;
}

void svc_http_buf_free(struct http_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void svc_http_params_free(struct http_params *p)
{
	free(p->url);
	free(p->ua);
	free(p->proip);
	free(p->content);
	free(p->userdata);
	memset(p, 0, sizeof *p);
}

static void act_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void busy_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void out_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

struct svc_http *svc_http_get(struct sim_modem *m)
{
	if (m->http)
		return m->http;
	struct svc_http_box *box = calloc(1, sizeof *box);
	if (!box)
		return NULL;
	box->m = m;
	struct svc_http *s = &box->s;
	for (int i = 0; i < HTTP_BEARERS; i++) {
		struct http_bearer *b = &s->bearer[i];
		b->status = HTTP_BEARER_CLOSED;
		snprintf(b->contype, sizeof b->contype, "GPRS");
		b->rate = 2;
	}
	ev_init(&s->act_timer, act_timer_cb);
	ev_init(&s->busy_timer, busy_timer_cb);
	ev_init(&s->out_timer, out_timer_cb);
	m->http = s;
	return s;
}

bool svc_http_init(struct sim_modem *m)
{
	struct svc_http *s = svc_http_get(m);
	if (!s || s->inited)
		return false;
	s->inited = true;
	svc_http_params_free(&s->par);
	s->par.cid = 1;
	s->par.timeout = HTTP_TIMEOUT_DEFAULT;
	return true;
}

void svc_http_bearer_ip(const struct sim_modem *m, int cid, char *buf, size_t cap)
{
	/* 10.<64+cid>.x.y from the modem index: private-looking, distinct per modem and cid. */
	unsigned idx = (unsigned)m->index;
	snprintf(buf, cap, "10.%u.%u.%u", 64u + (unsigned)cid, (idx / 250u) % 256u, idx % 250u + 2u);
}

bool svc_http_preset(struct sim_modem *m, bool bearer, bool http)
{
	struct svc_http *s = svc_http_get(m);
	if (!s || (bearer && !netstate_attached(m)))
		return false;
	if (bearer)
		s->bearer[0].status = HTTP_BEARER_CONNECTED;
	if (http)
		svc_http_init(m); /* false when it already is: nothing to do */
	return true;
}

void svc_http_sync(struct sim_modem *m)
{
	struct svc_http *s = m->http;
	if (!s || netstate_attached(m))
		return;
	for (int i = 0; i < HTTP_BEARERS; i++) {
		struct http_bearer *b = &s->bearer[i];
		if (b->status != HTTP_BEARER_CONNECTED)
			continue;
		/* The network dropped the PDP context (facts §6.1 URC "+SAPBR <cid>: DEACT"). We only
		 * notice when a command looks: netstate has no change hook for services. */
		b->status = HTTP_BEARER_CLOSED;
		transcript_note(m->log, m->index, "bearer %d deactivated: GPRS detached", i + 1);
		modem_urc(m, "+SAPBR %d: DEACT", i + 1);
		if (s->act == HTTP_ACT_RUNNING && s->par.cid == i + 1) {
			http_xfer_abort(m);
			svc_http_action_done(m, HTTP_ST_NETWORK);
		}
	}
}

static const char *method_name(enum http_method mt)
{
	static const char *const names[] = {[HTTP_GET] = "GET", [HTTP_POST] = "POST",
					    [HTTP_HEAD] = "HEAD"};
	return names[mt];
}

void svc_http_action_done(struct sim_modem *m, int status)
{
	struct svc_http *s = m->http;
	ev_timer_stop(m->loop, &s->act_timer);
	s->act = HTTP_ACT_IDLE;
	/* Only a real HTTP answer leaves data to read; a 60x leaves none. */
	s->have_result = status < 600;
	if (!s->have_result) {
		svc_http_buf_free(&s->body);
		svc_http_buf_free(&s->head);
	}
	s->result_method = s->method;
	transcript_note(m->log, m->index, "HTTP %s done: %d, %zu bytes", method_name(s->method),
			status, s->body.len);
	modem_urc(m, "+HTTPACTION: %d,%d,%zu", (int)s->method, status, s->body.len);
}

static void act_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = HTTP_FROM(w, act_timer);
	svc_http_action_done(m, m->http->fail_code);
}

static void busy_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = HTTP_FROM(w, busy_timer);
	struct svc_http *s = m->http;
	size_t n = s->n_busy;
	s->n_busy = 0;
	for (size_t i = 0; i < n; i++)
		modem_urc(m, "+HTTPACTION: %d,%d,0", s->busy_urcs[i], HTTP_ST_BUSY);
}

static void fail_later(struct sim_modem *m, int code)
{
	struct svc_http *s = m->http;
	s->act = HTTP_ACT_FAILING;
	s->fail_code = code;
	ev_timer_set(&s->act_timer, modem_delay(m, HTTP_FAIL_LATENCY_MS), 0.);
	ev_timer_start(m->loop, &s->act_timer);
}

void svc_http_action(struct sim_modem *m, enum http_method method)
{
	struct svc_http *s = m->http;
	if (s->act != HTTP_ACT_IDLE) {
		/* A second action while one runs: OK now, then 604 "Stack Busy" (MAN §11.2.5; field
		 * bug http-action-slow-and-busy). The timer puts the URC after this command's OK. */
		if (s->n_busy < sizeof s->busy_urcs / sizeof s->busy_urcs[0])
			s->busy_urcs[s->n_busy++] = (int)method;
		ev_timer_set(&s->busy_timer, 0., 0.);
		ev_timer_start(m->loop, &s->busy_timer);
		return;
	}
	s->method = method;
	s->have_result = false;
	svc_http_buf_free(&s->body);
	svc_http_buf_free(&s->head);
	int cid = s->par.cid;
	if (s->bearer[cid - 1].status != HTTP_BEARER_CONNECTED) {
		/* Field bug http-601-bearer-not-open: OK, then 601 after a short delay. */
		transcript_note(m->log, m->index, "HTTPACTION: bearer %d is not open: 601", cid);
		fail_later(m, HTTP_ST_NETWORK);
		return;
	}
	int code = http_xfer_start(m);
	if (code)
		fail_later(m, code);
	else
		s->act = HTTP_ACT_RUNNING;
}

void svc_http_action_abort(struct sim_modem *m)
{
	struct svc_http *s = m->http;
	if (!s)
		return;
	http_xfer_abort(m);
	ev_timer_stop(m->loop, &s->act_timer);
	s->act = HTTP_ACT_IDLE;
}

static void out_push(struct sim_modem *m)
{
	struct svc_http *s = m->http;
	size_t room = m->out.len < PACING_QUEUE_MAX ? PACING_QUEUE_MAX - m->out.len : 0;
	size_t n = s->out_left < room ? s->out_left : room;
	modem_send(m, s->out_p, n);
	s->out_p += n;
	s->out_left -= n;
}

static void out_finish(struct sim_modem *m)
{
	/* V1: the final's own CRLF ends the data line ("<data>\r\nOK\r\n", field bug
	 * http-read-overrun-first-bytes-lost). V0 finals have no leading CRLF, so one is added
	 * to keep "0\r" off the data. UNCERTAIN: no capture of HTTPREAD under ATV0. */
	if (!m->v.verbose)
		modem_send(m, "\r\n", 2);
}

static void out_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct sim_modem *m = HTTP_FROM(w, out_timer);
	struct svc_http *s = m->http;
	out_push(m);
	if (s->out_left)
		return;
	ev_timer_stop(loop, w);
	out_finish(m);
	modem_command_done(m, RES_OK);
}

struct at_result svc_http_send_block(struct sim_modem *m, const char *prefix, const uint8_t *p,
				     size_t n)
{
	struct svc_http *s = m->http;
	respond_infof(m, "%s: %zu", prefix, n);
	s->out_p = p;
	s->out_left = n;
	out_push(m);
	if (s->out_left == 0) {
		out_finish(m);
		return RES_OK;
	}
	/* The data is bigger than the output queue: feed it as the line drains, back to back
	 * (field bug http-read-overrun-first-bytes-lost: no gaps, nothing dropped), with URCs
	 * held until the final result so none lands inside the data. */
	m->disp.hold_urcs = true;
	ev_timer_set(&s->out_timer, OUT_TICK, OUT_TICK);
	ev_timer_start(m->loop, &s->out_timer);
	return RES_ASYNC;
}

void svc_http_reset(struct sim_modem *m)
{
	struct svc_http *s = m->http;
	if (!s)
		return;
	http_xfer_abort(m);
	ev_timer_stop(m->loop, &s->act_timer);
	ev_timer_stop(m->loop, &s->busy_timer);
	ev_timer_stop(m->loop, &s->out_timer);
	svc_http_params_free(&s->par);
	svc_http_buf_free(&s->post);
	svc_http_buf_free(&s->body);
	svc_http_buf_free(&s->head);
	free((struct svc_http_box *)(void *)s);
	m->http = NULL;
}
