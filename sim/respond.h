/* respond.h - information lines, V0/V1 final results and +CME/+CMS errors per AT+CMEE. */
#ifndef SIM_RESPOND_H
#define SIM_RESPOND_H

#include <stddef.h>

#include "modem.h"

/* An information line: "\r\n<text>\r\n" (ATV1) or "<text>\r\n" (ATV0) (MAN §2.2.25). */
void respond_info(struct sim_modem *m, const char *text, size_t len);
void respond_infof(struct sim_modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* URCs waiting for the running command's answer (op urc, before_answer) go out now, in order:
 * respond_info calls it before the first answer line, dispatch.c after a command that had
 * none, so they precede its final result. */
void respond_urcs_before(struct sim_modem *m);
/* The running command has answered: those waiting for a later execution of it come closer. */
void respond_urcs_count(struct sim_modem *m);
/* A final result; AT_RES_NONE and AT_RES_ASYNC send nothing; ATQ1 suppresses result codes. */
void respond_final(struct sim_modem *m, struct at_result r);
/* A URC line, formatted like an information line. */
void respond_urc_line(struct sim_modem *m, const char *text, size_t len);
/* The text of a V.250 result code for ATV1 ("NO CARRIER"), or NULL. */
const char *respond_code_text(int code);
/* A result code that arrives on its own (RING, NO CARRIER, BUSY): "\r\nRING\r\n" with ATV1,
 * "2\r" with ATV0, nothing with ATQ1; held like any URC while the line is busy. */
void respond_code_urc(struct sim_modem *m, int code);

#endif
