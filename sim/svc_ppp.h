/* svc_ppp.h - data mode after ATD*99#: the pty carries PPP, served by lwIP, relayed to --allow. */
#ifndef SIM_SVC_PPP_H
#define SIM_SVC_PPP_H

#include <stdbool.h>

#include "modem.h"

/* ATD*99# / ATD*99***<cid># (MAN §20.8): CONNECT and PPP, or the module's error. */
struct at_result svc_ppp_dial(struct sim_modem *m, int cid);
/* A PPP call exists (online, or in command mode after "+++"). */
bool svc_ppp_active(const struct sim_modem *m);
/* ATO may resume it. */
bool svc_ppp_can_resume(const struct sim_modem *m);
/* Back to data mode after ATO's CONNECT. */
void svc_ppp_resume(struct sim_modem *m);
/* ATH: end the call (the PPP link is gone after the OK). */
void svc_ppp_hangup(struct sim_modem *m);
/* Forget everything (power off, reboot, destroy). */
void svc_ppp_reset(struct sim_modem *m);

#endif
