/* pacing.h - a modem's output queue, sent at the line's byte rate (8N1: baud / 10). */
#ifndef SIM_PACING_H
#define SIM_PACING_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Bytes a modem may have queued before further output is dropped (a UART does not wait). */
#define PACING_QUEUE_MAX (256u * 1024u)
#define PACING_LOW_WATER 1024u
/* Most bytes one tick may send when it catches up after firing late (or after the host let
 * the line block): the long-run rate stays the line rate, and a burst is at most this many
 * bytes, about what a host's serial driver would have buffered meanwhile. At least two ticks'
 * worth at any rate. */
#define PACING_BURST_MAX 4096u

/* The time source: ev_now(loop) unless a test injects its own (pacing_set_clock). */
typedef ev_tstamp (*pacing_clock_fn)(void *ctx);

struct pacing {
	struct ev_loop *loop;
	struct transport *tr;     /* borrowed from the modem */
	uint8_t *q;               /* queued bytes q[head..head+len), owned; grows on demand */
	size_t head, len, cap;
	double rate;              /* bytes per second; 0 = unpaced */
	double credit;            /* bytes that may go out now */
	ev_tstamp last;           /* when credit was last topped up */
	ev_timer timer;
	pacing_clock_fn clock;    /* NULL: ev_now(loop) */
	void *clock_ctx;
	bool blocked;             /* transport said "later"; waiting for writable */
	uint64_t dropped;         /* bytes lost: no host, or queue full */
	/* Called once the queue falls below PACING_LOW_WATER after a producer asked for it
	 * (want_drain): received data waits for the line instead of filling memory. */
	void (*on_drain)(void *ctx);
	void *drain_ctx;
	bool want_drain;
	uint64_t sent;
	/* Random fragments (pacing_set_fragments): each write is 1..frag_max bytes, followed by
	 * a silence of 0..frag_gap_ms real milliseconds (field-bugs.md
	 * urc-fragmented-delivery-byte-loss). frag_max 0 = off. */
	unsigned frag_max, frag_gap_ms;
	uint32_t frag_rng;        /* xorshift state: the same seed gives the same fragments */
	ev_timer gap;             /* the silence after a fragment */
};

int pacing_init(struct pacing *p, struct ev_loop *loop, struct transport *tr, unsigned baud);
void pacing_destroy(struct pacing *p);
/* Use clock(ctx) instead of ev_now(loop) for the credit (tests with simulated late ticks). */
void pacing_set_clock(struct pacing *p, pacing_clock_fn clock, void *ctx);
/* 0 = send at once (--no-pacing). */
void pacing_set_baud(struct pacing *p, unsigned baud);
/* Deliver output in random fragments of 1..max bytes with 0..gap_ms (real time) of silence
 * after each, seeded; max 0 turns it off. Composes with the baud rate. */
void pacing_set_fragments(struct pacing *p, unsigned max, unsigned gap_ms, uint32_t seed);
/* Queue bytes; returns how many were dropped (no host present or queue full). */
size_t pacing_write(struct pacing *p, const void *buf, size_t n);
/* The transport can take bytes again. */
void pacing_writable(struct pacing *p);
/* Forget queued bytes (the host left). */
void pacing_discard(struct pacing *p);
/* True when nothing is waiting to go out. */
static inline bool pacing_idle(const struct pacing *p)
{
	return p->len == 0;
}

#endif
