/* ppp_relay_int.h - what ppp_relay.c, ppp_relay_tcp.c and ppp_relay_udp.c share: the relay struct. */
#ifndef SIM_PPP_RELAY_INT_H
#define SIM_PPP_RELAY_INT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "netmap.h"
#include "ppp_relay.h"

#define FAKE_BASE 0xC6120000u   /* 198.18.0.0/15 (RFC 2544 benchmarking): never a real host */
#define FAKE_COUNT 0x1FFFEu
#define RELAY_CHUNK 8192        /* bytes read from a real socket per turn */
#define UDP_IDLE 60.0           /* seconds before an idle UDP flow's socket is closed */
#define DNS_PORT 53

struct tcp_relay;   /* ppp_relay_tcp.c */
struct udp_flow;    /* ppp_relay_udp.c */

/* A host port the relay listens on for UDP (TCP listeners are shared: ppp_relay.c). */
struct port_pcb {
	u16_t port;
	struct udp_pcb *udp;
};

struct ppp_relay {
	struct ev_loop *loop;
	struct netif *nif;
	const struct netmap *map;
	uint32_t dns[2];
	ppp_relay_log_fn log;
	void *log_ctx;
	struct port_pcb *ports;     /* UDP pcbs created for ports the host used */
	size_t n_ports, cap_ports;
	char **names;               /* fake address FAKE_BASE + 1 + i answers names[i] */
	size_t n_names, cap_names;
	struct tcp_relay *tcps;
	struct udp_flow *udps;
	ev_timer udp_gc;
};

/* ppp_relay.c: transcript line, names and destinations, sockets, per-port pcbs. */
void ppp_relay_note(struct ppp_relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ppp_relay_dns_lookup(void *ctx, const char *name, uint32_t *addr);
enum netmap_res ppp_relay_map_dest(struct ppp_relay *r, const ip_addr_t *dst, u16_t port,
				   struct sockaddr_storage *sa, socklen_t *len, char *label,
				   size_t label_cap);
bool ppp_relay_is_dns_addr(const struct ppp_relay *r, const ip_addr_t *a);
/* A non-blocking socket connecting to sa (SOCK_STREAM or SOCK_DGRAM); -1 with errno. */
int ppp_relay_open_socket(const struct sockaddr_storage *sa, socklen_t len, int type);
/* The relay of a netif, if it is one of ours. */
struct ppp_relay *ppp_relay_of(struct netif *nif);

/* ppp_relay_tcp.c: accept callback of the shared listeners; abort every connection. */
err_t ppp_relay_tcp_accept(void *arg, struct tcp_pcb *pcb, err_t err);
void ppp_relay_tcp_abort_all(struct ppp_relay *r);

/* ppp_relay_udp.c: receive callback of the per-port pcbs; idle-flow timer; close every flow. */
void ppp_relay_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port);
void ppp_relay_udp_gc(struct ev_loop *loop, ev_timer *w, int revents);
void ppp_relay_udp_free_all(struct ppp_relay *r);

#endif
