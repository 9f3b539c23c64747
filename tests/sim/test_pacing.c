/* test_pacing.c - the output queue: line rate with late ticks (injected clock), unpaced writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pacing.h"
#include "transport_mem.h"

/*
 * No real time passes here: the test owns the clock, and fires the pacing timer by hand
 * (ev_invoke) at the moment a loop would, plus a chosen lateness. The loop itself never runs,
 * so the timer the pacing re-arms never fires on its own.
 */
struct rig {
	struct ev_loop *loop;
	struct transport *tr;
	struct pacing p;
	ev_tstamp now;       /* the injected clock */
	uint64_t delivered;  /* bytes the host side received */
	uint64_t queued;     /* bytes given to pacing_write */
	char scratch[1 << 16];
};

static ev_tstamp rig_clock(void *ctx)
{
	return ((struct rig *)ctx)->now;
}

static void rig_writable(void *ctx)
{
	pacing_writable(&((struct rig *)ctx)->p);
}

static const struct transport_cb rig_cb = {.writable = rig_writable};

static struct rig *rig_new(unsigned baud)
{
	struct rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(r->loop);
	r->tr = transport_mem_new(r->loop, 64);
	assert_non_null(r->tr);
	transport_mem_bind(r->tr, &rig_cb, r);
	transport_mem_set_present(r->tr, true);
	r->now = 1000.0;
	assert_int_equal(pacing_init(&r->p, r->loop, r->tr, baud), 0);
	pacing_set_clock(&r->p, rig_clock, r);
	return r;
}

static void rig_free(struct rig *r)
{
	pacing_destroy(&r->p);
	transport_destroy(r->tr);
	ev_loop_destroy(r->loop);
	free(r);
}

/* Keep at least `depth` bytes queued, so the line never runs dry. */
static void top_up(struct rig *r, size_t depth)
{
	static const char text[] = "0123456789abcdef"; /* take() checks the same pattern */
	while (r->p.len < depth) {
		size_t n = depth - r->p.len;
		if (n > sizeof r->scratch)
			n = sizeof r->scratch;
		for (size_t i = 0; i < n; i++)
			r->scratch[i] = text[(r->queued + i) % 16];
		assert_int_equal(pacing_write(&r->p, r->scratch, n), 0);
		r->queued += n;
	}
}

/* Bytes that reached the host since the last call; each is checked to come in queue order. */
static size_t take(struct rig *r)
{
	size_t n = 0, k;
	while ((k = transport_mem_take(r->tr, r->scratch, sizeof r->scratch)) > 0) {
		for (size_t i = 0; i < k; i++)
			if (r->scratch[i] != "0123456789abcdef"[(r->delivered + n + i) % 16])
				fail_msg("byte %llu out of order", (unsigned long long)(r->delivered + n + i));
		n += k;
	}
	r->delivered += n;
	return n;
}

/* The timer fires `late` seconds after it was due; returns the bytes that tick sent. */
static size_t tick(struct rig *r, double late)
{
	assert_true(ev_is_active(&r->p.timer)); /* armed whenever bytes wait */
	/* The loop never runs, so the timer's remaining time is the interval it was set to. */
	r->now += ev_timer_remaining(r->loop, &r->p.timer) + late;
	ev_timer_stop(r->loop, &r->p.timer); /* as libev does before calling a one-shot timer */
	ev_invoke(r->loop, &r->p.timer, EV_TIMER);
	return take(r);
}

/* Deterministic "random" lateness in [0, max) (a small LCG, so runs repeat). */
static double lateness(uint32_t *seed, double max)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (double)(*seed >> 8) / (double)(1u << 24) * max;
}

/* Run `secs` of simulated time with ticks late by late_fn; returns sent/nominal - 1. */
static double rate_error(unsigned baud, double secs, double fixed_late, double random_late)
{
	struct rig *r = rig_new(baud);
	uint32_t seed = 7;
	top_up(r, 64 * 1024);
	take(r);
	ev_tstamp start = r->now;
	while (r->now - start < secs) {
		tick(r, fixed_late + lateness(&seed, random_late));
		top_up(r, 64 * 1024);
	}
	double elapsed = r->now - start;
	double nominal = baud / 10.0 * elapsed;
	double err = (double)r->delivered / nominal - 1;
	print_message("%u baud, ticks %.1f ms late + up to %.1f ms: %.0f of %.0f bytes (%+.3f %%)\n",
		      baud, fixed_late * 1e3, random_late * 1e3, (double)r->delivered, nominal,
		      err * 100);
	rig_free(r);
	return err;
}

