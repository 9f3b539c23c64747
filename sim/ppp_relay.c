/* ppp_relay.c - a PPP host's TCP and UDP, terminated by lwIP, relayed to real sockets (see .h). */
#include "ppp_relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "lwip_port.h"
#include "netmap.h"
#include "ppp_dns.h"

#define FAKE_BASE 0xC6120000u   /* 198.18.0.0/15 (RFC 2544 benchmarking): never a real host */
#define FAKE_COUNT 0x1FFFEu
#define RELAY_CHUNK 8192        /* bytes read from a real socket per turn */
#define UDP_IDLE 60.0           /* seconds before an idle UDP flow's socket is closed */
#define DNS_PORT 53

struct ppp_relay;

/* One host TCP connection and its real socket. */
struct tcp_relay {
	struct ppp_relay *r;
	struct tcp_relay *next;
	struct tcp_pcb *pcb;        /* NULL once lwIP freed it (error callback) */
	int fd;
	ev_io io;
	int events;                 /* what io watches */
	bool connecting;
	struct pbuf *to_sock;       /* host bytes not yet written (not yet acknowledged to lwIP) */
	bool host_eof;              /* the host sent FIN */
	bool sock_eof;              /* the server closed its side; FIN sent to the host */
	bool wr_shut;               /* shutdown(SHUT_WR) done after host_eof */
	bool paused;                /* lwIP send buffer full: not reading the socket */
};

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

