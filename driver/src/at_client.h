/* at_client.h - command execution internals shared by the libsim800 sources. */
#ifndef SIM800_AT_CLIENT_H
#define SIM800_AT_CLIENT_H

#include "sim800.h"

/* Text of the command in progress, NULL when idle. */
const char *at_client_current_cmd(const struct sim800 *m);
/* Copy s (len bytes) into out (cap), NUL-terminated; SIM800_ERR_TOOLONG if it does not fit. */
enum sim800_err at_client_copy(char *out, size_t cap, const char *s, size_t len);

/* sim800_query() with a match refining which prefixed lines are the answer (e.g. the
 * solicited "+CREG: <n>,<stat>" versus the URC "+CREG: <stat>"). */
enum sim800_err at_client_query(struct sim800 *m, const char *text, const char *prefix,
				sim800_match_fn match, char *out, size_t cap, uint32_t timeout_ms);

#endif