static void on_time_ticks_carry_the_line_rate(void **state)
{
	(void)state;
	assert_true(rate_error(9600, 3, 0, 0) > -0.01);
	assert_true(rate_error(9600, 3, 0, 0) < 0.01);
	assert_true(rate_error(115200, 3, 0, 0) > -0.01);
	assert_true(rate_error(921600, 3, 0, 0) > -0.01);
	assert_true(rate_error(921600, 3, 0, 0) < 0.01);
}

/* Issue 9: a tick more than ~2 ms late used to lose the line time past two ticks' credit. */
static void late_ticks_keep_the_long_run_rate(void **state)
{
	(void)state;
	static const unsigned bauds[] = {2400, 9600, 115200, 921600};
	for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++) {
		double e = rate_error(bauds[i], 3, 0.005, 0); /* always 5 ms late */
		assert_true(e > -0.01 && e < 0.01);
		e = rate_error(bauds[i], 3, 0, 0.030); /* 0..30 ms late, a busy loop */
		assert_true(e > -0.01 && e < 0.01);
		e = rate_error(bauds[i], 3, 0.020, 0.020); /* 20..40 ms late */
		assert_true(e > -0.01 && e < 0.01);
	}
}

/* A stall (the loop blocked for seconds) is caught up by at most PACING_BURST_MAX bytes in one
 * tick, and the next on-time ticks carry the line rate again. */
static void a_stall_is_caught_up_by_a_bounded_burst(void **state)
{
	(void)state;
	struct rig *r = rig_new(115200);
	top_up(r, 128 * 1024);
	take(r);
	for (int i = 0; i < 100; i++)
		tick(r, 0);
	size_t burst = tick(r, 10.0); /* 10 s late: 115200 bytes of line time */
	assert_true(burst >= PACING_BURST_MAX - 1);
	assert_true(burst <= PACING_BURST_MAX + 1);
	size_t after = 0;
	for (int i = 0; i < 1000; i++)
		after += tick(r, 0); /* 1000 ticks of 1 ms: 11520 bytes */
	assert_true(after >= 11400 && after <= 11640);
	rig_free(r);
}

/* An idle line builds no credit: the first bytes after a quiet minute go at the line rate. */
static void an_idle_line_builds_no_credit(void **state)
{
	(void)state;
	struct rig *r = rig_new(9600);
	top_up(r, 64);
	size_t sent = 0;
	while (!pacing_idle(&r->p))
		sent += tick(r, 0);
	assert_int_equal(sent, 64);
	assert_false(ev_is_active(&r->p.timer));
	r->now += 60; /* a quiet minute */
	top_up(r, 4096);
	size_t first = tick(r, 0); /* one tick is 8 byte-times at 960 bytes/s */
	assert_true(first <= 9);
	rig_free(r);
}

/* A host that stops reading (write room 0) blocks the queue; when it reads again, the catch-up
 * is bounded the same way and nothing is lost or reordered. */
static void a_blocked_line_resumes_in_order(void **state)
{
	(void)state;
	struct rig *r = rig_new(921600);
	top_up(r, 32 * 1024);
	transport_mem_set_write_room(r->tr, 100);
	size_t sent = 0;
	for (int i = 0; i < 5 && ev_is_active(&r->p.timer); i++)
		sent += tick(r, 0);
	assert_true(r->p.blocked);
	assert_int_equal(sent, 100);
	assert_false(ev_is_active(&r->p.timer)); /* waiting for writable, not spinning */
	r->now += 5;
	transport_mem_set_write_room(r->tr, SIZE_MAX);
	pacing_writable(&r->p);
	size_t burst = tick(r, 0);
	assert_true(burst <= PACING_BURST_MAX + 1);
	for (int i = 0; i < 100; i++)
		tick(r, 0);
	assert_int_equal(r->delivered + r->p.len, r->queued); /* nothing lost */
	rig_free(r);
}

