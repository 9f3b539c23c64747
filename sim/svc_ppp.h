/* svc_ppp.h - data mode after ATD*99#: the pty carries PPP, served by lwIP, relayed to --allow. */
#ifndef SIM_SVC_PPP_H
#define SIM_SVC_PPP_H

#include <stdbool.h>

#include "modem.h"

/* PDP contexts AT+CGDCONT can define (MAN §7.2.1 lists cid 1-3 for SIM800, UNCERTAIN). */
#define SVC_PPP_MAX_CID 3

struct svc_ppp_pdp {
	bool defined;
	char type[8];      /* "IP" or "PPP" */
	char apn[64];
};

/* ATD*99# / ATD*99***<cid># (MAN §20.8): CONNECT and PPP, or the module's error. */
struct at_result svc_ppp_dial(struct sim_modem *m, int cid);
/* The next "+++" escape sends this many PPP frames (LCP Echo-Requests still queued) before
 * its OK / NO CARRIER (op ppp_leftover: field-bugs.md ppp-leftover-frames-after-exit). */
bool svc_ppp_leftover_frames(struct sim_modem *m, unsigned frames);
/* A call in data mode now, as if a host had dialled cid and then reset (op ppp_online:
 * field-bugs.md ppp-host-reboot-in-data-mode). False when the module could not dial. */
bool svc_ppp_online_now(struct sim_modem *m, int cid);
/* CONNECT with the profile's text (data.ppp_connect), for ATD*99# and ATO. */
struct at_result svc_ppp_connect_result(const struct sim_modem *m);
/* A PPP call exists (online, or in command mode after "+++"). */
bool svc_ppp_active(const struct sim_modem *m);
/* ATO may resume it. */
bool svc_ppp_can_resume(const struct sim_modem *m);
/* Back to data mode after ATO's CONNECT. */
void svc_ppp_resume(struct sim_modem *m);
/* ATH: end the call (the PPP link is gone after the OK). */
void svc_ppp_hangup(struct sim_modem *m);
/* The network ended the call (PDP deactivated, detach, injected fault): NO CARRIER. */
void svc_ppp_drop(struct sim_modem *m, const char *why);
/* Forget everything (power off, reboot, destroy). */
void svc_ppp_reset(struct sim_modem *m);

/* AT+CGDCONT storage: the context for cid (1..SVC_PPP_MAX_CID), NULL if out of range. */
const struct svc_ppp_pdp *svc_ppp_pdp(struct sim_modem *m, int cid);
/* Define (type != NULL) or undefine (type == NULL) a context; false when out of memory. */
bool svc_ppp_set_pdp(struct sim_modem *m, int cid, const char *type, const char *apn);

#endif
