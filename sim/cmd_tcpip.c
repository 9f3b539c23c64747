/* cmd_tcpip.c - the CIP command table; settings (+CIPMUX +CIPHEAD ...), bearer (+CSTT +CIICR +CIFSR
 * +CIPSHUT), +CIPSTATUS and DNS (MAN chapter 8; sim800-facts.md §5). Connections: cmd_tcpip_conn.c. */
#include <stdio.h>
#include <string.h>

#include "brownout.h"
#include "cmd_tcpip_int.h"
#include "cmd_util.h"
#include "modem_internal.h"
#include "netmap.h"
#include "respond.h"
#include "transcript.h"

static struct at_result bool_flag(struct sim_modem *m, const struct at_cmd *c, const char *name,
				  bool *val)
{
	int v = *val;
	struct at_result r = cmd_setting(m, c, name, "(0,1)", &v, 0, 1);
	*val = v != 0;
	return r;
}

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
	if (brownout_due(m, BROWNOUT_ATTACH))
		return RES_ASYNC; /* no answer: the supply is gone (pwr-reset-on-gprs-attach) */
	const char *why = netstate_activation_refused(m, t->apn);
	if (why) {
		/* The network refused the context: ERROR, and the stack is in PDP DEACT until
		 * AT+CIPSHUT (field-bugs.md reg-cgdcont-apn-pdp-deact). */
		transcript_note(m->log, m->index, "CIICR refused: %s", why);
		t->ip = CIP_PDP_DEACT;
		return RES_ERROR;
	}
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

const struct cmd_entry cmd_tcpip_table[] = {
	{"+CIPMUX", cmd_cipmux, 0},
	{"+CSTT", cmd_cstt, 0},
	{"+CIICR", cmd_ciicr, 0},
	{"+CIFSR", cmd_cifsr, 0},
	{"+CIPSTART", cmd_tcpip_cipstart, 0},
	{"+CIPSEND", cmd_tcpip_cipsend, 0},
	{"+CIPQSEND", cmd_cipqsend, 0},
	{"+CIPCLOSE", cmd_tcpip_cipclose, 0},
	{"+CIPSHUT", cmd_cipshut, 0},
	{"+CIPSTATUS", cmd_cipstatus, 0},
	{"+CIPHEAD", cmd_ciphead, 0},
	{"+CIPSRIP", cmd_cipsrip, 0},
	{"+CIPSHOWTP", cmd_cipshowtp, 0},
	{"+CIPSPRT", cmd_cipsprt, 0},
	{"+CIPRXGET", cmd_tcpip_ciprxget, 0},
	{"+CDNSGIP", cmd_cdnsgip, 0},
	{"+CDNSCFG", cmd_cdnscfg, 0},
	{"+CIPACK", cmd_tcpip_cipack, 0},
	{"+CIPCCFG", cmd_cipccfg, 0},
	{"+CIPMODE", cmd_cipmode, 0},
	{"+CIPSSL", cmd_cipssl, CMD_CAP_SSL},
	{NULL, NULL, 0},
};
