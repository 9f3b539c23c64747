/* sim800_http.c - GET/POST through the module's HTTP application: SAPBR, HTTP*, 60x mapping. */
#include "sim800.h"

#include "at_client.h"
#include "at_tok.h"

#include <stdio.h>
#include <string.h>

#define ACTION_WAIT 130000 /* HTTPPARA TIMEOUT default 120 s plus margin (http-action-slow) */
#define DATA_TIME 10000    /* HTTPDATA <time>: ms the module waits for the body */
#define URL_MAX 300

static uint64_t now(struct sim800 *m)
{
	return m->port.now_ms(m->port.ctx);
}

static bool transport_fail(enum sim800_err e)
{
	return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO || e == SIM800_ERR_RESET ||
	       e == SIM800_ERR_POWERED_DOWN || e == SIM800_ERR_NO_RESPONSE;
}

struct sapbr_q {
	int status; /* -1 none */
};

static void sapbr_line(void *user, const char *line, size_t len)
{
	struct sapbr_q *q = user;
	struct at_tok t;
	at_tok_init(&t, line + 7, len - 7);
	long cid, st;
	if (at_tok_next_int(&t, &cid) == AT_TOK_OK && cid == 1 &&
	    at_tok_next_int(&t, &st) == AT_TOK_OK)
		q->status = (int)st;
}

/* +SAPBR: <cid>,<status>,<ip>: 0 connecting, 1 connected, 2 closing, 3 closed (facts §6.1). */
static enum sim800_err bearer_status(struct sim800 *m, int *st)
{
	const char *const prefixes[] = {"+SAPBR:", NULL};
	struct sapbr_q q = {-1};
	struct sim800_cmd c = {.text = "AT+SAPBR=2,1", .prefixes = prefixes, .on_info = sapbr_line,
			       .user = &q};
	enum sim800_err e = sim800_cmd_run(m, &c);
	*st = q.status;
	if (e == SIM800_OK && q.status < 0)
		return SIM800_ERR_NO_INFO;
	return e;
}

enum sim800_err sim800_bearer_open(struct sim800 *m, const char *apn)
{
	if (!m || !apn || strchr(apn, '"'))
		return SIM800_ERR_INVAL;
	int st;
	enum sim800_err e = bearer_status(m, &st);
	if (e == SIM800_OK && st == 1 && !m->svc.bearer_deact)
		return SIM800_OK;
	if ((e = sim800_exec(m, "AT+SAPBR=3,1,\"Contype\",\"GPRS\"", 0)) != SIM800_OK)
		return transport_fail(e) ? e : SIM800_ERR_GPRS;
	char cmd[120];
	snprintf(cmd, sizeof cmd, "AT+SAPBR=3,1,\"APN\",\"%s\"", apn);
	if ((e = sim800_exec(m, cmd, 0)) != SIM800_OK)
		return transport_fail(e) ? e : SIM800_ERR_GPRS;
	e = sim800_exec(m, "AT+SAPBR=1,1", 0);
	if (transport_fail(e))
		return e;
	/* ERROR from SAPBR=1,1 when it is already open or opening: the query decides
	 * (reg-sapbr-open-error-when-open). */
	char said[SIM800_LAST_MAX];
	memcpy(said, m->last.line, sizeof said);
	enum sim800_err q = bearer_status(m, &st);
	if (q == SIM800_OK && st == 1) {
		m->svc.bearer_deact = false;
		return SIM800_OK;
	}
	if (e != SIM800_OK)
		memcpy(m->last.line, said, sizeof said);
	return transport_fail(q) ? q : SIM800_ERR_GPRS;
}

enum sim800_err sim800_bearer_close(struct sim800 *m)
{
	enum sim800_err e = sim800_exec(m, "AT+SAPBR=0,1", 0);
	/* ERROR when it is already closed: not fatal (reg-sapbr-open-error-when-open). */
	return e == SIM800_ERR_ERROR || e == SIM800_ERR_CME ? SIM800_OK : e;
}

