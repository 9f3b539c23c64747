/* cmd_info.c - identification from the profile: ATI +CGMI +CGMM +CGMR +CGSN +CCID +CIMI +GSV. */
#include <string.h>

#include "dispatch.h"
#include "respond.h"

/* Execute form prints the value; test form "=?" answers OK (sim800-facts.md §1.1). */
static struct at_result ident(struct sim_modem *m, const struct at_cmd *c, const char *value)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	respond_info(m, value, strlen(value));
	return RES_OK;
}

static struct at_result cmd_i(struct sim_modem *m, const struct at_cmd *c)
{
	/* ATI and ATI0 only; the manual shows no other variants. */
	if (c->op == AT_OP_SET && !(c->args_len == 1 && c->args[0] == '0'))
		return RES_ERROR;
	if (c->op == AT_OP_READ)
		return RES_ERROR;
	respond_info(m, m->profile->ati, strlen(m->profile->ati));
	return RES_OK;
}

static struct at_result cmd_gmi(struct sim_modem *m, const struct at_cmd *c)
{
	return ident(m, c, m->profile->manufacturer);
}

static struct at_result cmd_gmm(struct sim_modem *m, const struct at_cmd *c)
{
	return ident(m, c, m->profile->model);
}

/* Real modules print "Revision:1418B05SIM800L24" with no space (facts §1.1): the profile holds
 * the whole line. */
static struct at_result cmd_gmr(struct sim_modem *m, const struct at_cmd *c)
{
	return ident(m, c, m->profile->revision);
}

static struct at_result cmd_gsn(struct sim_modem *m, const struct at_cmd *c)
{
	return ident(m, c, m->profile->imei);
}

/* The SIM must be there for its identities: no SIM is +CME ERROR: 10 (27.007). */
static struct at_result sim_required(struct sim_modem *m)
{
	switch (m->net.sim) {
	case PROFILE_SIM_NOT_INSERTED:
		return RES_CME(10);
	case PROFILE_SIM_PIN:
		return RES_CME(11);
	case PROFILE_SIM_PUK:
		return RES_CME(12);
	case PROFILE_SIM_READY:
		break;
	}
	return RES_OK;
}

/* AT+CCID: no "+CCID:" prefix, may end in 'f' (facts §1.1). */
static struct at_result cmd_ccid(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (m->net.sim == PROFILE_SIM_NOT_INSERTED)
		return RES_CME(10);
	return ident(m, c, m->profile->iccid);
}

static struct at_result cmd_cimi(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	struct at_result r = sim_required(m);
	if (r.kind != AT_RES_OK)
		return r;
	return ident(m, c, m->profile->imsi);
}

static struct at_result cmd_gsv(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_EXEC)
		return RES_ERROR;
	const struct profile *p = m->profile;
	if (p->n_gsv) {
		for (size_t i = 0; i < p->n_gsv; i++)
			respond_info(m, p->gsv[i], strlen(p->gsv[i]));
		return RES_OK;
	}
	/* MAN §6.2.39 example: manufacturer, model, revision on three lines. */
	respond_info(m, p->manufacturer, strlen(p->manufacturer));
	respond_info(m, p->model, strlen(p->model));
	respond_info(m, p->revision, strlen(p->revision));
	return RES_OK;
}

const struct cmd_entry cmd_info_table[] = {
	{"I", cmd_i, 0},
	{"+GMI", cmd_gmi, 0},
	{"+CGMI", cmd_gmi, 0},
	{"+GMM", cmd_gmm, 0},
	{"+CGMM", cmd_gmm, 0},
	{"+GMR", cmd_gmr, 0},
	{"+CGMR", cmd_gmr, 0},
	{"+GSN", cmd_gsn, 0},
	{"+CGSN", cmd_gsn, 0},
	{"+CCID", cmd_ccid, 0},
	{"+CIMI", cmd_cimi, 0},
	{"+GSV", cmd_gsv, 0},
	{NULL, NULL, 0},
};
