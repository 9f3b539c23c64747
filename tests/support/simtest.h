/* simtest.h - a modem on the in-memory transport, stepped by the test: send, run, expect bytes. */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "modem.h"
#include "profile.h"

struct simtest {
	struct ev_loop *loop;
	struct profile *profile;   /* owned */
	struct sim_options opt;
	struct transport *tr;      /* owned by the modem */
	struct sim_modem *m;
	struct netmap *netmap;     /* owned: default allow list, add hosts with netmap_host */
	char out[65536];           /* everything taken so far by simtest_take */
};

/* Load a bundled profile (or a path), build a modem on a mem transport delivering `limit`
 * bytes per loop iteration, open the line (powers on) and run until quiet. Output of the boot
 * is left for the test to take. */
struct simtest *simtest_new(const char *profile, size_t limit, double time_scale);
void simtest_free(struct simtest *t);
/* Host writes bytes. */
void simtest_send(struct simtest *t, const char *s);
void simtest_send_n(struct simtest *t, const void *b, size_t n);
/* Step the loop until all input is delivered and nothing happens for a few iterations. */
void simtest_settle(struct simtest *t);
/* Run the loop for `seconds` of real time (timers fire), then settle. */
void simtest_run_for(struct simtest *t, double seconds);
/* Run the loop until the untaken output contains needle (true) or timeout seconds pass. */
bool simtest_wait_for(struct simtest *t, const char *needle, double timeout);
#define WAIT_FOR(t, needle) assert_true(simtest_wait_for(t, needle, 10.0))
/* Take what the modem wrote since the last take (NUL-terminated in t->out). */
const char *simtest_take(struct simtest *t, size_t *len);
/* Send, settle and assert the exact bytes; on mismatch fails with both sides escaped. */
void simtest_expect_reply(struct simtest *t, const char *send, const char *expect, const char *file,
			  int line);
#define EXPECT_REPLY(t, send, expect) simtest_expect_reply(t, send, expect, __FILE__, __LINE__)
/* Assert what was written since the last take. */
void simtest_expect(struct simtest *t, const char *expect, const char *file, int line);
#define EXPECT_OUT(t, expect) simtest_expect(t, expect, __FILE__, __LINE__)
/* Apply one control-socket request (JSON text, inject.h) as the control socket would; fails
 * the test unless it is accepted (want_ok) or refused (!want_ok). */
void simtest_inject(struct simtest *t, const char *req, bool want_ok);

#endif
