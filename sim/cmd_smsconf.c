/* cmd_smsconf.c - SMS settings (27.005): +CSMS +CMGF +CSCS +CSMP +CNMI +CPMS +CSDH +CSCA. */
#include <string.h>
#include <strings.h>

#include "cmd_sms.h"
#include "cmd_util.h"
#include "respond.h"

static const char *const mem_name[SMS_MEM_COUNT] = {[SMS_MEM_SM] = "SM", [SMS_MEM_ME] = "ME"};

/* AT+CSCS names in the order of enum sms_charset (MAN §1.5). */
static const char *const cs_name[SMS_CS_COUNT] = {
	[SMS_CS_IRA] = "IRA", [SMS_CS_GSM] = "GSM", [SMS_CS_UCS2] = "UCS2", [SMS_CS_HEX] = "HEX",
	[SMS_CS_PCCP] = "PCCP", [SMS_CS_PCDN] = "PCDN", [SMS_CS_8859_1] = "8859-1",
};

static struct at_result cmd_cmgf(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	return cmd_setting(m, c, "+CMGF", "(0,1)", &s->cmgf, 0, 1);
}

static struct at_result cmd_csdh(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	return cmd_setting(m, c, "+CSDH", "(0,1)", &s->csdh, 0, 1);
}

static struct at_result cmd_cscs(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CSCS: (\"IRA\",\"GSM\",\"UCS2\",\"HEX\",\"PCCP\",\"PCDN\","
				 "\"8859-1\")");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CSCS: \"%s\"", cs_name[s->cscs]);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	char name[16];
	struct at_tok t;
	cmd_tok(c, &t);
	if (at_tok_next_string(&t, name, sizeof name, NULL) != AT_TOK_OK || !at_tok_at_end(&t))
		return RES_ERROR;
	for (int i = 0; i < SMS_CS_COUNT; i++)
		if (strcasecmp(name, cs_name[i]) == 0) {
			s->cscs = (enum sms_charset)i;
			return RES_OK;
		}
	return RES_ERROR;
}

/* Up to n optional integers in [0, hi[i]]; omitted ones keep their value. */
static bool int_list(const struct at_cmd *c, int *v, const long *hi, size_t n)
{
	struct at_tok t;
	cmd_tok(c, &t);
	for (size_t i = 0; i < n; i++) {
		long x;
		enum at_tok_res r = at_tok_next_int(&t, &x);
		if (r == AT_TOK_END)
			break;
		if (r == AT_TOK_EMPTY)
			continue;
		if (r != AT_TOK_OK || x < 0 || x > hi[i])
			return false;
		v[i] = (int)x;
	}
	return at_tok_at_end(&t);
}

static struct at_result cmd_csmp(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	static const long hi[] = {255, 255, 255, 255};
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CSMP: (0-255),(0-255),(0-255),(0-255)");
		return RES_OK;
	}
	if (c->op == AT_OP_READ) {
		respond_infof(m, "+CSMP: %d,%d,%d,%d", s->fo, s->vp, s->pid, s->dcs);
		return RES_OK;
	}
	int v[4] = {s->fo, s->vp, s->pid, s->dcs};
	if (c->op != AT_OP_SET || !int_list(c, v, hi, 4))
		return RES_ERROR;
	s->fo = v[0];
	s->vp = v[1];
	s->pid = v[2];
	s->dcs = v[3];
	return RES_OK;
}

static struct at_result cmd_cnmi(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	static const long hi[] = {3, 3, 2, 1, 1};
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)");
		return RES_OK;
	}
	if (c->op == AT_OP_READ) {
		respond_infof(m, "+CNMI: %d,%d,%d,%d,%d", s->cnmi[0], s->cnmi[1], s->cnmi[2],
			      s->cnmi[3], s->cnmi[4]);
		return RES_OK;
	}
	int v[5];
	memcpy(v, s->cnmi, sizeof v);
	if (c->op != AT_OP_SET || !int_list(c, v, hi, 5) || v[2] == 1)
		return RES_ERROR;
	memcpy(s->cnmi, v, sizeof v);
	return RES_OK;
}

