/* cmd_tcpip.c - the CIP commands: +CSTT +CIICR +CIFSR +CIPSTART +CIPSEND +CIPCLOSE +CIPSHUT
 * +CIPSTATUS +CIPRXGET +CIPMUX ... (MAN chapter 8; sim800-facts.md §5). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "modem_internal.h"
#include "netmap.h"
#include "respond.h"
#include "svc_tcp.h"

static const struct at_result res_cant = {.kind = AT_RES_CME, .code = 3}; /* operation not allowed */

static struct at_result text(struct svc_tcp *t, const char *fmt, int id, size_t len)
{
	if (t->mux)
		snprintf(t->result, sizeof t->result, fmt, id, len);
	else
		snprintf(t->result, sizeof t->result, fmt, len);
	return (struct at_result){.kind = AT_RES_TEXT, .text = t->result};
}

static struct at_result bool_flag(struct sim_modem *m, const struct at_cmd *c, const char *name,
				  bool *val)
{
	int v = *val;
	struct at_result r = cmd_setting(m, c, name, "(0,1)", &v, 0, 1);
	*val = v != 0;
	return r;
}

#define TCP_OR_ERROR(m, t)                                                                         \
	struct svc_tcp *t = svc_tcp_get(m);                                                        \
	if (!t)                                                                                    \
		return RES_ERROR

static struct at_result cmd_cipmux(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	/* Only in IP INITIAL (SIM900 manual; facts §5.2). */
	if (c->op == AT_OP_SET && (t->ip != CIP_IP_INITIAL || t->cipmode == 1))
		return RES_ERROR;
	return bool_flag(m, c, "+CIPMUX", &t->mux);
}

static struct at_result cmd_cipqsend(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return bool_flag(m, c, "+CIPQSEND", &t->qsend);
}

static struct at_result cmd_ciphead(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return bool_flag(m, c, "+CIPHEAD", &t->head);
}

static struct at_result cmd_cipsrip(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return bool_flag(m, c, "+CIPSRIP", &t->srip);
}

static struct at_result cmd_cipshowtp(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return bool_flag(m, c, "+CIPSHOWTP", &t->showtp);
}

static struct at_result cmd_cipsprt(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return cmd_setting(m, c, "+CIPSPRT", "(0,1,2)", &t->sprt, 0, 2);
}

static struct at_result cmd_cipssl(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	return cmd_setting(m, c, "+CIPSSL", "(0-1)", &t->ssl, 0, 1);
}

/* AT+CIPMODE=1: transparent mode, single connection only, set in IP INITIAL (MAN §8.2.22). */
static struct at_result cmd_cipmode(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CIPMODE: (0-NORMAL MODE,1-TRANSPARENT MODE)");
		return RES_OK;
	}
	if (c->op == AT_OP_SET && (t->ip != CIP_IP_INITIAL || t->mux))
		return RES_ERROR;
	return cmd_setting(m, c, "+CIPMODE", "", &t->cipmode, 0, 1);
}

static struct at_result cmd_cipccfg(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	static const int def[7] = {5, 2, 1024, 1, 0, 1460, 50};
	static const int lo[7] = {3, 2, 1, 0, 0, 50, 20}, hi[7] = {8, 10, 1460, 1, 1, 1460, 1000};
	if (!t->ccfg[0])
		memcpy(t->ccfg, def, sizeof def);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CIPCCFG: (NmRetry:3-8),(WaitTm:2-10),(SendSz:1-1460),(esc:0,1) ,"
				 "(Rxmode:0,1),(RxSize:50-1460),(Rxtimer:20-1000)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CIPCCFG: %d,%d,%d,%d,%d,%d,%d", t->ccfg[0], t->ccfg[1], t->ccfg[2],
			      t->ccfg[3], t->ccfg[4], t->ccfg[5], t->ccfg[6]);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct at_tok tok;
	cmd_tok(c, &tok);
	int v[7];
	memcpy(v, t->ccfg, sizeof v);
	for (int i = 0; i < 7; i++) {
		long x;
		enum at_tok_res r = at_tok_next_int(&tok, &x);
		if (r == AT_TOK_END)
			break;
		if (r == AT_TOK_EMPTY)
			continue;
		if (r != AT_TOK_OK || x < lo[i] || x > hi[i])
			return RES_ERROR;
		v[i] = (int)x;
	}
	if (!at_tok_at_end(&tok))
		return RES_ERROR;
	memcpy(t->ccfg, v, sizeof v);
	return RES_OK;
}

