/* brownout.h - an injected supply brown-out: the module dies mid-command and boots again. */
#ifndef SIM_BROWNOUT_H
#define SIM_BROWNOUT_H

#include <stdbool.h>

struct sim_modem;

/* When an armed brown-out strikes (field-bugs.md pwr-reset-on-gprs-attach: the 2 A bursts of
 * GPRS activation or of a transmission pull VBAT down). */
enum brownout_at {
	BROWNOUT_NONE,
	BROWNOUT_ATTACH,  /* AT+CIICR or AT+SAPBR=1,<cid>: the context comes up */
	BROWNOUT_TX,      /* the payload of an AT+CIPSEND has been taken after "> " */
};

/* Arm: the next time `at` happens the module falls silent without an answer, stays off for
 * off_ms of real time (a driver's timeouts are real too), then boots as at power-on (RDY,
 * +CPIN: READY, Call Ready, SMS Ready): every IP and bearer state is gone. */
void brownout_arm(struct sim_modem *m, enum brownout_at at, unsigned off_ms);
/* Called where `at` happens: true when the brown-out strikes now, and the caller must not
 * answer (the command stays without a final result until the power is gone). */
bool brownout_due(struct sim_modem *m, enum brownout_at at);
/* Cancel a pending power cycle (the modem is destroyed, or powered on by other means). */
void brownout_stop(struct sim_modem *m);

#endif