static void note(struct ppp_relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ppp_relay *r, const char *fmt, ...)
{
	if (!r->log)
		return;
	char buf[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->log(r->log_ctx, buf);
}

/* ---- names and destinations ------------------------------------------------------------- */

/* DNS lookup for ppp_dns: a fake address per mapped name (ppp_relay.h says why). */
static bool dns_lookup(void *ctx, const char *name, uint32_t *addr)
{
	struct ppp_relay *r = ctx;
	char ip[64];
	if (netmap_lookup(r->map, name, ip, sizeof ip) != NETMAP_OK)
		return false;
	size_t i;
	for (i = 0; i < r->n_names; i++)
		if (strcasecmp(r->names[i], name) == 0)
			break;
	if (i == r->n_names) {
		if (i >= FAKE_COUNT)
			return false;
		if (r->n_names == r->cap_names) {
			size_t cap = r->cap_names ? r->cap_names * 2 : 16;
			char **n = realloc(r->names, cap * sizeof *n);
			if (!n)
				return false;
			r->names = n;
			r->cap_names = cap;
		}
		r->names[i] = strdup(name);
		if (!r->names[i])
			return false;
		r->n_names++;
	}
	*addr = htonl(FAKE_BASE + 1 + (uint32_t)i);
	return true;
}

/* Where a host connection to dst:port goes: the mapped name behind a fake address, or the
 * literal address; either way netmap decides (allowed ranges, NAME:PORT entries). */
static enum netmap_res map_dest(struct ppp_relay *r, const ip_addr_t *dst, u16_t port,
				struct sockaddr_storage *sa, socklen_t *len, char *label,
				size_t label_cap)
{
	uint32_t h = ntohl(ip4_addr_get_u32(ip_2_ip4(dst)));
	char host[256];
	if (h > FAKE_BASE && h - FAKE_BASE - 1 < r->n_names)
		snprintf(host, sizeof host, "%s", r->names[h - FAKE_BASE - 1]);
	else
		ip4addr_ntoa_r(ip_2_ip4(dst), host, sizeof host);
	snprintf(label, label_cap, "%s:%u", host, (unsigned)port);
	char why[160];
	enum netmap_res res = netmap_resolve(r->map, host, port, sa, len, why, sizeof why);
	if (res != NETMAP_OK)
		note(r, "%s refused: %s", label, why);
	return res;
}

static bool is_dns_addr(const struct ppp_relay *r, const ip_addr_t *a)
{
	uint32_t v = ip4_addr_get_u32(ip_2_ip4(a));
	return v != 0 && (v == r->dns[0] || v == r->dns[1]);
}

static int open_socket(const struct sockaddr_storage *sa, socklen_t len, int type)
{
	int fd = socket(sa->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (type == SOCK_STREAM) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	if (connect(fd, (const struct sockaddr *)sa, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- TCP relay ------------------------------------------------------------------------- */

static void tcp_set_events(struct tcp_relay *t, int events)
{
	if (t->events == events)
		return;
	ev_io_stop(t->r->loop, &t->io);
	t->events = events;
	if (events) {
		ev_io_set(&t->io, t->fd, events);
		ev_io_start(t->r->loop, &t->io);
	}
}

static void tcp_unlink_free(struct tcp_relay *t)
{
	struct ppp_relay *r = t->r;
	for (struct tcp_relay **pp = &r->tcps; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	ev_io_stop(r->loop, &t->io);
	if (t->fd >= 0)
		close(t->fd);
	if (t->to_sock)
		pbuf_free(t->to_sock);
	free(t);
}

static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

/* Reset the host's connection and forget it. */
static void tcp_relay_abort(struct tcp_relay *t)
{
	if (t->pcb) {
		tcp_detach(t->pcb);
		tcp_abort(t->pcb);
		t->pcb = NULL;
	}
	tcp_unlink_free(t);
}

/* Both directions are done: close the lwIP side gracefully and the socket. */
static void tcp_relay_maybe_finish(struct tcp_relay *t)
{
	if (!(t->host_eof && t->sock_eof && !t->to_sock))
		return;
	if (t->pcb) {
		tcp_detach(t->pcb);
		if (tcp_close(t->pcb) != ERR_OK)
			tcp_abort(t->pcb);
		t->pcb = NULL;
	}
	tcp_unlink_free(t);
}

/* Write queued host bytes to the socket; false if the relay was aborted. */
static bool tcp_flush_to_sock(struct tcp_relay *t)
{
	if (t->connecting)
		return true;
	while (t->to_sock) {
		struct pbuf *q = t->to_sock;
		if (q->len == 0) {
			/* An empty pbuf in the chain: drop it, keep the rest. */
			struct pbuf *rest = q->next;
			if (rest)
				pbuf_ref(rest);
			pbuf_free(q);
			t->to_sock = rest;
			continue;
		}
		ssize_t n = send(t->fd, q->payload, q->len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			note(t->r, "tcp relay: send: %s", strerror(errno));
			tcp_relay_abort(t);
			return false;
		}
		if (t->pcb)
			tcp_recved(t->pcb, (u16_t)n);
		t->to_sock = pbuf_free_header(q, (u16_t)n);
	}
	int ev = t->paused || t->sock_eof ? 0 : EV_READ;
	if (t->to_sock)
		ev |= EV_WRITE;
	if (!t->to_sock && t->host_eof && !t->wr_shut) {
		shutdown(t->fd, SHUT_WR);
		t->wr_shut = true;
	}
	tcp_set_events(t, ev);
	return true;
}

/* Move what the server sent into lwIP, as far as its send buffer allows. False if aborted. */
static bool tcp_pull_from_sock(struct tcp_relay *t)
{
	uint8_t buf[RELAY_CHUNK];
	while (t->pcb && !t->sock_eof) {
		size_t room = tcp_sndbuf(t->pcb);
		if (room == 0 || tcp_sndqueuelen(t->pcb) >= TCP_SND_QUEUELEN / 2) {
			t->paused = true;
			break;
		}
		t->paused = false;
		ssize_t n = recv(t->fd, buf, room < sizeof buf ? room : sizeof buf, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			note(t->r, "tcp relay: recv: %s", strerror(errno));
			tcp_relay_abort(t);
			return false;
		}
		if (n == 0) {
			t->sock_eof = true;
			tcp_shutdown(t->pcb, 0, 1);
			break;
		}
		if (tcp_write(t->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
			note(t->r, "tcp relay: lwIP refused %zd bytes", n);
			tcp_relay_abort(t);
			return false;
		}
	}
	if (t->pcb)
		tcp_output(t->pcb);
	int ev = t->paused || t->sock_eof ? 0 : EV_READ;
	if (t->to_sock || t->connecting)
		ev |= EV_WRITE;
	tcp_set_events(t, ev);
	if (t->sock_eof)
		tcp_relay_maybe_finish(t);
	return true;
}

static void tcp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct tcp_relay *t = (struct tcp_relay *)((char *)w - offsetof(struct tcp_relay, io));
	if (t->connecting) {
		if (!(revents & EV_WRITE))
			return;
		int err = 0;
		socklen_t el = sizeof err;
		getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			note(t->r, "tcp relay: connect: %s", strerror(err));
			tcp_relay_abort(t);
			return;
		}
		t->connecting = false;
	}
	if ((revents & EV_WRITE) || t->to_sock)
		if (!tcp_flush_to_sock(t))
			return;
	if (revents & EV_READ)
		tcp_pull_from_sock(t);
}

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)pcb;
	(void)err;
	struct tcp_relay *t = arg;
	if (!t) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		t->host_eof = true;
	} else if (t->to_sock) {
		pbuf_cat(t->to_sock, p);
	} else {
		t->to_sock = p;
	}
	if (!tcp_flush_to_sock(t))
		return ERR_ABRT;
	tcp_relay_maybe_finish(t);
	return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	struct tcp_relay *t = arg;
	if (t && t->paused && !t->connecting)
		return tcp_pull_from_sock(t) ? ERR_OK : ERR_ABRT;
	return ERR_OK;
}

/* lwIP already freed the pcb (RST from the host, or aborted). */
static void tcp_err_cb(void *arg, err_t err)
{
	(void)err;
	struct tcp_relay *t = arg;
	if (!t)
		return;
	t->pcb = NULL;
	tcp_unlink_free(t);
}

static struct ppp_relay *relay_of(struct netif *nif);

/* The handshake completed on a shared listener: the relay is the input netif's. */
static err_t tcp_accept_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	struct ppp_relay *r = relay_of(ip_current_input_netif());
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (!r) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	/* Replies leave on the netif the SYN came from. */
	tcp_bind_netif(pcb, r->nif);
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char label[300];
	if (map_dest(r, &pcb->local_ip, pcb->local_port, &sa, &len, label, sizeof label) !=
	    NETMAP_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	struct tcp_relay *t = calloc(1, sizeof *t);
	int fd = t ? open_socket(&sa, len, SOCK_STREAM) : -1;
	if (fd < 0) {
		note(r, "tcp %s: %s", label, strerror(errno));
		free(t);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	note(r, "tcp %s: connecting", label);
	t->r = r;
	t->pcb = pcb;
	t->fd = fd;
	t->connecting = true;
	ev_io_init(&t->io, tcp_io_cb, fd, EV_WRITE);
	t->events = EV_WRITE;
	ev_io_start(r->loop, &t->io);
	t->next = r->tcps;
	r->tcps = t;
	tcp_nagle_disable(pcb);
	tcp_arg(pcb, t);
	tcp_recv(pcb, tcp_recv_cb);
	tcp_sent(pcb, tcp_sent_cb);
	tcp_err(pcb, tcp_err_cb);
	return ERR_OK;
}

/* ---- per-port pcbs ---------------------------------------------------------------------- */

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port);

static struct port_pcb *port_get(struct ppp_relay *r, u16_t port)
{
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i].port == port)
			return &r->ports[i];
	if (r->n_ports == r->cap_ports) {
		size_t cap = r->cap_ports ? r->cap_ports * 2 : 8;
		struct port_pcb *n = realloc(r->ports, cap * sizeof *n);
		if (!n)
			return NULL;
		r->ports = n;
		r->cap_ports = cap;
	}
	struct port_pcb *pp = &r->ports[r->n_ports++];
	memset(pp, 0, sizeof *pp);
	pp->port = port;
	return pp;
}

