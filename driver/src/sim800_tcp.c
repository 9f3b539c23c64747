/* sim800_tcp.c - TCP/UDP client over the module's CIP stack: bring-up, open, send, CIPRXGET, close. */
#include "sim800.h"

#include "at_client.h"
#include "at_tok.h"

#include <stdio.h>
#include <string.h>

#define SEND_PIECE 1460    /* AT+CIPSEND=? (1-1460): the module's per-send maximum */
#define RXGET_PIECE 1460   /* AT+CIPRXGET=2 returns at most 1460 per call (MAN §8.2.26) */
#define CONNECT_WAIT 75000 /* CIPSTART max response in multi mode (facts §9.1) */

static uint64_t now(struct sim800 *m)
{
	return m->port.now_ms(m->port.ctx);
}

/* Serve URCs until pred holds or the deadline passes; a reboot meanwhile ends it. */
static enum sim800_err wait_for(struct sim800 *m, uint64_t deadline,
				bool (*pred)(const struct sim800 *m, int id), int id)
{
	unsigned long resets = m->resets;
	while (!pred(m, id)) {
		uint64_t t = now(m);
		if (t >= deadline)
			return SIM800_ERR_TIMEOUT;
		uint64_t left = deadline - t;
		enum sim800_err e = sim800_poll_any(m, left > 1000 ? 1000 : (uint32_t)left);
		if (e != SIM800_OK)
			return e;
		if (m->resets != resets)
			return SIM800_ERR_RESET;
	}
	return SIM800_OK;
}

static void cip_forget(struct sim800 *m)
{
	m->svc.cip_up = false;
	m->svc.open_failures = 0;
	m->svc.pdp_deact = false;
	for (int i = 0; i < SIM800_CIP_CONNS; i++)
		memset(&m->svc.link[i], 0, sizeof(m->svc.link[i]));
}

enum sim800_err sim800_cip_down(struct sim800 *m)
{
	enum sim800_err e = sim800_exec(m, "AT+CIPSHUT", 0);
	if (e == SIM800_OK)
		cip_forget(m);
	return e;
}

