/* cmd_dial.c - calls and data mode: ATH, ATO (ATD*99# and ATA come with their services). */
#include "cmd_util.h"
#include "dispatch.h"
#include "svc_tcp.h"

/* ATH with nothing to hang up is OK (MAN §2.2.8). */
static struct at_result cmd_h(struct sim_modem *m, const struct at_cmd *c)
{
	(void)m;
	long v;
	return cmd_int_arg(c, 0, 0, 0, &v) ? RES_OK : RES_ERROR;
}

/* ATO: back to data mode with CONNECT; nothing to resume: ERROR (MAN §2.2.13, version history:
 * "NO CARRIER" -> "ERROR"). */
static struct at_result cmd_o(struct sim_modem *m, const struct at_cmd *c)
{
	long v;
	if (!cmd_int_arg(c, 0, 0, 0, &v))
		return RES_ERROR;
	if (svc_tcp_can_resume(m)) {
		m->disp.after_final = svc_tcp_online;
		return RES_CODE(V250_CONNECT);
	}
	return RES_ERROR;
}

const struct cmd_entry cmd_dial_table[] = {
	{"H", cmd_h, 0},
	{"O", cmd_o, 0},
	{NULL, NULL, 0},
};
