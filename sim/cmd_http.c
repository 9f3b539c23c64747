/* cmd_http.c - bearer and HTTP application commands: +SAPBR, +HTTPINIT/PARA/DATA/ACTION/READ/
 * HEAD/STATUS/SSL/TERM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "brownout.h"
#include "cmd_util.h"
#include "dispatch.h"
#include "http_state.h"
#include "modem_internal.h"
#include "respond.h"
#include "transcript.h"

/*
 * Where sim800-facts.md §6 is silent, state errors answer plain ERROR (HTTPPARA, HTTPDATA,
 * HTTPREAD... before HTTPINIT; HTTPACTION without a URL; HTTPREAD with no data), as the
 * documented cases do (HTTPINIT twice, HTTPTERM when not initialised: field bug
 * http-httpinit-twice-error). While an action runs, HTTP commands answer "operation not
 * allowed" (+CME ERROR: 3, plain ERROR under AT+CMEE=0), field bug http-action-slow-and-busy;
 * AT+HTTPSTATUS? and AT+SAPBR=2 still answer, AT+HTTPTERM aborts the action.
 */
#define RES_BUSY RES_CME(3)
#define RES_NOMEM RES_CME(23) /* memory failure (MAN §19.1) */

/* AT+SAPBR=2 on a closed bearer (SO, PYT: +SAPBR: 1,3,"0.0.0.0"). */
static const char *const closed_ip = "0.0.0.0";

/* A string or number argument, allocated; NULL when absent or not a value. */
static char *next_value(struct at_tok *t, size_t cap)
{
	char *v = malloc(cap + 1);
	if (!v)
		return NULL;
	if (at_tok_next_any(t, v, cap + 1, NULL) != AT_TOK_OK) {
		free(v);
		return NULL;
	}
	return v;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* ---- AT+SAPBR (facts §6.1) ---- */

/* Set one bearer parameter; tag names are case-insensitive (drivers send "Contype"). */
static bool sapbr_set(struct http_bearer *b, const char *tag, const char *val)
{
	size_t n = strlen(val);
	if (strcasecmp(tag, "CONTYPE") == 0) {
		if (strcasecmp(val, "GPRS") != 0 && strcasecmp(val, "CSD") != 0)
			return false;
		snprintf(b->contype, sizeof b->contype, "%s", strcasecmp(val, "CSD") ? "GPRS" : "CSD");
	} else if (strcasecmp(tag, "APN") == 0) {
		if (n > HTTP_APN_MAX)
			return false;
		memcpy(b->apn, val, n + 1);
	} else if (strcasecmp(tag, "USER") == 0 || strcasecmp(tag, "PWD") == 0 ||
		   strcasecmp(tag, "PHONENUM") == 0) {
		char *f = strcasecmp(tag, "USER") == 0 ? b->user
			  : strcasecmp(tag, "PWD") == 0 ? b->pwd : b->phonenum;
		if (n > HTTP_USER_MAX)
			return false;
		memcpy(f, val, n + 1);
	} else if (strcasecmp(tag, "RATE") == 0) {
		long r;
		if (!parse_long(val, 0, 3, &r))
			return false;
		b->rate = (int)r;
	} else {
		return false;
	}
	return true;
}

/* AT+SAPBR=4: "+SAPBR:" then one "TAG: value" line each, as real modules print it (SIM900
 * AT Command Tester log, forum logs); the manual's "<tag>,<value>" is not what is seen. */
static void sapbr_get(struct sim_modem *m, const struct http_bearer *b)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf,
			 "CONTYPE: %s\r\nAPN: %s\r\nPHONENUM: %s\r\nUSER: %s\r\nPWD: %s\r\nRATE: %d",
			 b->contype, b->apn, b->phonenum, b->user, b->pwd, b->rate);
	respond_info(m, "+SAPBR:", 7);
	if (n > 0) {
		modem_send(m, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
		modem_send(m, "\r\n", 2);
	}
}

