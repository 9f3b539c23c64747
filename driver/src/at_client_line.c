/* at_client_line.c - input: assemble lines, skip echo, hand lines to the command or the URCs. */
#include "at_client_int.h"

#include "at_urc.h"

#include <string.h>

#define READ_CHUNK SIM800_DATA_START_MAX /* bytes after CONNECT fit in m->data */

static bool same_text(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 0 && a[alen - 1] == ' ')
		alen--;
	return alen == blen && at_result_has_prefix(a, alen, b) ;
}

static bool is_info(const struct sim800_cmd *c, const char *line, size_t len)
{
	if (c->prefixes) {
		for (const char *const *p = c->prefixes; *p; p++) {
			size_t n = strlen(*p);
			if (len >= n && memcmp(line, *p, n) == 0)
				return c->match ? c->match(line, len) : true;
		}
		return false;
	}
	return c->match && c->match(line, len);
}

static void finish(struct sim800 *m, struct sim800_run *r, const struct at_result *res,
		   const char *line, size_t len)
{
	r->done = true;
	r->res = *res;
	at_client_copy(m->last.line, sizeof(m->last.line), line, len);
}

static void deliver(struct sim800 *m, struct sim800_run *r, const char *line, size_t len)
{
	r->got_info = true;
	m->in_callback = true;
	if (r->cmd->on_info)
		r->cmd->on_info(r->cmd->user, line, len);
	/* "+HTTPREAD: <n>" / "+CIPRXGET: 2,..,<n>,..": n raw bytes follow the line's CRLF. */
	if (r->cmd->data_len) {
		m->raw.left = r->cmd->data_len(r->cmd->user, line, len);
		m->raw.skip_lf = m->raw.left > 0 && m->raw.term == '\r';
	}
	m->in_callback = false;
}

static void send_payload(struct sim800 *m, struct sim800_run *r)
{
	r->prompt_wait = false;
	r->payload_sent = true;
	at_urc_log(m, SIM800_LOG_TX, (const char *)r->cmd->payload, r->cmd->payload_len);
	if (r->cmd->payload_len &&
	    at_client_write_all(m, r->cmd->payload, r->cmd->payload_len) != SIM800_OK) {
		r->done = true;
		r->abort_err = SIM800_ERR_IO;
	}
}

/* Returns true if the running command claimed the line. */
static bool run_take_line(struct sim800 *m, struct sim800_run *r, const char *line, size_t len)
{
	const struct sim800_cmd *c = r->cmd;
	/* Echo (ATE1): "AT+X\r" arrives as its own line before the answer. It may come after a
	 * URC, so it is looked for until the first info line or final. */
	if (r->echo_pending && !r->got_info && same_text(line, len, c->text, r->text_len)) {
		r->echo_pending = false;
		return true;
	}
	/* With echo on the module also echoes the payload typed after the prompt. */
	if (r->payload_sent && !r->got_info && c->payload_len == len &&
	    memcmp(line, c->payload, len) == 0)
		return true;
	if (r->prompt_wait && (c->flags & SIM800_CMD_DOWNLOAD) && len == 8 &&
	    memcmp(line, "DOWNLOAD", 8) == 0) {
		send_payload(m, r);
		return true;
	}
	/* ">" alone on a line: some firmwares end the prompt line (sim800-facts §0). */
	if (r->prompt_wait && (c->flags & SIM800_CMD_PROMPT) && len <= 2 && line[0] == '>') {
		send_payload(m, r);
		return true;
	}
	bool info = is_info(c, line, len);
	if (info && (c->flags & SIM800_CMD_BARE_FINAL)) {
		deliver(m, r, line, len);
		struct at_result res = {SIM800_FINAL_BARE, -1};
		finish(m, r, &res, line, len);
		return true;
	}
	struct at_result res;
	if (at_result_parse(line, len, c->text, r->numeric, &res)) {
		if ((c->flags & SIM800_CMD_NEED_INFO) && !r->got_info) {
			/* An answer to an earlier command (the resync barrier's point). */
			at_urc_log(m, SIM800_LOG_STALE, line, len);
			return true;
		}
		finish(m, r, &res, line, len);
		return true;
	}
	if (info) {
		deliver(m, r, line, len);
		return true;
	}
	if ((c->flags & SIM800_CMD_ANY_INFO) && !at_urc_is_urc(m, line, len)) {
		deliver(m, r, line, len);
		return true;
	}
	return false;
}

static void handle_line(struct sim800 *m, const char *line, size_t len)
{
	at_urc_log(m, SIM800_LOG_RX, line, len);
	struct sim800_run *r = m->run;
	if (r && !r->done && run_take_line(m, r, line, len))
		return;
	/* A late OK/ERROR with no command waiting: the symptom of urc-late-final-shifts-responses.
	 * Logged, never given to a later command. NO CARRIER/RING-like lines are URCs. */
	struct at_result res;
	if (at_result_parse(line, len, NULL, m->v0, &res) &&
	    (res.final == SIM800_FINAL_OK || res.final == SIM800_FINAL_ERROR ||
	     res.final == SIM800_FINAL_CME_ERROR || res.final == SIM800_FINAL_CMS_ERROR)) {
		at_urc_log(m, SIM800_LOG_STALE, line, len);
		return;
	}
	int ev = at_urc_dispatch(m, line, len);
	if (r && !r->done && (ev == SIM800_EV_RESET || ev == SIM800_EV_POWER_DOWN)) {
		/* The module will never answer a command it received before rebooting. */
		r->done = true;
		r->abort_err = ev == SIM800_EV_RESET ? SIM800_ERR_RESET : SIM800_ERR_POWERED_DOWN;
		at_client_copy(m->last.line, sizeof(m->last.line), line, len);
	}
}

