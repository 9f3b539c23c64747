/* sim800_net.c - bring-up: sync, echo off, CMEE, SIM, registration, signal, operator, battery. */
#include "sim800.h"

#include "at_client.h"
#include "at_result.h"
#include "at_tok.h"

#include <stdio.h>
#include <string.h>

#define SIM_RETRY_MS 1000 /* TinyGSM retries +CPIN? 1 s apart (sim800-facts §4) */
#define ARGS_MAX 96
#define KEEP_WAITING SIM800_ERR__COUNT /* pause_until(): the deadline is not reached */

/* Errors after which waiting longer cannot help. */
static bool fatal_link(enum sim800_err e)
{
	return e == SIM800_ERR_IO || e == SIM800_ERR_NO_RESPONSE || e == SIM800_ERR_POWERED_DOWN ||
	       e == SIM800_ERR_BUSY || e == SIM800_ERR_INVAL;
}

static uint64_t now(struct sim800 *m)
{
	return m->port.now_ms(m->port.ctx);
}

static uint32_t left(struct sim800 *m, uint64_t deadline)
{
	uint64_t t = now(m);
	return t >= deadline ? 0 : (uint32_t)(deadline - t);
}

/* Between two polls: serve URCs for step ms, or report on_deadline once the deadline passed
 * (every wait is bounded; tim-http-action-vs-watchdog: the port's wait is where to yield). */
static enum sim800_err pause_until(struct sim800 *m, uint64_t deadline, uint32_t step,
				   enum sim800_err on_deadline)
{
	uint32_t l = left(m, deadline);
	if (l == 0)
		return on_deadline;
	enum sim800_err e = sim800_poll(m, step < l ? step : l);
	return e == SIM800_OK ? KEEP_WAITING : e;
}

/* ---------------------------------------------------------------------------------------- */
/* SIM                                                                                       */

static const struct {
	const char *text;
	enum sim800_sim sim;
} cpin_table[] = {
	{"READY", SIM800_SIM_READY},
	{"SIM PIN", SIM800_SIM_PIN},
	{"SIM PUK", SIM800_SIM_PUK},
	{"NOT INSERTED", SIM800_SIM_NOT_INSERTED},
	{"NOT READY", SIM800_SIM_NOT_READY},
};

enum sim800_err sim800_sim_status(struct sim800 *m, enum sim800_sim *out)
{
	char v[32];
	enum sim800_sim sim = SIM800_SIM_UNKNOWN;
	enum sim800_err e = sim800_query(m, "AT+CPIN?", "+CPIN:", v, sizeof(v), 0);
	if (e == SIM800_OK) {
		sim = SIM800_SIM_NOT_READY;
		for (size_t i = 0; i < sizeof(cpin_table) / sizeof(cpin_table[0]); i++)
			if (strcmp(v, cpin_table[i].text) == 0)
				sim = cpin_table[i].sim;
	} else if (e == SIM800_ERR_CME) {
		/* No SIM: "+CME ERROR: 10" or, with CMEE=2, "+CME ERROR: SIM not inserted"; both
		 * decode to 10. 13 SIM failure, 14 SIM busy: not ready (yet). */
		int code = sim800_last(m)->code;
		if (code == 10) {
			sim = SIM800_SIM_NOT_INSERTED;
			e = SIM800_OK;
		} else if (code == 11) {
			sim = SIM800_SIM_PIN;
			e = SIM800_OK;
		} else if (code == 12) {
			sim = SIM800_SIM_PUK;
			e = SIM800_OK;
		} else if (code == 13 || code == 14) {
			sim = SIM800_SIM_NOT_READY;
			e = SIM800_OK;
		}
	}
	if (out)
		*out = sim;
	return e;
}

/* ---------------------------------------------------------------------------------------- */
/* Registration                                                                              */

/* The answer is "+CREG: <n>,<stat>[,<lac>,<ci>]"; the URC is "+CREG: <stat>" or
 * "+CREG: <stat>,"<lac>","<ci>"". Only the first has two numbers up front. */
static bool creg_answer(const char *line, size_t len)
{
	struct at_tok t;
	long n, stat;
	at_tok_init(&t, line + 6, len - 6);
	return at_tok_next_int(&t, &n) == AT_TOK_OK && at_tok_next_int(&t, &stat) == AT_TOK_OK;
}

enum sim800_err sim800_creg(struct sim800 *m, enum sim800_reg *out)
{
	char v[ARGS_MAX];
	enum sim800_err e = at_client_query(m, "AT+CREG?", "+CREG:", creg_answer, 0, 0, v, sizeof(v));
	if (e != SIM800_OK)
		return e;
	struct at_tok t;
	long n, stat;
	at_tok_init(&t, v, strlen(v));
	if (at_tok_next_int(&t, &n) != AT_TOK_OK || at_tok_next_int(&t, &stat) != AT_TOK_OK ||
	    stat < 0 || stat > 5)
		return SIM800_ERR_PARSE;
	if (out)
		*out = (enum sim800_reg)stat;
	return SIM800_OK;
}