static struct at_result cmd_sapbr(struct sim_modem *m, const struct at_cmd *c)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+SAPBR: (0-4),(1-3), \"ConParamTag\",\"ConParamValue\"");
		return RES_OK;
	case AT_OP_READ:
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct svc_http *s = svc_http_get(m);
	if (!s)
		return RES_NOMEM;
	svc_http_sync(m);
	struct at_tok t;
	cmd_tok(c, &t);
	long cmd, cid;
	if (at_tok_next_int(&t, &cmd) != AT_TOK_OK || cmd < 0 || cmd > 4 ||
	    at_tok_next_int(&t, &cid) != AT_TOK_OK || cid < 1 || cid > HTTP_BEARERS)
		return RES_ERROR;
	struct http_bearer *b = &s->bearer[cid - 1];
	if (cmd == 3) {
		char tag[16];
		if (at_tok_next_any(&t, tag, sizeof tag, NULL) != AT_TOK_OK)
			return RES_ERROR;
		char *val = next_value(&t, c->args_len);
		bool ok = val && at_tok_at_end(&t) && sapbr_set(b, tag, val);
		free(val);
		return ok ? RES_OK : RES_ERROR;
	}
	if (!at_tok_at_end(&t))
		return RES_ERROR;
	char ip[32];
	switch (cmd) {
	case 0:
		/* Closing a closed bearer: ERROR (field bug reg-sapbr-open-error-when-open). */
		if (b->status == HTTP_BEARER_CLOSED)
			return RES_ERROR;
		b->status = HTTP_BEARER_CLOSED;
		if (s->act == HTTP_ACT_RUNNING && s->par.cid == cid) {
			/* The action loses its network: 601 once the OK is out. */
			svc_http_action_abort(m);
			svc_http_action_done(m, HTTP_ST_NETWORK);
		}
		return RES_OK;
	case 1:
		/* Open while open or connecting: ERROR (reg-sapbr-open-error-when-open). No GPRS
		 * attach: ERROR, after the profile's +SAPBR delay that dispatch already applied. */
		if (b->status == HTTP_BEARER_CONNECTED || b->status == HTTP_BEARER_CONNECTING)
			return RES_ERROR;
		if (!netstate_attached(m)) {
			transcript_note(m->log, m->index, "SAPBR=1,%ld: GPRS not attached", cid);
			return RES_ERROR;
		}
		if (brownout_due(m, BROWNOUT_ATTACH))
			return RES_ASYNC; /* no answer: the supply is gone (pwr-reset-on-gprs-attach) */
		const char *why = netstate_activation_refused(m, b->apn);
		if (why) {
			transcript_note(m->log, m->index, "SAPBR=1,%ld refused: %s", cid, why);
			return RES_ERROR;
		}
		b->status = HTTP_BEARER_CONNECTED;
		return RES_OK;
	case 2:
		if (b->status == HTTP_BEARER_CLOSED)
			snprintf(ip, sizeof ip, "%s", closed_ip);
		else
			svc_http_bearer_ip(m, (int)cid, ip, sizeof ip);
		respond_infof(m, "+SAPBR: %ld,%d,\"%s\"", cid, (int)b->status, ip);
		return RES_OK;
	default:
		sapbr_get(m, b);
		return RES_OK;
	}
}

/* ---- HTTP context ---- */

/* The context for a command that needs HTTPINIT and no running action; NULL with *r set. */
static struct svc_http *ctx_idle(struct sim_modem *m, struct at_result *r)
{
	struct svc_http *s = m->http;
	if (!s || !s->inited) {
		*r = RES_ERROR;
		return NULL;
	}
	if (s->act != HTTP_ACT_IDLE) {
		*r = RES_BUSY;
		return NULL;
	}
	return s;
}

static struct at_result cmd_httpinit(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	struct svc_http *s = svc_http_get(m);
	if (!s)
		return RES_NOMEM;
	/* Already initialised: ERROR (field bug http-httpinit-twice-error; facts §6.2 UNCERTAIN,
	 * "likely ERROR"), so drivers that skip HTTPTERM see it. */
	if (s->inited)
		return s->act != HTTP_ACT_IDLE ? RES_BUSY : RES_ERROR;
	return svc_http_init(m) ? RES_OK : RES_NOMEM;
}

static struct at_result cmd_httpterm(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	struct svc_http *s = m->http;
	if (!s || !s->inited)
		return RES_ERROR; /* field bug http-httpinit-twice-error */
	/* A driver's way out of a stuck action (field bug http-action-slow-and-busy): the action
	 * ends without a URC. */
	svc_http_action_abort(m);
	s->inited = false;
	svc_http_params_free(&s->par);
	svc_http_buf_free(&s->post);
	svc_http_buf_free(&s->body);
	svc_http_buf_free(&s->head);
	s->have_post = false;
	s->have_result = false;
	return RES_OK;
}

/* Replace an owned string parameter. */
static bool set_str(char **field, char *val)
{
	free(*field);
	*field = val;
	return true;
}

