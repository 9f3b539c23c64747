/* cmd_basic.c - V.250 basics: E V Q X Z &F &W &V &C &D S-registers, +CMEE +IPR +IFC +ICF. */
#include <stdio.h>
#include <string.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "respond.h"

static struct at_result flag(const struct at_cmd *c, bool *field)
{
	long v;
	if (!cmd_int_arg(c, 0, 1, 0, &v))
		return RES_ERROR;
	*field = v != 0;
	return RES_OK;
}

/* ATE: echo is switched after this line's echo went out, so "ATE0\r" is echoed (field bug
 * boot-echo-on-default: ATE0\r\r\nOK\r\n). */
static struct at_result cmd_e(struct sim_modem *m, const struct at_cmd *c)
{
	return flag(c, &m->v.echo);
}

static struct at_result cmd_v(struct sim_modem *m, const struct at_cmd *c)
{
	return flag(c, &m->v.verbose);
}

static struct at_result cmd_q(struct sim_modem *m, const struct at_cmd *c)
{
	return flag(c, &m->v.quiet);
}

static struct at_result cmd_x(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 4, 0, &v))
		return RES_ERROR;
	m->v.x = (int)v;
	return RES_OK;
}

/* ATL/ATM (speaker): accepted, nothing to model. */
static struct at_result cmd_speaker(struct sim_modem *m, const struct at_cmd *c)
{
	(void)m;
	long v;
	return cmd_int_arg(c, 0, 9, 0, &v) ? RES_OK : RES_ERROR;
}

/* ATZ and AT&F keep the UART settings (ipr, csclk, ...: MAN §2.2.27, §2.2.30). */
static void restore(struct sim_modem *m, const struct v250 *from)
{
	struct v250 keep = m->v;
	m->v = *from;
	m->v.ipr = keep.ipr;
	m->v.ifc_dce = keep.ifc_dce;
	m->v.ifc_dte = keep.ifc_dte;
	m->v.icf_format = keep.icf_format;
	m->v.icf_parity = keep.icf_parity;
}

static struct at_result cmd_z(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	restore(m, &m->saved);
	return RES_OK;
}

static struct at_result cmd_amp_f(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	struct v250 f;
	modem_factory_settings(m->profile, &f);
	restore(m, &f);
	return RES_OK;
}

static struct at_result cmd_amp_w(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	m->saved = m->v;
	return RES_OK;
}

static struct at_result cmd_amp_c(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 1, 1, &v))
		return RES_ERROR;
	m->v.amp_c = (int)v;
	return RES_OK;
}

static struct at_result cmd_amp_d(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 2, 0, &v))
		return RES_ERROR;
	m->v.amp_d = (int)v;
	return RES_OK;
}

static void settings_line(struct sim_modem *m, const char *title, const struct v250 *v)
{
	respond_infof(m, "%s", title);
	respond_infof(m, "E%d Q%d V%d X%d &C%d &D%d +CMEE: %d +IPR: %u +IFC: %d,%d +ICF: %d,%d",
		      v->echo, v->quiet, v->verbose, v->x, v->amp_c, v->amp_d, v->cmee, v->ipr,
		      v->ifc_dce, v->ifc_dte, v->icf_format, v->icf_parity);
	respond_infof(m, "S0: %d,S3: 13,S4: 10,S5: 8,S6: %d,S7: %d,S8: %d,S10: %d", v->s0, v->s6,
		      v->s7, v->s8, v->s10);
}

/* AT&V: the exact layout of the real listing is not in the facts file (UNCERTAIN); a profile
 * replay entry for "&V" overrides this one. */
static struct at_result cmd_amp_v(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	settings_line(m, "ACTIVE PROFILE:", &m->v);
	settings_line(m, "STORED PROFILE:", &m->saved);
	return RES_OK;
}

/* S3/S4/S5 "only support default value" (MAN §2.2.17-19). */
static int *sreg(struct sim_modem *m, int n, long *fixed)
{
	switch (n) {
	case 0: return &m->v.s0;
	case 6: return &m->v.s6;
	case 7: return &m->v.s7;
	case 8: return &m->v.s8;
	case 10: return &m->v.s10;
	case 3: *fixed = 13; return NULL;
	case 4: *fixed = 10; return NULL;
	case 5: *fixed = 8; return NULL;
	}
	*fixed = -1;
	return NULL;
}