/* AT+CSTT: only in IP INITIAL, which it leaves for IP START (MAN §8.2.9). */
static struct at_result cmd_cstt(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CSTT: \"APN\",\"USER\",\"PWD\"");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CSTT: \"%s\",\"%s\",\"%s\"", t->apn, t->user, t->pwd);
		return RES_OK;
	case AT_OP_EXEC:
	case AT_OP_SET:
		break;
	}
	if (t->ip != CIP_IP_INITIAL)
		return RES_ERROR;
	if (c->op == AT_OP_SET) {
		struct at_tok tok;
		cmd_tok(c, &tok);
		char apn[65] = "", user[33] = "", pwd[33] = "";
		if (at_tok_next_any(&tok, apn, sizeof apn, NULL) != AT_TOK_OK)
			return RES_ERROR;
		enum at_tok_res r = at_tok_next_any(&tok, user, sizeof user, NULL);
		if (r != AT_TOK_OK && r != AT_TOK_END && r != AT_TOK_EMPTY)
			return RES_ERROR;
		r = at_tok_next_any(&tok, pwd, sizeof pwd, NULL);
		if ((r != AT_TOK_OK && r != AT_TOK_END && r != AT_TOK_EMPTY) || !at_tok_at_end(&tok))
			return RES_ERROR;
		strcpy(t->apn, apn);
		strcpy(t->user, user);
		strcpy(t->pwd, pwd);
	}
	t->ip = CIP_IP_START;
	return RES_OK;
}

/* AT+CIICR: IP START -> IP GPRSACT; needs GPRS attach (the delay is the profile's). */
static struct at_result cmd_ciicr(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op != AT_OP_EXEC)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	if (t->ip != CIP_IP_START || !netstate_attached(m))
		return RES_ERROR;
	t->ip = CIP_IP_GPRSACT;
	return RES_OK;
}

/* AT+CIFSR: the bare IP line and no OK (MAN §8.2.11; facts §10 item 1). */
static struct at_result cmd_cifsr(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op != AT_OP_EXEC)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	if (t->ip < CIP_IP_GPRSACT || t->ip == CIP_PDP_DEACT)
		return RES_ERROR;
	respond_infof(m, "%s", t->local_ip);
	t->ip = CIP_IP_STATUS;
	return RES_NONE;
}

static void start_now(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (t)
		svc_tcp_open(t, t->start_id, t->start_udp, t->start_host, t->start_port);
}

static void already_connected(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	if (t->mux)
		modem_urc(m, "%d, ALREADY CONNECT", t->start_id);
	else
		modem_urc(m, "ALREADY CONNECT");
}

