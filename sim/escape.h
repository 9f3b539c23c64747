/* escape.h - the "+++" escape from data mode, with guard times before and after (V.250). */
#ifndef SIM_ESCAPE_H
#define SIM_ESCAPE_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

/*
 * MAN §2.2.12: no characters for the guard time, "+++", no characters for the guard time ->
 * command mode. Anything else is data: pluses that turn out not to be an escape are passed on
 * in order, before the byte that disproved them (field-bugs.md ppp-escape-guard-time).
 * Shared by CIP transparent mode and PPP data mode. Embedded in its owner; no allocation.
 */
struct escape {
	struct ev_loop *loop;
	double guard;             /* seconds of silence before and after; 1 s scaled */
	ev_tstamp last_rx;        /* when the last byte arrived */
	int held;                 /* pluses withheld while an escape may be under way (0-3) */
	ev_timer after;           /* the silence after the third plus */
	void (*data)(void *ctx, const uint8_t *buf, size_t n);
	void (*fire)(void *ctx);  /* the escape happened */
	void *ctx;
};

void escape_init(struct escape *e, struct ev_loop *loop, double guard,
		 void (*data)(void *ctx, const uint8_t *buf, size_t n), void (*fire)(void *ctx),
		 void *ctx);
/* Feed host bytes; data goes to the data callback, a complete escape to fire. */
void escape_feed(struct escape *e, const uint8_t *buf, size_t n);
/* Stop timers (leaving data mode); held pluses are dropped. */
void escape_stop(struct escape *e);

#endif
