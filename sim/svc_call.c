/* svc_call.c - voice calls: dialling outcomes, RING/+CLIP, answer and hang-up (svc_call.h). */
#include "svc_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem_internal.h"
#include "respond.h"

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

struct svc_call *svc_call_get(struct sim_modem *m)
{
	if (m->call)
		return m->call;
	struct svc_call *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->m = m;
	c->clip = 0; /* 27.007 default; drivers send AT+CLIP=1 */
	ev_init(&c->timer, timer_cb);
	m->call = c;
	return c;
}

void svc_call_reset(struct sim_modem *m)
{
	struct svc_call *c = m->call;
	if (!c)
		return;
	ev_timer_stop(m->loop, &c->timer);
	free(c);
	m->call = NULL;
}

bool svc_call_active(const struct sim_modem *m)
{
	return m->call && m->call->st != CALL_IDLE;
}

/* 27.007 §7.18 <stat>: 0 active, 2 dialling, 3 alerting, 4 incoming; 6 released (SIM800). */
static int clcc_stat(const struct svc_call *c)
{
	static const int stat[] = {
		[CALL_IDLE] = 6, [CALL_DIALING] = 2, [CALL_ALERTING] = 3, [CALL_ACTIVE] = 0,
		[CALL_INCOMING] = 4,
	};
	return stat[c->st];
}

bool svc_call_clcc_line(const struct svc_call *c, char *out, size_t cap)
{
	int n = snprintf(out, cap, "+CLCC: 1,%d,%d,0,0,\"%s\",%d,\"\"", c->mo ? 0 : 1,
			 clcc_stat(c), c->number, c->type);
	return n > 0 && (size_t)n < cap;
}

/* AT+CLCC=1: the call's line on every change, "released" (6) last (SIM800 extension). */
static void report(struct svc_call *c)
{
	char line[96];
	if (c->clcc && svc_call_clcc_line(c, line, sizeof line))
		modem_urc(c->m, "%s", line);
}

/* The call is over: back to idle, with the last +CLCC report. */
static void end_call(struct svc_call *c)
{
	ev_timer_stop(c->m->loop, &c->timer);
	c->st = CALL_IDLE;
	report(c);
	c->number[0] = '\0';
	c->rings = 0;
}