static bool httppara_set(struct http_params *p, const char *tag, char *val)
{
	long v;
	if (strcasecmp(tag, "URL") == 0)
		return set_str(&p->url, val);
	if (strcasecmp(tag, "UA") == 0)
		return set_str(&p->ua, val);
	if (strcasecmp(tag, "PROIP") == 0)
		return set_str(&p->proip, val);
	if (strcasecmp(tag, "CONTENT") == 0)
		return set_str(&p->content, val);
	if (strcasecmp(tag, "USERDATA") == 0)
		return set_str(&p->userdata, val);
	bool ok = false;
	if (strcasecmp(tag, "CID") == 0 && parse_long(val, 1, HTTP_BEARERS, &v)) {
		p->cid = (int)v;
		ok = true;
	} else if (strcasecmp(tag, "PROPORT") == 0 && parse_long(val, 0, 65535, &v)) {
		p->proport = v;
		ok = true;
	} else if (strcasecmp(tag, "REDIR") == 0 && parse_long(val, 0, 1, &v)) {
		p->redir = (int)v;
		ok = true;
	} else if (strcasecmp(tag, "BREAK") == 0 && parse_long(val, 0, 0x7fffffffL, &v)) {
		p->brk = v;
		ok = true;
	} else if (strcasecmp(tag, "BREAKEND") == 0 && parse_long(val, 0, 0x7fffffffL, &v)) {
		p->brkend = v;
		ok = true;
	} else if (strcasecmp(tag, "TIMEOUT") == 0 &&
		   parse_long(val, HTTP_TIMEOUT_MIN, HTTP_TIMEOUT_MAX, &v)) {
		p->timeout = v;
		ok = true;
	}
	free(val);
	return ok;
}

/* AT+HTTPPARA?: one "+HTTPPARA: <tag>,<value>" line per tag (facts §6.2). UNCERTAIN: the
 * facts give the shape of one line only; strings are quoted, numbers bare. */
static void httppara_read(struct sim_modem *m, const struct http_params *p)
{
	respond_infof(m, "+HTTPPARA: CID,%d", p->cid);
	respond_infof(m, "+HTTPPARA: URL,\"%s\"", p->url ? p->url : "");
	respond_infof(m, "+HTTPPARA: UA,\"%s\"", p->ua ? p->ua : "SIMCOM_MODULE");
	respond_infof(m, "+HTTPPARA: PROIP,\"%s\"", p->proip ? p->proip : "0.0.0.0");
	respond_infof(m, "+HTTPPARA: PROPORT,%ld", p->proport);
	respond_infof(m, "+HTTPPARA: REDIR,%d", p->redir);
	respond_infof(m, "+HTTPPARA: BREAK,%ld", p->brk);
	respond_infof(m, "+HTTPPARA: BREAKEND,%ld", p->brkend);
	respond_infof(m, "+HTTPPARA: TIMEOUT,%ld", p->timeout);
	respond_infof(m, "+HTTPPARA: CONTENT,\"%s\"", p->content ? p->content : "");
	respond_infof(m, "+HTTPPARA: USERDATA,\"%s\"", p->userdata ? p->userdata : "");
}

static struct at_result cmd_httppara(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		/* UNCERTAIN: shaped like AT+SAPBR=? (facts §6.1); the facts give no HTTPPARA=?. */
		respond_infof(m, "+HTTPPARA: \"HTTPParamTag\",\"HTTPParamValue\"");
		return RES_OK;
	}
	if (c->op == AT_OP_EXEC)
		return RES_ERROR;
	struct at_result r;
	struct svc_http *s = ctx_idle(m, &r);
	if (!s)
		return r;
	if (c->op == AT_OP_READ) {
		httppara_read(m, &s->par);
		return RES_OK;
	}
	struct at_tok t;
	cmd_tok(c, &t);
	char tag[16];
	if (at_tok_next_any(&t, tag, sizeof tag, NULL) != AT_TOK_OK)
		return RES_ERROR;
	char *val = next_value(&t, c->args_len);
	if (!val)
		return RES_ERROR;
	if (!at_tok_at_end(&t)) {
		free(val);
		return RES_ERROR;
	}
	return httppara_set(&s->par, tag, val) ? RES_OK : RES_ERROR;
}

