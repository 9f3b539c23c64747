/* ppp_link.c - a PPP server session: lwIP PPPoS pcb + netif + relay, driven by libev. */
#include "ppp_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "lwip_port.h"
#include "netif/ppp/pppos.h"

#include "ppp_relay.h"

#define TICK_MIN 0.001  /* seconds: never spin */

struct ppp_link {
	struct ev_loop *loop;
	const struct ppp_link_cb *cb;
	void *ctx;
	struct ppp_link_cfg cfg;
	ppp_pcb *pcb;
	struct netif nif;             /* lwIP's interface for this session; added by pppos_create */
	struct lwip_port_input hook;  /* in nif's client-data slot: IPv4 goes to the relay */
	struct ppp_relay *relay;
	ev_timer tick;                /* lwIP timers */
	ev_timer reap;                /* reports "dead" outside lwIP's call stack */
	bool up;
	bool ended;                   /* lwIP reported the end of the link */
	bool freeing;                 /* no callbacks, no output */
};

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	w->repeat = lwip_port_check_timeouts();
	ev_timer_again(loop, w);
}

static void reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ppp_link *l = (struct ppp_link *)((char *)w - offsetof(struct ppp_link, reap));
	if (!l->freeing)
		l->cb->dead(l->ctx);
}

static u32_t output_cb(ppp_pcb *pcb, u8_t *data, u32_t len, void *ctx)
{
	(void)pcb;
	struct ppp_link *l = ctx;
	if (!l->freeing)
		l->cb->output(l->ctx, data, len);
	return len;
}

static void note(struct ppp_link *l, const char *msg)
{
	if (l->cb->log && !l->freeing)
		l->cb->log(l->ctx, msg);
}

static void status_cb(ppp_pcb *pcb, int err, void *ctx)
{
	struct ppp_link *l = ctx;
	if (err == PPPERR_NONE) {
		char buf[160], a[16], b[16];
		ip4addr_ntoa_r(netif_ip4_addr(ppp_netif(pcb)), a, sizeof a);
		ip4addr_ntoa_r(netif_ip4_gw(ppp_netif(pcb)), b, sizeof b);
		snprintf(buf, sizeof buf, "ppp: up, modem %s, host %s", a, b);
		note(l, buf);
		l->up = true;
		if (!l->freeing)
			l->cb->up(l->ctx);
		return;
	}
	if (pcb->phase != PPP_PHASE_DEAD || l->ended || l->freeing)
		return;
	char buf[80];
	snprintf(buf, sizeof buf, "ppp: link ended (lwIP status %d)", err);
	note(l, buf);
	l->ended = true;
	l->up = false;
	ev_timer_start(l->loop, &l->reap);
}

struct ppp_link *ppp_link_new(struct ev_loop *loop, const struct ppp_link_cfg *cfg,
			      const struct ppp_link_cb *cb, void *ctx)
{
	lwip_port_init();
	struct ppp_link *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->loop = loop;
	l->cb = cb;
	l->ctx = ctx;
	l->cfg = *cfg;
	l->pcb = pppos_create(&l->nif, output_cb, status_cb, l);
	if (!l->pcb) {
		free(l);
		return NULL;
	}
	l->relay = ppp_relay_new(loop, &l->nif, cfg->map, cfg->dns, cb->log, ctx);
	if (!l->relay) {
		ppp_free(l->pcb);
		free(l);
		return NULL;
	}
	l->hook.input = ppp_relay_input;
	l->hook.ctx = l->relay;
	netif_set_client_data(&l->nif, LWIP_PORT_INPUT_SLOT, &l->hook);

	ip4_addr_t a;
	ip4_addr_set_u32(&a, cfg->ours);
	ppp_set_ipcp_ouraddr(l->pcb, &a);
	ip4_addr_set_u32(&a, cfg->his);
	ppp_set_ipcp_hisaddr(l->pcb, &a);
	for (int i = 0; i < 2; i++)
		if (cfg->dns[i]) {
			ip4_addr_set_u32(&a, cfg->dns[i]);
			ppp_set_ipcp_dnsaddr(l->pcb, i, &a);
		}
	ppp_set_auth_required(l->pcb, 0);
	/* Like a module, speak first: our LCP Configure-Request goes out right after CONNECT. */
	ppp_set_passive(l->pcb, 0);
	ppp_set_silent(l->pcb, 0);

	ev_timer_init(&l->tick, tick_cb, TICK_MIN, TICK_MIN);
	ev_timer_start(loop, &l->tick);
	ev_timer_init(&l->reap, reap_cb, 0., 0.);
	ppp_listen(l->pcb);
	return l;
}

void ppp_link_input(struct ppp_link *l, const uint8_t *buf, size_t n)
{
	while (n > 0 && !l->ended) {
		int chunk = n > 4096 ? 4096 : (int)n;
		/* pppos_input does not keep buf; its prototype is just not const. */
		pppos_input(l->pcb, (u8_t *)(uintptr_t)buf, chunk);
		buf += chunk;
		n -= (size_t)chunk;
	}
	/* Replies (and relayed data) may have added lwIP timeouts sooner than the tick. */
	if (!l->ended && ev_timer_remaining(l->loop, &l->tick) > TICK_MIN) {
		l->tick.repeat = TICK_MIN;
		ev_timer_again(l->loop, &l->tick);
	}
}

bool ppp_link_is_up(const struct ppp_link *l)
{
	return l->up;
}

void ppp_link_free(struct ppp_link *l)
{
	if (!l)
		return;
	l->freeing = true;
	ev_timer_stop(l->loop, &l->tick);
	ev_timer_stop(l->loop, &l->reap);
	/* Connections first, while the netif still exists (their RSTs go nowhere: muted). */
	netif_set_client_data(&l->nif, LWIP_PORT_INPUT_SLOT, NULL);
	ppp_relay_free(l->relay);
	lwip_port_netif_gone(&l->nif);
	lwip_port_ppp_free(l->pcb);
	free(l);
}