/* Quote-safe argument: refuse '"' and control characters rather than send a broken line. */
static bool plain_arg(const char *s)
{
	for (; s && *s; s++)
		if (*s == '"' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* A bring-up step failed: GPRS, unless the line or the module itself is the reason (a reboot
 * mid-step, pwr-reset-on-gprs-attach, is RESET: the caller must re-init, not just retry). */
static enum sim800_err gprs_err(enum sim800_err e)
{
	return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO || e == SIM800_ERR_RESET ? e
											 : SIM800_ERR_GPRS;
}

enum sim800_err sim800_cip_up(struct sim800 *m, const char *apn, const char *user,
			      const char *pwd, bool mux)
{
	if (!m || !plain_arg(apn) || !plain_arg(user) || !plain_arg(pwd))
		return SIM800_ERR_INVAL;
	/* Whatever state a previous host left (reg-stuck-connect-needs-shut, host-reboot):
	 * CIPSHUT brings the stack to IP INITIAL, where CIPMUX and CSTT are allowed. */
	enum sim800_err e = sim800_cip_down(m);
	if (e != SIM800_OK)
		return gprs_err(e);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "AT+CIPMUX=%d", mux ? 1 : 0);
	if ((e = sim800_exec(m, cmd, 0)) != SIM800_OK)
		return e;
	m->svc.cip_mux = mux;
	/* Manual reading keeps binary out of the line stream; without it the module pushes data
	 * at any time, which this driver does not parse: refuse clearly instead. */
	e = sim800_exec(m, "AT+CIPRXGET=1", 0);
	if (e != SIM800_OK)
		return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO ? e : SIM800_ERR_UNSUPPORTED;
	m->svc.cip_rxget = true;
	/* Quick send: DATA ACCEPT as soon as the module has the data; else SEND OK mode. */
	m->svc.cip_qsend = sim800_exec(m, "AT+CIPQSEND=1", 0) == SIM800_OK;
	int n = snprintf(cmd, sizeof cmd, "AT+CSTT=\"%s\",\"%s\",\"%s\"", apn ? apn : "",
			 user ? user : "", pwd ? pwd : "");
	if (n < 0 || (size_t)n >= sizeof cmd)
		return SIM800_ERR_INVAL;
	if ((e = sim800_exec(m, cmd, 0)) != SIM800_OK)
		return gprs_err(e);
	if ((e = sim800_exec(m, "AT+CIICR", 0)) != SIM800_OK)
		return gprs_err(e);
	/* CIFSR answers the bare address and no OK (reg-cifsr-has-no-ok); CIPSTART is refused
	 * until it has been asked. */
	struct sim800_cmd c = {
		.text = "AT+CIFSR", .match = sim800_is_ipv4, .flags = SIM800_CMD_BARE_FINAL,
	};
	if ((e = sim800_cmd_run(m, &c)) != SIM800_OK)
		return gprs_err(e);
	at_client_copy(m->svc.ip, sizeof m->svc.ip, m->last.line, strlen(m->last.line));
	m->svc.cip_up = true;
	return SIM800_OK;
}

static bool link_settled(const struct sim800 *m, int id)
{
	return m->svc.link[id].state != SIM800_LINK_CONNECTING;
}

static int idprefix(const struct sim800 *m, int id, char *buf, size_t cap)
{
	return m->svc.cip_mux ? snprintf(buf, cap, "%d,", id) : snprintf(buf, cap, "%s", "");
}

static enum sim800_err close_link(struct sim800 *m, int id)
{
	char cmd[32], p[8];
	idprefix(m, id, p, sizeof p);
	snprintf(cmd, sizeof cmd, m->svc.cip_mux ? "AT+CIPCLOSE=%s1" : "AT+CIPCLOSE=1", p);
	enum sim800_err e = sim800_exec(m, cmd, 0);
	m->svc.link[id].state = SIM800_LINK_IDLE;
	m->svc.link[id].rx_ready = false;
	/* Closing a link that is not open: ERROR / +CME ERROR: operation not allowed
	 * (cip-close-unopened-cme-not-allowed) is benign. */
	return e == SIM800_ERR_ERROR || e == SIM800_ERR_CME ? SIM800_OK : e;
}

static enum sim800_err open_once(struct sim800 *m, int id, bool udp, const char *host,
				 unsigned port, bool tls, uint32_t timeout_ms);

enum sim800_err sim800_tcp_open(struct sim800 *m, int id, bool udp, const char *host,
				unsigned port, bool tls, uint32_t timeout_ms)
{
	enum sim800_err e = open_once(m, id, udp, host, port, tls, timeout_ms);
	if (e == SIM800_OK) {
		m->svc.open_failures = 0;
	} else if (e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_CONNECT_FAIL) {
		if (++m->svc.open_failures >= SIM800_CIP_OPEN_TRIES) {
			/* Never CIPSTART forever on a wedged stack: shut it, the caller brings it up
			 * again. What the module said last is kept for the report. */
			struct sim800_last said = m->last;
			sim800_cip_down(m);
			m->svc.open_failures = 0;
			m->svc.cip_up = false;
			m->last = said;
			return SIM800_ERR_GPRS;
		}
	}
	return e;
}

static enum sim800_err open_once(struct sim800 *m, int id, bool udp, const char *host,
				 unsigned port, bool tls, uint32_t timeout_ms)
{
	if (!m || !host || !*host || !plain_arg(host) || port == 0 || port > 65535 || id < 0 ||
	    id >= SIM800_CIP_CONNS || (!m->svc.cip_mux && id != 0))
		return SIM800_ERR_INVAL;
	if (!m->svc.cip_up)
		return SIM800_ERR_GPRS;
	if (tls && (udp || m->caps.cipssl == SIM800_CAP_NO))
		return SIM800_ERR_TLS_UNSUPPORTED; /* id-r1308-cipssl-test-error: nothing sent */
	/* CIPSSL is sticky and read at CIPSTART time: set it explicitly every time
	 * (ssl-cipssl-sticky-per-socket). */
	enum sim800_err e;
	if (tls || m->caps.cipssl == SIM800_CAP_LISTED) {
		e = sim800_exec(m, tls ? "AT+CIPSSL=1" : "AT+CIPSSL=0", 0);
		if (e != SIM800_OK && tls)
			return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO ? e
									     : SIM800_ERR_TLS_UNSUPPORTED;
	}
	char cmd[320], p[8];
	idprefix(m, id, p, sizeof p);
	int n = snprintf(cmd, sizeof cmd, "AT+CIPSTART=%s\"%s\",\"%s\",%u", p, udp ? "UDP" : "TCP",
			 host, port);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return SIM800_ERR_INVAL;
	uint64_t deadline = now(m) + (timeout_ms ? timeout_ms : CONNECT_WAIT);
	for (int attempt = 0; attempt < 2; attempt++) {
		struct sim800_cip_link *l = &m->svc.link[id];
		l->state = SIM800_LINK_CONNECTING;
		l->rx_ready = false;
		l->send_fail = false;
		l->opened = false;
		struct sim800_cmd c = {.text = cmd, .timeout_ms = 10000};
		if ((e = sim800_cmd_run(m, &c)) != SIM800_OK) {
			l->state = SIM800_LINK_IDLE;
			return e;
		}
		e = wait_for(m, deadline, link_settled, id);
		if (e == SIM800_ERR_TIMEOUT) {
			/* Give up before the module does (cip-connect-fail-late-75s): close the
			 * link so its late CONNECT FAIL only updates state. */
			close_link(m, id);
			m->last.err = SIM800_ERR_TIMEOUT;
			return SIM800_ERR_TIMEOUT;
		}
		if (e != SIM800_OK)
			return e;
		switch (l->state) {
		case SIM800_LINK_CONNECTED:
			return SIM800_OK;
		case SIM800_LINK_FAILED:
			l->state = SIM800_LINK_IDLE;
			/* The URC, not CIPSTART's OK, is what the module answered. */
			if (m->svc.cip_mux)
				snprintf(m->last.line, sizeof m->last.line, "%d, CONNECT FAIL", id);
			else
				snprintf(m->last.line, sizeof m->last.line, "CONNECT FAIL");
			return SIM800_ERR_CONNECT_FAIL;
		case SIM800_LINK_TLS_FAILED:
			l->state = SIM800_LINK_IDLE;
			snprintf(m->last.line, sizeof m->last.line, "CLOSE OK (TLS handshake)");
			return tls ? SIM800_ERR_TLS_HANDSHAKE : SIM800_ERR_CLOSED;
		case SIM800_LINK_ALREADY:
			/* cip-already-connect: never hand old-session bytes to the new one. */
			if ((e = close_link(m, id)) != SIM800_OK)
				return e;
			continue;
		default:
			/* CONNECT OK then CLOSED in one burst (a server that sends and closes at
			 * once): the data waits in the module, the caller reads it to EOF. */
			if (l->opened)
				return SIM800_OK;
			l->state = SIM800_LINK_IDLE;
			return SIM800_ERR_CLOSED;
		}
	}
	return SIM800_ERR_CONNECT_FAIL;
}

enum sim800_link sim800_tcp_state(const struct sim800 *m, int id)
{
	if (!m || id < 0 || id >= SIM800_CIP_CONNS)
		return SIM800_LINK_IDLE;
	return m->svc.link[id].state;
}

enum sim800_err sim800_tcp_send(struct sim800 *m, int id, const void *buf, size_t len,
				size_t *sent)
{
	size_t done = 0;
	if (sent)
		*sent = 0;
	if (!m || (!buf && len) || id < 0 || id >= SIM800_CIP_CONNS)
		return SIM800_ERR_INVAL;
	/* A reboot between two sends (its RDY came while no command ran) fails the next one
	 * with a plain ERROR; the reason is the reboot, and every link went with it. */
	unsigned long resets = m->resets;
	while (done < len) {
		if (m->resets != resets) {
			cip_forget(m);
			return SIM800_ERR_RESET;
		}
		struct sim800_cip_link *l = &m->svc.link[id];
		if (l->state != SIM800_LINK_CONNECTED)
			return SIM800_ERR_CLOSED;
		size_t k = len - done > SEND_PIECE ? SEND_PIECE : len - done;
		char cmd[32];
		if (m->svc.cip_mux)
			snprintf(cmd, sizeof cmd, "AT+CIPSEND=%d,%zu", id, k);
		else
			snprintf(cmd, sizeof cmd, "AT+CIPSEND=%zu", k);
		struct sim800_cmd c = {
			.text = cmd, .flags = SIM800_CMD_PROMPT,
			.payload = (const uint8_t *)buf + done, .payload_len = k,
		};
		enum sim800_err e = sim800_cmd_run(m, &c);
		if (e != SIM800_OK && m->resets != resets) {
			cip_forget(m);
			return SIM800_ERR_RESET;
		}
		if (e == SIM800_ERR_SEND_FAIL) {
			/* cip-send-fail-unhandled: the link is no longer usable. */
			l->state = SIM800_LINK_CLOSED;
			return e;
		}
		if (e != SIM800_OK)
			return e;
		size_t acc = k;
		if (m->last.final == SIM800_FINAL_DATA_ACCEPT) {
			/* "DATA ACCEPT:[<n>,]<len>": the module may take less (cip-qsend-data-accept). */
			const char *colon = strchr(m->last.line, ':');
			if (colon) {
				struct at_tok t;
				at_tok_init(&t, colon + 1, strlen(colon + 1));
				long a = -1, b = -1;
				if (at_tok_next_int(&t, &a) == AT_TOK_OK) {
					if (at_tok_next_int(&t, &b) == AT_TOK_OK)
						a = b;
					if (a >= 0 && (size_t)a <= k)
						acc = (size_t)a;
				}
			}
		}
		done += acc;
		if (sent)
			*sent = done;
		if (acc == 0)
			return SIM800_ERR_SEND_FAIL;
	}
	return SIM800_OK;
}

struct rxget_ctx {
	int id;
	bool mux;
	uint8_t *buf;
	size_t cap, got;
	long announced, remain;
	bool header;
};

/* Only the solicited "+CIPRXGET: 2,..." line: "+CIPRXGET: 1,<id>" notices are URCs. */
static bool rxget_match(const char *line, size_t len)
{
	return len > 12 && memcmp(line, "+CIPRXGET: 2,", 13) == 0;
}

/* "+CIPRXGET: 2,[<id>,]<got>,<remain>": third field returned, fourth still buffered
 * (sim800-facts §10 item 10). */
static size_t rxget_len(void *user, const char *line, size_t len)
{
	struct rxget_ctx *r = user;
	struct at_tok t;
	at_tok_init(&t, line + 11, len - 11);
	long mode, id = 0, got, rem = 0;
	if (at_tok_next_int(&t, &mode) != AT_TOK_OK ||
	    (r->mux && at_tok_next_int(&t, &id) != AT_TOK_OK) ||
	    at_tok_next_int(&t, &got) != AT_TOK_OK || got < 0)
		return 0;
	if (at_tok_next_int(&t, &rem) != AT_TOK_OK)
		rem = 0;
	r->header = true;
	r->announced = got;
	r->remain = rem;
	return (size_t)got;
}

static void rxget_data(void *user, const uint8_t *buf, size_t n)
{
	struct rxget_ctx *r = user;
	size_t k = r->cap - r->got < n ? r->cap - r->got : n;
	memcpy(r->buf + r->got, buf, k);
	r->got += k;
}

static bool rx_or_closed(const struct sim800 *m, int id)
{
	const struct sim800_cip_link *l = &m->svc.link[id];
	return l->rx_ready || l->state != SIM800_LINK_CONNECTED;
}

enum sim800_err sim800_tcp_recv(struct sim800 *m, int id, void *buf, size_t cap, size_t *got,
				uint32_t timeout_ms)
{
	if (got)
		*got = 0;
	if (!m || !buf || cap == 0 || !got || id < 0 || id >= SIM800_CIP_CONNS)
		return SIM800_ERR_INVAL;
	struct sim800_cip_link *l = &m->svc.link[id];
	if (l->state == SIM800_LINK_IDLE)
		return SIM800_ERR_CLOSED;
	enum sim800_err e = wait_for(m, now(m) + timeout_ms, rx_or_closed, id);
	if (e == SIM800_ERR_TIMEOUT)
		return SIM800_OK; /* nothing yet */
	if (e != SIM800_OK)
		return e;
	/* Data may still wait in the module after CLOSED (cip-connected-true-after-close-with-
	 * buffer): read until it answers empty or ERROR (cip-ciprxget-error-loop-after-close). */
	char cmd[40], p[8];
	idprefix(m, id, p, sizeof p);
	size_t want = cap > RXGET_PIECE ? RXGET_PIECE : cap;
	snprintf(cmd, sizeof cmd, "AT+CIPRXGET=2,%s%zu", p, want);
	const char *const prefixes[] = {"+CIPRXGET: 2,", NULL};
	struct rxget_ctx r = {.id = id, .mux = m->svc.cip_mux, .buf = buf, .cap = want};
	struct sim800_cmd c = {
		.text = cmd, .prefixes = prefixes, .match = rxget_match, .user = &r,
		.data_len = rxget_len, .on_data = rxget_data,
	};
	e = sim800_cmd_run(m, &c);
	if (e == SIM800_ERR_ERROR || e == SIM800_ERR_CME) {
		/* Closed and empty: EOF. */
		l->rx_ready = false;
		if (l->state != SIM800_LINK_CONNECTED) {
			l->state = SIM800_LINK_IDLE;
			return SIM800_ERR_CLOSED;
		}
		return e;
	}
	if (e != SIM800_OK)
		return e;
	*got = r.got;
	if (r.remain <= 0)
		l->rx_ready = false;
	if (r.got == 0 && l->state != SIM800_LINK_CONNECTED) {
		l->state = SIM800_LINK_IDLE;
		return SIM800_ERR_CLOSED;
	}
	return SIM800_OK;
}

enum sim800_err sim800_tcp_close(struct sim800 *m, int id)
{
	if (!m || id < 0 || id >= SIM800_CIP_CONNS)
		return SIM800_ERR_INVAL;
	struct sim800_cip_link *l = &m->svc.link[id];
	/* After +PDP: DEACT every link is gone with the context, and only AT+CIPSHUT brings the
	 * stack back to IP INITIAL (MAN §8.2.7; reg-pdp-deact-urc-midsession): do it now, so
	 * that the module is not left in PDP DEACT for whoever uses it next. */
	if (m->svc.pdp_deact)
		return sim800_cip_down(m);
	if (l->state != SIM800_LINK_CONNECTED && l->state != SIM800_LINK_CONNECTING) {
		l->state = SIM800_LINK_IDLE; /* at most one CIPCLOSE, none for a closed link */
		return SIM800_OK;
	}
	return close_link(m, id);
}
