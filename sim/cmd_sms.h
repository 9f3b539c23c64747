/* cmd_sms.h - what the two SMS command families (cmd_sms.c, cmd_smsconf.c) share. */
#ifndef SIM_CMD_SMS_H
#define SIM_CMD_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include "at_tok.h"
#include "dispatch.h"
#include "svc_sms.h"

/* Every SMS command answers plain ERROR until "SMS Ready" is out (field-bugs.md
 * boot-sms-cmd-error-before-sms-ready shows ERROR; with AT+CMEE=1/2 the same: UNCERTAIN). */
#define SMS_OR_ERROR(m, s)                                                                         \
	struct svc_sms *s = svc_sms_get(m);                                                        \
	if (!s || !s->ready)                                                                       \
	return RES_ERROR

/* A quoted address in the TE charset -> "+123..." (digits, '*', '#', one leading '+'). */
bool cmd_sms_read_addr(struct svc_sms *s, struct at_tok *t, char *out, size_t cap);
/* Optional <type-of-address> 129/145 (23.040 §9.1.2.5): 145 makes the number international. */
bool cmd_sms_read_toa(struct at_tok *t, char *addr, size_t cap, int *type);

#endif
