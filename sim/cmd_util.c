/* cmd_util.c - small helpers shared by the cmd_*.c handlers. */
#include "cmd_util.h"

#include "respond.h"

void cmd_tok(const struct at_cmd *c, struct at_tok *t)
{
	at_tok_init(t, c->args, c->args_len);
}

bool cmd_int_arg(const struct at_cmd *c, long lo, long hi, long def, long *out)
{
	if (c->op == AT_OP_EXEC) {
		*out = def;
		return true;
	}
	struct at_tok t;
	cmd_tok(c, &t);
	long v;
	if (at_tok_next_int(&t, &v) != AT_TOK_OK || !at_tok_at_end(&t))
		return false;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

struct at_result cmd_setting(struct sim_modem *m, const struct at_cmd *c, const char *name,
			     const char *range, int *val, long lo, long hi)
{
	switch (c->op) {
	case AT_OP_TEST:
		respond_infof(m, "%s: %s", name, range);
		return RES_OK;
	case AT_OP_READ:
		respond_infof(m, "%s: %d", name, *val);
		return RES_OK;
	case AT_OP_EXEC:
		return RES_ERROR;
	case AT_OP_SET:
		break;
	}
	long v;
	if (!cmd_int_arg(c, lo, hi, 0, &v))
		return RES_ERROR;
	*val = (int)v;
	return RES_OK;
}