static void httpdata_done(struct sim_modem *m, void *ctx, const uint8_t *data, size_t n,
			  enum datamode_end how)
{
	(void)ctx;
	struct svc_http *s = m->http;
	if (!s || (how != DATAMODE_COMPLETE && how != DATAMODE_TIMEOUT)) {
		modem_command_done(m, RES_ERROR);
		return;
	}
	/* The time limit ends the input with what arrived, still OK (IPAN §3.3 names only the
	 * complete case; UNCERTAIN: a short upload is taken as the body, as drivers report). */
	if (how == DATAMODE_TIMEOUT)
		transcript_note(m->log, m->index, "HTTPDATA: time limit after %zu bytes", n);
	svc_http_buf_free(&s->post);
	if (!svc_http_buf_append(&s->post, data, n, HTTP_DATA_MAX)) {
		modem_command_done(m, RES_NOMEM);
		return;
	}
	s->have_post = true;
	modem_command_done(m, RES_OK);
}

static struct at_result cmd_httpdata(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+HTTPDATA: (1-%d),(%d-%d)", HTTP_DATA_MAX, HTTP_DATA_TIME_MIN,
			      HTTP_DATA_TIME_MAX);
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct at_result r;
	struct svc_http *s = ctx_idle(m, &r);
	if (!s)
		return r;
	struct at_tok t;
	cmd_tok(c, &t);
	long size, ms;
	if (at_tok_next_int(&t, &size) != AT_TOK_OK || size < 1 || size > HTTP_DATA_MAX ||
	    at_tok_next_int(&t, &ms) != AT_TOK_OK || ms < HTTP_DATA_TIME_MIN ||
	    ms > HTTP_DATA_TIME_MAX || !at_tok_at_end(&t))
		return RES_ERROR;
	/* "DOWNLOAD" as a line, then exactly <size> bytes; not echoed (UNCERTAIN: the facts do
	 * not say; drivers send binary bodies here). */
	respond_info(m, "DOWNLOAD", 8);
	const struct datamode_cfg cfg = {
		.length = (size_t)size,
		.timeout = (double)ms / 1000.0,
		.echo = false,
		.done = httpdata_done,
	};
	if (!datamode_start(m, &cfg))
		return RES_ERROR;
	return RES_ASYNC;
}

static struct at_result cmd_httpaction(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+HTTPACTION: (0-2)");
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct svc_http *s = m->http;
	long method;
	if (!s || !s->inited || !cmd_int_arg(c, 0, 2, 0, &method))
		return RES_ERROR;
	svc_http_sync(m);
	/* Busy: OK now, 604 later (svc_http_action). */
	if (s->act == HTTP_ACT_IDLE && (!s->par.url || !s->par.url[0]))
		return RES_ERROR;
	svc_http_action(m, (enum http_method)method);
	return RES_OK;
}

static struct at_result cmd_httpread(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op == AT_OP_READ)
		return RES_ERROR;
	struct at_result r;
	struct svc_http *s = ctx_idle(m, &r);
	if (!s)
		return r;
	if (!s->have_result)
		return RES_ERROR;
	if (c->op == AT_OP_EXEC)
		return svc_http_send_block(m, "+HTTPREAD", s->body.p, s->body.len);
	struct at_tok t;
	cmd_tok(c, &t);
	long start, size;
	if (at_tok_next_int(&t, &start) != AT_TOK_OK || start < 0 ||
	    at_tok_next_int(&t, &size) != AT_TOK_OK || size < 1 || !at_tok_at_end(&t))
		return RES_ERROR;
	/* Past the end: an empty block, so a driver's read loop ends cleanly (facts §6.2: "returns
	 * actual size if smaller"). */
	size_t st = (size_t)start < s->body.len ? (size_t)start : s->body.len;
	size_t n = s->body.len - st;
	if ((size_t)size < n)
		n = (size_t)size;
	return svc_http_send_block(m, "+HTTPREAD", s->body.p ? s->body.p + st : NULL, n);
}

static struct at_result cmd_httphead(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	struct at_result r;
	struct svc_http *s = ctx_idle(m, &r);
	if (!s)
		return r;
	/* Only after AT+HTTPACTION=0 (facts §6.2). The block is the status line and header lines
	 * with their CRLFs; UNCERTAIN: no capture shows the exact bytes. */
	if (!s->have_result || s->result_method != HTTP_GET)
		return RES_ERROR;
	return svc_http_send_block(m, "+HTTPHEAD", s->head.p, s->head.len);
}

static struct at_result cmd_httpstatus(struct sim_modem *m, const struct at_cmd *c)
{
	static const char *const mode[] = {[HTTP_GET] = "GET", [HTTP_POST] = "POST",
					   [HTTP_HEAD] = "HEAD"};
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_READ)
		return RES_ERROR;
	struct svc_http *s = m->http;
	if (!s || !s->inited)
		return RES_ERROR;
	bool sending = false;
	size_t done = 0, remain = 0;
	int st = 0;
	if (s->act == HTTP_ACT_RUNNING && http_xfer_progress(m, &sending, &done, &remain))
		st = sending ? 2 : 1;
	else if (s->act == HTTP_ACT_FAILING)
		st = 1;
	/* IPAN §3.8: "+HTTPSTATUS: GET,1,1440,7915", idle "+HTTPSTATUS: GET,0,0,0". */
	respond_infof(m, "+HTTPSTATUS: %s,%d,%zu,%zu", mode[s->method], st, done, remain);
	return RES_OK;
}

