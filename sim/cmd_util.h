/* cmd_util.h - small helpers shared by the cmd_*.c handlers. */
#ifndef SIM_CMD_UTIL_H
#define SIM_CMD_UTIL_H

#include <stdbool.h>

#include "at_parser.h"
#include "at_tok.h"
#include "modem.h"

/*
 * Read the single integer argument of a SET command (or the digits of a basic command) and
 * check it is within [lo, hi]; nothing may follow. Basic commands without digits give def.
 */
bool cmd_int_arg(const struct at_cmd *c, long lo, long hi, long def, long *out);
/*
 * The common shape of a numeric setting (AT+CMEE, AT+CSCLK, AT+CIPHEAD...): "=?" answers
 * "NAME: RANGE", "?" answers "NAME: <value>", the bare command is ERROR, and "=<n>" stores n
 * when lo <= n <= hi, else ERROR.
 */
struct at_result cmd_setting(struct sim_modem *m, const struct at_cmd *c, const char *name,
			     const char *range, int *val, long lo, long hi);
/* Start a tokenizer over the SET arguments. */
void cmd_tok(const struct at_cmd *c, struct at_tok *t);

#endif
