/* fuzz_modem.h - simulated modems on the in-memory transport, driven by fuzz input. */
#ifndef SIM800_FUZZ_MODEM_H
#define SIM800_FUZZ_MODEM_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modem.h"
#include "profile.h"

struct http_multi;
struct netmap;
struct transcript;

/* Input segments are separated by this byte; between two segments the host may close and
 * reopen the line (flag below), as a driver restarting would. */
#define FUZZ_MODEM_SEP 0xfe
#define FUZZ_MODEM_MAX 2

enum fuzz_modem_flags {
	FUZZ_MODEM_REOPEN = 1u << 0,     /* close and reopen the line between segments */
	FUZZ_MODEM_TRANSCRIPT = 1u << 1, /* log to /dev/null (covers the escaping) */
	FUZZ_MODEM_POWER_START = 1u << 2,/* power on at start, not on open */
	FUZZ_MODEM_SLOW_HOST = 1u << 3,  /* the host reads 16 bytes per step (backpressure) */
};

/*
 * n modems (<= FUZZ_MODEM_MAX) with profile p (borrowed) on a fresh loop, lines open, boot
 * settled. Data services may not connect anywhere (empty allow list), so nothing leaves the
 * process and runs repeat. Everything is owned by the struct and freed by fuzz_modem_free;
 * the modems point into it, so it must not move while they live.
 */
struct fuzz_modem {
	struct ev_loop *loop;
	struct netmap *nm;
	struct http_multi *hm;
	struct transcript *log;
	size_t n;
	struct transport *tr[FUZZ_MODEM_MAX];
	struct sim_modem *m[FUZZ_MODEM_MAX];
	unsigned flags;
	struct sim_options opt;    /* read by the modems for their whole life */
};

/* False (and nothing to free) if the loop or a modem cannot be made. */
bool fuzz_modem_init(struct fuzz_modem *f, const struct profile *p, size_t n, size_t limit,
		     unsigned flags);
/* Host bytes to modem i (nothing for n == 0), then step until every modem is quiet. Timers
 * with a real delay are not waited for. */
void fuzz_modem_feed(struct fuzz_modem *f, size_t i, const uint8_t *in, size_t n);
void fuzz_modem_free(struct fuzz_modem *f);

/* One modem: deliver in (split at FUZZ_MODEM_SEP) after the prologue (NULL = none), `limit`
 * bytes per loop step, settling after each segment; then free everything. */
void fuzz_modem_run(const struct profile *p, const char *prologue, const uint8_t *in, size_t n,
		    size_t limit, unsigned flags);

#endif
