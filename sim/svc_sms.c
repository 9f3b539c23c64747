/* svc_sms.c - the SMS service: store, sending and arrival (codec in sms_alphabet/text/pdu.c). */
#include "svc_sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modem_internal.h"
#include "respond.h"

static void send_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* What a power cycle restores: the modem's volatile SMS settings (27.005 defaults). */
static void power_on_settings(struct svc_sms *s)
{
	s->ready = false;
	s->cmgf = 0;
	s->cscs = SMS_CS_IRA;
	s->fo = 17; /* SMS-SUBMIT, relative validity period: 27.005 §3.3.2 default */
	s->vp = 167;
	s->pid = s->dcs = 0;
	/* +CNMI 2,1: new messages stored and announced with +CMTI, what SIM800 users see without
	 * configuring anything (field bug sms-cmti-urc-anywhere). The exact factory value is
	 * UNCERTAIN. */
	memset(s->cnmi, 0, sizeof s->cnmi);
	s->cnmi[0] = 2;
	s->cnmi[1] = 1;
	s->csdh = 0;
	s->csms = 0;
	memset(s->mem, 0, sizeof s->mem); /* "SM" for all three */
	memset(&s->prompt, 0, sizeof s->prompt);
}

struct svc_sms *svc_sms_get(struct sim_modem *m)
{
	if (m->sms)
		return m->sms;
	struct svc_sms *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->m = m;
	power_on_settings(s);
	/* A made-up service centre of the right shape; a real SIM holds its operator's. */
	snprintf(s->sca, sizeof s->sca, "+10000000000");
	s->sca_type = 145;
	s->latency_ms = SMS_DEFAULT_LATENCY_MS;
	ev_init(&s->send_timer, send_cb);
	m->sms = s;
	return s;
}

void svc_sms_msg_free(struct sms_msg *msg)
{
	if (!msg)
		return;
	free(msg->text);
	free(msg);
}

void svc_sms_reset(struct sim_modem *m)
{
	struct svc_sms *s = m->sms;
	if (!s)
		return;
	/* A send in flight dies with the power; the stored messages (SIM and module memory),
	 * the service centre, the message reference and what the network saw sent stay. */
	ev_timer_stop(m->loop, &s->send_timer);
	s->sending = false;
	s->send_error = 0;
	free(s->send_text);
	s->send_text = NULL;
	power_on_settings(s);
}

void svc_sms_free(struct sim_modem *m)
{
	struct svc_sms *s = m->sms;
	if (!s)
		return;
	ev_timer_stop(m->loop, &s->send_timer);
	for (int mem = 0; mem < SMS_MEM_COUNT; mem++)
		for (int i = 0; i < SMS_SLOTS; i++)
			svc_sms_msg_free(s->store[mem][i]);
	for (size_t i = 0; i < s->n_sent; i++)
		free(s->sent[i].text);
	free(s->sent);
	free(s->send_text);
	free(s);
	m->sms = NULL;
}

void svc_sms_ready(struct sim_modem *m)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->ready = true;
}

void svc_sms_reject_next(struct sim_modem *m, int cms_code)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->reject_next = cms_code;
}

void svc_sms_set_latency(struct sim_modem *m, unsigned ms)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->latency_ms = ms > 60000 ? 60000 : ms;
}

void svc_sms_latency_real(struct sim_modem *m, bool real)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->latency_real = real;
}

void svc_sms_stray_ok_next(struct sim_modem *m)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->stray_ok_next = true;
}

size_t svc_sms_used(const struct svc_sms *s, enum sms_mem mem)
{
	size_t n = 0;
	for (int i = 0; i < SMS_SLOTS; i++)
		n += s->store[mem][i] != NULL;
	return n;
}

int svc_sms_store(struct svc_sms *s, enum sms_mem mem, struct sms_msg *msg)
{
	for (int i = 0; i < SMS_SLOTS; i++)
		if (!s->store[mem][i]) {
			s->store[mem][i] = msg;
			return i + 1;
		}
	svc_sms_msg_free(msg);
	return 0;
}

const struct sms_sent *svc_sms_sent(const struct sim_modem *m, size_t *n)
{
	if (!m->sms) {
		*n = 0;
		return NULL;
	}
	*n = m->sms->n_sent;
	return m->sms->sent;
}

static void record_sent(struct svc_sms *s, int mr)
{
	if (!s->sent) {
		s->sent = calloc(SMS_SENT_MAX, sizeof *s->sent);
		if (!s->sent)
			return;
	}
	if (s->n_sent == SMS_SENT_MAX) {
		free(s->sent[0].text);
		memmove(s->sent, s->sent + 1, (SMS_SENT_MAX - 1) * sizeof *s->sent);
		s->n_sent--;
	}
	struct sms_sent *e = &s->sent[s->n_sent++];
	snprintf(e->to, sizeof e->to, "%s", s->send_to);
	e->text = s->send_text; /* ownership moves to the list */
	s->send_text = NULL;
	e->mr = mr;
}

