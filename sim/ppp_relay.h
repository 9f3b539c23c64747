/* ppp_relay.h - terminate a PPP host's TCP/UDP in lwIP and relay it to real sockets (netmap). */
#ifndef SIM_PPP_RELAY_H
#define SIM_PPP_RELAY_H

#include <ev.h>
#include <stdint.h>

struct netif;
struct pbuf;
struct netmap;

/*
 * One per PPP session, owned by its ppp_link. It sees every IPv4 packet the host sends on its
 * netif (ppp_relay_input is the netif's lwip_port_input) and delivers TCP and UDP for ANY
 * destination to lwIP's own TCP/UDP (tun2socks style), creating per-netif listeners for each
 * port the host uses. Each accepted connection or UDP flow gets a real non-blocking socket to
 * the address netmap maps the destination to; destinations the map refuses get a TCP RST (UDP:
 * dropped) and nothing leaves the machine. DNS to the session's DNS addresses is answered from
 * the map (ppp_dns.c) with fake addresses from 198.18.0.0/15, one per name and session, so a
 * NAME:PORT=IP:PORT entry still applies when the host connects to the answer.
 * Owns its lwIP pcbs, sockets and watchers; ppp_relay_free releases them all.
 */
struct ppp_relay;

/* Transcript lines ("tcp 10.1.0.2:40000 -> api.example.com:443 refused: ..."). */
typedef void (*ppp_relay_log_fn)(void *ctx, const char *msg);

/* dns: the two addresses given in IPCP (network order, 0 = none). The netif must outlive the
 * relay; map and log ctx too. */
struct ppp_relay *ppp_relay_new(struct ev_loop *loop, struct netif *nif, const struct netmap *map,
				const uint32_t dns[2], ppp_relay_log_fn log, void *log_ctx);
/* lwip_port_input for the session's netif (ctx is the relay). */
int ppp_relay_input(void *ctx, struct pbuf *p, struct netif *inp);
/* Abort every connection (RST to the host, close the sockets) and free everything. */
void ppp_relay_free(struct ppp_relay *r);

#endif