/* AT+CIPSTART: OK, then CONNECT OK / CONNECT FAIL / ALREADY CONNECT as URCs (MAN §8.2.2). */
static struct at_result cmd_cipstart(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST) {
		if (t->mux)
			respond_infof(m, "+CIPSTART: (0-5),(\"TCP\",\"UDP\"),(\"(0-255).(0-255).(0-255)."
					 "(0-255)\",\"DOMAIN NAME\"),(1-65535)");
		else
			respond_infof(m, "+CIPSTART: (\"TCP\",\"UDP\"),(\"(0-255).(0-255).(0-255).(0-255)\","
					 "\"DOMAIN NAME\"),(1-65535)");
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct at_tok tok;
	cmd_tok(c, &tok);
	long id = 0, port;
	char mode[8], host[256], portstr[8];
	if (t->mux && (at_tok_next_int(&tok, &id) != AT_TOK_OK || id < 0 || id >= CIP_MAX_CONN))
		return RES_ERROR;
	if (at_tok_next_any(&tok, mode, sizeof mode, NULL) != AT_TOK_OK ||
	    at_tok_next_any(&tok, host, sizeof host, NULL) != AT_TOK_OK ||
	    at_tok_next_any(&tok, portstr, sizeof portstr, NULL) != AT_TOK_OK || !at_tok_at_end(&tok))
		return RES_ERROR;
	struct at_tok pt;
	at_tok_init(&pt, portstr, strlen(portstr));
	if (at_tok_next_int(&pt, &port) != AT_TOK_OK || port < 1 || port > 65535 || !host[0])
		return RES_ERROR;
	bool udp = strcasecmp(mode, "UDP") == 0;
	if (!udp && strcasecmp(mode, "TCP") != 0)
		return RES_ERROR;
	/* Single mode may start from IP INITIAL (the module brings the context up itself, 160 s
	 * max) or IP STATUS; multi mode only from IP STATUS; never in IP GPRSACT before AT+CIFSR
	 * (field-bugs.md reg-cifsr-has-no-ok) or after +PDP: DEACT until AT+CIPSHUT. */
	if (t->ip == CIP_IP_INITIAL && !t->mux) {
		if (!netstate_attached(m))
			return RES_ERROR;
		t->ip = CIP_IP_STATUS;
	} else if (t->ip != CIP_IP_STATUS) {
		return RES_ERROR;
	}
	t->start_id = (int)id;
	if (svc_tcp_conn_open(&t->conn[id])) {
		m->disp.after_final = already_connected;
		return RES_OK;
	}
	t->start_udp = udp;
	snprintf(t->start_host, sizeof t->start_host, "%s", host);
	t->start_port = (unsigned)port;
	m->disp.after_final = start_now;
	return RES_OK;
}

static void send_done(struct sim_modem *m, void *ctx, const uint8_t *data, size_t n,
		      enum datamode_end how)
{
	(void)ctx;
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	if (how == DATAMODE_ESC) {
		/* ESC: nothing is sent (MAN §8.2.3). The answer is not in the facts: UNCERTAIN. */
		modem_command_done(m, RES_OK);
		return;
	}
	if (n == 0) {
		modem_command_done(m, RES_ERROR);
		return;
	}
	t->send_len = n;
	enum svc_tcp_send_res r = svc_tcp_send(t, t->send_id, data, n);
	if (r == SVC_TCP_SEND_PENDING) {
		t->send_waiting = true;
		return;
	}
	svc_tcp_sent(m, t->send_id, r == SVC_TCP_SEND_DONE);
}

void svc_tcp_sent(struct sim_modem *m, int id, bool ok)
{
	struct svc_tcp *t = m->tcp;
	if (!t || id != t->send_id)
		return;
	t->send_waiting = false;
	if (!ok) {
		modem_command_done(m, text(t, t->mux ? "%d, SEND FAIL" : "SEND FAIL", id, 0));
		return;
	}
	if (t->sprt == 2) {
		modem_command_done(m, RES_NONE); /* AT+CIPSPRT=2: neither prompt nor SEND OK */
		return;
	}
	if (t->qsend)
		modem_command_done(m, text(t, t->mux ? "DATA ACCEPT:%d,%zu" : "DATA ACCEPT:%zu", id,
					   t->send_len));
	else
		modem_command_done(m, text(t, t->mux ? "%d, SEND OK" : "SEND OK", id, 0));
}

