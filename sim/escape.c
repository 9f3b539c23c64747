/* escape.c - the "+++" escape from data mode with guard times (see escape.h). */
#include "escape.h"

#include <stdbool.h>

static const uint8_t pluses[3] = {'+', '+', '+'};

static void after_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct escape *e = (struct escape *)((char *)w - offsetof(struct escape, after));
	if (e->held == 3) {
		e->held = 0;
		e->fire(e->ctx);
	}
}

void escape_init(struct escape *e, struct ev_loop *loop, double guard,
		 void (*data)(void *ctx, const uint8_t *buf, size_t n), void (*fire)(void *ctx),
		 void *ctx)
{
	e->loop = loop;
	e->guard = guard;
	e->last_rx = ev_now(loop);
	e->held = 0;
	e->data = data;
	e->fire = fire;
	e->ctx = ctx;
	ev_init(&e->after, after_cb);
}

/* The pluses were data after all: pass them on first. */
static void release(struct escape *e)
{
	ev_timer_stop(e->loop, &e->after);
	if (e->held)
		e->data(e->ctx, pluses, (size_t)e->held);
	e->held = 0;
}

void escape_feed(struct escape *e, const uint8_t *buf, size_t n)
{
	ev_tstamp now = ev_now(e->loop);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		bool quiet_before = now - e->last_rx >= e->guard;
		if (buf[i] == '+' && (e->held > 0 || (quiet_before && i == start)) && e->held < 3) {
			/* Possibly an escape: hold it back. A plus only starts one after silence,
			 * i.e. as the first byte after a pause. */
			if (i > start)
				e->data(e->ctx, buf + start, i - start);
			start = i + 1;
			e->held++;
			if (e->held == 3) {
				ev_timer_set(&e->after, e->guard > 0 ? e->guard : 0., 0.);
				ev_timer_start(e->loop, &e->after);
			}
			e->last_rx = now;
			continue;
		}
		if (e->held) {
			if (i > start)
				e->data(e->ctx, buf + start, i - start);
			start = i;
			release(e);
		}
		e->last_rx = now;
	}
	if (n > start)
		e->data(e->ctx, buf + start, n - start);
}

void escape_stop(struct escape *e)
{
	ev_timer_stop(e->loop, &e->after);
	e->held = 0;
}
