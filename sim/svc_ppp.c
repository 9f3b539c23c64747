/* svc_ppp.c - data mode after ATD*99#: PPP on lwIP (see svc_ppp.h). */
#include "svc_ppp.h"

/* Until the lwIP-based server lands, the dial fails as on a module without a data call. */
struct at_result svc_ppp_dial(struct sim_modem *m, int cid)
{
	(void)m;
	(void)cid;
	return RES_CODE(V250_NO_CARRIER);
}

bool svc_ppp_active(const struct sim_modem *m)
{
	(void)m;
	return false;
}

bool svc_ppp_can_resume(const struct sim_modem *m)
{
	(void)m;
	return false;
}

void svc_ppp_resume(struct sim_modem *m)
{
	(void)m;
}

void svc_ppp_hangup(struct sim_modem *m)
{
	(void)m;
}

void svc_ppp_reset(struct sim_modem *m)
{
	(void)m;
}