/* One run of 200 bytes in seeded fragments on an unpaced line: what each loop iteration
 * delivered (a burst between two silences), in order. Returns the number of bursts. */
static size_t fragment_run(uint32_t seed, size_t *sizes, size_t cap)
{
	struct rig *r = rig_new(0);
	pacing_set_fragments(&r->p, 8, 3, seed);
	char in[200], out[256];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (char)('a' + i % 26);
	assert_int_equal(pacing_write(&r->p, in, sizeof in), 0);
	size_t got = 0, n = 0;
	while (got < sizeof in) {
		size_t k = transport_mem_take(r->tr, out + got, sizeof out - got);
		if (k && n < cap)
			sizes[n++] = k;
		got += k;
		if (got < sizeof in)
			ev_run(r->loop, EVRUN_ONCE);
	}
	assert_memory_equal(out, in, sizeof in);
	rig_free(r);
	return n;
}

/* urc-fragmented-delivery-byte-loss: 1..8-byte pieces with 0..3 ms of silence after each:
 * everything arrives in order, in many bursts, and the same seed cuts the same way. */
static void fragments_are_seeded_and_complete(void **state)
{
	(void)state;
	size_t a[200], b[200];
	size_t na = fragment_run(42, a, 200), nb = fragment_run(42, b, 200);
	assert_true(na >= 10);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof a[0]);
}

/* A transport that counts write calls (the mem transport keeps only the bytes). */
struct counting {
	struct transport base;
	int writes;
	char got[256];
	size_t len;
};

static ssize_t counting_write(struct transport *t, const uint8_t *b, size_t n)
{
	struct counting *c = (struct counting *)t;
	c->writes++;
	if (n > sizeof c->got - c->len)
		n = sizeof c->got - c->len;
	memcpy(c->got + c->len, b, n);
	c->len += n;
	return (ssize_t)n;
}

static void counting_destroy(struct transport *t)
{
	(void)t;
}

static const struct transport_ops counting_ops = {.write = counting_write,
						  .destroy = counting_destroy};

/* Unpaced (--no-pacing), an answer queued in pieces during one loop iteration goes out in one
 * write when the loop comes round: one pty write per answer, not one per piece. */
static void unpaced_pieces_go_out_in_one_write(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct counting c = {.base = {.ops = &counting_ops, .present = true, .path = "count"}};
	struct pacing p;
	assert_int_equal(pacing_init(&p, loop, &c.base, 0), 0);
	assert_int_equal(pacing_write(&p, "\r\n", 2), 0);
	assert_int_equal(pacing_write(&p, "OK", 2), 0);
	assert_int_equal(pacing_write(&p, "\r\n", 2), 0);
	assert_int_equal(c.writes, 0); /* not inside the producer's call */
	ev_run(loop, EVRUN_NOWAIT);    /* a due timer: the loop does not wait for it */
	assert_int_equal(c.writes, 1);
	assert_int_equal(c.len, 6);
	assert_memory_equal(c.got, "\r\nOK\r\n", 6);
	assert_true(pacing_idle(&p));
	assert_false(ev_is_active(&p.timer));
	/* A loop run that blocks (EVRUN_ONCE) still returns with the bytes written. */
	assert_int_equal(pacing_write(&p, "RING", 4), 0);
	ev_run(loop, EVRUN_ONCE);
	assert_int_equal(c.writes, 2);
	assert_memory_equal(c.got + 6, "RING", 4);
	pacing_destroy(&p);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_time_ticks_carry_the_line_rate),
		cmocka_unit_test(late_ticks_keep_the_long_run_rate),
		cmocka_unit_test(a_stall_is_caught_up_by_a_bounded_burst),
		cmocka_unit_test(an_idle_line_builds_no_credit),
		cmocka_unit_test(a_blocked_line_resumes_in_order),
		cmocka_unit_test(unpaced_pieces_go_out_in_one_write),
		cmocka_unit_test(fragments_are_seeded_and_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
