/* svc_call.h - voice calls: ATD<number>;, ATA, ATH, RING/+CLIP, outcomes set by scenario. */
#ifndef SIM_SVC_CALL_H
#define SIM_SVC_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "modem.h"

/* ATD<number>[;] (args as written after D, without the GPRS service codes). */
struct at_result svc_call_dial(struct sim_modem *m, const char *number, size_t len);
/* ATA. */
struct at_result svc_call_answer(struct sim_modem *m);
/* A call exists (ringing, dialling or active): ATH ends it. */
bool svc_call_active(const struct sim_modem *m);
/* ATH (after its OK). */
void svc_call_hangup(struct sim_modem *m);
/* Injected: a call arrives from number (RING every few seconds, +CLIP when enabled). */
bool svc_call_incoming(struct sim_modem *m, const char *number);
/* Injected: the remote party hangs up (NO CARRIER). */
void svc_call_remote_hangup(struct sim_modem *m);
/* Injected: how the next ATD<number>; ends: "connect", "busy", "no answer", "no carrier". */
bool svc_call_set_outcome(struct sim_modem *m, const char *outcome);
void svc_call_reset(struct sim_modem *m);

#endif
