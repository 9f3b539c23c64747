/* cmd_call.c - voice call settings and queries: +CLIP +CRC +COLP +MORING +CLCC +CHUP. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd_util.h"
#include "dispatch.h"
#include "respond.h"
#include "svc_call.h"

#define CALL_OR_ERROR(m, c)                                                                        \
	struct svc_call *c = svc_call_get(m);                                                      \
	if (!c)                                                                                    \
	return RES_ERROR

/* A 0/1 switch; the read form adds extra (",1": the network provides the service). */
static struct at_result flag(struct sim_modem *m, const struct at_cmd *cmd, const char *name,
			     int *v, const char *extra)
{
	long x;
	switch (cmd->op) {
	case AT_OP_TEST:
		respond_infof(m, "%s: (0,1)", name);
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "%s: %d%s", name, *v, extra);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	if (!cmd_int_arg(cmd, 0, 1, 0, &x))
		return RES_ERROR;
	*v = (int)x;
	return RES_OK;
}

/* The plain switches, by name: where each lives and what its read form adds (",1": the
 * network provides the service, 27.007 §7.6 +CLIP <m>, §7.8 +COLP <m>). */
static const struct {
	const char *name;
	size_t field;      /* offsetof(struct svc_call, ...) */
	const char *extra;
} switches[] = {
	{"+CLIP", offsetof(struct svc_call, clip), ",1"},
	{"+COLP", offsetof(struct svc_call, colp), ",1"},
	{"+CRC", offsetof(struct svc_call, crc), ""},
	{"+MORING", offsetof(struct svc_call, moring), ""},
};

static struct at_result cmd_switch(struct sim_modem *m, const struct at_cmd *cmd)
{
	CALL_OR_ERROR(m, c);
	for (size_t i = 0; i < sizeof switches / sizeof switches[0]; i++)
		if (strcmp(cmd->name, switches[i].name) == 0)
			return flag(m, cmd, switches[i].name,
				    (int *)((char *)c + switches[i].field), switches[i].extra);
	return RES_ERROR;
}

/* AT+CLCC lists the call; AT+CLCC=1 reports every change (SIM800 extension, MAN §3.2.18). */
static struct at_result cmd_clcc(struct sim_modem *m, const struct at_cmd *cmd)
{
	CALL_OR_ERROR(m, c);
	if (cmd->op != AT_OP_EXEC)
		return flag(m, cmd, "+CLCC", &c->clcc, "");
	char line[96];
	if (c->st != CALL_IDLE && svc_call_clcc_line(c, line, sizeof line))
		respond_infof(m, "%s", line);
	return RES_OK;
}

/* AT+CHUP: hang up the voice call (27.007 §6.5), OK first as ATH. */
static struct at_result cmd_chup(struct sim_modem *m, const struct at_cmd *cmd)
{
	if (cmd->op == AT_OP_TEST)
		return RES_OK;
	if (cmd->op != AT_OP_EXEC)
		return RES_ERROR;
	if (svc_call_active(m))
		m->disp.after_final = svc_call_hangup;
	return RES_OK;
}

const struct cmd_entry cmd_call_table[] = {
	{"+CLIP", cmd_switch, 0},
	{"+COLP", cmd_switch, 0},
	{"+CRC", cmd_switch, 0},
	{"+MORING", cmd_switch, 0},
	{"+CLCC", cmd_clcc, 0},
	{"+CHUP", cmd_chup, 0},
	{NULL, NULL, 0},
};
