/* ppp_link.h - one PPP server session on lwIP PPPoS: bytes in and out, IPCP, relay, timers. */
#ifndef SIM_PPP_LINK_H
#define SIM_PPP_LINK_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netmap;

/*
 * The simulator's side of a PPP call. lwIP (compiled by cmake/lwip.cmake with
 * sim/lwip/lwipopts.h) keeps process-wide state (netif list, pcb lists, timeout list); that
 * state is lwIP's, not ours, and one lwIP instance serves every modem of the process: each
 * link is its own ppp_pcb with its own netif, and lwIP routes by netif, so 20 modems online at
 * once are 20 netifs. Every link runs lwIP's timers (sys_check_timeouts) from its own ev_timer;
 * checking the shared timeout list from several timers is harmless.
 * The link accepts PAP/CHAP from the host without asking for them (the module hands
 * credentials to the network, and this network takes any), gives the host `his` and the DNS
 * addresses in IPCP, and hands IP traffic to a ppp_relay (ppp_relay.h).
 */
struct ppp_link;

struct ppp_link_cb {
	/* PPP bytes for the host (HDLC-like framed). */
	void (*output)(void *ctx, const uint8_t *buf, size_t n);
	/* IPCP is up: the host has its address. */
	void (*up)(void *ctx);
	/* The link is over (host LCP Terminate, failed negotiation): called from a loop turn of
	 * its own, so the callee may ppp_link_free. Not called after ppp_link_free. */
	void (*dead)(void *ctx);
	/* A line for the transcript. */
	void (*log)(void *ctx, const char *msg);
};

struct ppp_link_cfg {
	uint32_t ours, his;      /* IPCP addresses, network order */
	uint32_t dns[2];         /* IPCP DNS addresses, network order (0 = none) */
	const struct netmap *map;
};

/* Starts listening for the host's LCP at once. cb and ctx must outlive the link. */
struct ppp_link *ppp_link_new(struct ev_loop *loop, const struct ppp_link_cfg *cfg,
			      const struct ppp_link_cb *cb, void *ctx);
/* Bytes from the host (any framing damage is lwIP's to drop). */
void ppp_link_input(struct ppp_link *l, const uint8_t *buf, size_t n);
/* Whether IPCP is up. */
bool ppp_link_is_up(const struct ppp_link *l);
/* Carrier lost (ATH, power off): no more bytes go out; relayed connections are reset. */
void ppp_link_free(struct ppp_link *l);

#endif