enum sim800_err sim800_wait_registered(struct sim800 *m, uint32_t timeout_ms, uint32_t poll_ms,
				       enum sim800_reg *out)
{
	if (!m)
		return SIM800_ERR_INVAL;
	uint64_t deadline = now(m) + timeout_ms;
	enum sim800_reg reg = SIM800_REG_UNKNOWN;
	for (;;) {
		enum sim800_err e = sim800_creg(m, &reg);
		if (out && e == SIM800_OK)
			*out = reg;
		if (e == SIM800_OK) {
			/* reg-roaming-counts-as-registered: 1 and 5 are registered, 3 is final. */
			if (reg == SIM800_REG_HOME || reg == SIM800_REG_ROAMING)
				return SIM800_OK;
			if (reg == SIM800_REG_DENIED)
				return SIM800_ERR_REG_DENIED;
		} else if (fatal_link(e)) {
			return e;
		}
		e = pause_until(m, deadline, poll_ms, SIM800_ERR_NOT_REGISTERED);
		if (e != KEEP_WAITING)
			return e;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Signal, operator, battery                                                                 */

enum sim800_err sim800_csq(struct sim800 *m, int *rssi, int *ber)
{
	char v[ARGS_MAX];
	enum sim800_err e = sim800_query(m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0);
	if (e != SIM800_OK)
		return e;
	struct at_tok t;
	long r, b;
	at_tok_init(&t, v, strlen(v));
	if (at_tok_next_int(&t, &r) != AT_TOK_OK || at_tok_next_int(&t, &b) != AT_TOK_OK)
		return SIM800_ERR_PARSE;
	if (rssi)
		*rssi = (int)r;
	if (ber)
		*ber = (int)b;
	return SIM800_OK;
}

/* "+COPS: <mode>[,<format>,<oper>]": no operator yet is not an error (oper ""). */
enum sim800_err sim800_cops(struct sim800 *m, char *oper, size_t cap)
{
	if (!oper || cap == 0)
		return SIM800_ERR_INVAL;
	oper[0] = '\0';
	char v[ARGS_MAX];
	enum sim800_err e = sim800_query(m, "AT+COPS?", "+COPS:", v, sizeof(v), 0);
	if (e != SIM800_OK)
		return e;
	struct at_tok t;
	long mode, format;
	at_tok_init(&t, v, strlen(v));
	if (at_tok_next_int(&t, &mode) != AT_TOK_OK)
		return SIM800_ERR_PARSE;
	enum at_tok_res r = at_tok_next_int(&t, &format);
	if (r == AT_TOK_END)
		return SIM800_OK;
	if (r != AT_TOK_OK)
		return SIM800_ERR_PARSE;
	r = at_tok_next_any(&t, oper, cap, NULL);
	if (r == AT_TOK_TOOLONG)
		return SIM800_ERR_TOOLONG;
	return r == AT_TOK_OK || r == AT_TOK_END ? SIM800_OK : SIM800_ERR_PARSE;
}

enum sim800_err sim800_cbc(struct sim800 *m, int *charging, int *percent, int *millivolt)
{
	char v[ARGS_MAX];
	enum sim800_err e = sim800_query(m, "AT+CBC", "+CBC:", v, sizeof(v), 0);
	if (e != SIM800_OK)
		return e;
	struct at_tok t;
	long bcs, bcl, mv;
	at_tok_init(&t, v, strlen(v));
	if (at_tok_next_int(&t, &bcs) != AT_TOK_OK || at_tok_next_int(&t, &bcl) != AT_TOK_OK ||
	    at_tok_next_int(&t, &mv) != AT_TOK_OK)
		return SIM800_ERR_PARSE;
	if (charging)
		*charging = (int)bcs;
	if (percent)
		*percent = (int)bcl;
	if (millivolt)
		*millivolt = (int)mv;
	return SIM800_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Bring-up                                                                                  */

static enum sim800_err enter_pin(struct sim800 *m, const char *pin)
{
	size_t n = strlen(pin);
	if (n < 4 || n > 8)
		return SIM800_ERR_INVAL;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return SIM800_ERR_INVAL;
	char cmd[24];
	int w = snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", pin);
	if (w < 0 || (size_t)w >= sizeof(cmd))
		return SIM800_ERR_INVAL;
	enum sim800_err e = sim800_exec(m, cmd, 0);
	return e == SIM800_ERR_ERROR || e == SIM800_ERR_CME ? SIM800_ERR_SIM_PIN : e;
}

static enum sim800_err wait_sim(struct sim800 *m, uint32_t timeout_ms, const char *pin,
				enum sim800_sim *out)
{
	uint64_t deadline = now(m) + timeout_ms;
	bool pin_sent = false;
	for (;;) {
		enum sim800_sim sim = SIM800_SIM_UNKNOWN;
		enum sim800_err e = sim800_sim_status(m, &sim);
		*out = sim;
		if (e == SIM800_OK) {
			switch (sim) {
			case SIM800_SIM_READY:
				return SIM800_OK;
			case SIM800_SIM_NOT_INSERTED:
				return SIM800_ERR_SIM_NOT_INSERTED;
			case SIM800_SIM_PUK:
				return SIM800_ERR_SIM_PUK;
			case SIM800_SIM_PIN:
				/* One attempt only: a wrong PIN retried burns the SIM's tries. */
				if (!pin || pin_sent)
					return SIM800_ERR_SIM_PIN;
				pin_sent = true;
				e = enter_pin(m, pin);
				if (e != SIM800_OK)
					return e;
				continue;
			default:
				break;
			}
		} else if (fatal_link(e)) {
			return e;
		}
		e = pause_until(m, deadline, SIM_RETRY_MS, SIM800_ERR_SIM_FAILURE);
		if (e != KEEP_WAITING)
			return e;
	}
}

static void ipr_line(void *user, const char *line, size_t len)
{
	struct at_tok t;
	at_tok_init(&t, line + 5, len - 5);
	long v;
	if (at_tok_next_int(&t, &v) == AT_TOK_OK)
		*(long *)user = v;
}

/* Autobaud is "not as stable" (TinyGSM #490) and a rate change after the lock is garbage until
 * power-down (MAN §2.2.41): fix the rate the host uses, once. Not saved with AT&W: the stored
 * profile stays the owner's. Best effort: a module that refuses keeps autobauding. */
static void fix_line_rate(struct sim800 *m)
{
	const char *const prefixes[] = {"+IPR:", NULL};
	long ipr = -1;
	struct sim800_cmd c = {.text = "AT+IPR?", .prefixes = prefixes, .on_info = ipr_line,
			       .user = &ipr};
	if (sim800_cmd_run(m, &c) != SIM800_OK || ipr != 0)
		return;
	char cmd[32];
	snprintf(cmd, sizeof cmd, "AT+IPR=%lu", (unsigned long)m->cfg.line_rate);
	sim800_exec(m, cmd, 0);
}

enum sim800_err sim800_bringup(struct sim800 *m, const struct sim800_bringup_cfg *cfg,
			       struct sim800_net_status *out)
{
	if (!m)
		return SIM800_ERR_INVAL;
	struct sim800_bringup_cfg c = {0};
	if (cfg)
		c = *cfg;
	if (!c.sync_timeout_ms)
		c.sync_timeout_ms = 10000;
	if (!c.sim_timeout_ms)
		c.sim_timeout_ms = 10000;
	if (!c.reg_timeout_ms)
		c.reg_timeout_ms = 60000;
	if (!c.reg_poll_ms)
		c.reg_poll_ms = 2000;
	struct sim800_net_status st = {
		.sim = SIM800_SIM_UNKNOWN, .reg = SIM800_REG_UNKNOWN,
		.rssi = -1, .ber = -1, .battery_mv = -1,
	};

	/* RDY is optional (boot-rdy-absent-when-autobaud): sync by AT, bounded; escaping a data
	 * call left from before the host's reset. */
	enum sim800_err e = sim800_sync_any_mode(m, c.sync_timeout_ms);
	if (e == SIM800_OK)
		e = sim800_exec(m, "ATE0", 0);
	if (e == SIM800_OK) {
		e = sim800_exec(m, "AT+CMEE=2", 0);
		if (e == SIM800_OK)
			m->cmee = 2;
	}
	if (e == SIM800_OK && m->cfg.line_rate)
		fix_line_rate(m);
	if (e == SIM800_OK)
		e = wait_sim(m, c.sim_timeout_ms, c.pin, &st.sim);
	if (e == SIM800_OK)
		e = sim800_wait_registered(m, c.reg_timeout_ms, c.reg_poll_ms, &st.reg);
	if (e == SIM800_OK) {
		/* Informational: a failure here does not fail the bring-up. */
		if (sim800_csq(m, &st.rssi, &st.ber) != SIM800_OK)
			st.rssi = st.ber = -1;
		if (sim800_cops(m, st.oper, sizeof(st.oper)) != SIM800_OK)
			st.oper[0] = '\0';
		if (sim800_cbc(m, NULL, NULL, &st.battery_mv) != SIM800_OK)
			st.battery_mv = -1;
	}
	if (out)
		*out = st;
	return e;
}
