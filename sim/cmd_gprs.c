/* cmd_gprs.c - GPRS context commands: +CGDCONT (the dial itself is ATD*99# in cmd_dial.c). */
#include <string.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "respond.h"
#include "svc_ppp.h"

/* AT+CGDCONT (MAN §7.2.1; 27.007 §10.1.1). Set: <cid>[,<PDP_type>[,<APN>[,<PDP_addr>
 * [,<d_comp>[,<h_comp>]]]]]; a bare <cid> undefines the context. Read lists defined contexts
 * as +CGDCONT: <cid>,"<type>","<APN>","0.0.0.0",0,0 (the address and compression shape are
 * 27.007's; UNCERTAIN byte-for-byte for SIM800). */
static struct at_result cmd_cgdcont(struct sim_modem *m, const struct at_cmd *c)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "+CGDCONT: (1-%d),\"IP\",,,(0,1),(0,1)", SVC_PPP_MAX_CID);
		respond_infof(m, "+CGDCONT: (1-%d),\"PPP\",,,(0,1),(0,1)", SVC_PPP_MAX_CID);
		return RES_OK;
	case AT_OP_READ:
		for (int cid = 1; cid <= SVC_PPP_MAX_CID; cid++) {
			const struct svc_ppp_pdp *d = svc_ppp_pdp(m, cid);
			if (d && d->defined)
				respond_infof(m, "+CGDCONT: %d,\"%s\",\"%s\",\"0.0.0.0\",0,0", cid,
					      d->type, d->apn);
		}
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	struct at_tok t;
	cmd_tok(c, &t);
	long cid;
	if (at_tok_next_int(&t, &cid) != AT_TOK_OK || cid < 1 || cid > SVC_PPP_MAX_CID)
		return RES_ERROR;
	char type[16], apn[64], addr[64];
	enum at_tok_res r = at_tok_next_string(&t, type, sizeof type, NULL);
	if (r == AT_TOK_END)
		return svc_ppp_set_pdp(m, (int)cid, NULL, NULL) ? RES_OK : RES_ERROR;
	if (r != AT_TOK_OK || (strcmp(type, "IP") != 0 && strcmp(type, "PPP") != 0))
		return RES_ERROR;
	apn[0] = '\0';
	r = at_tok_next_string(&t, apn, sizeof apn, NULL);
	if (r != AT_TOK_OK && r != AT_TOK_END && r != AT_TOK_EMPTY)
		return RES_ERROR;
	r = at_tok_next_string(&t, addr, sizeof addr, NULL);
	if (r != AT_TOK_OK && r != AT_TOK_END && r != AT_TOK_EMPTY)
		return RES_ERROR;
	for (int i = 0; i < 2; i++) {
		long comp;
		r = at_tok_next_int_default(&t, &comp, 0);
		if (r != AT_TOK_OK && r != AT_TOK_END && r != AT_TOK_EMPTY)
			return RES_ERROR;
		if (comp < 0 || comp > 1)
			return RES_ERROR;
	}
	if (!at_tok_at_end(&t))
		return RES_ERROR;
	return svc_ppp_set_pdp(m, (int)cid, type, apn) ? RES_OK : RES_ERROR;
}

const struct cmd_entry cmd_gprs_table[] = {
	{"+CGDCONT", cmd_cgdcont, 0},
	{NULL, NULL, 0},
};
