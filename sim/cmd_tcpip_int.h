/* cmd_tcpip_int.h - what cmd_tcpip.c (settings, bearer, status, DNS) and cmd_tcpip_conn.c share. */
#ifndef SIM_CMD_TCPIP_INT_H
#define SIM_CMD_TCPIP_INT_H

#include "dispatch.h"
#include "svc_tcp.h"

#define TCP_OR_ERROR(m, t)                                                                         \
	struct svc_tcp *t = svc_tcp_get(m);                                                        \
	if (!t)                                                                                    \
		return RES_ERROR

/* cmd_tcpip_conn.c: connections and their data; listed in cmd_tcpip_table. */
struct at_result cmd_tcpip_cipstart(struct sim_modem *m, const struct at_cmd *c);
struct at_result cmd_tcpip_cipsend(struct sim_modem *m, const struct at_cmd *c);
struct at_result cmd_tcpip_cipclose(struct sim_modem *m, const struct at_cmd *c);
struct at_result cmd_tcpip_ciprxget(struct sim_modem *m, const struct at_cmd *c);
struct at_result cmd_tcpip_cipack(struct sim_modem *m, const struct at_cmd *c);

#endif
