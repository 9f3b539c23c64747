/* cmd_dial.c - calls and data mode: ATH, ATO (ATD*99# and ATA come with their services). */
#include <string.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "svc_call.h"
#include "svc_ppp.h"
#include "svc_tcp.h"

/* ATH: ends a data call (OK, then the PPP link is gone); with nothing to hang up it is OK too
 * (MAN §2.2.8, §20.8). */
static struct at_result cmd_h(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	if (svc_ppp_active(m))
		m->disp.after_final = svc_ppp_hangup;
	else if (svc_call_active(m))
		m->disp.after_final = svc_call_hangup;
	return RES_OK;
}

/* "*99#", "*99***1#", "*99**PPP*1#", "*98#": the GPRS service codes (MAN §20.8: 88 and 99;
 * 27.007 §10.2.1 forms). Returns the context id, 1 when none is given, or -1. */
static int gprs_dial_cid(const char *s, size_t n)
{
	if (n < 4 || s[0] != '*' || s[n - 1] != '#')
		return -1;
	if (!(s[1] == '9' && (s[2] == '9' || s[2] == '8')) && !(s[1] == '8' && s[2] == '8'))
		return -1;
	if (n == 4)
		return 1;
	/* The last '*'-separated field before '#' is the cid when it is all digits. */
	size_t end = n - 1, start = end;
	while (start > 3 && s[start - 1] != '*')
		start--;
	if (start == end)
		return 1;
	int cid = 0;
	for (size_t i = start; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 1;
		cid = cid * 10 + (s[i] - '0');
	}
	return cid >= 1 && cid <= 16 ? cid : -1;
}

/* ATD: GPRS service codes start PPP; other numbers are calls (answered as the profile's
 * network allows; voice calls come with the call service). */
static struct at_result cmd_d(struct sim_modem *m, const struct at_cmd *c)
{
	/* T and P (tone/pulse) are V.250 dial modifiers a GSM module ignores (V.250 §6.3.1;
	 * wvdial and chat scripts dial ATDT*99#). */
	size_t skip = c->args_len > 0 && memchr("TtPp", c->args[0], 4) ? 1 : 0;
	const char *num = c->args + skip;
	size_t len = c->args_len - skip;
	int cid = gprs_dial_cid(num, len);
	if (cid > 0)
		return svc_ppp_dial(m, cid);
	if (len == 0)
		return RES_ERROR;
	return svc_call_dial(m, num, len);
}

static struct at_result cmd_a(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	return svc_call_answer(m);
}

/* ATO: back to data mode with CONNECT; nothing to resume: ERROR (MAN §2.2.13, version history:
 * "NO CARRIER" -> "ERROR"). */
static struct at_result cmd_o(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	if (svc_tcp_can_resume(m)) {
		m->disp.after_final = svc_tcp_online;
		return RES_CODE(V250_CONNECT);
	}
	if (svc_ppp_can_resume(m)) {
		m->disp.after_final = svc_ppp_resume;
		return svc_ppp_connect_result(m);
	}
	return RES_ERROR;
}

const struct cmd_entry cmd_dial_table[] = {
	{"A", cmd_a, 0},
	{"D", cmd_d, 0},
	{"H", cmd_h, 0},
	{"O", cmd_o, 0},
	{NULL, NULL, 0},
};
