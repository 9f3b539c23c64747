/* cmd_net.c - SIM, registration, signal, attach, power: +CPIN +CSQ +CREG +CGREG +COPS +CGATT
 * +CBC +CFUN +CSCLK +CIURC +CPOWD. */
#include <string.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "modem_internal.h"
#include "respond.h"
#include "svc_http.h"

static struct at_result cmd_cpin(struct sim_modem *m, const struct at_cmd *c)
{
	static const char *const state[] = {
		[PROFILE_SIM_READY] = "READY",
		[PROFILE_SIM_PIN] = "SIM PIN",
		[PROFILE_SIM_PUK] = "SIM PUK",
	};
	switch (c->op) {
	case AT_OP_TEST:
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_READ:
		if (m->net.sim == PROFILE_SIM_NOT_INSERTED)
			return RES_CME(10);
		respond_infof(m, "+CPIN: %s", state[m->net.sim]);
		return RES_OK;
	case AT_OP_SET:
		break;
	}
	char pin[16];
	struct at_tok t;
	cmd_tok(c, &t);
	if (at_tok_next_any(&t, pin, sizeof pin, NULL) != AT_TOK_OK)
		return RES_ERROR;
	if (m->net.sim == PROFILE_SIM_NOT_INSERTED)
		return RES_CME(10);
	if (m->net.sim != PROFILE_SIM_PIN)
		return RES_CME(3); /* no PIN asked for: operation not allowed (27.007) */
	if (m->profile->sim_pin && strcmp(pin, m->profile->sim_pin) != 0)
		return RES_CME(16);
	m->net.sim = PROFILE_SIM_READY;
	m->disp.after_final = netstate_start; /* registration begins once the SIM is open */
	return RES_OK;
}

static struct at_result cmd_csq(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CSQ: (0-31,99),(0-7,99)");
		return RES_OK;
	}
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	bool rf = m->net.cfun == 1;
	respond_infof(m, "+CSQ: %d,%d", rf ? m->net.rssi : 99, rf ? m->net.ber : 99);
	return RES_OK;
}

/* +CREG and +CGREG share the shape: "+CREG: <n>,<stat>[,"<lac>","<ci>"]" (facts §4). */
static struct at_result reg(struct sim_modem *m, const struct at_cmd *c, const char *name,
			    int *n, int stat)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "%s: (0-2)", name);
		return RES_OK;
	case AT_OP_READ:
		if (*n == 2 && m->net.lac && m->net.ci &&
		    (stat == PROFILE_REG_HOME || stat == PROFILE_REG_ROAMING))
			respond_infof(m, "%s: %d,%d,\"%s\",\"%s\"", name, *n, stat, m->net.lac,
				      m->net.ci);
		else
			respond_infof(m, "%s: %d,%d", name, *n, stat);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	long v;
	if (!cmd_int_arg(c, 0, 2, 0, &v))
		return RES_ERROR;
	*n = (int)v;
	return RES_OK;
}

static struct at_result cmd_creg(struct sim_modem *m, const struct at_cmd *c)
{
	return reg(m, c, "+CREG", &m->net.creg_n, m->net.reg);
}

static struct at_result cmd_cgreg(struct sim_modem *m, const struct at_cmd *c)
{
	/* Registered but detached (AT+CGATT=0): GPRS is not registered. */
	int stat = (int)m->net.gprs_reg;
	if (netstate_registered(m) && !netstate_attached(m))
		stat = PROFILE_REG_NOT_SEARCHING;
	return reg(m, c, "+CGREG", &m->net.cgreg_n, stat);
}

/*
 * AT+COPS keeps two things apart (27.007 §7.3): <mode> (0 automatic ... 4) and the <format>
 * the read command names the operator in (0 long alphanumeric, 1 short, 2 numeric).
 * "AT+COPS=3,<format>" sets only the format; the mode stays (0 after power-on), and 3 never
 * appears in the read answer. Both live in net.cops_mode: the mode in the low byte, the
 * format above it, so that the power-on value 0 is "automatic, long name".
 */
#define COPS_MODE(v) ((v) & 0xff)
#define COPS_FORMAT(v) ((v) >> 8)
#define COPS_PACK(mode, format) ((mode) | (format) << 8)

/* The numeric operator id: a test PLMN, as in the test answer (no profile key: UNCERTAIN). */
#define COPS_PLMN "00101"

