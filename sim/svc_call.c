/* svc_call.c - voice calls (see svc_call.h). */
#include "svc_call.h"

/* Until calls are modelled, a voice dial fails as with no network for it. */
struct at_result svc_call_dial(struct sim_modem *m, const char *number, size_t len)
{
	(void)m;
	(void)number;
	(void)len;
	return RES_CODE(V250_NO_CARRIER);
}

struct at_result svc_call_answer(struct sim_modem *m)
{
	(void)m;
	return RES_CODE(V250_NO_CARRIER);
}

bool svc_call_active(const struct sim_modem *m)
{
	(void)m;
	return false;
}

void svc_call_hangup(struct sim_modem *m)
{
	(void)m;
}

bool svc_call_incoming(struct sim_modem *m, const char *number)
{
	(void)m;
	(void)number;
	return false;
}

void svc_call_remote_hangup(struct sim_modem *m)
{
	(void)m;
}

bool svc_call_set_outcome(struct sim_modem *m, const char *outcome)
{
	(void)m;
	(void)outcome;
	return false;
}

void svc_call_reset(struct sim_modem *m)
{
	(void)m;
}