/*
 * lwIP refuses a second listener on the same port and address even on another netif (tcp_listen
 * with SO_REUSE), so the TCP listeners are shared by every session of the process: one per
 * port, found in lwIP's own listen list by its accept callback, serving whichever netif the SYN
 * came in on (tcp_accept_cb). The last session to end closes them (ppp_relay_free).
 */
static bool tcp_listener(u16_t port)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (l->local_port == port && l->accept == tcp_accept_cb)
			return true;
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return false;
	ip_set_option(pcb, SOF_REUSEADDR);
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		tcp_abort(pcb);
		return false;
	}
	struct tcp_pcb *l = tcp_listen_with_backlog(pcb, 16);
	if (!l) {
		tcp_abort(pcb);
		return false;
	}
	tcp_arg(l, NULL);
	tcp_accept(l, tcp_accept_cb);
	return true;
}

/* The relay of a netif, if it is one of ours. */
static struct ppp_relay *relay_of(struct netif *nif)
{
	const struct lwip_port_input *h = nif ? netif_get_client_data(nif, LWIP_PORT_INPUT_SLOT) : NULL;
	return h && h->input == ppp_relay_input ? h->ctx : NULL;
}

static struct udp_pcb *udp_port(struct ppp_relay *r, u16_t port)
{
	struct port_pcb *pp = port_get(r, port);
	if (!pp)
		return NULL;
	if (pp->udp)
		return pp->udp;
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return NULL;
	ip_set_option(pcb, SOF_REUSEADDR);
	udp_bind_netif(pcb, r->nif);
	if (udp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		udp_remove(pcb);
		return NULL;
	}
	udp_recv(pcb, udp_recv_cb, r);
	pp->udp = pcb;
	return pcb;
}

