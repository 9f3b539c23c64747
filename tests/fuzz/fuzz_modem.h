/* fuzz_modem.h - one simulated modem on the in-memory transport, driven by fuzz input. */
#ifndef SIM800_FUZZ_MODEM_H
#define SIM800_FUZZ_MODEM_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* Input segments are separated by this byte; between two segments the host may close and
 * reopen the line (flag below), as a driver restarting would. */
#define FUZZ_MODEM_SEP 0xfe

enum fuzz_modem_flags {
	FUZZ_MODEM_REOPEN = 1u << 0,     /* close and reopen the line between segments */
	FUZZ_MODEM_TRANSCRIPT = 1u << 1, /* log to /dev/null (covers the escaping) */
	FUZZ_MODEM_POWER_START = 1u << 2,/* power on at start, not on open */
	FUZZ_MODEM_SLOW_HOST = 1u << 3,  /* the host reads 16 bytes per step (backpressure) */
};

/*
 * Build a modem with profile p (borrowed) on a fresh loop, deliver in (split at
 * FUZZ_MODEM_SEP) `limit` bytes per loop step, let the loop settle after each segment, and
 * free everything. Data services may not connect anywhere (empty allow list), so nothing
 * leaves the process and runs repeat. Timers with a real delay are not waited for.
 */
void fuzz_modem_run(const struct profile *p, const uint8_t *in, size_t n, size_t limit,
		    unsigned flags);

#endif
