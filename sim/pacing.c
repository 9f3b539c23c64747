/* pacing.c - a modem's output queue, sent at the line's byte rate (see pacing.h). */
#include "pacing.h"

#include <stdlib.h>
#include <string.h>

/* A tick sends what the elapsed time allows; ~1 ms keeps bursts to a dozen bytes at 115200. */
#define TICK_MIN 0.001

static uint32_t frag_random(struct pacing *p)
{
	uint32_t x = p->frag_rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return p->frag_rng = x;
}

static void flush(struct pacing *p, size_t budget)
{
	while (p->len && budget && !p->blocked && !ev_is_active(&p->gap)) {
		size_t chunk = p->len;
		if (chunk > budget)
			chunk = budget;
		if (p->frag_max && chunk > 1)
			chunk = 1 + frag_random(p) % (chunk < p->frag_max ? chunk : p->frag_max);
		ssize_t w = transport_write(p->tr, p->q + p->head, chunk);
		if (w <= 0) {
			if (w < 0) { /* hard error: nothing more can be sent */
				p->dropped += p->len;
				p->len = 0;
				p->head = 0;
				return;
			}
			p->blocked = true;
			return;
		}
		p->head += (size_t)w;
		p->len -= (size_t)w;
		p->sent += (uint64_t)w;
		budget -= (size_t)w;
		if (p->rate > 0)
			p->credit -= (double)w;
		unsigned gap = p->frag_gap_ms ? frag_random(p) % (p->frag_gap_ms + 1) : 0;
		if (gap && p->len) {
			ev_timer_set(&p->gap, gap / 1000.0, 0.);
			ev_timer_start(p->loop, &p->gap);
		}
	}
	if (p->want_drain && p->len < PACING_LOW_WATER && p->on_drain) {
		p->want_drain = false;
		p->on_drain(p->drain_ctx);
	}
	if (p->len == 0) {
		p->head = 0;
		if (p->cap > 4096) { /* give back a burst's memory: many idle modems share a process */
			free(p->q);
			p->q = NULL;
			p->cap = 0;
		}
	}
}

/* Make room for n more bytes (at most PACING_QUEUE_MAX queued); returns what fits. */
static size_t reserve(struct pacing *p, size_t n)
{
	if (p->len + n > PACING_QUEUE_MAX)
		n = PACING_QUEUE_MAX - p->len;
	if (p->head + p->len + n <= p->cap)
		return n;
	if (p->head) {
		memmove(p->q, p->q + p->head, p->len);
		p->head = 0;
	}
	if (p->len + n <= p->cap)
		return n;
	size_t cap = p->cap ? p->cap : 256;
	while (cap < p->len + n)
		cap *= 2;
	uint8_t *q = realloc(p->q, cap);
	if (!q)
		return p->cap - p->len;
	p->q = q;
	p->cap = cap;
	return n;
}

static double tick_interval(const struct pacing *p)
{
	double t = 8.0 / p->rate;
	return t < TICK_MIN ? TICK_MIN : t;
}

static ev_tstamp now_of(const struct pacing *p)
{
	return p->clock ? p->clock(p->clock_ctx) : ev_now(p->loop);
}

/* The credit's ceiling in bytes (see PACING_BURST_MAX). */
static double burst_max(const struct pacing *p)
{
	double two_ticks = p->rate * tick_interval(p) * 2 + 1;
	return two_ticks > PACING_BURST_MAX ? two_ticks : PACING_BURST_MAX;
}

static void schedule(struct pacing *p)
{
	if (p->len == 0 || p->blocked || ev_is_active(&p->timer) || ev_is_active(&p->gap))
		return;
	if (p->rate <= 0) {
		/* Unpaced: what this loop iteration queues goes out in one write at the start of
		 * the next (a timer already due: the loop polls without waiting). One write per
		 * answer instead of one per piece ("\r\n", "OK", "\r\n"): a pty write costs the
		 * kernel a work item and a wake-up, most of the time with many modems (issue 9,
		 * tools/bench modems). Not an ev_prepare: a loop run with EVRUN_ONCE would then
		 * write just before it blocks, and its caller would not see the bytes. */
		ev_timer_set(&p->timer, 0., 0.);
		ev_timer_start(p->loop, &p->timer);
		return;
	}
	ev_timer_set(&p->timer, tick_interval(p), 0.);
	ev_timer_start(p->loop, &p->timer);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	(void)loop;
	struct pacing *p = (struct pacing *)((char *)w - offsetof(struct pacing, timer));
	if (p->rate <= 0) {
		flush(p, SIZE_MAX); /* unpaced (see schedule) */
		return;
	}
	ev_tstamp now = now_of(p);
	p->credit += (now - p->last) * p->rate;
	p->last = now;
	/* A late tick sends what the line carried meanwhile: a cap of a tick or two would lose
	 * that line time on a busy loop (issue 9). Bounded in bytes, so a long stall is no flood. */
	double cap = burst_max(p);
	if (p->credit > cap)
		p->credit = cap;
	if (p->credit >= 1)
		flush(p, (size_t)p->credit);
	schedule(p);
}

static void gap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	(void)loop;
	struct pacing *p = (struct pacing *)((char *)w - offsetof(struct pacing, gap));
	if (p->rate <= 0)
		flush(p, SIZE_MAX);
	schedule(p);
}

void pacing_set_fragments(struct pacing *p, unsigned max, unsigned gap_ms, uint32_t seed)
{
	p->frag_max = max;
	p->frag_gap_ms = max ? gap_ms : 0;
	p->frag_rng = seed ? seed : 1u;
	if (!max) {
		ev_timer_stop(p->loop, &p->gap);
		schedule(p);
	}
}

int pacing_init(struct pacing *p, struct ev_loop *loop, struct transport *tr, unsigned baud)
{
	memset(p, 0, sizeof *p);
	p->loop = loop;
	p->tr = tr;
	ev_init(&p->timer, tick_cb);
	ev_init(&p->gap, gap_cb);
	pacing_set_baud(p, baud);
	return 0;
}

void pacing_destroy(struct pacing *p)
{
	ev_timer_stop(p->loop, &p->timer);
	ev_timer_stop(p->loop, &p->gap);
	free(p->q);
	p->q = NULL;
}

void pacing_set_clock(struct pacing *p, pacing_clock_fn clock, void *ctx)
{
	p->clock = clock;
	p->clock_ctx = ctx;
}

void pacing_set_baud(struct pacing *p, unsigned baud)
{
	p->rate = baud ? baud / 10.0 : 0; /* 8N1: start + 8 data + stop bits per byte */
	if (p->rate <= 0 && !ev_is_active(&p->timer))
		schedule(p);
}

size_t pacing_write(struct pacing *p, const void *buf, size_t n)
{
	if (!p->tr->present) {
		p->dropped += n;
		return n;
	}
	size_t take = reserve(p, n);
	if (p->len == 0 && !ev_is_active(&p->timer)) {
		/* An idle line: the first byte arrives one byte-time from now. */
		p->last = now_of(p);
		p->credit = 0;
	}
	if (take)
		memcpy(p->q + p->head + p->len, buf, take);
	p->len += take;
	p->dropped += n - take;
	schedule(p);
	return n - take;
}

void pacing_writable(struct pacing *p)
{
	p->blocked = false;
	if (p->rate <= 0)
		flush(p, SIZE_MAX);
	schedule(p);
}

void pacing_discard(struct pacing *p)
{
	p->dropped += p->len;
	p->len = 0;
	p->head = 0;
	p->blocked = false;
	ev_timer_stop(p->loop, &p->timer);
	ev_timer_stop(p->loop, &p->gap);
}
