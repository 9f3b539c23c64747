/* at_client.c - run AT commands: timeouts, send, wait for the final, resync; bare-answer checks. */
#include "at_client_int.h"

#include "at_urc.h"

#include <string.h>

/* Max response times (sim800-facts.md §9.1, MAN), or the drivers' practice (§9.2) where the
 * field reports say the manual is too short (tim-cgact-slow). First matching prefix wins, so
 * the specific entries come first. Values below the default timeout are raised to it. */
static const struct {
	const char *prefix;
	uint32_t ms;
} timeout_table[] = {
	{"AT+COPS=?", 45000},      /* MAN: test 45 s */
	{"AT+COPS=", 120000},      /* MAN: write 120 s */
	{"AT+CIMI", 20000},
	{"AT+CPIN", 5000},
	{"AT+CFUN", 10000},
	{"AT+CMGS", 60000},
	{"AT+CMSS", 60000},
	{"AT+CMGL", 20000},
	{"AT+CMGR", 5000},
	{"AT+CMGW", 5000},
	{"AT+CMGD", 5000},
	{"AT+CCID", 2000},
	{"AT+CLCK", 15000},
	{"AT+CCFC", 15000},
	{"AT+CCWA", 15000},
	{"AT+CPWD", 15000},
	{"AT+CPBF", 30000},
	{"AT+CGATT", 60000},       /* MAN 10 s; TinyGSM 60 s */
	{"AT+CGACT", 150000},
	{"AT+CSTT", 60000},        /* TinyGSM */
	{"AT+CIICR", 85000},
	{"AT+CIFSR", 10000},       /* TinyGSM */
	{"AT+CIPSTART", 160000},   /* single mode from IP INITIAL */
	{"AT+CIPSHUT", 65000},
	{"AT+CIPSEND", 60000},     /* SEND OK waits for the peer; MAN's 645 s CLOSE is too long */
	{"AT+CIPGSMLOC", 60000},
	{"AT+SAPBR=2", 30000},     /* TinyGSM */
	{"AT+SAPBR", 85000},       /* cmd 1 */
	{"AT+FTP", 75000},
	{"AT+CPOWD", 10000},
	{"AT+CLTS", 10000},
	{"ATD", 20000},
	{"ATA", 20000},
	{"ATH", 20000},
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SYNC_INTERVAL_MS 400 /* TinyGSM ~300 ms, FONA 500 ms */

static uint32_t cfg_default(const struct sim800 *m)
{
	return m->cfg.default_timeout_ms ? m->cfg.default_timeout_ms : 3000;
}

uint32_t sim800_default_timeout(const struct sim800 *m, const char *text)
{
	uint32_t def = cfg_default(m);
	if (!text)
		return def;
	size_t len = strlen(text);
	for (size_t i = 0; i < N_ELEM(timeout_table); i++)
		if (at_result_has_prefix(text, len, timeout_table[i].prefix))
			return timeout_table[i].ms > def ? timeout_table[i].ms : def;
	return def;
}

const char *at_client_current_cmd(const struct sim800 *m)
{
	return m->run ? m->run->cmd->text : NULL;
}

enum sim800_err at_client_copy(char *out, size_t cap, const char *s, size_t len)
{
	if (!out || cap == 0)
		return SIM800_ERR_INVAL;
	if (len + 1 > cap) {
		memcpy(out, s, cap - 1);
		out[cap - 1] = '\0';
		return SIM800_ERR_TOOLONG;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return SIM800_OK;
}

enum sim800_err sim800_init(struct sim800 *m, const struct sim800_port *port,
			    const struct sim800_config *cfg)
{
	if (!m || !port || !port->write || !port->read || !port->now_ms || !port->wait_readable)
		return SIM800_ERR_INVAL;
	memset(m, 0, sizeof(*m));
	m->port = *port;
	if (cfg)
		m->cfg = *cfg;
	m->cmee = -1;
	m->echo = true; /* factory state E1 (sim800-facts §10.15) */
	m->last.code = -1;
	return SIM800_OK;
}

const struct sim800_last *sim800_last(const struct sim800 *m)
{
	return &m->last;
}

bool sim800_take_reset(struct sim800 *m)
{
	bool r = m->reset_seen;
	m->reset_seen = false;
	return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Output                                                                                    */

enum sim800_err at_client_write_all(struct sim800 *m, const uint8_t *buf, size_t len)
{
	int zero = 0;
	while (len > 0) {
		int n = m->port.write(m->port.ctx, buf, len);
		if (n < 0 || (n == 0 && ++zero >= 3) || (size_t)n > len)
			return SIM800_ERR_IO;
		buf += n;
		len -= (size_t)n;
	}
	return SIM800_OK;
}

static enum sim800_err run_one(struct sim800 *m, const struct sim800_cmd *c)
{
	struct sim800_run r;
	memset(&r, 0, sizeof(r));
	r.cmd = c;
	r.text_len = strlen(c->text);
	r.echo_pending = true;
	/* In V1 a lone digit can be an answer (ATS0? -> "0", an SMS body "4"), so V0 codes are
	 * finals only when V0 is known, the command sets V, or we are syncing with a module whose
	 * mode is unknown (a host restart may find it in V0). */
	r.numeric = m->v0 || at_client_sets_v(c->text) || (c->flags & SIM800_CMD_NO_RESYNC);
	r.prompt_wait = (c->flags & (SIM800_CMD_PROMPT | SIM800_CMD_DOWNLOAD)) != 0;
	r.abort_err = SIM800_OK;

	/* Serve what arrived while idle first, so it is not taken for this command's answer. */
	enum sim800_err e = at_client_pump(m, 0);
	if (e == SIM800_ERR_IO)
		return e;

	uint32_t timeout = c->timeout_ms ? c->timeout_ms : sim800_default_timeout(m, c->text);
	uint64_t deadline = m->port.now_ms(m->port.ctx) + timeout;
	memset(&m->last, 0, sizeof(m->last));
	m->last.code = -1;
	if (m->data.len)
		at_urc_log(m, SIM800_LOG_DROPPED, (const char *)m->data.buf, m->data.len);
	m->data.len = 0;
	m->run = &r;
	at_urc_log(m, SIM800_LOG_TX, c->text, r.text_len); /* one entry per command, no "\r" */
	e = at_client_write_all(m, (const uint8_t *)c->text, r.text_len);
	if (e == SIM800_OK)
		e = at_client_write_all(m, (const uint8_t *)"\r", 1);
	if (e == SIM800_OK)
		e = at_client_pump(m, deadline);
	m->run = NULL;
	/* Data cut short by a timeout must not be parsed as lines later (resync drains it). */
	m->raw.left = 0;
	m->raw.skip_lf = false;

	if (r.done) {
		e = r.abort_err != SIM800_OK ? r.abort_err : at_result_err(r.res.final);
		m->last.final = r.res.final;
		m->last.code = r.res.code;
		if (r.res.final == SIM800_FINAL_OK) {
			at_client_track_v250(m, c->text);
			m->booting = false;
		}
		/* The form of OK/ERROR is the best evidence of ATV: "0" versus "OK". */
		size_t fl = strlen(m->last.line);
		if (fl == 1 && m->last.line[0] >= '0' && m->last.line[0] <= '9')
			m->v0 = true;
		else if (r.res.final == SIM800_FINAL_OK || r.res.final == SIM800_FINAL_ERROR)
			m->v0 = false;
	} else if (e == SIM800_ERR_TIMEOUT) {
		m->need_resync = true;
		m->prompt_pending = (c->flags & SIM800_CMD_PROMPT) && !r.payload_sent;
		if (m->powered_down)
			e = SIM800_ERR_POWERED_DOWN;
		at_urc_log(m, SIM800_LOG_NOTE, "timeout", 7);
	}
	m->last.err = e;
	return e;
}

static void parse_cmee(void *user, const char *line, size_t len)
{
	struct sim800 *m = user;
	for (size_t i = 0; i < len; i++)
		if (line[i] >= '0' && line[i] <= '2') {
			m->cmee = line[i] - '0';
			return;
		}
}

static const char *const cmee_prefixes[] = {"+CMEE:", NULL};

enum sim800_err sim800_sync(struct sim800 *m, uint32_t timeout_ms)
{
	if (!m)
		return SIM800_ERR_INVAL;
	if (m->run || m->in_callback)
		return SIM800_ERR_BUSY;
	uint64_t deadline = m->port.now_ms(m->port.ctx) + timeout_ms;
	at_urc_log(m, SIM800_LOG_NOTE, "sync", 4);
	if (m->prompt_pending) {
		/* ESC leaves the "> " input mode without sending (MAN CIPSEND/CMGS). */
		m->prompt_pending = false;
		at_urc_log(m, SIM800_LOG_TX, "\x1b", 1);
		if (at_client_write_all(m, (const uint8_t *)"\x1b", 1) != SIM800_OK)
			return SIM800_ERR_IO;
	}
	if (at_client_pump(m, 0) == SIM800_ERR_IO)
		return SIM800_ERR_IO;

	struct sim800_cmd at = {.text = "AT", .flags = SIM800_CMD_NO_RESYNC};
	enum sim800_err e = SIM800_ERR_NO_RESPONSE;
	for (;;) {
		uint64_t now = m->port.now_ms(m->port.ctx);
		if (now >= deadline)
			break;
		uint64_t left = deadline - now;
		at.timeout_ms = left < SYNC_INTERVAL_MS ? (uint32_t)left : SYNC_INTERVAL_MS;
		e = run_one(m, &at);
		if (e == SIM800_OK || e == SIM800_ERR_IO)
			break;
		if (e != SIM800_ERR_TIMEOUT && e != SIM800_ERR_RESET) {
			/* ERROR to a garbled "AT" (noise before it): wait out the interval. */
			uint64_t until = m->port.now_ms(m->port.ctx) + SYNC_INTERVAL_MS;
			at_client_pump(m, until < deadline ? until : deadline);
		}
	}
	if (e != SIM800_OK) {
		m->need_resync = true;
		m->last.err = e == SIM800_ERR_IO ? e : SIM800_ERR_NO_RESPONSE;
		return m->last.err;
	}
	/* Barrier: the OK above may be the late answer of an earlier command. The module answers
	 * in order, so once "+CMEE: n" and its OK arrive nothing older is still in flight. */
	uint64_t now = m->port.now_ms(m->port.ctx);
	uint64_t left = deadline > now ? deadline - now : 0;
	struct sim800_cmd barrier = {
		.text = "AT+CMEE?",
		.prefixes = cmee_prefixes,
		.on_info = parse_cmee,
		.user = m,
		.timeout_ms = left > 1000 ? (uint32_t)left : 1000,
		.flags = SIM800_CMD_NO_RESYNC | SIM800_CMD_NEED_INFO,
	};
	e = run_one(m, &barrier);
	if (e != SIM800_OK) {
		m->need_resync = true;
		m->last.err = e == SIM800_ERR_IO ? e : SIM800_ERR_NO_RESPONSE;
		return m->last.err;
	}
	m->need_resync = false;
	return SIM800_OK;
}

enum sim800_err sim800_cmd_run(struct sim800 *m, const struct sim800_cmd *cmd)
{
	if (!m || !cmd || !cmd->text || at_result_has_prefix(cmd->text, strlen(cmd->text), "AT") == false)
		return SIM800_ERR_INVAL;
	if (m->run || m->in_callback)
		return SIM800_ERR_BUSY;
	if (m->need_resync && !(cmd->flags & SIM800_CMD_NO_RESYNC)) {
		uint32_t t = m->cfg.resync_timeout_ms ? m->cfg.resync_timeout_ms : 3000;
		enum sim800_err e = sim800_sync(m, t);
		if (e != SIM800_OK)
			return e;
	}
	return run_one(m, cmd);
}

struct query_ctx {
	size_t skip; /* prefix length to cut; 0 = copy the whole line */
	char *out;
	size_t cap;
	bool got;
	enum sim800_err err;
};

static void query_line(void *user, const char *line, size_t len)
{
	struct query_ctx *q = user;
	if (q->got)
		return;
	q->got = true;
	line += q->skip;
	len -= q->skip;
	while (q->skip && len > 0 && *line == ' ') {
		line++;
		len--;
	}
	q->err = at_client_copy(q->out, q->cap, line, len);
}

enum sim800_err at_client_query(struct sim800 *m, const char *text, const char *prefix,
				sim800_match_fn match, unsigned flags, uint32_t timeout_ms,
				char *out, size_t cap)
{
	if (!out || cap == 0)
		return SIM800_ERR_INVAL;
	out[0] = '\0';
	const char *prefixes[] = {prefix, NULL};
	struct query_ctx q = {
		.skip = prefix ? strlen(prefix) : 0, .out = out, .cap = cap, .err = SIM800_OK,
	};
	struct sim800_cmd c = {
		.text = text, .prefixes = prefix ? prefixes : NULL, .match = match,
		.on_info = query_line, .user = &q, .timeout_ms = timeout_ms, .flags = flags,
	};
	enum sim800_err e = sim800_cmd_run(m, &c);
	if (e != SIM800_OK)
		return e;
	return q.got ? q.err : SIM800_ERR_NO_INFO;
}

enum sim800_err sim800_query(struct sim800 *m, const char *text, const char *prefix,
			     char *out, size_t cap, uint32_t timeout_ms)
{
	if (!prefix)
		return SIM800_ERR_INVAL;
	return at_client_query(m, text, prefix, NULL, 0, timeout_ms, out, cap);
}

enum sim800_err sim800_exec(struct sim800 *m, const char *text, uint32_t timeout_ms)
{
	struct sim800_cmd c = {.text = text, .timeout_ms = timeout_ms};
	return sim800_cmd_run(m, &c);
}

static enum sim800_err poll(struct sim800 *m, uint32_t timeout_ms, bool any)
{
	if (!m)
		return SIM800_ERR_INVAL;
	if (m->run || m->in_callback)
		return SIM800_ERR_BUSY;
	uint64_t deadline = m->port.now_ms(m->port.ctx) + timeout_ms;
	enum sim800_err e = any ? at_client_pump_some(m, deadline) : at_client_pump(m, deadline);
	return e == SIM800_ERR_TIMEOUT ? SIM800_OK : e;
}

enum sim800_err sim800_poll(struct sim800 *m, uint32_t timeout_ms)
{
	return poll(m, timeout_ms, false);
}

enum sim800_err sim800_poll_any(struct sim800 *m, uint32_t timeout_ms)
{
	return poll(m, timeout_ms, true);
}

/* ---------------------------------------------------------------------------------------- */
/* Bare-answer predicates                                                                    */

static size_t count_digits(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

bool sim800_is_imei(const char *line, size_t len)
{
	return len >= 14 && len <= 17 && count_digits(line, len) == len;
}

bool sim800_is_imsi(const char *line, size_t len)
{
	return len >= 6 && len <= 15 && count_digits(line, len) == len;
}

bool sim800_is_iccid(const char *line, size_t len)
{
	/* E.118: ICCIDs start with 89; SIM800 prints hex digits, e.g. a trailing 'f'
	 * (sim800-facts §1.1). */
	if (len < 18 || len > 22 || line[0] != '8' || line[1] != '9')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
			return false;
	}
	return true;
}

bool sim800_is_ipv4(const char *line, size_t len)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || line[i] != '.')
				return false;
			i++;
		}
		size_t d = count_digits(line + i, len - i);
		if (d == 0 || d > 3)
			return false;
		int v = 0;
		for (size_t k = 0; k < d; k++)
			v = v * 10 + (line[i + k] - '0');
		if (v > 255)
			return false;
		i += d;
	}
	return i == len;
}