/* The module's own result codes in +HTTPACTION (MAN §11.2.5, SSLAN §2.2). */
static enum sim800_err map_60x(int status)
{
	switch (status) {
	case 600: return SIM800_ERR_HTTP_PDU;
	case 601: return SIM800_ERR_HTTP_NETWORK;
	case 602: return SIM800_ERR_HTTP_NOMEM;
	case 603: return SIM800_ERR_HTTP_DNS;
	case 604: return SIM800_ERR_HTTP_BUSY;
	case 605:
	case 606: return SIM800_ERR_TLS_HANDSHAKE;
	default: return SIM800_OK;
	}
}

struct read_ctx {
	const struct sim800_http_req *req;
	size_t got;      /* bytes delivered by this HTTPREAD */
	long announced;  /* <n> of "+HTTPREAD: <n>", -1 none */
};

static size_t read_len(void *user, const char *line, size_t len)
{
	struct read_ctx *r = user;
	struct at_tok t;
	at_tok_init(&t, line + 10, len - 10);
	long n;
	if (at_tok_next_int(&t, &n) != AT_TOK_OK || n < 0)
		return 0;
	r->announced = n;
	return (size_t)n;
}

static void read_data(void *user, const uint8_t *buf, size_t n)
{
	struct read_ctx *r = user;
	r->got += n;
	if (r->req->on_body)
		r->req->on_body(r->req->user, buf, n);
}

static bool is_read_header(const char *line, size_t len)
{
	return len > 10 && memcmp(line, "+HTTPREAD:", 10) == 0;
}

/* AT+HTTPREAD=<start>,<size> until DataLen bytes came (http-read-overrun-first-bytes-lost:
 * pieces that fit the caller, reassembled in order). */
static enum sim800_err read_body(struct sim800 *m, const struct sim800_http_req *req,
				 struct sim800_http_res *res)
{
	bool whole = req->read_chunk == SIM800_HTTP_READ_WHOLE;
	size_t piece = whole ? (size_t)res->length : req->read_chunk ? req->read_chunk : 1024;
	const char *const prefixes[] = {"+HTTPREAD:", NULL};
	while (res->received < (size_t)res->length) {
		char cmd[64];
		if (whole)
			snprintf(cmd, sizeof cmd, "AT+HTTPREAD");
		else
			snprintf(cmd, sizeof cmd, "AT+HTTPREAD=%zu,%zu", res->received, piece);
		struct read_ctx r = {.req = req, .announced = -1};
		struct sim800_cmd c = {
			.text = cmd, .prefixes = prefixes, .match = is_read_header, .user = &r,
			.timeout_ms = 10000 + (uint32_t)(piece / 8), /* scales with size at 9600 */
			.data_len = read_len, .on_data = read_data,
		};
		enum sim800_err e = sim800_cmd_run(m, &c);
		res->received += r.got;
		if (e != SIM800_OK)
			return e;
		if (r.announced <= 0 || r.got == 0 || whole)
			break; /* the module has no more: a short body, reported by received */
	}
	return SIM800_OK;
}

static bool action_done(const struct sim800 *m)
{
	return m->svc.http_done;
}

static enum sim800_err para(struct sim800 *m, const char *tag, const char *val)
{
	char cmd[URL_MAX + 40];
	int n = snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"%s\",\"%s\"", tag, val);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return SIM800_ERR_INVAL;
	return sim800_exec(m, cmd, 0);
}