/* ---- UDP relay and DNS ------------------------------------------------------------------ */

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

static void udp_gc_cb(struct ev_loop *loop, ev_timer *w, int revents)
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
	size_t n = ppp_dns_answer(q, qlen, a, sizeof a, dns_lookup, r);
	if (n == 0)
		return;
	struct pbuf *out = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!out)
		return;
	memcpy(out->payload, a, n);
	udp_sendto_if_src(pcb, out, host, port, r->nif, dst);
	pbuf_free(out);
}

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct ppp_relay *r = arg;
	ip_addr_t dst;
	ip_addr_copy(dst, *ip_current_dest_addr());
	u16_t dport = pcb->local_port;
	if (dport == DNS_PORT && is_dns_addr(r, &dst)) {
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
		if (map_dest(r, &dst, dport, &sa, &len, label, sizeof label) != NETMAP_OK) {
			pbuf_free(p);
			return;
		}
		int fd = open_socket(&sa, len, SOCK_DGRAM);
		f = fd >= 0 ? calloc(1, sizeof *f) : NULL;
		if (!f) {
			if (fd >= 0)
				close(fd);
			note(r, "udp %s: no socket", label);
			pbuf_free(p);
			return;
		}
		note(r, "udp %s: flow", label);
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
		note(r, "udp relay: send: %s", strerror(errno));
	pbuf_free(p);
}

/* ---- input hook ------------------------------------------------------------------------- */

/* A SYN to dst:port: refused destinations get RST now (nothing leaves); allowed ones find a
 * listener. False when the packet was answered with RST and must be dropped. */
static bool tcp_syn(struct ppp_relay *r, const ip_addr_t *src, const ip_addr_t *dst,
		    const struct tcp_hdr *th)
{
	u16_t dport = lwip_ntohs(th->dest), sport = lwip_ntohs(th->src);
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char label[300];
	if (map_dest(r, dst, dport, &sa, &len, label, sizeof label) == NETMAP_OK &&
	    tcp_listener(dport))
		return true;
	tcp_rst(NULL, 0, lwip_ntohl(th->seqno) + 1, dst, src, dport, sport);
	return false;
}