/* AT+CIPSEND: "> " with no line end, then a fixed length or up to Ctrl-Z (MAN §8.2.3). */
static struct at_result cmd_cipsend(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	unsigned max = m->profile->cip_send_max;
	if (t->cipmode == 1 && c->op != AT_OP_TEST)
		return RES_ERROR; /* transparent mode sends by data mode, not CIPSEND */
	if (c->op == AT_OP_TEST) {
		if (t->mux)
			respond_infof(m, "+CIPSEND: (0-5),(1-%u)", max);
		else
			respond_infof(m, "+CIPSEND: (1-%u)", max);
		return RES_OK;
	}
	if (c->op == AT_OP_READ) {
		if (!t->mux) {
			respond_infof(m, "+CIPSEND:%u", max);
		} else {
			for (int i = 0; i < CIP_MAX_CONN; i++)
				respond_infof(m, "+CIPSEND:%d,%u", i,
					      t->conn[i].st == CIP_CONN_CONNECTED ? max : 0);
		}
		return RES_OK;
	}
	long id = 0, len = 0;
	struct at_tok tok;
	cmd_tok(c, &tok);
	if (c->op == AT_OP_EXEC) {
		if (t->mux)
			return RES_ERROR;
	} else if (t->mux) {
		if (at_tok_next_int(&tok, &id) != AT_TOK_OK || id < 0 || id >= CIP_MAX_CONN)
			return RES_ERROR;
		if (at_tok_next_int_default(&tok, &len, 0) != AT_TOK_OK)
			return RES_ERROR;
	} else if (at_tok_next_int(&tok, &len) != AT_TOK_OK) {
		return RES_ERROR;
	}
	if (!at_tok_at_end(&tok) || len < 0 || (unsigned long)len > max ||
	    (c->op == AT_OP_SET && !t->mux && len == 0))
		return RES_ERROR;
	if (t->conn[id].st != CIP_CONN_CONNECTED)
		return res_cant;
	t->send_id = (int)id;
	t->send_waiting = false;
	if (t->sprt != 0 && t->sprt != 2)
		modem_send(m, "\r\n> ", 4); /* no line end after the prompt (facts §0) */
	/* Echo of the payload with ATE1: UNCERTAIN (no capture); we echo as in command state. */
	const struct datamode_cfg cfg = {
		.length = (size_t)len,
		.max = max,
		.echo = m->v.echo,
		.done = send_done,
	};
	datamode_start(m, &cfg);
	return RES_ASYNC;
}

/* AT+CIPCLOSE: "CLOSE OK" / "<n>, CLOSE OK"; a link that is not open: ERROR, or
 * "+CME ERROR: operation not allowed" (field-bugs.md cip-close-unopened-cme-not-allowed). */
static struct at_result cmd_cipclose(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST) {
		respond_infof(m, t->mux ? "+CIPCLOSE: (0-5),(0,1)" : "+CIPCLOSE: (0,1)");
		return RES_OK;
	}
	if (c->op == AT_OP_READ)
		return RES_ERROR;
	long id = 0, quick;
	struct at_tok tok;
	cmd_tok(c, &tok);
	if (t->mux) {
		if (c->op != AT_OP_SET || at_tok_next_int(&tok, &id) != AT_TOK_OK || id < 0 ||
		    id >= CIP_MAX_CONN)
			return RES_ERROR;
	}
	if (at_tok_next_int_default(&tok, &quick, 0) != AT_TOK_OK || quick < 0 || quick > 1 ||
	    !at_tok_at_end(&tok))
		return RES_ERROR;
	if (!svc_tcp_conn_open(&t->conn[id]))
		return t->mux ? res_cant : RES_ERROR;
	svc_tcp_close(t, (int)id);
	return text(t, t->mux ? "%d, CLOSE OK" : "CLOSE OK", (int)id, 0);
}

static struct at_result cmd_cipshut(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	svc_tcp_shut(t);
	return (struct at_result){.kind = AT_RES_TEXT, .text = "SHUT OK"};
}

static void conn_line(struct sim_modem *m, const char *prefix, const struct cip_conn *c)
{
	if (c->st == CIP_CONN_INITIAL)
		respond_infof(m, "%s%d,,\"\",\"\",\"\",\"INITIAL\"", prefix, c->id);
	else
		respond_infof(m, "%s%d,0,\"%s\",\"%s\",\"%u\",\"%s\"", prefix, c->id,
			      c->udp ? "UDP" : "TCP", c->ip[0] ? c->ip : c->host, c->port,
			      svc_tcp_conn_state_name(c));
}

