/* at_result.h - classify a response line as a final result code (internal to libsim800). */
#ifndef SIM800_AT_RESULT_H
#define SIM800_AT_RESULT_H

#include "sim800.h"

struct at_result {
	enum sim800_final final;
	int code; /* +CME/+CMS number, -1 when none or an unknown verbose text */
};

/*
 * True if line (no CR/LF) is a final result for the command cmd (the text that was sent, or
 * NULL when none runs). Command-specific finals (SEND OK, CLOSE OK, SHUT OK...) and call
 * results (CONNECT, NO CARRIER, BUSY, NO ANSWER, NO DIALTONE) only count for their commands,
 * so a late one or a dropped call cannot end another command. numeric: accept ATV0 codes.
 */
bool at_result_parse(const char *line, size_t len, const char *cmd, bool numeric,
		     struct at_result *out);
/* The error a final maps to (SIM800_OK for the OK-like ones). */
enum sim800_err at_result_err(enum sim800_final f);
/* Case-insensitive "s starts with prefix". */
bool at_result_has_prefix(const char *s, size_t len, const char *prefix);

#endif
