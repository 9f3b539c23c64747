/* lwip_port.h - our side of lwIP's port: clock, randomness, and the per-netif IPv4 input hook. */
#ifndef SIM800_LWIP_PORT_H
#define SIM800_LWIP_PORT_H

#include "lwip/arch.h"

struct pbuf;
struct netif;

/*
 * lwIP's NO_SYS core has process-wide state (netif list, pcb lists, timeout list): that is
 * lwIP's, not ours, and one lwIP instance serves every PPP link of the process. Our own state
 * hangs off each link: a netif that wants to see IPv4 packets before lwIP's address check (the
 * simulator's PPP server, which terminates traffic for any destination) stores a
 * struct lwip_port_input in its client-data slot LWIP_PORT_INPUT_SLOT. Netifs without one
 * (the PPP client) get lwIP's normal input path.
 */
struct lwip_port_input {
	/* Return 1 when the packet was consumed (and freed), 0 to let lwIP go on with it. */
	int (*input)(void *ctx, struct pbuf *p, struct netif *inp);
	void *ctx;
};

/* The first client-data slot; nothing else in our lwIP build allocates slots. */
#define LWIP_PORT_INPUT_SLOT 0

/* lwip_init() once per process (server links and client links alike call it). */
void lwip_port_init(void);
/* Run due lwIP timeouts; returns seconds until the next one (clamped to [0.001, 0.1]). */
double lwip_port_check_timeouts(void);

/* TCP pcbs still tied to this netif (closing, TIME-WAIT) would outlive it and could later send
 * on a new netif that reuses its index: abort them (callbacks are cleared first). */
void lwip_port_netif_gone(struct netif *nif);
/* End a PPP pcb in whatever phase (the carrier is gone) and free it (removes its netif). */
struct ppp_pcb_s;
void lwip_port_ppp_free(struct ppp_pcb_s *pcb);

/* The LWIP_HOOK_IP4_INPUT hook (lwipopts.h). */
int lwip_port_ip4_input(struct pbuf *p, struct netif *inp);
/* LWIP_RAND(). */
u32_t lwip_port_rand(void);
/* LWIP_HOOK_TCP_ISN: RFC 6528 ISN = M + F(local ip, local port, remote ip, remote port, key),
 * M a 4 µs clock, F HMAC-SHA256 truncated to 32 bits, key random per process. */
struct ip4_addr;
u32_t lwip_port_tcp_isn(const struct ip4_addr *lip, u16_t lport, const struct ip4_addr *rip,
			u16_t rport);

#endif