static struct at_result cmd_cpms(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CPMS: \"%s\",%zu,%d,\"%s\",%zu,%d,\"%s\",%zu,%d",
			      mem_name[s->mem[0]], svc_sms_used(s, s->mem[0]), SMS_SLOTS,
			      mem_name[s->mem[1]],
			      svc_sms_used(s, s->mem[1]), SMS_SLOTS, mem_name[s->mem[2]],
			      svc_sms_used(s, s->mem[2]), SMS_SLOTS);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	enum sms_mem mem[3] = {s->mem[0], s->mem[1], s->mem[2]};
	struct at_tok t;
	cmd_tok(c, &t);
	for (int i = 0; i < 3; i++) {
		char name[8];
		enum at_tok_res r = at_tok_next_string(&t, name, sizeof name, NULL);
		if (r == AT_TOK_END && i > 0)
			break;
		if (r != AT_TOK_OK)
			return RES_ERROR;
		if (strcasecmp(name, "SM") == 0)
			mem[i] = SMS_MEM_SM;
		else if (strcasecmp(name, "ME") == 0)
			mem[i] = SMS_MEM_ME;
		else
			return RES_CMS(303); /* SM_P, ME_P, MT, BM, SR are not modelled */
	}
	if (!at_tok_at_end(&t))
		return RES_ERROR;
	memcpy(s->mem, mem, sizeof mem);
	respond_infof(m, "+CPMS: %zu,%d,%zu,%d,%zu,%d", svc_sms_used(s, mem[0]), SMS_SLOTS,
		      svc_sms_used(s, mem[1]), SMS_SLOTS, svc_sms_used(s, mem[2]), SMS_SLOTS);
	return RES_OK;
}

static struct at_result cmd_csca(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	char te[128];
	switch (c->op) {
	case AT_OP_TEST:
		return RES_OK;
	case AT_OP_READ:
		if (!svc_sms_te_encode(s->cscs, s->sca, te, sizeof te, NULL))
			return RES_CMS(300);
		respond_infof(m, "+CSCA: \"%s\",%d", te, s->sca_type);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	char sca[sizeof s->sca];
	int type;
	struct at_tok t;
	cmd_tok(c, &t);
	if (!cmd_sms_read_addr(s, &t, sca, sizeof sca) || !cmd_sms_read_toa(&t, sca, sizeof sca, &type) ||
	    !at_tok_at_end(&t))
		return RES_ERROR;
	memcpy(s->sca, sca, sizeof sca);
	s->sca_type = type;
	return RES_OK;
}

/*
 * AT+CSMS (27.005 §3.2.1; listed in the SIM800 manual's SMS chapter, shapes as the SIM900
 * manual §4.2.16 gives them): "=<service>" answers "+CSMS: <mt>,<mo>,<bm>", "?" adds the
 * service in front, "=?" lists the services. Service 0 (phase 2) and 1 (phase 2+) both with
 * MT, MO and broadcast supported: the list and the 1,1,1 are UNCERTAIN on SIM800.
 */
static struct at_result cmd_csms(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	long service;
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CSMS: (0,1)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+CSMS: %d,1,1,1", s->csms);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		if (!cmd_int_arg(c, 0, 1, 0, &service))
			return RES_ERROR;
		s->csms = (int)service;
		respond_infof(m, "+CSMS: 1,1,1");
		return RES_OK;
	}
	return RES_ERROR;
}

const struct cmd_entry cmd_smsconf_table[] = {
	{"+CSMS", cmd_csms, CMD_CAP_SMS},
	{"+CMGF", cmd_cmgf, CMD_CAP_SMS},
	{"+CSCS", cmd_cscs, CMD_CAP_SMS},
	{"+CSMP", cmd_csmp, CMD_CAP_SMS},
	{"+CNMI", cmd_cnmi, CMD_CAP_SMS},
	{"+CPMS", cmd_cpms, CMD_CAP_SMS},
	{"+CSDH", cmd_csdh, CMD_CAP_SMS},
	{"+CSCA", cmd_csca, CMD_CAP_SMS},
	{NULL, NULL, 0},
};