/* After the OK: "STATE: ..." and, in multi mode, one "C:" line per connection (MAN §8.2.12). */
static void status_lines(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	respond_infof(m, "STATE: %s", svc_tcp_state_name(t));
	if (t->mux)
		for (int i = 0; i < CIP_MAX_CONN; i++)
			conn_line(m, "C: ", &t->conn[i]);
}

static struct at_result cmd_cipstatus(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op == AT_OP_SET) {
		long id;
		if (!t->mux || !cmd_int_arg(c, 0, CIP_MAX_CONN - 1, 0, &id))
			return RES_ERROR;
		conn_line(m, "+CIPSTATUS: ", &t->conn[id]);
		return RES_OK;
	}
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	m->disp.after_final = status_lines; /* OK comes first (facts §10 item 2) */
	return RES_OK;
}

/* AT+CIPRXGET: manual reading; fields of "2": returned, then still buffered (facts §10 item 10). */
static struct at_result cmd_ciprxget(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, t->mux ? "+CIPRXGET: (0-4),(0-5),(1-1460)" : "+CIPRXGET: (0-4),(1-1460)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CIPRXGET: %d", t->rxget);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct at_tok tok;
	cmd_tok(c, &tok);
	long mode, id = 0, len = 0;
	if (at_tok_next_int(&tok, &mode) != AT_TOK_OK || mode < 0 || mode > 4)
		return RES_ERROR;
	if (mode <= 1) {
		if (!at_tok_at_end(&tok))
			return RES_ERROR;
		t->rxget = (int)mode;
		return RES_OK;
	}
	if (t->rxget != 1)
		return RES_ERROR;
	if (t->mux && (at_tok_next_int(&tok, &id) != AT_TOK_OK || id < 0 || id >= CIP_MAX_CONN))
		return RES_ERROR;
	if (mode != 4 && at_tok_next_int(&tok, &len) != AT_TOK_OK)
		return RES_ERROR;
	if (!at_tok_at_end(&tok) || (mode != 4 && len < 1))
		return RES_ERROR;
	struct cip_conn *conn = &t->conn[id];
	/* A closed link with nothing left: ERROR, so a reader's loop ends. */
	if (conn->rx_len == 0 && conn->st != CIP_CONN_CONNECTED)
		return RES_ERROR;
	char idp[8] = "";
	if (t->mux)
		snprintf(idp, sizeof idp, "%ld,", id);
	if (mode == 4) {
		respond_infof(m, "+CIPRXGET: 4,%s%zu", idp, conn->rx_len);
		return RES_OK;
	}
	size_t cap = mode == 2 ? CIP_RXGET_MAX : CIP_RXGET_HEX_MAX;
	uint8_t buf[CIP_RXGET_MAX];
	size_t got = svc_tcp_take(t, (int)id, buf, (size_t)len < cap ? (size_t)len : cap);
	respond_infof(m, "+CIPRXGET: %ld,%s%zu,%zu", mode, idp, got, conn->rx_len);
	if (mode == 2) {
		modem_send(m, buf, got);
	} else {
		static const char hex[] = "0123456789ABCDEF";
		char h[2 * CIP_RXGET_HEX_MAX];
		for (size_t i = 0; i < got; i++) {
			h[2 * i] = hex[buf[i] >> 4];
			h[2 * i + 1] = hex[buf[i] & 15];
		}
		modem_send(m, h, 2 * got);
	}
	return RES_OK;
}

static void dns_answer(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	char ip[64];
	if (netmap_lookup(m->opt->netmap, t->dns_name, ip, sizeof ip) == NETMAP_OK)
		modem_urc(m, "+CDNSGIP: 1,\"%s\",\"%s\"", t->dns_name, ip);
	else
		modem_urc(m, "+CDNSGIP: 0,8"); /* 8: DNS COMMON ERROR (MAN §8.2.14) */
}