int ppp_relay_input(void *ctx, struct pbuf *p, struct netif *inp)
{
	struct ppp_relay *r = ctx;
	if (p->len < IP_HLEN)
		return 0; /* lwIP drops it */
	const struct ip_hdr *ih = p->payload;
	u16_t hlen = IPH_HL_BYTES(ih), len = lwip_ntohs(IPH_LEN(ih));
	if (IPH_V(ih) != 4 || hlen < IP_HLEN || hlen > p->len || len > p->tot_len || len < hlen)
		return 0;
	ip4_addr_t d;
	ip4_addr_copy(d, ih->dest);
	if (ip4_addr_ismulticast(&d) || ip4_addr_isbroadcast(&d, inp) || ip4_addr_isany_val(d))
		return 0;
	u8_t proto = IPH_PROTO(ih);
	if (proto != IP_PROTO_TCP && proto != IP_PROTO_UDP) {
		/* ICMP to the modem's own address is lwIP's (ping the gateway); the rest of the
		 * world is not reachable by anything but TCP and UDP. */
		if (ip4_addr_cmp(&d, netif_ip4_addr(inp)))
			return 0;
		pbuf_free(p);
		return 1;
	}
	if (inet_chksum(ih, hlen) != 0 || hlen != IP_HLEN ||
	    (IPH_OFFSET(ih) & PP_HTONS(IP_OFFMASK | IP_MF)) != 0) {
		/* Bad header, options or fragments: hosts on a PPP link send none of these for
		 * TCP/UDP (DF + MSS); dropping is what a strict router may do. */
		pbuf_free(p);
		return 1;
	}
	if (len < p->tot_len)
		pbuf_realloc(p, len);

	/* What ip4_input would have set for the upper layers, then deliver as if local. */
	ip_addr_copy_from_ip4(ip_data.current_iphdr_dest, ih->dest);
	ip_addr_copy_from_ip4(ip_data.current_iphdr_src, ih->src);
	ip_data.current_netif = inp;
	ip_data.current_input_netif = inp;
	ip_data.current_ip4_header = ih;
	ip_data.current_ip_header_tot_len = hlen;
	pbuf_remove_header(p, hlen);

	if (proto == IP_PROTO_TCP) {
		const struct tcp_hdr *th = p->payload;
		bool pass = true;
		if (p->len >= TCP_HLEN && (TCPH_FLAGS(th) & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
			pass = tcp_syn(r, ip_current_src_addr(), ip_current_dest_addr(), th);
		if (pass)
			tcp_input(p, inp);
		else
			pbuf_free(p);
	} else {
		const struct udp_hdr *uh = p->payload;
		if (p->len >= UDP_HLEN && udp_port(r, lwip_ntohs(uh->dest)))
			udp_input(p, inp);
		else
			pbuf_free(p);
	}

	ip_data.current_netif = NULL;
	ip_data.current_input_netif = NULL;
	ip_data.current_ip4_header = NULL;
	ip_data.current_ip_header_tot_len = 0;
	ip4_addr_set_any(ip4_current_src_addr());
	ip4_addr_set_any(ip4_current_dest_addr());
	return 1;
}

/* ---- lifetime --------------------------------------------------------------------------- */

struct ppp_relay *ppp_relay_new(struct ev_loop *loop, struct netif *nif, const struct netmap *map,
				const uint32_t dns[2], ppp_relay_log_fn log, void *log_ctx)
{
	struct ppp_relay *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->loop = loop;
	r->nif = nif;
	r->map = map;
	r->dns[0] = dns[0];
	r->dns[1] = dns[1];
	r->log = log;
	r->log_ctx = log_ctx;
	ev_timer_init(&r->udp_gc, udp_gc_cb, UDP_IDLE / 4, UDP_IDLE / 4);
	ev_timer_start(loop, &r->udp_gc);
	/* DNS is answered even before the host sends to port 53 of another address. */
	udp_port(r, DNS_PORT);
	return r;
}

void ppp_relay_free(struct ppp_relay *r)
{
	if (!r)
		return;
	while (r->tcps)
		tcp_relay_abort(r->tcps);
	while (r->udps)
		udp_flow_free(r->udps);
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i].udp)
			udp_remove(r->ports[i].udp);
	/* The last session closes the shared listeners. */
	bool others = false;
	struct netif *nif;
	NETIF_FOREACH(nif)
		if (nif != r->nif && relay_of(nif))
			others = true;
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l && !others;) {
		struct tcp_pcb_listen *next = l->next;
		if (l->accept == tcp_accept_cb)
			tcp_close((struct tcp_pcb *)l);
		l = next;
	}
	lwip_port_netif_gone(r->nif);
	free(r->ports);
	for (size_t i = 0; i < r->n_names; i++)
		free(r->names[i]);
	free(r->names);
	ev_timer_stop(r->loop, &r->udp_gc);
	free(r);
}
