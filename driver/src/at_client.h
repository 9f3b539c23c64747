/* at_client.h - command execution internals shared by the libsim800 sources. */
#ifndef SIM800_AT_CLIENT_H
#define SIM800_AT_CLIENT_H

#include "sim800.h"

/* Text of the command in progress, NULL when idle. */
const char *at_client_current_cmd(const struct sim800 *m);
/* Copy s (len bytes) into out (cap), NUL-terminated; SIM800_ERR_TOOLONG if it does not fit. */
enum sim800_err at_client_copy(char *out, size_t cap, const char *s, size_t len);

/* Run text and copy its first information line into out: with prefix, the text after it
 * (spaces skipped); without, the whole line (bare answers selected by match or flags).
 * match also refines prefixed lines (the solicited "+CREG: <n>,<stat>" versus the URC
 * "+CREG: <stat>"). SIM800_ERR_NO_INFO when the final came without such a line. */
enum sim800_err at_client_query(struct sim800 *m, const char *text, const char *prefix,
				sim800_match_fn match, unsigned flags, uint32_t timeout_ms,
				char *out, size_t cap);

/* Serve URCs for up to timeout_ms, back as soon as some came and the input is drained: for
 * waits on a URC-set condition (CONNECT OK, +HTTPACTION), which would otherwise see it only
 * when a sim800_poll() slice ends. sim800_poll() keeps its full time (PPP guard times). */
enum sim800_err at_client_wait_urcs(struct sim800 *m, uint32_t timeout_ms);

#endif
