/* svc_ppp.c - PPP data calls: dial, data mode with the "+++" escape, ATO/ATH, NO CARRIER. */
#include "svc_ppp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "modem_internal.h"
#include "ppp_link.h"
#include "respond.h"
#include "transcript.h"

/*
 * The call is a state machine over one ppp_link (ppp_link.h: lwIP's PPPoS server with a
 * tun2socks-style relay):
 *   no call --ATD*99# CONNECT--> online --"+++"--> command mode --ATO CONNECT--> online
 *   online/command --ATH OK, power off--> no call (the link is gone, nothing more is sent)
 *   online/command --host LCP Terminate, failed negotiation, network drop--> NO CARRIER
 * V.250 §6.3.4 / MAN table 2.1: a connection that ends returns the DCE to command state with
 * NO CARRIER, also when the host asked for the end (LCP Terminate is the host's business; the
 * modem only sees the call end), so pppd and chat scripts see the same as with a real module.
 * In command mode the link lives on: relayed sockets keep their state, but PPP output to the
 * host is dropped (the line belongs to AT), as TCP's own retransmissions recover after ATO.
 */

/* Addresses handed out in IPCP: a fixed modem side and one host address per modem index, so
 * every netif in the process has a distinct peer (lwIP routes RSTs by peer address). */
#define PPP_OUR_ADDR 0x0A404040u   /* 10.64.64.64, also the first DNS server */
#define PPP_DNS2_ADDR 0x0A404041u  /* 10.64.64.65 */
#define PPP_HOST_NET 0x0A010000u   /* 10.1.0.0/16: host = 10.1.0.2 + modem index */

struct svc_ppp {
	struct sim_modem *m;
	struct svc_ppp_pdp pdp[SVC_PPP_MAX_CID + 1];   /* [0] unused */
	struct ppp_link *link;  /* the call; NULL when there is none */
	int cid;
	bool online;            /* data mode: the line is PPP */
	struct escape esc;
	ev_timer watch;         /* the network side: a detach ends the call */
	size_t dropped;         /* PPP bytes dropped while in command mode (transcript) */
	unsigned line_baud;     /* the line's pacing to restore in command mode; 0 = unpaced */
	unsigned leftover;      /* op ppp_leftover: frames sent between the next escape and its
				 * answer (field-bugs.md ppp-leftover-frames-after-exit) */
};

/* An LCP Echo-Request (id 1, magic 0x5a3c96a1) in HDLC framing with the default ACCM: the
 * "7e ff 7d 23 c0 21 ..." the esp-idf#7608 log shows after the escape. */
static const uint8_t lcp_echo_frame[] = {0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x29, 0x7d,
					 0x21, 0x7d, 0x20, 0x7d, 0x28, 0x5a, 0x3c, 0x96, 0xa1,
					 0xd5, 0x22, 0x7e};

static struct svc_ppp *get(struct sim_modem *m)
{
	if (!m->ppp) {
		m->ppp = calloc(1, sizeof *m->ppp);
		if (!m->ppp)
			return NULL;
		m->ppp->m = m;
	}
	return m->ppp;
}

/* ---- link callbacks ---------------------------------------------------------------------- */

static void link_output(void *ctx, const uint8_t *buf, size_t n)
{
	struct svc_ppp *p = ctx;
	if (p->online)
		modem_send(p->m, buf, n);
	else
		p->dropped += n;
}

static void link_up(void *ctx)
{
	(void)ctx;
}

static void link_log(void *ctx, const char *msg)
{
	struct svc_ppp *p = ctx;
	transcript_note(p->m->log, p->m->index, "%s", msg);
}

static void go_command_mode(struct svc_ppp *p)
{
	if (!p->online)
		return;
	p->online = false;
	if (p->line_baud)
		pacing_set_baud(&p->m->out, p->line_baud);
	escape_stop(&p->esc);
	modem_clear_input_hook(p->m);
}

static void end_call(struct svc_ppp *p)
{
	go_command_mode(p);
	ev_timer_stop(p->m->loop, &p->watch);
	ppp_link_free(p->link);
	p->link = NULL;
	if (p->dropped)
		transcript_note(p->m->log, p->m->index,
				"ppp: %zu bytes to the host dropped in command mode", p->dropped);
	p->dropped = 0;
}

