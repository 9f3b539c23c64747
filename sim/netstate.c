/* netstate.c - registration, signal and attach driven by the profile's network timeline. */
#include <stdio.h>
#include <string.h>

#include "modem_internal.h"
#include "svc_http.h"

static void report_creg(struct sim_modem *m, bool gprs, int n, int stat)
{
	const char *name = gprs ? "+CGREG" : "+CREG";
	if (n == 1 || !m->net.lac || !m->net.ci)
		modem_urc(m, "%s: %d", name, stat);
	else if (n == 2)
		modem_urc(m, "%s: %d,\"%s\",\"%s\"", name, stat, m->net.lac, m->net.ci);
}

/* Apply one timeline step; a change of <stat> gives +CREG/+CGREG URCs per AT+CREG=n. */
static void apply(struct sim_modem *m, const struct profile_net_step *s)
{
	struct netstate *n = &m->net;
	enum profile_reg old = n->reg, old_g = n->gprs_reg;
	n->reg = s->reg;
	n->gprs_reg = s->gprs_reg < 0 ? s->reg : (enum profile_reg)s->gprs_reg;
	n->rssi = s->rssi;
	n->ber = s->ber;
	n->lac = s->lac;
	n->ci = s->ci;
	n->auto_attached = s->attached < 0 ? (s->reg == PROFILE_REG_HOME || s->reg == PROFILE_REG_ROAMING)
					   : s->attached != 0;
	if (n->reg != old && n->creg_n > 0)
		report_creg(m, false, n->creg_n, n->reg);
	if (n->gprs_reg != old_g && n->cgreg_n > 0)
		report_creg(m, true, n->cgreg_n, n->gprs_reg);
	svc_http_sync(m); /* an open bearer that lost its attach: +SAPBR <cid>: DEACT */
}

static void run(struct sim_modem *m)
{
	const struct profile *p = m->profile;
	struct netstate *n = &m->net;
	while (n->next < p->n_net) {
		const struct profile_net_step *s = &p->net[n->next];
		double due = n->base + modem_delay(m, s->after_ms);
		double now = ev_now(m->loop);
		if (due > now) {
			ev_timer_set(&n->timer, due - now, 0.);
			ev_timer_start(m->loop, &n->timer);
			return;
		}
		n->next++;
		apply(m, s);
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	run((struct sim_modem *)((char *)w - offsetof(struct sim_modem, net.timer)));
}

void netstate_init(struct sim_modem *m)
{
	struct netstate *n = &m->net;
	ev_timer_stop(m->loop, &n->timer);
	ev_init(&n->timer, timer_cb);
	n->running = false;
	n->next = 0;
	n->reg = PROFILE_REG_NOT_SEARCHING;
	n->gprs_reg = PROFILE_REG_NOT_SEARCHING;
	n->rssi = 99;
	n->ber = 99;
	n->lac = n->ci = NULL;
	n->auto_attached = false;
	n->attach_override = -1;
	n->creg_n = n->cgreg_n = 0;
	n->cfun = 1;
	n->sim = m->profile->sim;
	n->csclk = 0;
	n->cops_mode = 0;
}

void netstate_start(struct sim_modem *m)
{
	struct netstate *n = &m->net;
	ev_timer_stop(m->loop, &n->timer);
	n->base = ev_now(m->loop);
	n->next = 0;
	n->running = true;
	/* No SIM, a locked SIM or RF off: the module does not register (27.007 / MAN §3.2.42). */
	if (n->sim != PROFILE_SIM_READY || n->cfun != 1) {
		const struct profile_net_step off = {
			.reg = PROFILE_REG_NOT_SEARCHING, .gprs_reg = -1,
			.rssi = n->cfun == 1 ? (m->profile->n_net ? m->profile->net[0].rssi : 99) : 99,
			.ber = 99, .attached = 0,
		};
		apply(m, &off);
		n->running = false;
		return;
	}
	run(m);
}

void netstate_set(struct sim_modem *m, int reg, int rssi, int ber)
{
	struct netstate *n = &m->net;
	/* From now on the injector owns the network: the profile's timeline stops. */
	ev_timer_stop(m->loop, &n->timer);
	n->running = false;
	struct profile_net_step s = {
		.reg = reg >= 0 ? (enum profile_reg)reg : n->reg,
		.gprs_reg = -1,
		.rssi = rssi >= 0 ? rssi : n->rssi,
		.ber = ber >= 0 ? ber : n->ber,
		.attached = -1,
		.lac = (char *)n->lac,
		.ci = (char *)n->ci,
	};
	apply(m, &s);
}

void netstate_stop(struct sim_modem *m)
{
	ev_timer_stop(m->loop, &m->net.timer);
	m->net.running = false;
}

bool netstate_registered(const struct sim_modem *m)
{
	return m->net.reg == PROFILE_REG_HOME || m->net.reg == PROFILE_REG_ROAMING;
}

const char *netstate_activation_refused(const struct sim_modem *m, const char *apn)
{
	if (m->gprs_min_mv && m->battery_mv < m->gprs_min_mv)
		return "VBAT below the injected gprs_min_mv";
	if (!m->apn_allow[0][0])
		return NULL;
	for (size_t i = 0; i < sizeof m->apn_allow / sizeof m->apn_allow[0]; i++)
		if (m->apn_allow[i][0] && strcmp(m->apn_allow[i], apn) == 0)
			return NULL;
	return "APN not on the injected allow-list";
}

bool netstate_attached(const struct sim_modem *m)
{
	if (!netstate_registered(m))
		return false;
	if (m->net.attach_override >= 0)
		return m->net.attach_override != 0;
	return m->net.auto_attached;
}