/*
 * AT+HTTPSSL exists where the firmware has SSL at all (table caps): R13.08 answers ERROR to
 * every form (facts §6.3). On units with SSL but a refusing HTTP app (profile httpssl: false,
 * field bug id-cipssl-ok-httpssl-error) the read form answers "+HTTPSSL: 0" and =1 is ERROR.
 * The flag is per modem, kept across HTTPTERM/HTTPINIT: SSLAN sends it after HTTPINIT, but
 * drivers that send it earlier must not lose it (UNCERTAIN).
 */
static struct at_result cmd_httpssl(struct sim_modem *m, const struct at_cmd *c)
{
	struct svc_http *s = svc_http_get(m);
	if (!s)
		return RES_NOMEM;
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+HTTPSSL: (0-1)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+HTTPSSL: %d", s->ssl ? 1 : 0);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	long v;
	if (!cmd_int_arg(c, 0, 1, 0, &v))
		return RES_ERROR;
	if (v == 1 && !m->profile->cap_httpssl)
		return RES_ERROR;
	if (s->act != HTTP_ACT_IDLE)
		return RES_BUSY;
	s->ssl = v == 1;
	return RES_OK;
}

/* AT+CIPGSMLOC=<type>,<cid>: the serving cell's location over bearer <cid> (MAN; facts §9.1:
 * 60 s max). Type 1: "+CIPGSMLOC: 0,<lon>,<lat>,<date>,<time>" (facts field-bugs.md
 * tim-cipgsmloc-needs-10s), type 2: "+CIPGSMLOC: 0,<date>,<time>", then OK. How long it takes is
 * the profile's timing for +CIPGSMLOC (or the slow op). UNCERTAIN: the coordinates (made up),
 * the date/time format (yyyy/mm/dd,hh:mm:ss, UTC here), and 601 for a closed bearer. */
static struct at_result cmd_cipgsmloc(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CIPGSMLOC: (1,2),(1-3)");
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct at_tok t;
	cmd_tok(c, &t);
	long type, cid;
	if (at_tok_next_int(&t, &type) != AT_TOK_OK || type < 1 || type > 2 ||
	    at_tok_next_int(&t, &cid) != AT_TOK_OK || cid < 1 || cid > HTTP_BEARERS ||
	    !at_tok_at_end(&t))
		return RES_ERROR;
	struct svc_http *s = svc_http_get(m);
	if (!s)
		return RES_NOMEM;
	svc_http_sync(m);
	if (s->bearer[cid - 1].status != HTTP_BEARER_CONNECTED) {
		respond_infof(m, "+CIPGSMLOC: %d", HTTP_ST_NETWORK);
		return RES_OK;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y/%m/%d,%H:%M:%S", &tm);
	if (type == 1)
		respond_infof(m, "+CIPGSMLOC: 0,13.377704,52.516275,%s", when);
	else
		respond_infof(m, "+CIPGSMLOC: 0,%s", when);
	return RES_OK;
}

const struct cmd_entry cmd_http_table[] = {
	{"+SAPBR", cmd_sapbr, CMD_CAP_HTTP},
	{"+CIPGSMLOC", cmd_cipgsmloc, CMD_CAP_HTTP},
	{"+HTTPINIT", cmd_httpinit, CMD_CAP_HTTP},
	{"+HTTPTERM", cmd_httpterm, CMD_CAP_HTTP},
	{"+HTTPPARA", cmd_httppara, CMD_CAP_HTTP},
	{"+HTTPDATA", cmd_httpdata, CMD_CAP_HTTP},
	{"+HTTPACTION", cmd_httpaction, CMD_CAP_HTTP},
	{"+HTTPREAD", cmd_httpread, CMD_CAP_HTTP},
	{"+HTTPHEAD", cmd_httphead, CMD_CAP_HTTP},
	{"+HTTPSTATUS", cmd_httpstatus, CMD_CAP_HTTP},
	{"+HTTPSSL", cmd_httpssl, CMD_CAP_HTTP | CMD_CAP_SSL},
	{NULL, NULL, 0},
};