/* The call ended from the other side: NO CARRIER (a final result while online or idle). */
static void no_carrier(struct svc_ppp *p, const char *why)
{
	struct sim_modem *m = p->m;
	transcript_note(m->log, m->index, "ppp: call ended: %s", why);
	bool was_online = p->online;
	end_call(p);
	if (was_online || !m->disp.busy) {
		respond_final(m, RES_CODE(V250_NO_CARRIER));
		urc_queue_flush(m);
	} else {
		respond_code_urc(m, V250_NO_CARRIER);
	}
}

static void link_dead(void *ctx)
{
	no_carrier(ctx, "PPP link terminated");
}

static const struct ppp_link_cb link_cb = {
	.output = link_output,
	.up = link_up,
	.dead = link_dead,
	.log = link_log,
};

static void watch_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct svc_ppp *p = (struct svc_ppp *)((char *)w - offsetof(struct svc_ppp, watch));
	if (!netstate_attached(p->m))
		no_carrier(p, "GPRS detached");
}

/* ---- data mode --------------------------------------------------------------------------- */

static void online_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct svc_ppp *p = ctx;
	if (p->link)
		ppp_link_input(p->link, buf, n);
}

/* "+++" with its guard times: OK in command mode, the call stays (MAN §2.2.12, §20.8). PPP
 * bytes already queued for the host go out before the OK (field-bugs.md
 * ppp-leftover-frames-after-exit: the pacing queue is in order). */
static void online_escape(void *ctx)
{
	struct svc_ppp *p = ctx;
	if (p->leftover) {
		transcript_note(p->m->log, p->m->index, "ppp: %u frames still queued go out", p->leftover);
		for (; p->leftover; p->leftover--)
			modem_send(p->m, lcp_echo_frame, sizeof lcp_echo_frame);
	}
	/* Which answer a real SIM800 gives is UNCERTAIN (field-bugs.md ppp-exit-no-carrier-missed:
	 * the esp-idf reporters saw NO CARRIER; V.250 says OK): profile data.ppp_escape_answer. */
	if (p->m->profile->ppp_escape_no_carrier) {
		transcript_note(p->m->log, p->m->index, "ppp: escape, NO CARRIER (ppp_escape_answer)");
		no_carrier(p, "escape");
		return;
	}
	go_command_mode(p);
	transcript_note(p->m->log, p->m->index, "ppp: escape, command mode");
	respond_final(p->m, RES_OK);
	urc_queue_flush(p->m);
}

static size_t online_feed(struct sim_modem *m, void *ctx, const uint8_t *buf, size_t n)
{
	(void)m;
	struct svc_ppp *p = ctx;
	escape_feed(&p->esc, buf, n);
	return n;
}

static void go_online(struct svc_ppp *p)
{
	struct sim_modem *m = p->m;
	escape_init(&p->esc, m->loop, modem_escape_guard(m), online_data, online_escape, p);
	p->online = true;
	/* The GPRS bearer, not the UART, limits PPP data (profile data.ppp_rate, bits/s): the
	 * line is paced at that rate while online. Unpaced (--no-pacing) stays unpaced. */
	p->line_baud = 0;
	unsigned bearer_baud = m->profile->ppp_rate / 8u * 10u; /* 8N1 pacing of the same bytes */
	unsigned line_baud = (unsigned)(m->out.rate * 10 + 0.5);
	if (bearer_baud > 0 && line_baud > 0 && bearer_baud < line_baud) {
		p->line_baud = line_baud;
		pacing_set_baud(&m->out, bearer_baud);
	}
	const struct modem_input_hook hook = {.feed = online_feed, .ctx = p};
	modem_set_input_hook(m, &hook);
}