/* AT+CDNSGIP: OK, then the answer as a URC; names come from the --host map only. */
static struct at_result cmd_cdnsgip(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct at_tok tok;
	cmd_tok(c, &tok);
	if (at_tok_next_any(&tok, t->dns_name, sizeof t->dns_name, NULL) != AT_TOK_OK ||
	    !at_tok_at_end(&tok) || !t->dns_name[0])
		return RES_ERROR;
	if (t->ip < CIP_IP_GPRSACT || t->ip == CIP_PDP_DEACT)
		return RES_ERROR;
	m->disp.after_final = dns_answer;
	return RES_OK;
}

static struct at_result cmd_cdnscfg(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CDNSCFG: (\"Primary DNS\"),(\"Secondary DNS\")");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "PrimaryDns: %s", t->dns_pri[0] ? t->dns_pri : "0.0.0.0");
		respond_infof(m, "SecondaryDns: %s", t->dns_sec[0] ? t->dns_sec : "0.0.0.0");
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct at_tok tok;
	cmd_tok(c, &tok);
	char pri[64], sec[64] = "";
	if (at_tok_next_any(&tok, pri, sizeof pri, NULL) != AT_TOK_OK)
		return RES_ERROR;
	enum at_tok_res r = at_tok_next_any(&tok, sec, sizeof sec, NULL);
	if ((r != AT_TOK_OK && r != AT_TOK_END) || !at_tok_at_end(&tok))
		return RES_ERROR;
	strcpy(t->dns_pri, pri);
	strcpy(t->dns_sec, sec);
	return RES_OK;
}

/* AT+CIPACK: sent, acknowledged, not acknowledged; loopback acknowledges everything at once. */
static struct at_result cmd_cipack(struct sim_modem *m, const struct at_cmd *c)
{
	TCP_OR_ERROR(m, t);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	long id = 0;
	if (t->mux && !cmd_int_arg(c, 0, CIP_MAX_CONN - 1, 0, &id))
		return RES_ERROR;
	if (!t->mux && c->op != AT_OP_EXEC)
		return RES_ERROR;
	if (!svc_tcp_conn_open(&t->conn[id]))
		return RES_ERROR;
	unsigned long long n = (unsigned long long)t->conn[id].tx_total;
	respond_infof(m, "+CIPACK: %llu, %llu, 0", n, n);
	return RES_OK;
}

const struct cmd_entry cmd_tcpip_table[] = {
	{"+CIPMUX", cmd_cipmux, 0},
	{"+CSTT", cmd_cstt, 0},
	{"+CIICR", cmd_ciicr, 0},
	{"+CIFSR", cmd_cifsr, 0},
	{"+CIPSTART", cmd_cipstart, 0},
	{"+CIPSEND", cmd_cipsend, 0},
	{"+CIPQSEND", cmd_cipqsend, 0},
	{"+CIPCLOSE", cmd_cipclose, 0},
	{"+CIPSHUT", cmd_cipshut, 0},
	{"+CIPSTATUS", cmd_cipstatus, 0},
	{"+CIPHEAD", cmd_ciphead, 0},
	{"+CIPSRIP", cmd_cipsrip, 0},
	{"+CIPSHOWTP", cmd_cipshowtp, 0},
	{"+CIPSPRT", cmd_cipsprt, 0},
	{"+CIPRXGET", cmd_ciprxget, 0},
	{"+CDNSGIP", cmd_cdnsgip, 0},
	{"+CDNSCFG", cmd_cdnscfg, 0},
	{"+CIPACK", cmd_cipack, 0},
	{"+CIPCCFG", cmd_cipccfg, 0},
	{"+CIPMODE", cmd_cipmode, 0},
	{"+CIPSSL", cmd_cipssl, CMD_CAP_SSL},
	{NULL, NULL, 0},
};