static enum sim800_err request(struct sim800 *m, const struct sim800_http_req *req,
			       struct sim800_http_res *res, bool https)
{
	enum sim800_err e;
	if ((e = sim800_exec(m, "AT+HTTPINIT", 0)) != SIM800_OK)
		return e;
	if ((e = sim800_exec(m, "AT+HTTPPARA=\"CID\",1", 0)) != SIM800_OK)
		return e;
	if ((e = para(m, "URL", req->url)) != SIM800_OK)
		return e;
	if (req->content_type && (e = para(m, "CONTENT", req->content_type)) != SIM800_OK)
		return e;
	if (https) {
		/* Probed per subsystem: CIPSSL working says nothing about HTTPSSL
		 * (id-cipssl-ok-httpssl-error). Refused -> nothing goes out in clear. */
		e = sim800_exec(m, "AT+HTTPSSL=1", 0);
		if (e != SIM800_OK)
			return transport_fail(e) ? e : SIM800_ERR_TLS_UNSUPPORTED;
		res->module_tls = true;
	} else if (m->caps.httpssl == SIM800_CAP_LISTED) {
		if ((e = sim800_exec(m, "AT+HTTPSSL=0", 0)) != SIM800_OK)
			return e;
	}
	if (req->method == SIM800_HTTP_POST && req->body_len > 0) {
		char cmd[64];
		snprintf(cmd, sizeof cmd, "AT+HTTPDATA=%zu,%d", req->body_len, DATA_TIME);
		struct sim800_cmd c = {
			.text = cmd, .flags = SIM800_CMD_DOWNLOAD, .payload = req->body,
			.payload_len = req->body_len, .timeout_ms = DATA_TIME + 5000,
		};
		if ((e = sim800_cmd_run(m, &c)) != SIM800_OK)
			return e;
	}
	char cmd[32];
	snprintf(cmd, sizeof cmd, "AT+HTTPACTION=%d", (int)req->method);
	m->svc.http_done = false;
	if ((e = sim800_exec(m, cmd, 0)) != SIM800_OK)
		return e;
	/* The result is a URC; no HTTP command meanwhile (http-action-slow-and-busy). */
	uint64_t deadline = now(m) + (req->timeout_ms ? req->timeout_ms : ACTION_WAIT);
	while (!action_done(m)) {
		uint64_t t = now(m);
		if (t >= deadline) {
			snprintf(m->last.line, sizeof m->last.line, "(no +HTTPACTION)");
			return SIM800_ERR_TIMEOUT;
		}
		uint64_t left = deadline - t;
		if ((e = at_client_wait_urcs(m, left > 1000 ? 1000 : (uint32_t)left)) != SIM800_OK)
			return e;
		if (m->reset_seen)
			return SIM800_ERR_RESET;
	}
	res->status = m->svc.http_status;
	res->length = m->svc.http_len;
	snprintf(m->last.line, sizeof m->last.line, "+HTTPACTION: %d,%d,%ld", m->svc.http_method,
		 m->svc.http_status, m->svc.http_len);
	if ((e = map_60x(res->status)) != SIM800_OK)
		return e; /* distinct errors, never an HTTP status (http-603-606-dns-and-ssl) */
	/* A 204 or 0-length body starts no HTTPREAD (http-2xx-not-only-200). */
	if (req->on_body && res->length > 0 && req->method != SIM800_HTTP_HEAD)
		return read_body(m, req, res);
	return SIM800_OK;
}

enum sim800_err sim800_http_request(struct sim800 *m, const struct sim800_http_req *req,
				    struct sim800_http_res *res)
{
	if (!m || !req || !res || !req->url || strchr(req->url, '"') ||
	    strlen(req->url) > URL_MAX || strchr(req->url, '\\'))
		return SIM800_ERR_INVAL;
	memset(res, 0, sizeof(*res));
	bool https = strncmp(req->url, "https://", 8) == 0;
	if (!https && strncmp(req->url, "http://", 7) != 0)
		return SIM800_ERR_INVAL;
	/* ssl-r1308-httpssl-error-702: the probe said no: fail before anything is sent. */
	if (https && m->caps.httpssl == SIM800_CAP_NO)
		return SIM800_ERR_TLS_UNSUPPORTED;
	/* A context left by a previous host or request (http-httpinit-twice-error). */
	enum sim800_err e = sim800_exec(m, "AT+HTTPTERM", 0);
	if (transport_fail(e))
		return e;
	e = request(m, req, res, https);
	/* Keep what the module answered across the clean-up. */
	struct sim800_last said = m->last;
	enum sim800_err t = sim800_exec(m, "AT+HTTPTERM", 0);
	m->last = said;
	m->last.err = e;
	if (e == SIM800_OK && transport_fail(t))
		return t;
	return e;
}