/* After CONNECT is out: the line carries PPP from now on. */
static void start_call(struct sim_modem *m)
{
	struct svc_ppp *p = m->ppp;
	if (!p || p->link)
		return;
	uint32_t host = PPP_HOST_NET + 2u + (uint32_t)m->index;
	const struct ppp_link_cfg cfg = {
		.ours = htonl(PPP_OUR_ADDR),
		.his = htonl(host),
		.dns = {htonl(PPP_OUR_ADDR), htonl(PPP_DNS2_ADDR)},
		.map = m->opt->netmap,
	};
	/* Online before the link exists: lwIP sends its first LCP Configure-Request from inside
	 * ppp_link_new, and in command mode that frame would be dropped (the host would then
	 * wait for LCP's 1 s retransmission). */
	go_online(p);
	p->link = ppp_link_new(m->loop, &cfg, &link_cb, p);
	if (!p->link) {
		go_command_mode(p);
		transcript_note(m->log, m->index, "ppp: no memory for the link");
		respond_final(m, RES_CODE(V250_NO_CARRIER));
		return;
	}
	transcript_note(m->log, m->index, "ppp: call on cid %d (APN \"%s\")", p->cid,
			p->pdp[p->cid].apn);
	ev_timer_init(&p->watch, watch_cb, 0.5, 0.5);
	ev_timer_start(m->loop, &p->watch);
}

/* ---- AT side ----------------------------------------------------------------------------- */

struct at_result svc_ppp_dial(struct sim_modem *m, int cid)
{
	/* A profile without PPP answers as a module that cannot dial GPRS. Not attached: ERROR
	 * (field-bugs.md ppp-dial-error-must-not-start-ppp). */
	if (!m->profile->cap_ppp || !netstate_attached(m))
		return RES_ERROR;
	if (cid < 1 || cid > SVC_PPP_MAX_CID)
		return RES_ERROR;
	struct svc_ppp *p = get(m);
	if (!p || p->link)
		return RES_ERROR;
	p->cid = cid;
	m->disp.after_final = start_call;
	return svc_ppp_connect_result(m);
}

bool svc_ppp_leftover_frames(struct sim_modem *m, unsigned frames)
{
	struct svc_ppp *p = get(m);
	if (!p)
		return false;
	p->leftover = frames;
	return true;
}

bool svc_ppp_online_now(struct sim_modem *m, int cid)
{
	if (!m->profile->cap_ppp || !netstate_attached(m) || cid < 1 || cid > SVC_PPP_MAX_CID)
		return false;
	struct svc_ppp *p = get(m);
	if (!p || p->link)
		return false;
	p->cid = cid;
	start_call(m);
	return p->link != NULL;
}

struct at_result svc_ppp_connect_result(const struct sim_modem *m)
{
	struct at_result r = RES_CODE(V250_CONNECT);
	r.text = m->profile->ppp_connect;
	return r;
}

bool svc_ppp_active(const struct sim_modem *m)
{
	return m->ppp && m->ppp->link;
}

bool svc_ppp_can_resume(const struct sim_modem *m)
{
	return svc_ppp_active(m) && !m->ppp->online;
}

void svc_ppp_resume(struct sim_modem *m)
{
	if (svc_ppp_can_resume(m))
		go_online(m->ppp);
}

void svc_ppp_hangup(struct sim_modem *m)
{
	if (!svc_ppp_active(m))
		return;
	transcript_note(m->log, m->index, "ppp: hang-up");
	end_call(m->ppp);
}

void svc_ppp_drop(struct sim_modem *m, const char *why)
{
	if (svc_ppp_active(m))
		no_carrier(m->ppp, why);
}

void svc_ppp_reset(struct sim_modem *m)
{
	struct svc_ppp *p = m->ppp;
	if (!p)
		return;
	if (p->link)
		end_call(p);
	free(p);
	m->ppp = NULL;
}

const struct svc_ppp_pdp *svc_ppp_pdp(struct sim_modem *m, int cid)
{
	struct svc_ppp *p = cid >= 1 && cid <= SVC_PPP_MAX_CID ? get(m) : NULL;
	return p ? &p->pdp[cid] : NULL;
}

bool svc_ppp_set_pdp(struct sim_modem *m, int cid, const char *type, const char *apn)
{
	struct svc_ppp *p = cid >= 1 && cid <= SVC_PPP_MAX_CID ? get(m) : NULL;
	if (!p)
		return false;
	struct svc_ppp_pdp *d = &p->pdp[cid];
	memset(d, 0, sizeof *d);
	if (type) {
		d->defined = true;
		snprintf(d->type, sizeof d->type, "%s", type);
		snprintf(d->apn, sizeof d->apn, "%s", apn ? apn : "");
	}
	return true;
}
