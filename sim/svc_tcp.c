/* svc_tcp.c - the CIP TCP/UDP stack: real non-blocking sockets behind AT+CIPSTART (svc_tcp.h). */
#include "svc_tcp.h"

#include <stdlib.h>

#include "modem.h"

struct svc_tcp {
	int unused;
};

void svc_tcp_reset(struct sim_modem *m)
{
	free(m->tcp);
	m->tcp = NULL;
}
