/* ppp_client_int.h - the PPP client's link state, shared by its link, DNS, TCP and UDP files. */
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
/* Append n bytes (false: out of memory, nothing appended); drop n from the front. */
bool ppp_client_bytes_add(struct bytes *b, const void *p, size_t n);
void ppp_client_bytes_drop(struct bytes *b, size_t n);

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

/* Pending DNS queries end without their callbacks (ppp_client_free). */
void ppp_client_dns_free_all(struct ppp_client *c);

#endif
