/* svc_tcp_int.h - what svc_tcp.c (connection lifecycle) and svc_tcp_data.c (data path) share. */
#ifndef SIM_SVC_TCP_INT_H
#define SIM_SVC_TCP_INT_H

#include "modem_internal.h"
#include "svc_tcp.h"

static inline struct ev_loop *svc_tcp_loop_of(const struct cip_conn *c)
{
	return c->owner->m->loop;
}

/* svc_tcp.c */
/* Release the socket and buffers; the state is set by the caller. */
void svc_tcp_conn_release(struct cip_conn *c);
/* "CONNECT OK" in single mode, "0, CONNECT OK" in multi mode (facts §10 item 4). */
void svc_tcp_conn_urc(struct cip_conn *c, const char *what);

/* svc_tcp_data.c */
/* Leave transparent data mode, if in it. */
void svc_tcp_go_offline(struct svc_tcp *t);
/* The socket is readable: buffer what arrived and hand it to the host. */
void svc_tcp_conn_read(struct cip_conn *c);
/* The socket is writable on an open connection: write queued payload, report the send. */
void svc_tcp_conn_writable(struct cip_conn *c);

#endif