static void ring(struct svc_call *c)
{
	struct sim_modem *m = c->m;
	c->rings++;
	if (c->crc)
		modem_urc(m, "+CRING: VOICE");
	else
		respond_code_urc(m, V250_RING);
	/* +CLIP: <number>,<type>,<subaddr>,<satype>,<alphaId>,<CLI validity> (facts §3.1);
	 * a withheld number has validity 1 (27.007 §7.6). */
	if (c->clip)
		modem_urc(m, "+CLIP: \"%s\",%d,\"\",0,\"\",%d", c->number, c->type,
			  c->number[0] ? 0 : 1);
	if (m->v.s0 > 0 && c->rings >= (unsigned)m->v.s0) {
		/* ATS0=<n>: answered automatically after n rings (MAN §2.2.16). */
		ev_timer_stop(m->loop, &c->timer);
		c->st = CALL_ACTIVE;
		report(c);
		return;
	}
	/* With --time-scale 0 the call rings once and waits: repeating at once would spin. */
	double every = modem_delay(m, CALL_RING_INTERVAL_MS);
	if (every > 0) {
		ev_timer_set(&c->timer, every, 0.);
		ev_timer_start(m->loop, &c->timer);
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct svc_call *c = (struct svc_call *)((char *)w - offsetof(struct svc_call, timer));
	struct sim_modem *m = c->m;
	if (c->st == CALL_INCOMING) {
		if (c->rings < CALL_RING_MAX) {
			ring(c);
			return;
		}
		/* The caller gave up: NO CARRIER, as after a remote hang-up (UNCERTAIN). */
		end_call(c);
		respond_code_urc(m, V250_NO_CARRIER);
		return;
	}
	if (c->st != CALL_DIALING && c->st != CALL_ALERTING)
		return;
	switch (c->outcome) {
	case CALL_OUTCOME_CONNECT:
		/* Silent unless asked: ATD's OK already went out (MAN ATD; +COLP, +MORING). */
		c->st = CALL_ACTIVE;
		if (c->colp)
			modem_urc(m, "+COLP: \"%s\",%d,\"\",0,\"\"", c->number, c->type);
		if (c->moring)
			modem_urc(m, "MO CONNECTED");
		report(c);
		return;
	case CALL_OUTCOME_BUSY:
		end_call(c);
		respond_code_urc(m, V250_BUSY);
		return;
	case CALL_OUTCOME_NO_ANSWER:
		end_call(c);
		respond_code_urc(m, V250_NO_ANSWER);
		return;
	case CALL_OUTCOME_NO_CARRIER:
		end_call(c);
		respond_code_urc(m, V250_NO_CARRIER);
		return;
	}
}

/* After ATD's OK: the far end alerts ("MO RING" with AT+MORING=1), then the outcome. */
static void dial_started(struct sim_modem *m)
{
	struct svc_call *c = m->call;
	if (!c || c->st != CALL_DIALING)
		return;
	c->st = CALL_ALERTING;
	if (c->moring && c->outcome != CALL_OUTCOME_NO_CARRIER && c->outcome != CALL_OUTCOME_BUSY)
		modem_urc(m, "MO RING");
	report(c);
	static const unsigned delay_ms[] = {
		[CALL_OUTCOME_CONNECT] = CALL_CONNECT_MS,
		[CALL_OUTCOME_BUSY] = CALL_BUSY_MS,
		[CALL_OUTCOME_NO_ANSWER] = CALL_NO_ANSWER_MS,
		[CALL_OUTCOME_NO_CARRIER] = CALL_NO_CARRIER_MS,
	};
	ev_timer_set(&c->timer, modem_delay(m, delay_ms[c->outcome]), 0.);
	ev_timer_start(m->loop, &c->timer);
}

/* Dial string characters (27.007 §6.2: digits, * # +, A-D, pauses , T P W ! @). */
static bool dial_char(char ch)
{
	return (ch >= '0' && ch <= '9') || strchr("*#+ABCDabcd,TPWtpw!@", ch) != NULL;
}

struct at_result svc_call_dial(struct sim_modem *m, const char *number, size_t len)
{
	bool voice = len > 0 && number[len - 1] == ';';
	if (voice)
		len--;
	/* Per-call CLIR (I/i) and CUG (G/g) modifiers are accepted and ignored (27.007 §6.2). */
	while (len > 0 && strchr("IiGg", number[len - 1]))
		len--;
	if (len == 0 || len >= sizeof((struct svc_call *)0)->number)
		return RES_ERROR;
	for (size_t i = 0; i < len; i++)
		if (!dial_char(number[i]))
			return RES_ERROR; /* includes ATD>mem: phonebook dialling is not modelled */
	/* A data (CSD) call to a number: no CSD bearer here, so it fails (UNCERTAIN). */
	if (!voice)
		return RES_CODE(V250_NO_CARRIER);
	struct svc_call *c = svc_call_get(m);
	if (!c)
		return RES_ERROR;
	if (c->st != CALL_IDLE)
		return RES_ERROR; /* one call at a time; waiting/held calls are not modelled */
	/* No network: NO CARRIER instead of OK (UNCERTAIN: no capture of SIM800 unregistered). */
	if (!netstate_registered(m) || m->net.cfun != 1)
		return RES_CODE(V250_NO_CARRIER);
	memcpy(c->number, number, len);
	c->number[len] = '\0';
	c->type = c->number[0] == '+' ? 145 : 129;
	c->mo = true;
	c->rings = 0;
	c->st = CALL_DIALING;
	c->outcome = c->next;
	c->next = CALL_OUTCOME_CONNECT; /* an injected outcome is for one call */
	report(c);
	m->disp.after_final = dial_started;
	return RES_OK; /* voice: OK at once (MAN ATD) */
}

struct at_result svc_call_answer(struct sim_modem *m)
{
	struct svc_call *c = m->call;
	/* Nothing to answer: NO CARRIER, the V.250 answer attempt failing (UNCERTAIN). */
	if (!c || c->st != CALL_INCOMING)
		return RES_CODE(V250_NO_CARRIER);
	ev_timer_stop(m->loop, &c->timer);
	c->st = CALL_ACTIVE;
	report(c);
	return RES_OK;
}

void svc_call_hangup(struct sim_modem *m)
{
	struct svc_call *c = m->call;
	if (c && c->st != CALL_IDLE)
		end_call(c); /* our own hang-up: OK only, no NO CARRIER */
}

static bool number_valid(const char *s)
{
	size_t n = strlen(s);
	if (n >= sizeof((struct svc_call *)0)->number)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (i == 0 && s[i] == '+') || s[i] == '*' ||
		      s[i] == '#'))
			return false;
	return true;
}

bool svc_call_incoming(struct sim_modem *m, const char *number)
{
	if (!number_valid(number) || !netstate_registered(m) || m->net.cfun != 1 ||
	    m->power != SIM_POWER_ON)
		return false;
	struct svc_call *c = svc_call_get(m);
	if (!c || c->st != CALL_IDLE)
		return false;
	snprintf(c->number, sizeof c->number, "%s", number);
	c->type = number[0] == '+' ? 145 : number[0] ? 129 : 128;
	c->mo = false;
	c->rings = 0;
	c->st = CALL_INCOMING;
	report(c);
	ring(c);
	return true;
}

void svc_call_remote_hangup(struct sim_modem *m)
{
	struct svc_call *c = m->call;
	if (!c || c->st == CALL_IDLE)
		return;
	end_call(c);
	respond_code_urc(m, V250_NO_CARRIER);
}

bool svc_call_set_outcome(struct sim_modem *m, const char *outcome)
{
	static const struct {
		const char *name;
		enum call_outcome o;
	} names[] = {
		{"connect", CALL_OUTCOME_CONNECT},       {"busy", CALL_OUTCOME_BUSY},
		{"no answer", CALL_OUTCOME_NO_ANSWER},   {"no_answer", CALL_OUTCOME_NO_ANSWER},
		{"no carrier", CALL_OUTCOME_NO_CARRIER}, {"no_carrier", CALL_OUTCOME_NO_CARRIER},
	};
	struct svc_call *c = svc_call_get(m);
	if (!c || !outcome)
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(outcome, names[i].name) == 0) {
			c->next = names[i].o;
			return true;
		}
	return false;
}
