/* svc_sms.h - SMS (27.005 text and PDU mode): the message store, sending and arrival (+CMTI). */
#ifndef SIM_SVC_SMS_H
#define SIM_SVC_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include "modem.h"

/* A message the network "received" from this modem (AT+CMGS), for the control socket. */
struct sms_sent {
	char to[32];
	char *text;       /* as sent, after charset decoding; owned by the store */
	int mr;           /* the message reference the modem answered */
};

/* Injected: a message arrives (stored, then +CMTI per AT+CNMI). False if the store is full. */
bool svc_sms_deliver(struct sim_modem *m, const char *from, const char *text);
/* Sent messages so far (oldest first); valid until the next call that changes the store. */
const struct sms_sent *svc_sms_sent(const struct sim_modem *m, size_t *n);
/* Injected: make the next AT+CMGS fail with +CMS ERROR code (field-bugs.md sms-cms-error-...). */
void svc_sms_reject_next(struct sim_modem *m, int cms_code);
/* "SMS Ready" went out: SMS commands work from now on (field-bugs.md boot-sms-cmd-error-...). */
void svc_sms_ready(struct sim_modem *m);
void svc_sms_reset(struct sim_modem *m);

#endif
