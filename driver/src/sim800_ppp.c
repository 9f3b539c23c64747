/* sim800_ppp.c - enter and leave PPP data mode: CGDCONT, ATD*99***1#, guarded "+++", ATH. */
#include "sim800.h"

#include "at_urc.h"

#include <stdio.h>
#include <string.h>

#define GUARD_MS 1100 /* "+++" needs >= 1 s of silence before and after (MAN §2.2.12) */

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

enum sim800_err sim800_ppp_hangup(struct sim800 *m)
{
	if (!m)
		return SIM800_ERR_INVAL;
	enum sim800_err e = SIM800_ERR_NO_RESPONSE;
	/* Up to three escapes (ppp-escape-guard-time); frames still coming are discarded by the
	 * line parser ('~' lines: ppp-leftover-frames-after-exit). The escape's own answer (OK or
	 * NO CARRIER: ppp-exit-no-carrier-missed) is drained by the sync that follows. */
	for (int i = 0; i < 3 && e != SIM800_OK; i++) {
		if ((e = sim800_poll(m, GUARD_MS)) != SIM800_OK)
			return e;
		at_urc_log(m, SIM800_LOG_TX, "+++", 3);
		if (m->port.write(m->port.ctx, (const uint8_t *)"+++", 3) != 3)
			return SIM800_ERR_IO;
		if ((e = sim800_poll(m, GUARD_MS)) != SIM800_OK)
			return e;
		e = sim800_sync(m, 3000);
	}
	if (e != SIM800_OK)
		return e;
	e = sim800_exec(m, "ATH", 0);
	return e == SIM800_ERR_ERROR ? SIM800_OK : e; /* nothing to hang up: fine */
}
