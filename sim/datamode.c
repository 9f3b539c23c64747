/* datamode.c - input after a prompt: fixed length or up to Ctrl-Z, ESC cancels (datamode.h). */
#include "datamode.h"

#include <stdlib.h>
#include <string.h>

#include "modem.h"
#include "modem_internal.h"

#define CTRL_Z 0x1a
#define ESC 0x1b

static void finish(struct sim_modem *m, enum datamode_end how)
{
	struct datamode *d = &m->dm;
	ev_timer_stop(m->loop, &d->timer);
	d->active = false;
	uint8_t *buf = d->buf;
	size_t len = d->len;
	d->buf = NULL;
	d->len = d->cap = 0;
	struct datamode_cfg cfg = d->cfg;
	/* Give the line back before the result, then let held URCs out after it. */
	modem_clear_input_hook(m);
	cfg.done(m, cfg.ctx, buf, len, how);
	free(buf);
	urc_queue_flush(m);
}

static bool grow(struct datamode *d, size_t need)
{
	if (need <= d->cap)
		return true;
	size_t cap = d->cap ? d->cap : 256;
	while (cap < need)
		cap *= 2;
	uint8_t *b = realloc(d->buf, cap);
	if (!b)
		return false;
	d->buf = b;
	d->cap = cap;
	return true;
}

static size_t feed(struct sim_modem *m, void *ctx, const uint8_t *b, size_t n)
{
	(void)ctx;
	struct datamode *d = &m->dm;
	if (d->cfg.length) {
		size_t take = d->cfg.length - d->len;
		if (take > n)
			take = n;
		if (!grow(d, d->len + take))
			return n;
		memcpy(d->buf + d->len, b, take);
		d->len += take;
		if (d->cfg.echo)
			modem_send(m, b, take);
		if (d->len == d->cfg.length)
			finish(m, DATAMODE_COMPLETE);
		return take;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i] == CTRL_Z || b[i] == ESC) {
			if (d->cfg.echo && i)
				modem_send(m, b, i);
			finish(m, b[i] == CTRL_Z ? DATAMODE_CTRLZ : DATAMODE_ESC);
			return i + 1;
		}
		if (d->len >= d->cfg.max) {
			if (d->cfg.echo && i)
				modem_send(m, b, i);
			finish(m, DATAMODE_OVERFLOW);
			return i;
		}
		if (!grow(d, d->len + 1))
			return n;
		d->buf[d->len++] = b[i];
	}
	if (d->cfg.echo)
		modem_send(m, b, n);
	return n;
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = (struct sim_modem *)((char *)w - offsetof(struct sim_modem, dm.timer));
	finish(m, DATAMODE_TIMEOUT);
}

bool datamode_start(struct sim_modem *m, const struct datamode_cfg *cfg)
{
	struct datamode *d = &m->dm;
	datamode_cancel(m);
	d->cfg = *cfg;
	d->active = true;
	ev_init(&d->timer, timeout_cb);
	if (cfg->timeout > 0) {
		ev_timer_set(&d->timer, cfg->timeout, 0.);
		ev_timer_start(m->loop, &d->timer);
	}
	const struct modem_input_hook hook = {.feed = feed, .ctx = NULL};
	modem_set_input_hook(m, &hook);
	return true;
}

void datamode_cancel(struct sim_modem *m)
{
	struct datamode *d = &m->dm;
	if (d->active)
		ev_timer_stop(m->loop, &d->timer);
	if (d->active && m->hook.feed == feed)
		modem_clear_input_hook(m);
	d->active = false;
	free(d->buf);
	d->buf = NULL;
	d->len = d->cap = 0;
}