static struct at_result cmd_cops(struct sim_modem *m, const struct at_cmd *c)
{
	const char *op = m->profile->operator_name;
	int mode = COPS_MODE(m->net.cops_mode), format = COPS_FORMAT(m->net.cops_mode);
	switch (c->op) {
	case AT_OP_TEST:
		/* Shape from a real listing (facts §4); the numeric id is UNCERTAIN: test PLMN. */
		if (m->net.cfun == 1 && m->net.reg != PROFILE_REG_NOT_SEARCHING)
			respond_infof(m, "+COPS: (2,\"%s\",\"%s\",\"" COPS_PLMN "\"),,(0-4),(0-2)", op,
				      op);
		else
			respond_infof(m, "+COPS: ,,(0-4),(0-2)");
		return RES_OK;
	case AT_OP_READ:
		/* The short name is the long one: profiles give one name. */
		if (netstate_registered(m))
			respond_infof(m, "+COPS: %d,%d,\"%s\"", mode, format,
				      format == 2 ? COPS_PLMN : op);
		else
			respond_infof(m, "+COPS: %d", mode);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	/* AT+COPS=<mode>[,<format>[,<oper>]]: <oper> is not checked (one network here). */
	struct at_tok t;
	cmd_tok(c, &t);
	long new_mode, new_format;
	if (at_tok_next_int(&t, &new_mode) != AT_TOK_OK || new_mode < 0 || new_mode > 4 ||
	    at_tok_next_int_default(&t, &new_format, format) != AT_TOK_OK || new_format < 0 ||
	    new_format > 2)
		return RES_ERROR;
	m->net.cops_mode = COPS_PACK(new_mode == 3 ? mode : (int)new_mode, (int)new_format);
	return RES_OK;
}

static struct at_result cmd_cgatt(struct sim_modem *m, const struct at_cmd *c)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CGATT: (0,1)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CGATT: %d", netstate_attached(m) ? 1 : 0);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	long v;
	if (!cmd_int_arg(c, 0, 1, 0, &v))
		return RES_ERROR;
	if (v == 1 && !netstate_registered(m))
		return RES_ERROR; /* nothing to attach to */
	m->net.attach_override = (int)v;
	m->disp.after_final = svc_http_sync; /* detaching drops an open bearer */
	return RES_OK;
}

static struct at_result cmd_cbc(struct sim_modem *m, const struct at_cmd *c)
{
	const struct profile *p = m->profile;
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CBC: (0-2),(1-100),(voltage)");
		return RES_OK;
	}
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	respond_infof(m, "+CBC: %d,%d,%d", p->battery_bcs, p->battery_bcl, m->battery_mv);
	return RES_OK;
}

static void reboot(struct sim_modem *m)
{
	modem_power_off(m);
	modem_power_on(m);
}

static struct at_result cmd_cfun(struct sim_modem *m, const struct at_cmd *c)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CFUN: (0,1,4),(0,1)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CFUN: %d", m->net.cfun);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct at_tok t;
	cmd_tok(c, &t);
	long fun, rst;
	if (at_tok_next_int(&t, &fun) != AT_TOK_OK || (fun != 0 && fun != 1 && fun != 4))
		return RES_ERROR;
	if (at_tok_next_int_default(&t, &rst, 0) != AT_TOK_OK || rst < 0 || rst > 1 ||
	    !at_tok_at_end(&t))
		return RES_ERROR;
	if (rst == 1) {
		/* OK, then the module restarts and boots again (field bug boot-cfun0-...). */
		m->disp.after_final = reboot;
		return RES_OK;
	}
	int old = m->net.cfun;
	m->net.cfun = (int)fun;
	if (fun == old)
		return RES_OK;
	if (fun == 0 && m->net.sim != PROFILE_SIM_NOT_INSERTED)
		modem_urc(m, "+CPIN: NOT READY"); /* before the OK (field bug boot-cfun0-...) */
	if (fun == 1) {
		if (m->net.sim == PROFILE_SIM_READY)
			m->disp.after_final = netstate_start;
	} else {
		netstate_start(m); /* RF off: deregistered at once */
	}
	return RES_OK;
}

static struct at_result cmd_csclk(struct sim_modem *m, const struct at_cmd *c)
{
	return cmd_setting(m, c, "+CSCLK", "(0-2)", &m->net.csclk, 0, 2);
}

static struct at_result cmd_ciurc(struct sim_modem *m, const struct at_cmd *c)
{
	(void)m;
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CIURC: (0,1)");
		return RES_OK;
	}
	if (c->op == AT_OP_READ) {
		respond_infof(m, "+CIURC: 1");
		return RES_OK;
	}
	long v;
	return cmd_int_arg(c, 0, 1, 1, &v) ? RES_OK : RES_ERROR;
}

/* AT+CPOWD=1: "NORMAL POWER DOWN" and nothing more; =0 (urgent) says nothing (MAN §6.2.2). */
static struct at_result cmd_cpowd(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CPOWD: (0,1)");
		return RES_OK;
	}
	long v;
	if (!cmd_int_arg(c, 0, 1, 1, &v))
		return RES_ERROR;
	if (v == 1)
		respond_infof(m, "NORMAL POWER DOWN");
	m->disp.after_final = modem_power_off;
	return RES_NONE;
}

const struct cmd_entry cmd_net_table[] = {
	{"+CPIN", cmd_cpin, 0},
	{"+CSQ", cmd_csq, 0},
	{"+CREG", cmd_creg, 0},
	{"+CGREG", cmd_cgreg, 0},
	{"+COPS", cmd_cops, 0},
	{"+CGATT", cmd_cgatt, 0},
	{"+CBC", cmd_cbc, 0},
	{"+CFUN", cmd_cfun, 0},
	{"+CSCLK", cmd_csclk, 0},
	{"+CIURC", cmd_ciurc, 0},
	{"+CPOWD", cmd_cpowd, 0},
	{NULL, NULL, 0},
};
