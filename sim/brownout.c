/* brownout.c - an injected supply brown-out: the module dies mid-command and boots again. */
#include "brownout.h"

#include <stddef.h>

#include "modem.h"
#include "transcript.h"

static const char *const at_names[] = {"", "GPRS activation", "a transmission"};

/* First firing: the supply collapses (no URC: it is not a power-down the module notices).
 * Second firing: the supply is back, the module boots. */
static void cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = (struct sim_modem *)((char *)w - offsetof(struct sim_modem, brownout_timer));
	if (m->power == SIM_POWER_ON) {
		modem_power_off(m);
		ev_timer_set(&m->brownout_timer, m->brownout_ms / 1000.0, 0.);
		ev_timer_start(m->loop, &m->brownout_timer);
		return;
	}
	transcript_note(m->log, m->index, "brownout: supply back");
	modem_power_on(m);
}

void brownout_arm(struct sim_modem *m, enum brownout_at at, unsigned off_ms)
{
	m->brownout_on = (int)at;
	m->brownout_ms = off_ms;
}

bool brownout_due(struct sim_modem *m, enum brownout_at at)
{
	if (m->brownout_on != (int)at || at == BROWNOUT_NONE)
		return false;
	m->brownout_on = BROWNOUT_NONE;
	transcript_note(m->log, m->index, "brownout: VBAT collapsed during %s", at_names[at]);
	/* Power off from the loop, not inside the command handler that asked. */
	ev_init(&m->brownout_timer, cb);
	ev_timer_set(&m->brownout_timer, 0., 0.);
	ev_timer_start(m->loop, &m->brownout_timer);
	return true;
}

void brownout_stop(struct sim_modem *m)
{
	ev_timer_stop(m->loop, &m->brownout_timer);
}
