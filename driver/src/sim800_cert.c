/* sim800_cert.c - a TLS certificate into the module's flash and AT+SSLSETCERT, optionally client auth (AT+SSLOPT). */
#include "sim800.h"

#include "at_client.h"
#include "at_tok.h"

#include <stdio.h>
#include <string.h>

#define CERT_WAIT 10000 /* +SSLSETCERT after the OK: UNCERTAIN, no timing in the facts */
#define WRITE_SECS 10   /* FSWRITE's input timeout, as TinyGSM's SIM800_SslSetCert */

struct setcert {
	bool got;
	long result;
};

static void on_setcert(struct sim800 *m, const char *line, size_t len, void *user)
{
	(void)m;
	struct setcert *s = user;
	struct at_tok t;
	at_tok_init(&t, line + 12, len - 12); /* "+SSLSETCERT:" */
	s->got = at_tok_next_int(&t, &s->result) == AT_TOK_OK;
}

/* A file name the module takes unquoted in FSCREATE/FSWRITE (C:\USER\CERT.CRT): no quote,
 * comma or control character. */
static bool file_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 60)
		return false;
	for (; *s; s++)
		if (*s == '"' || *s == ',' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

enum sim800_err sim800_tls_set_cert(struct sim800 *m, const char *file, const void *cert,
				    size_t len, bool client_auth)
{
	if (!m || !file_name_ok(file) || !cert || len == 0)
		return SIM800_ERR_INVAL;
	if (len > SIM800_CERT_MAX)
		return SIM800_ERR_TOOLONG;
	if (m->caps.cipssl == SIM800_CAP_NO)
		return SIM800_ERR_TLS_UNSUPPORTED; /* R13.08: no SSL commands at all */
	char cmd[128];
	enum sim800_err e;
	snprintf(cmd, sizeof cmd, "AT+FSCREATE=%s", file);
	if ((e = sim800_exec(m, cmd, 0)) != SIM800_OK)
		return e;
	/* Wait for "> ", then exactly len bytes; the module answers OK once it has them all. */
	snprintf(cmd, sizeof cmd, "AT+FSWRITE=%s,0,%zu,%d", file, len, WRITE_SECS);
	struct sim800_cmd w = {
		.text = cmd, .flags = SIM800_CMD_PROMPT, .payload = cert, .payload_len = len,
		.timeout_ms = WRITE_SECS * 1000 + 5000,
	};
	if ((e = sim800_cmd_run(m, &w)) != SIM800_OK)
		return e;
	if (client_auth && (e = sim800_exec(m, "AT+SSLOPT=1,1", 0)) != SIM800_OK)
		return e;
	/* OK first, then "+SSLSETCERT: <n>": 0 is success; anything else is reported. */
	struct setcert s = {0};
	if ((e = sim800_urc_register(m, "+SSLSETCERT:", on_setcert, &s)) != SIM800_OK)
		return e;
	snprintf(cmd, sizeof cmd, "AT+SSLSETCERT=\"%s\"", file);
	e = sim800_exec(m, cmd, 0);
	uint64_t deadline = m->port.now_ms(m->port.ctx) + CERT_WAIT;
	while (e == SIM800_OK && !s.got) {
		uint64_t t = m->port.now_ms(m->port.ctx);
		if (t >= deadline) {
			e = SIM800_ERR_TIMEOUT;
			snprintf(m->last.line, sizeof m->last.line, "(no +SSLSETCERT)");
			break;
		}
		e = sim800_poll_any(m, (uint32_t)(deadline - t));
	}
	sim800_urc_unregister(m, "+SSLSETCERT:", on_setcert);
	if (e != SIM800_OK)
		return e;
	snprintf(m->last.line, sizeof m->last.line, "+SSLSETCERT: %ld", s.result);
	return s.result == 0 ? SIM800_OK : SIM800_ERR_ERROR;
}