/* The network answered: "+CMGS: <mr>" then OK, or the error decided at Ctrl-Z. */
static void send_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct svc_sms *s = (struct svc_sms *)((char *)w - offsetof(struct svc_sms, send_timer));
	struct sim_modem *m = s->m;
	s->sending = false;
	if (s->send_error) {
		free(s->send_text);
		s->send_text = NULL;
		modem_command_done(m, RES_CMS(s->send_error));
		return;
	}
	s->mr = (s->mr + 1) & 0xFF; /* TP-MR is one octet (23.040 §9.2.3.6) */
	int mr = s->mr;
	record_sent(s, mr);
	respond_infof(m, "+CMGS: %d", mr);
	modem_command_done(m, RES_OK);
}

void svc_sms_submit(struct sim_modem *m, const char *to, const char *text)
{
	struct svc_sms *s = svc_sms_get(m);
	if (!s) {
		modem_command_done(m, RES_CMS(300)); /* ME failure */
		return;
	}
	if (s->stray_ok_next) {
		s->stray_ok_next = false;
		respond_final(m, RES_OK);
	}
	/* No network: fails at once after the prompt phase (field bug sms-send-before-registration;
	 * the code 331 "no network" is UNCERTAIN). */
	if (!netstate_registered(m) || m->net.cfun != 1) {
		modem_command_done(m, RES_CMS(331));
		return;
	}
	free(s->send_text);
	s->send_text = strdup(text);
	if (!s->send_text) {
		modem_command_done(m, RES_CMS(300));
		return;
	}
	snprintf(s->send_to, sizeof s->send_to, "%s", to);
	/* An injected rejection still takes the network round trip: the SMSC answers it. */
	s->send_error = s->reject_next;
	s->reject_next = 0;
	s->sending = true;
	ev_timer_set(&s->send_timer,
		     s->latency_real ? s->latency_ms / 1000.0 : modem_delay(m, s->latency_ms), 0.);
	ev_timer_start(m->loop, &s->send_timer);
}

/* "yy/MM/dd,hh:mm:ss+zz" (27.005 <scts>; zone in quarter hours, signed). */
static bool scts_valid(const char *t)
{
	static const char shape[] = "99/99/99,99:99:99";
	if (strlen(t) < 20 || strlen(t) > 21)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '9' ? (t[i] < '0' || t[i] > '9') : t[i] != shape[i])
			return false;
	if (t[17] != '+' && t[17] != '-')
		return false;
	for (size_t i = 18; t[i]; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return atoi(t + 18) <= 79;
}

static bool addr_valid(const char *a)
{
	size_t n = strlen(a);
	if (n == 0 || n >= sizeof((struct sms_msg *)0)->addr)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((a[i] >= '0' && a[i] <= '9') || (i == 0 && a[i] == '+') || a[i] == '*' ||
		      a[i] == '#'))
			return false;
	return n <= 21; /* 20 digits: 23.040 §9.1.2.5 */
}

bool svc_sms_deliver_at(struct sim_modem *m, const char *from, const char *text,
			const char *scts)
{
	struct svc_sms *s = svc_sms_get(m);
	if (!s || !addr_valid(from) || !scts_valid(scts) || strlen(text) >= SMS_TEXT_CAP)
		return false;
	size_t septets;
	enum sms_coding coding = SMS_CODING_GSM7;
	if (!svc_sms_gsm_fits(text, &septets) || septets > SMS_MAX_SEPTETS) {
		/* Not GSM 7-bit: the sender used UCS2, one message of at most 70 units. */
		if (svc_sms_ucs2_units(text) > SMS_MAX_UCS2)
			return false;
		coding = SMS_CODING_UCS2;
	}
	struct sms_msg *msg = calloc(1, sizeof *msg);
	if (!msg)
		return false;
	msg->stat = SMS_STAT_REC_UNREAD;
	snprintf(msg->addr, sizeof msg->addr, "%s", from);
	msg->addr_type = from[0] == '+' ? 145 : 129;
	snprintf(msg->scts, sizeof msg->scts, "%s", scts);
	msg->coding = coding;
	msg->text = strdup(text);
	if (!msg->text) {
		free(msg);
		return false;
	}
	int mt = s->cnmi[1];
	/* <mt> 2: routed to the host as +CMT, not stored (27.005 §3.4.1, class 0/1/none). */
	if (mt == 2 && s->ready && s->cnmi[0] != 0) {
		char urc[512];
		if (svc_sms_cmt(s, msg, urc, sizeof urc))
			modem_urc(m, "%s", urc);
		svc_sms_msg_free(msg);
		return true;
	}
	/* Before "SMS Ready" a message is stored but not announced. */
	enum sms_mem mem = s->mem[2];
	int index = svc_sms_store(s, mem, msg);
	if (index == 0)
		return false; /* memory full: the network keeps it (no URC; real modules vary) */
	/* <mode> 0 would buffer the indication in the TA; we do not model that buffer. */
	if (s->ready && s->cnmi[0] != 0 && (mt == 1 || mt == 2 || mt == 3))
		modem_urc(m, "+CMTI: \"%s\",%d", mem == SMS_MEM_SM ? "SM" : "ME", index);
	return true;
}

bool svc_sms_deliver(struct sim_modem *m, const char *from, const char *text)
{
	/* The service centre's clock is the host's, in UTC ("+00"). */
	time_t now = time(NULL);
	struct tm tm;
	char scts[32];
	if (!gmtime_r(&now, &tm) ||
	    strftime(scts, sizeof scts, "%y/%m/%d,%H:%M:%S+00", &tm) == 0)
		return false;
	return svc_sms_deliver_at(m, from, text, scts);
}
