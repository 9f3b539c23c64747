/* ppp_relay_udp.c - a PPP host's UDP flows relayed to real sockets; DNS answered from the map. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

#include "ppp_dns.h"
#include "ppp_relay_int.h"

/* One UDP conversation (host port, destination) and its connected real socket. */
struct udp_flow {
	struct ppp_relay *r;
	struct udp_flow *next;
	struct udp_pcb *pcb;        /* the per-port pcb replies leave from (owned by the relay) */
	ip_addr_t host, dst;
	u16_t host_port;
	int fd;
	ev_io io;
	ev_tstamp last;
};

static void udp_flow_free(struct udp_flow *f)
{
	struct ppp_relay *r = f->r;
	for (struct udp_flow **pp = &r->udps; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	ev_io_stop(r->loop, &f->io);
	close(f->fd);
	free(f);
}

/* A datagram from the server: back to the host, from the address it wrote to. */
static void udp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct udp_flow *f = (struct udp_flow *)((char *)w - offsetof(struct udp_flow, io));
	uint8_t buf[2048];
	ssize_t n = recv(f->fd, buf, sizeof buf, 0);
	if (n < 0)
		return;
	f->last = ev_now(loop);
	struct pbuf *q = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!q)
		return;
	memcpy(q->payload, buf, (size_t)n);
	udp_sendto_if_src(f->pcb, q, &f->host, f->host_port, f->r->nif, &f->dst);
	pbuf_free(q);
}

void ppp_relay_udp_gc(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct ppp_relay *r = (struct ppp_relay *)((char *)w - offsetof(struct ppp_relay, udp_gc));
	struct udp_flow *f = r->udps;
	while (f) {
		struct udp_flow *next = f->next;
		if (ev_now(loop) - f->last > UDP_IDLE)
			udp_flow_free(f);
		f = next;
	}
}

static void dns_reply(struct ppp_relay *r, struct udp_pcb *pcb, struct pbuf *p,
		      const ip_addr_t *host, u16_t port, const ip_addr_t *dst)
{
	uint8_t q[1500], a[1500];
	u16_t qlen = pbuf_copy_partial(p, q, sizeof q, 0);
	size_t n = ppp_dns_answer(q, qlen, a, sizeof a, ppp_relay_dns_lookup, r);
	if (n == 0)
		return;
	struct pbuf *out = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!out)
		return;
	memcpy(out->payload, a, n);
	udp_sendto_if_src(pcb, out, host, port, r->nif, dst);
	pbuf_free(out);
}

void ppp_relay_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct ppp_relay *r = arg;
	ip_addr_t dst;
	ip_addr_copy(dst, *ip_current_dest_addr());
	u16_t dport = pcb->local_port;
	if (dport == DNS_PORT && ppp_relay_is_dns_addr(r, &dst)) {
		dns_reply(r, pcb, p, addr, port, &dst);
		pbuf_free(p);
		return;
	}
	struct udp_flow *f;
	for (f = r->udps; f; f = f->next)
		if (f->pcb == pcb && f->host_port == port && ip_addr_cmp(&f->dst, &dst) &&
		    ip_addr_cmp(&f->host, addr))
			break;
	if (!f) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		char label[300];
		if (ppp_relay_map_dest(r, &dst, dport, &sa, &len, label, sizeof label) != NETMAP_OK) {
			pbuf_free(p);
			return;
		}
		int fd = ppp_relay_open_socket(&sa, len, SOCK_DGRAM);
		f = fd >= 0 ? calloc(1, sizeof *f) : NULL;
		if (!f) {
			if (fd >= 0)
				close(fd);
			ppp_relay_note(r, "udp %s: no socket", label);
			pbuf_free(p);
			return;
		}
		ppp_relay_note(r, "udp %s: flow", label);
		f->r = r;
		f->pcb = pcb;
		ip_addr_copy(f->host, *addr);
		ip_addr_copy(f->dst, dst);
		f->host_port = port;
		f->fd = fd;
		ev_io_init(&f->io, udp_io_cb, fd, EV_READ);
		ev_io_start(r->loop, &f->io);
		f->next = r->udps;
		r->udps = f;
	}
	f->last = ev_now(r->loop);
	uint8_t buf[2048];
	u16_t n = pbuf_copy_partial(p, buf, sizeof buf, 0);
	if (send(f->fd, buf, n, 0) < 0)
		ppp_relay_note(r, "udp relay: send: %s", strerror(errno));
	pbuf_free(p);
}

void ppp_relay_udp_free_all(struct ppp_relay *r)
{
	while (r->udps)
		udp_flow_free(r->udps);
}
