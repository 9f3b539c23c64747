/* respond.c - information lines, V0/V1 final results and +CME/+CMS errors per AT+CMEE. */
#include "respond.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "at_errors.h"

/* MAN §2.2.25; there is no code 5 on SIM800. */
static const char *const code_text[] = {
	[V250_OK] = "OK",
	[V250_CONNECT] = "CONNECT",
	[V250_RING] = "RING",
	[V250_NO_CARRIER] = "NO CARRIER",
	[V250_ERROR] = "ERROR",
	[V250_NO_DIALTONE] = "NO DIALTONE",
	[V250_BUSY] = "BUSY",
	[V250_NO_ANSWER] = "NO ANSWER",
	[V250_PROCEEDING] = "PROCEEDING",
};

const char *respond_code_text(int code)
{
	if (code < 0 || (size_t)code >= sizeof code_text / sizeof code_text[0])
		return NULL;
	return code_text[code];
}

static void info_line(struct sim_modem *m, const char *text, size_t len)
{
	if (m->v.verbose)
		modem_send(m, "\r\n", 2);
	modem_send(m, text, len);
	modem_send(m, "\r\n", 2);
}

void respond_urcs_before(struct sim_modem *m)
{
	size_t keep = 0;
	for (size_t i = 0; i < m->n_urc_before; i++) {
		struct urc_before *u = &m->urc_before[i];
		if (u->skip == 0 && strcmp(u->cmd, m->disp.cur.name) == 0)
			info_line(m, u->text, strlen(u->text));
		else
			m->urc_before[keep++] = *u;
	}
	m->n_urc_before = keep;
}

void respond_urcs_count(struct sim_modem *m)
{
	for (size_t i = 0; i < m->n_urc_before; i++)
		if (m->urc_before[i].skip && strcmp(m->urc_before[i].cmd, m->disp.cur.name) == 0)
			m->urc_before[i].skip--;
}

void respond_info(struct sim_modem *m, const char *text, size_t len)
{
	if (m->n_urc_before && m->disp.busy)
		respond_urcs_before(m);
	info_line(m, text, len);
}

void respond_infof(struct sim_modem *m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	respond_info(m, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void respond_code_urc(struct sim_modem *m, int code)
{
	if (m->v.quiet)
		return; /* ATQ1 suppresses result codes (MAN §2.2.15) */
	if (m->v.verbose)
		modem_urc(m, "%s", respond_code_text(code));
	else
		modem_urc(m, "%d", code);
}

void respond_urc_line(struct sim_modem *m, const char *text, size_t len)
{
	/* An unsolicited result code in V0 (RING as "2", NO CARRIER as "3") is a result code,
	 * not an information line: "<code>\r" (MAN §2.2.25). Only codes are all digits. */
	bool code = !m->v.verbose && len > 0 && strspn(text, "0123456789") == len;
	if (code) {
		modem_send(m, text, len);
		modem_send(m, "\r", 1);
		return;
	}
	respond_info(m, text, len);
}

/* A numbered result code: "\r\nNO CARRIER\r\n" (V1) or "3\r" (V0, CR only: MAN §2.2.25). */
static void send_code(struct sim_modem *m, int code)
{
	if (m->v.quiet)
		return;
	if (m->v.verbose) {
		const char *t = respond_code_text(code);
		respond_info(m, t ? t : "ERROR", strlen(t ? t : "ERROR"));
	} else {
		char buf[16];
		int n = snprintf(buf, sizeof buf, "%d\r", code);
		modem_send(m, buf, (size_t)n);
	}
}

/*
 * +CME/+CMS ERROR are final results but carry text: with ATV0 they are sent like an
 * information line ("+CME ERROR: 3\r\n"). UNCERTAIN: no SIM800 capture of V0 + CMEE.
 */
static void send_ext_error(struct sim_modem *m, const char *prefix, int code, const char *text)
{
	if (m->v.quiet)
		return;
	if (m->v.cmee == 0) {
		send_code(m, V250_ERROR);
		return;
	}
	if (m->v.cmee == 2 && text)
		respond_infof(m, "%s ERROR: %s", prefix, text);
	else
		respond_infof(m, "%s ERROR: %d", prefix, code);
}

void respond_final(struct sim_modem *m, struct at_result r)
{
	switch (r.kind) {
	case AT_RES_OK:
		send_code(m, V250_OK);
		break;
	case AT_RES_ERROR:
		send_code(m, V250_ERROR);
		break;
	case AT_RES_CODE:
		/* "CONNECT <text>": the text only with ATX>0 (MAN §2.2.26), never in V0. */
		if (r.text && m->v.verbose && m->v.x > 0 && !m->v.quiet)
			respond_info(m, r.text, strlen(r.text));
		else
			send_code(m, r.code);
		break;
	case AT_RES_CME:
		send_ext_error(m, "+CME", r.code, at_errors_cme_text(r.code));
		break;
	case AT_RES_CMS:
		send_ext_error(m, "+CMS", r.code, at_errors_cms_text(r.code));
		break;
	case AT_RES_TEXT:
		if (!m->v.quiet)
			respond_info(m, r.text, strlen(r.text));
		break;
	case AT_RES_NONE:
	case AT_RES_ASYNC:
		break;
	}
}