/*
 * Byte-level line assembly (oFono gsmv1 syntax, simplified): CR or LF ends a line, so V1
 * "\r\nOK\r\n", V0 "0\r" and the echo "AT\r" all work, in fragments of any size. "> " has no
 * line end and is recognised while a PROMPT command waits for it.
 */
static void feed_byte(struct sim800 *m, uint8_t c)
{
	if (c == '\r' || c == '\n') {
		m->raw.term = (char)c;
		size_t len = m->rx.len;
		bool discard = m->rx.discard;
		m->rx.len = 0;
		m->rx.discard = false;
		if (!discard && len > 0) {
			m->rx.buf[len] = '\0';
			handle_line(m, m->rx.buf, len);
		}
		return;
	}
	if (c >= 0x80 || c == 0 || (c < 0x20 && c != '\t')) {
		/* Line noise at power-up (boot-garbage-before-sync), baud mismatch. */
		m->dropped_bytes++;
		return;
	}
	if (m->rx.discard)
		return;
	if (c == '~' && m->rx.len == 0) {
		/* A PPP frame left over after data mode (ppp-leftover-frames-after-exit). PPP
		 * escapes CR/LF with the default ACCM, so the frame ends at the next line end. */
		m->rx.discard = true;
		at_urc_log(m, SIM800_LOG_DROPPED, "~", 1);
		return;
	}
	if (m->rx.len + 1 >= SIM800_LINE_MAX) {
		/* Zephyr modem_chat: on overrun, drop and resynchronise at the next line end. */
		m->rx.discard = true;
		at_urc_log(m, SIM800_LOG_DROPPED, m->rx.buf, m->rx.len);
		m->rx.len = 0;
		return;
	}
	m->rx.buf[m->rx.len++] = (char)c;
	struct sim800_run *r = m->run;
	if (r && !r->done && r->prompt_wait && (r->cmd->flags & SIM800_CMD_PROMPT) &&
	    m->rx.len == 2 && m->rx.buf[0] == '>' && m->rx.buf[1] == ' ') {
		m->rx.len = 0;
		send_payload(m, r);
	}
}

/* CONNECT ended the command: the line is data from here on, not AT (the CR's LF aside).
 * Kept for the data-mode user (sim800_take_data), never parsed as lines. */
static void keep_data(struct sim800 *m, const uint8_t *buf, size_t n)
{
	if (n > 0 && m->raw.term == '\r' && buf[0] == '\n') {
		buf++;
		n--;
	}
	size_t room = sizeof m->data.buf - m->data.len;
	size_t k = n < room ? n : room;
	memcpy(m->data.buf + m->data.len, buf, k);
	m->data.len += k;
}

/* Bytes in: raw data owed to the running command first (m->raw), lines otherwise. */
static void feed(struct sim800 *m, const uint8_t *buf, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (m->raw.left == 0) {
			feed_byte(m, buf[i++]);
			struct sim800_run *r = m->run;
			if (r && r->done && r->res.final == SIM800_FINAL_CONNECT) {
				keep_data(m, buf + i, n - i);
				return;
			}
			continue;
		}
		if (m->raw.skip_lf) {
			m->raw.skip_lf = false;
			if (buf[i] == '\n') {
				i++;
				continue;
			}
		}
		size_t k = n - i < m->raw.left ? n - i : m->raw.left;
		m->raw.left -= k;
		struct sim800_run *r = m->run;
		if (r && !r->done && r->cmd->on_data) {
			m->in_callback = true;
			r->cmd->on_data(r->cmd->user, buf + i, k);
			m->in_callback = false;
		} else {
			at_urc_log(m, SIM800_LOG_DROPPED, (const char *)buf + i, k);
		}
		i += k;
	}
}

/* Read and process input until the running command is done, or the deadline passes. With no
 * command running it serves URCs until the deadline. */
static enum sim800_err pump(struct sim800 *m, uint64_t deadline, bool some)
{
	uint8_t buf[READ_CHUNK];
	uint32_t slice = m->cfg.wait_slice_ms ? m->cfg.wait_slice_ms : 1000;
	bool fed = false;
	for (;;) {
		int n = m->port.read(m->port.ctx, buf, sizeof(buf));
		if (n < 0)
			return SIM800_ERR_IO;
		if (n > 0)
			feed(m, buf, (size_t)n);
		if (m->run && m->run->done)
			return SIM800_OK;
		if (n > 0) {
			fed = true;
			continue;
		}
		if (some && fed)
			return SIM800_OK;
		uint64_t now = m->port.now_ms(m->port.ctx);
		if (now >= deadline)
			return SIM800_ERR_TIMEOUT;
		uint64_t left = deadline - now;
		int w = m->port.wait_readable(m->port.ctx, left < slice ? (uint32_t)left : slice);
		if (w < 0)
			return SIM800_ERR_IO;
	}
}

enum sim800_err at_client_pump(struct sim800 *m, uint64_t deadline)
{
	return pump(m, deadline, false);
}

enum sim800_err at_client_pump_some(struct sim800 *m, uint64_t deadline)
{
	return pump(m, deadline, true);
}