static struct at_result cmd_s(struct sim_modem *m, const struct at_cmd *c)
{
	long fixed = -1;
	int *r = sreg(m, c->sreg, &fixed);
	if (!r && fixed < 0)
		return RES_ERROR;
	long value = r ? *r : fixed;
	if (c->op == AT_OP_READ) {
		/* A bare three-digit number, no prefix (MAN §2.2.16: "ATS0?" -> "<n>"). */
		respond_infof(m, "%03ld", value);
		return RES_OK;
	}
	if (c->op == AT_OP_TEST)
		return RES_OK;
	long v;
	if (!cmd_int_arg(c, 0, 255, 0, &v))
		return RES_ERROR;
	if (!r)
		return v == fixed ? RES_OK : RES_ERROR;
	*r = (int)v;
	return RES_OK;
}

static struct at_result cmd_cmee(struct sim_modem *m, const struct at_cmd *c)
{
	return cmd_setting(m, c, "+CMEE", "(0-2)", &m->v.cmee, 0, 2);
}

static const unsigned ipr_rates[] = {0, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200,
				     230400, 460800};

static struct at_result cmd_ipr(struct sim_modem *m, const struct at_cmd *c)
{
	switch (c->op) {
	case AT_OP_TEST:
		/* UNCERTAIN layout: the manual lists the rates only. */
		respond_infof(m, "+IPR: (),(0,1200,2400,4800,9600,19200,38400,57600,115200,230400,460800)");
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "+IPR: %u", m->v.ipr);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	long v;
	if (!cmd_int_arg(c, 0, 460800, 0, &v))
		return RES_ERROR;
	for (size_t i = 0; i < sizeof ipr_rates / sizeof ipr_rates[0]; i++) {
		if (ipr_rates[i] != (unsigned)v)
			continue;
		m->v.ipr = (unsigned)v;
		/* A fixed rate applies after this line's result code; autobaud only after a reset
		 * (MAN §2.2.41). */
		if (v != 0)
			m->disp.baud_after = (unsigned)v;
		/* The UART now listens at this fixed rate, not the one autobaud detected. */
		if (v != 0 && m->autobaud_rate)
			m->autobaud_rate = (unsigned)v;
		return RES_OK;
	}
	return RES_ERROR;
}

static struct at_result pair(struct sim_modem *m, const struct at_cmd *c, const char *name,
			     const char *test, int *a, int *b, long amax, long bmax)
{
	if (c->op == AT_OP_TEST) {
		respond_infof(m, "%s: %s", name, test);
		return RES_OK;
	}
	if (c->op == AT_OP_READ) {
		respond_infof(m, "%s: %d,%d", name, *a, *b);
		return RES_OK;
	}
	struct at_tok t;
	cmd_tok(c, &t);
	long x, y;
	if (at_tok_next_int(&t, &x) != AT_TOK_OK || x < 0 || x > amax)
		return RES_ERROR;
	if (at_tok_next_int_default(&t, &y, *b) != AT_TOK_OK || y < 0 || y > bmax ||
	    !at_tok_at_end(&t))
		return RES_ERROR;
	*a = (int)x;
	*b = (int)y;
	return RES_OK;
}

static struct at_result cmd_ifc(struct sim_modem *m, const struct at_cmd *c)
{
	return pair(m, c, "+IFC", "(0,2),(0,2)", &m->v.ifc_dce, &m->v.ifc_dte, 2, 2);
}

static struct at_result cmd_icf(struct sim_modem *m, const struct at_cmd *c)
{
	return pair(m, c, "+ICF", "(1-6),(0-3)", &m->v.icf_format, &m->v.icf_parity, 6, 3);
}

const struct cmd_entry cmd_basic_table[] = {
	{"E", cmd_e, 0},
	{"V", cmd_v, 0},
	{"Q", cmd_q, 0},
	{"X", cmd_x, 0},
	{"L", cmd_speaker, 0},
	{"M", cmd_speaker, 0},
	{"Z", cmd_z, 0},
	{"&F", cmd_amp_f, 0},
	{"&W", cmd_amp_w, 0},
	{"&V", cmd_amp_v, 0},
	{"&C", cmd_amp_c, 0},
	{"&D", cmd_amp_d, 0},
	{"S", cmd_s, 0},
	{"+CMEE", cmd_cmee, 0},
	{"+IPR", cmd_ipr, 0},
	{"+IFC", cmd_ifc, 0},
	{"+ICF", cmd_icf, 0},
	{NULL, NULL, 0},
};
