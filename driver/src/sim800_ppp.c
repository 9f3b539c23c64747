/* sim800_ppp.c - enter and leave PPP data mode: CGDCONT, ATD*99***1#, guarded "+++", ATH. */
#include "sim800.h"

#include "at_urc.h"

#include <stdio.h>
#include <string.h>

#define GUARD_MS 1100 /* "+++" needs >= 1 s of silence before and after (MAN §2.2.12) */
#define DATA_MODE_PROBE_MS 3000 /* AT unanswered this long: try the escape */
#define SYNC_MIN_MS 400         /* one AT's wait (at_client.c SYNC_INTERVAL_MS) */
#define DROP_WAIT_MS 2000       /* for the module's own NO CARRIER after PPP ended (> GUARD_MS) */

enum sim800_err sim800_ppp_dial(struct sim800 *m, const char *apn)
{
	if (!m || !apn || strchr(apn, '"'))
		return SIM800_ERR_INVAL;
	char cmd[100];
	snprintf(cmd, sizeof cmd, "AT+CGDCONT=1,\"IP\",\"%s\"", apn);
	enum sim800_err e = sim800_exec(m, cmd, 0);
	if (e != SIM800_OK)
		return e == SIM800_ERR_ERROR || e == SIM800_ERR_CME ? SIM800_ERR_PPP : e;
	/* PPP starts only after CONNECT (ppp-dial-error-must-not-start-ppp). */
	e = sim800_exec(m, "ATD*99***1#", 60000);
	if (e != SIM800_OK)
		return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO ? e : SIM800_ERR_PPP;
	if (m->last.final != SIM800_FINAL_CONNECT)
		return SIM800_ERR_PPP;
	return SIM800_OK;
}

size_t sim800_take_data(struct sim800 *m, uint8_t *buf, size_t cap)
{
	if (!m || !buf)
		return 0;
	size_t k = m->data.len < cap ? m->data.len : cap;
	memcpy(buf, m->data.buf, k);
	memmove(m->data.buf, m->data.buf + k, m->data.len - k);
	m->data.len -= k;
	return k;
}

/* "+++" after a silence the caller kept, then the trailing guard; its answer (OK or NO
 * CARRIER: ppp-exit-no-carrier-missed) is left for the sync that follows. */
static enum sim800_err escape_now(struct sim800 *m)
{
	at_urc_log(m, SIM800_LOG_TX, "+++", 3);
	if (m->port.write(m->port.ctx, (const uint8_t *)"+++", 3) != 3)
		return SIM800_ERR_IO;
	return sim800_poll(m, GUARD_MS);
}

/* One guarded "+++": the leading guard, then as escape_now. */
static enum sim800_err escape_once(struct sim800 *m)
{
	enum sim800_err e = sim800_poll(m, GUARD_MS);
	return e != SIM800_OK ? e : escape_now(m);
}

/* ATH after an escape; ERROR means nothing to hang up: fine. */
static enum sim800_err hang_up(struct sim800 *m)
{
	enum sim800_err e = sim800_exec(m, "ATH", 0);
	return e == SIM800_ERR_ERROR ? SIM800_OK : e;
}

/* The module drops the call itself once PPP has ended (the host's LCP Terminate): its NO
 * CARRIER comes when its own PPP has stopped, about a restart time later. Waiting for it sends
 * nothing, so it is also the escape's leading guard. True if it came. */
static bool wait_drop(struct sim800 *m, enum sim800_err *e)
{
	unsigned long drops = m->carrier_drops;
	uint64_t end = m->port.now_ms(m->port.ctx) + DROP_WAIT_MS;
	*e = SIM800_OK;
	while (m->carrier_drops == drops) {
		uint64_t now = m->port.now_ms(m->port.ctx);
		if (now >= end)
			return false;
		if ((*e = sim800_poll_any(m, (uint32_t)(end - now))) != SIM800_OK)
			return false;
	}
	return true;
}

enum sim800_err sim800_ppp_hangup(struct sim800 *m)
{
	if (!m)
		return SIM800_ERR_INVAL;
	enum sim800_err e;
	if (wait_drop(m, &e)) {
		at_urc_log(m, SIM800_LOG_NOTE, "call dropped: no escape needed", 30);
		return hang_up(m);
	}
	if (e != SIM800_OK)
		return e;
	/* Still online after a silence longer than the guard: "+++" at once, then its trailing
	 * guard; up to three escapes (ppp-escape-guard-time); frames still coming are discarded
	 * by the line parser ('~' lines: ppp-leftover-frames-after-exit). */
	e = SIM800_ERR_NO_RESPONSE;
	for (int i = 0; i < 3 && e != SIM800_OK; i++) {
		if ((e = i ? escape_once(m) : escape_now(m)) != SIM800_OK)
			return e;
		e = sim800_sync(m, 3000);
	}
	if (e != SIM800_OK)
		return e;
	return hang_up(m);
}

enum sim800_err sim800_sync_any_mode(struct sim800 *m, uint32_t timeout_ms)
{
	if (!m)
		return SIM800_ERR_INVAL;
	uint64_t t0 = m->port.now_ms(m->port.ctx);
	uint32_t first = timeout_ms < DATA_MODE_PROBE_MS ? timeout_ms : DATA_MODE_PROBE_MS;
	enum sim800_err e = sim800_sync(m, first);
	if (e != SIM800_ERR_NO_RESPONSE || timeout_ms <= first)
		return e;
	/* No answer to AT: perhaps still in data mode from before the host's reset
	 * (ppp-host-reboot-in-data-mode), where AT is PPP garbage. Escape, hang up, sync. */
	at_urc_log(m, SIM800_LOG_NOTE, "no answer: escaping a data call", 31);
	if ((e = escape_once(m)) != SIM800_OK)
		return e;
	uint64_t used = m->port.now_ms(m->port.ctx) - t0;
	if (used + SYNC_MIN_MS > timeout_ms)
		return SIM800_ERR_NO_RESPONSE; /* the caller's bound holds */
	e = sim800_sync(m, (uint32_t)(timeout_ms - used));
	return e == SIM800_OK ? hang_up(m) : e;
}
