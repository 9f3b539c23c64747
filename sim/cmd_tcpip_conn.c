/* cmd_tcpip_conn.c - CIP connections and their data: +CIPSTART +CIPSEND +CIPCLOSE +CIPRXGET +CIPACK
 * (MAN chapter 8; sim800-facts.md §5). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "brownout.h"
#include "cmd_tcpip_int.h"
#include "cmd_util.h"
#include "modem_internal.h"
#include "respond.h"

static const struct at_result res_cant = {.kind = AT_RES_CME, .code = 3}; /* operation not allowed */

static struct at_result text(struct svc_tcp *t, const char *fmt, int id, size_t len)
{
	if (t->mux)
		snprintf(t->result, sizeof t->result, fmt, id, len);
	else
		snprintf(t->result, sizeof t->result, fmt, len);
	return (struct at_result){.kind = AT_RES_TEXT, .text = t->result};
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
struct at_result cmd_tcpip_cipstart(struct sim_modem *m, const struct at_cmd *c)
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
	if (brownout_due(m, BROWNOUT_TX))
		return; /* taken, never sent, never answered (pwr-reset-on-gprs-attach) */
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
struct at_result cmd_tcpip_cipsend(struct sim_modem *m, const struct at_cmd *c)
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
struct at_result cmd_tcpip_cipclose(struct sim_modem *m, const struct at_cmd *c)
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

/* AT+CIPRXGET: manual reading; fields of "2": returned, then still buffered (facts §10 item 10). */
struct at_result cmd_tcpip_ciprxget(struct sim_modem *m, const struct at_cmd *c)
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

/* AT+CIPACK: sent, acknowledged, not acknowledged; loopback acknowledges everything at once. */
struct at_result cmd_tcpip_cipack(struct sim_modem *m, const struct at_cmd *c)
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
