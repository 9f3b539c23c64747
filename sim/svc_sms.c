/* svc_sms.c - SMS store, sending and arrival (see svc_sms.h). */
#include "svc_sms.h"

bool svc_sms_deliver(struct sim_modem *m, const char *from, const char *text)
{
	(void)m;
	(void)from;
	(void)text;
	return false;
}

const struct sms_sent *svc_sms_sent(const struct sim_modem *m, size_t *n)
{
	(void)m;
	*n = 0;
	return NULL;
}

void svc_sms_reject_next(struct sim_modem *m, int cms_code)
{
	(void)m;
	(void)cms_code;
}

void svc_sms_ready(struct sim_modem *m)
{
	(void)m;
}

void svc_sms_reset(struct sim_modem *m)
{
	(void)m;
}
