/* ppp_client.c - PPPoS client on lwIP: the link on a tty fd (DNS, TCP/TLS, UDP in their own files). */
#include "ppp_client.h"
#include "ppp_client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "lwip/netif.h"
#include "lwip_port.h"
#include "netif/ppp/pppos.h"
#include "netif/ppp/ppp_impl.h"
#include "netif/ppp/ipcp.h"

#define READ_CHUNK 4096


bool ppp_client_bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->off && b->off + b->len + n > b->cap) {
		memmove(b->d, b->d + b->off, b->len);
		b->off = 0;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->d, cap);
		if (!d)
			return false;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->off + b->len, p, n);
	b->len += n;
	return true;
}

void ppp_client_bytes_drop(struct bytes *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}



const char *ppp_client_strerror(enum ppp_client_err e)
{
	static const char *const text[] = {
		/* PPP_CLIENT_OK */ "success",
		/* PPP_CLIENT_ENOMEM */ "out of memory",
		/* PPP_CLIENT_ELINK */ "PPP link not up",
		/* PPP_CLIENT_ENAME */ "no such name",
		/* PPP_CLIENT_ETIMEOUT */ "no DNS answer",
		/* PPP_CLIENT_EREFUSED */ "connection refused or reset",
		/* PPP_CLIENT_ETLS */ "TLS failure",
		/* PPP_CLIENT_ETOOBIG */ "datagram too long",
	};
	return (unsigned)e < sizeof text / sizeof text[0] ? text[e] : "unknown error";
}

/* ---- the link ---------------------------------------------------------------------------- */

static void flush_fd(struct ppp_client *c)
{
	while (c->out.len) {
		ssize_t n = write(c->fd, c->out.d + c->out.off, c->out.len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->out.len = c->out.off = 0; /* the line is gone: PPP will notice */
			break;
		}
		ppp_client_bytes_drop(&c->out, (size_t)n);
	}
	if (c->out.len && !c->paused)
		ev_io_start(c->loop, &c->wio);
	else
		ev_io_stop(c->loop, &c->wio);
}

static u32_t output_cb(ppp_pcb *pcb, u8_t *data, u32_t len, void *ctx)
{
	(void)pcb;
	struct ppp_client *c = ctx;
	if (c->paused || c->fd < 0)
		return len;
	if (ppp_client_bytes_add(&c->out, data, len) && c->out.len == len)
		flush_fd(c);
	else if (c->out.len)
		ev_io_start(c->loop, &c->wio);
	return len;
}

static void status_cb(ppp_pcb *pcb, int err, void *ctx)
{
	struct ppp_client *c = ctx;
	if (err == PPPERR_NONE)
		c->state = PPP_CLIENT_UP;
	else if (pcb->phase == PPP_PHASE_DEAD)
		c->state = PPP_CLIENT_DOWN;
}

static void kick_tick(struct ppp_client *c)
{
	if (ev_timer_remaining(c->loop, &c->tick) > 0.001) {
		c->tick.repeat = 0.001;
		ev_timer_again(c->loop, &c->tick);
	}
}

static void rio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ppp_client *c = (struct ppp_client *)((char *)w - offsetof(struct ppp_client, rio));
	uint8_t buf[READ_CHUNK];
	ssize_t n = read(c->fd, buf, sizeof buf);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			ev_io_stop(c->loop, &c->rio); /* hang-up: PPP times out on its own */
		return;
	}
	ppp_client_input(c, buf, (size_t)n);
}

void ppp_client_input(struct ppp_client *c, const uint8_t *buf, size_t n)
{
	if (n == 0)
		return;
	/* pppos_input copies what it needs; its prototype is just not const. */
	pppos_input(c->pcb, (u8_t *)(uintptr_t)buf, (int)n);
	kick_tick(c);
}

static void wio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	flush_fd((struct ppp_client *)((char *)w - offsetof(struct ppp_client, wio)));
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	w->repeat = lwip_port_check_timeouts();
	ev_timer_again(loop, w);
}

struct ppp_client *ppp_client_new(struct ev_loop *loop, int fd)
{
	lwip_port_init();
	struct ppp_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->loop = loop;
	c->fd = fd;
	c->state = PPP_CLIENT_NEGOTIATING;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->pcb = pppos_create(&c->nif, output_cb, status_cb, c);
	if (!c->pcb) {
		free(c);
		return NULL;
	}
	ppp_set_usepeerdns(c->pcb, 1);
	/* Empty credentials: SIM800 networks take any, and the simulator asks for none. */
	ppp_set_auth(c->pcb, PPPAUTHTYPE_ANY, "", "");
	ev_io_init(&c->rio, rio_cb, fd, EV_READ);
	ev_io_init(&c->wio, wio_cb, fd, EV_WRITE);
	ev_io_start(loop, &c->rio);
	ev_timer_init(&c->tick, tick_cb, 0.001, 0.001);
	ev_timer_start(loop, &c->tick);
	ppp_connect(c->pcb, 0);
	return c;
}

enum ppp_client_state ppp_client_state(const struct ppp_client *c)
{
	return c->state;
}

uint32_t ppp_client_addr(const struct ppp_client *c)
{
	return c->state == PPP_CLIENT_UP ? ip4_addr_get_u32(netif_ip4_addr(&c->nif)) : 0;
}

uint32_t ppp_client_dns(const struct ppp_client *c)
{
	return c->state == PPP_CLIENT_UP ? c->pcb->ipcp_gotoptions.dnsaddr[0] : 0;
}

void ppp_client_close(struct ppp_client *c)
{
	if (c->state != PPP_CLIENT_DOWN)
		ppp_close(c->pcb, 0);
}

void ppp_client_pause(struct ppp_client *c)
{
	c->paused = true;
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	c->out.len = c->out.off = 0;
}

void ppp_client_resume(struct ppp_client *c)
{
	c->paused = false;
	ev_io_start(c->loop, &c->rio);
}

void ppp_client_free(struct ppp_client *c)
{
	if (!c)
		return;
	while (c->conns)
		ppp_client_conn_free(c->conns);
	ppp_client_dns_free_all(c);
	while (c->udps)
		ppp_client_udp_free(c->udps);
	c->paused = true;
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_timer_stop(c->loop, &c->tick);
	lwip_port_netif_gone(&c->nif);
	lwip_port_ppp_free(c->pcb);
	free(c->out.d);
	free(c);
}
