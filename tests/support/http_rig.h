/* http_rig.h - modems sharing one loop, netmap and libcurl multi, for HTTP tests on loopback. */
#ifndef HTTP_RIG_H
#define HTTP_RIG_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "modem.h"
#include "netmap.h"
#include "profile.h"

/* One modem of the rig and everything it wrote that the test has not cleared yet. */
struct http_rig_modem {
	struct transport *tr;      /* owned by the modem */
	struct sim_modem *m;
	char *out;                 /* accumulated output, NUL-terminated, owned */
	size_t len, cap;
};

struct http_rig {
	struct ev_loop *loop;
	struct profile *profile;   /* owned */
	struct netmap *netmap;     /* owned; tests add --allow/--host entries before requests */
	struct http_multi *multi;  /* owned, shared by the modems (as main does) */
	struct sim_options opt;
	struct http_rig_modem *md;
	size_t n;
};

/* Build n modems with a bundled profile (SIM800_PROFILE_DIR overrides the directory) on mem
 * transports delivering `limit` bytes per loop turn, power them on with --time-scale 0, wait
 * until each is attached to GPRS and turn echo off. Output so far is cleared. */
struct http_rig *http_rig_new(const char *profile, size_t n, size_t limit);
/* Destroy modems first (their transfers leave the multi), then the multi, then the loop. */
void http_rig_free(struct http_rig *r);

void http_rig_send(struct http_rig *r, size_t i, const char *s);
void http_rig_send_n(struct http_rig *r, size_t i, const void *b, size_t n);
/* Step the loop without blocking until every input is delivered and all is quiet. */
void http_rig_settle(struct http_rig *r);
/* Run the loop (blocking on real I/O) until modem i's output contains needle, or timeout
 * seconds pass; then settle. True if found. */
bool http_rig_wait(struct http_rig *r, size_t i, const char *needle, double timeout);
/* Modem i's accumulated output (collects what is pending first). */
const char *http_rig_out(struct http_rig *r, size_t i, size_t *len);
void http_rig_clear(struct http_rig *r, size_t i);
/* Clear, send, settle, and assert the exact bytes modem i wrote. */
void http_rig_expect_reply(struct http_rig *r, size_t i, const char *send, const char *expect,
			   const char *file, int line);
#define RIG_REPLY(r, i, send, expect) http_rig_expect_reply(r, i, send, expect, __FILE__, __LINE__)
/* Like http_rig_expect_reply for binary expectations of n bytes. */
void http_rig_expect_reply_n(struct http_rig *r, size_t i, const char *send, const void *expect,
			     size_t n, const char *file, int line);
/* Assert modem i's accumulated output exactly, then clear it. */
void http_rig_expect(struct http_rig *r, size_t i, const char *expect, const char *file, int line);
void http_rig_expect_n(struct http_rig *r, size_t i, const void *expect, size_t n, const char *file,
		       int line);
#define RIG_OUT(r, i, expect) http_rig_expect(r, i, expect, __FILE__, __LINE__)

#endif
