/* at_urc.h - prefix -> handler registry and built-in boot/power URCs (internal). */
#ifndef SIM800_AT_URC_H
#define SIM800_AT_URC_H

#include "sim800.h"

/*
 * Route a line that no command claimed: built-in URCs first (RDY, Call Ready, POWER DOWN...:
 * state flags and sim800_config.on_event), then every user handler whose prefix matches.
 * A line nobody handles is logged as SIM800_LOG_UNHANDLED, never dropped silently.
 * Returns the built-in event the line carried (0 if none) so the client can end a command
 * the module will never answer (reset, power down).
 */
int at_urc_dispatch(struct sim800 *m, const char *line, size_t len);
/* True if line is a URC by form: a user prefix, a known unprefixed URC ("Call Ready",
 * "DST: 1", "0, CLOSED"), or a "+XXX:"/"*XXX:" line. Used for SIM800_CMD_ANY_INFO. */
bool at_urc_is_urc(const struct sim800 *m, const char *line, size_t len);
/* The services' URC handler (sim800_svc.c): CIP link states, +CIPRXGET: 1, +PDP: DEACT,
 * +HTTPACTION:, +SAPBR: DEACT, +CMTI:. True if the line was one of theirs. */
bool at_svc_urc(struct sim800 *m, const char *line, size_t len);
/* Call the user's log callback (guarded against re-entry). */
void at_urc_log(struct sim800 *m, enum sim800_log_kind kind, const char *text, size_t len);

#endif
