/* sim800_sms.c - SMS in text mode: CMGF with retry before SMS Ready, CMGS prompt, CMGL listing. */
#include "sim800.h"

#include "at_client.h"
#include "at_tok.h"

#include <stdio.h>
#include <string.h>

#define SMS_TEXT_MAX 160 /* one GSM 7-bit segment; longer texts are refused, not cut */

static uint64_t now(struct sim800 *m)
{
	return m->port.now_ms(m->port.ctx);
}

static bool refused(enum sim800_err e)
{
	return e == SIM800_ERR_ERROR || e == SIM800_ERR_CME || e == SIM800_ERR_CMS;
}

/* AT+CMGF=1. Before "SMS Ready" the module answers ERROR to SMS commands
 * (boot-sms-cmd-error-before-sms-ready): retry every second, serving URCs in between, until
 * it works, SMS Ready came and it still refuses, or the deadline. */
static enum sim800_err text_mode(struct sim800 *m, uint64_t deadline)
{
	for (;;) {
		/* Seen before this attempt went out: an SMS Ready read together with the ERROR
		 * (it follows it on the line) does not make the ERROR a real refusal. */
		bool ready_before = m->sms_ready;
		enum sim800_err e = sim800_exec(m, "AT+CMGF=1", 0);
		if (!refused(e))
			return e;
		if (ready_before)
			return e; /* SMS Ready long ago: a real refusal */
		if (now(m) + 1000 >= deadline)
			return m->sms_ready ? e : SIM800_ERR_SMS_NOT_READY;
		struct sim800_last said = m->last;
		enum sim800_err p = sim800_poll(m, 1000);
		m->last = said;
		if (p != SIM800_OK)
			return p;
	}
}

struct cmgs_ctx {
	bool got;
	long mr;
};

static void cmgs_line(void *user, const char *line, size_t len)
{
	struct cmgs_ctx *c = user;
	struct at_tok t;
	at_tok_init(&t, line + 6, len - 6);
	if (at_tok_next_int(&t, &c->mr) == AT_TOK_OK)
		c->got = true;
}

enum sim800_err sim800_sms_send(struct sim800 *m, const char *number, const char *text,
				int *mr, uint32_t deadline_ms)
{
	if (!m || !number || !text || !*number || strlen(number) > 20)
		return SIM800_ERR_INVAL;
	for (const char *p = number; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '#' || *p == '*'))
			return SIM800_ERR_INVAL;
	size_t n = strlen(text);
	if (n > SMS_TEXT_MAX)
		return SIM800_ERR_TOOLONG;
	for (size_t i = 0; i < n; i++)
		if (text[i] == 0x1a || text[i] == 0x1b)
			return SIM800_ERR_INVAL; /* Ctrl-Z would send early, ESC would cancel */
	enum sim800_err e = text_mode(m, now(m) + (deadline_ms ? deadline_ms : 30000));
	if (e != SIM800_OK)
		return e;
	char cmd[48];
	snprintf(cmd, sizeof cmd, "AT+CMGS=\"%s\"", number);
	uint8_t payload[SMS_TEXT_MAX + 1];
	memcpy(payload, text, n);
	payload[n] = 0x1a; /* Ctrl-Z sends (27.005) */
	const char *const prefixes[] = {"+CMGS:", NULL};
	struct cmgs_ctx c = {false, -1};
	struct sim800_cmd cmdx = {
		.text = cmd, .prefixes = prefixes, .on_info = cmgs_line, .user = &c,
		.flags = SIM800_CMD_PROMPT, .payload = payload, .payload_len = n + 1,
	};
	e = sim800_cmd_run(m, &cmdx);
	if (e != SIM800_OK)
		return e;
	/* A stray OK from an earlier command is no proof (sms-false-success-on-stray-ok). */
	if (!c.got)
		return SIM800_ERR_NO_INFO;
	if (mr)
		*mr = (int)c.mr;
	return SIM800_OK;
}

struct cmgl_ctx {
	void (*fn)(void *user, const struct sim800_sms *sms);
	void *user;
	struct sim800_sms cur;
	bool open;
};

static void cmgl_flush(struct cmgl_ctx *c)
{
	if (c->open && c->fn)
		c->fn(c->user, &c->cur);
	c->open = false;
}

/* "+CMGL: <index>,<stat>,<oa>,[<alpha>],[<scts>]" then the text line(s) (MAN §4.2.3). */
static void cmgl_line(void *user, const char *line, size_t len)
{
	struct cmgl_ctx *c = user;
	if (len >= 6 && memcmp(line, "+CMGL:", 6) == 0) {
		cmgl_flush(c);
		memset(&c->cur, 0, sizeof c->cur);
		struct at_tok t;
		at_tok_init(&t, line + 6, len - 6);
		long idx = -1;
		at_tok_next_int(&t, &idx);
		c->cur.index = (int)idx;
		at_tok_next_any(&t, c->cur.stat, sizeof c->cur.stat, NULL);
		at_tok_next_any(&t, c->cur.number, sizeof c->cur.number, NULL);
		at_tok_skip(&t);
		at_tok_next_any(&t, c->cur.time, sizeof c->cur.time, NULL);
		c->open = true;
		return;
	}
	if (!c->open)
		return;
	size_t have = strlen(c->cur.text);
	if (have && have + 1 < sizeof c->cur.text)
		c->cur.text[have++] = '\n';
	size_t room = sizeof c->cur.text - 1 - have;
	size_t k = len < room ? len : room;
	memcpy(c->cur.text + have, line, k);
	c->cur.text[have + k] = '\0';
}

enum sim800_err sim800_sms_list(struct sim800 *m,
				void (*fn)(void *user, const struct sim800_sms *sms), void *user,
				uint32_t deadline_ms)
{
	if (!m)
		return SIM800_ERR_INVAL;
	enum sim800_err e = text_mode(m, now(m) + (deadline_ms ? deadline_ms : 30000));
	if (e != SIM800_OK)
		return e;
	const char *const prefixes[] = {"+CMGL:", NULL};
	struct cmgl_ctx c = {.fn = fn, .user = user};
	/* The text lines have no prefix: ANY_INFO takes them (URC-shaped lines excepted). */
	struct sim800_cmd cmd = {
		.text = "AT+CMGL=\"ALL\"", .prefixes = prefixes, .on_info = cmgl_line, .user = &c,
		.flags = SIM800_CMD_ANY_INFO,
	};
	e = sim800_cmd_run(m, &cmd);
	if (e == SIM800_OK)
		cmgl_flush(&c);
	return e;
}
