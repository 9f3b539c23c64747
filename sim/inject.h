/* inject.h - events and faults injected into a modem: one op table for control socket and scenarios. */
#ifndef SIM_INJECT_H
#define SIM_INJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sim_modem;

/*
 * Apply one request {"op": NAME, ...fields} to a modem. On success returns true and may add
 * result fields to reply (an object). On failure returns false with a message in why and the
 * offending field's name in field (empty when it is the request as a whole). Requests are
 * validated completely before anything changes. The ops are listed by inject_op_name() and
 * documented in README.md (section "Control socket").
 */
bool inject_apply(struct sim_modem *m, const json_t *req, json_t *reply, char *why, size_t why_cap,
		  char *field, size_t field_cap);
/* The i-th op name, NULL past the last (for help and error messages). */
const char *inject_op_name(size_t i);
/* Read-only state of a modem as a JSON object (caller decrefs). */
json_t *inject_state(const struct sim_modem *m);

#endif
