/* ppp_relay_tcp.c - a PPP host's TCP connections, accepted by lwIP, relayed to real sockets. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#include "ppp_relay_int.h"

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
			ppp_relay_note(t->r, "tcp relay: send: %s", strerror(errno));
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
			ppp_relay_note(t->r, "tcp relay: recv: %s", strerror(errno));
			tcp_relay_abort(t);
			return false;
		}
		if (n == 0) {
			t->sock_eof = true;
			tcp_shutdown(t->pcb, 0, 1);
			break;
		}
		if (tcp_write(t->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
			ppp_relay_note(t->r, "tcp relay: lwIP refused %zd bytes", n);
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
			ppp_relay_note(t->r, "tcp relay: connect: %s", strerror(err));
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

/* The handshake completed on a shared listener: the relay is the input netif's. */
err_t ppp_relay_tcp_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	struct ppp_relay *r = ppp_relay_of(ip_current_input_netif());
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
	if (ppp_relay_map_dest(r, &pcb->local_ip, pcb->local_port, &sa, &len, label, sizeof label) !=
	    NETMAP_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	struct tcp_relay *t = calloc(1, sizeof *t);
	int fd = t ? ppp_relay_open_socket(&sa, len, SOCK_STREAM) : -1;
	if (fd < 0) {
		ppp_relay_note(r, "tcp %s: %s", label, strerror(errno));
		free(t);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	ppp_relay_note(r, "tcp %s: connecting", label);
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

void ppp_relay_tcp_abort_all(struct ppp_relay *r)
{
	while (r->tcps)
		tcp_relay_abort(r->tcps);
}
