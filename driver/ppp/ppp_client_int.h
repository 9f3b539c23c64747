/* ppp_client_int.h - the PPP client's link state, shared by its TCP/DNS and UDP files. */
#ifndef PPP_CLIENT_INT_H
#define PPP_CLIENT_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/netif.h"
#include "netif/ppp/ppp.h"
#include "ppp_client.h"

/* A growable byte queue (output to the fd, output to a TCP pcb). */
struct bytes {
	uint8_t *d;
	size_t off, len, cap;   /* live bytes are d[off, off + len) */
};

struct dnsq;

struct ppp_client {
	struct ev_loop *loop;
	int fd;
	ppp_pcb *pcb;
	struct netif nif;
	ev_io rio, wio;
	ev_timer tick;
	struct bytes out;           /* PPP bytes for the fd */
	enum ppp_client_state state;
	bool paused;
	struct dnsq *queries;
	struct ppp_client_conn *conns;
	struct ppp_client_udp *udps;
};

#endif
