/* svc_tcp_data.c - the CIP stack's data path: receive, push or CIPRXGET, send, transparent mode. */
#include <errno.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "modem.h"
#include "respond.h"
#include "svc_tcp_int.h"
#include "transcript.h"

/* Output queued towards the host above which received data waits (the line is the bottleneck;
 * the socket then stops being read and TCP flow control holds the sender). */
#define PUSH_HIGH_WATER 4096

static void deliver(struct cip_conn *c);

/* Transparent mode: host bytes that are not the escape go straight to the socket. */
static void online_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct svc_tcp *t = ctx;
	if (svc_tcp_send(t, 0, buf, n) == SVC_TCP_SEND_FAIL)
		transcript_note(t->m->log, t->m->index, "transparent mode: %zu bytes not sent", n);
}

void svc_tcp_go_offline(struct svc_tcp *t)
{
	if (!t->online)
		return;
	t->online = false;
	escape_stop(&t->esc);
	modem_clear_input_hook(t->m);
}

/* "+++" with its guard times: command mode, the connection stays (MAN §2.2.12). */
static void online_escape(void *ctx)
{
	struct svc_tcp *t = ctx;
	svc_tcp_go_offline(t);
	respond_final(t->m, RES_OK);
	urc_queue_flush(t->m);
}

static size_t online_feed(struct sim_modem *m, void *ctx, const uint8_t *buf, size_t n)
{
	(void)m;
	struct svc_tcp *t = ctx;
	escape_feed(&t->esc, buf, n);
	return n;
}

bool svc_tcp_can_resume(const struct sim_modem *m)
{
	const struct svc_tcp *t = m->tcp;
	return t && t->cipmode == 1 && !t->online && t->conn[0].st == CIP_CONN_CONNECTED;
}

void svc_tcp_online(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t || t->conn[0].st != CIP_CONN_CONNECTED)
		return;
	/* AT+CIPCCFG esc=0 turns the escape off: a guard nobody can keep. */
	double guard = t->ccfg[0] && t->ccfg[3] == 0 ? 1e9 : modem_escape_guard(m);
	escape_init(&t->esc, m->loop, guard, online_data, online_escape, t);
	t->online = true;
	const struct modem_input_hook hook = {.feed = online_feed, .ctx = t};
	modem_set_input_hook(m, &hook);
	deliver(&t->conn[0]);
}

/* The peer is gone: "CLOSED" once the host has everything that arrived before. */
static void peer_closed(struct cip_conn *c)
{
	c->eof = true;
	ev_io_stop(svc_tcp_loop_of(c), &c->rw);
	if (c->owner->rxget && c->rx_len) {
		/* Manual reading: say CLOSED now, keep serving the buffer (field-bugs.md
		 * cip-ciprxget-error-loop-after-close). */
		c->st = CIP_CONN_REMOTE_CLOSING;
		svc_tcp_conn_urc(c, "CLOSED");
		return;
	}
	if (c->rx_len)
		return; /* push mode: deliver() says CLOSED after the last byte */
	svc_tcp_conn_release(c);
	c->st = CIP_CONN_CLOSED;
	svc_tcp_conn_urc(c, "CLOSED");
}

static bool rx_reserve(struct cip_conn *c, size_t need)
{
	if (need <= c->rx_cap)
		return true;
	size_t cap = c->rx_cap ? c->rx_cap : 2048;
	while (cap < need)
		cap *= 2;
	uint8_t *b = realloc(c->rx, cap);
	if (!b)
		return false;
	c->rx = b;
	c->rx_cap = cap;
	return true;
}

void svc_tcp_conn_read(struct cip_conn *c)
{
	struct svc_tcp *t = c->owner;
	size_t limit = t->m->profile->cip_rx_buffer;
	while (c->rx_len < limit) {
		size_t room = limit - c->rx_len;
		if (room > 4096)
			room = 4096;
		if (!rx_reserve(c, c->rx_len + room))
			break;
		ssize_t r;
		if (c->ssl) {
			ERR_clear_error();
			int n = SSL_read(c->ssl, c->rx + c->rx_len, (int)room);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					break;
				peer_closed(c);
				deliver(c);
				return;
			}
			r = n;
		} else {
			r = recv(c->fd, c->rx + c->rx_len, room, 0);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (r < 0 && c->udp && errno == ECONNREFUSED)
				continue; /* ICMP for an earlier datagram: UDP keeps going */
			if (r <= 0 && !c->udp) {
				peer_closed(c);
				deliver(c);
				return;
			}
			if (r < 0)
				break;
		}
		c->rx_len += (size_t)r;
	}
	/* Buffer full: stop reading, so TCP's window closes on the sender (nothing is lost). */
	if (c->rx_len >= limit)
		ev_io_stop(svc_tcp_loop_of(c), &c->rw);
	deliver(c);
}

static void push_chunk(struct cip_conn *c, size_t n)
{
	struct svc_tcp *t = c->owner;
	struct sim_modem *m = t->m;
	char head[128];
	int k = 0;
	/* MAN §8.2.20: "+RECV FROM:<IP>:<PORT>" before the data when AT+CIPSRIP=1. */
	if (t->srip)
		k += snprintf(head + k, sizeof head - (size_t)k, "\r\nRECV FROM:%s:%u\r\n", c->ip, c->port);
	/* MAN §8.2.15: "+IPD,<len>:" (single) / "+RECEIVE,<n>,<len>:" (multi), data right after the
	 * colon. Multi mode always announces the connection, or the host could not tell them apart. */
	if (t->online)
		k = 0; /* transparent: the bytes only */
	else if (t->mux)
		k += snprintf(head + k, sizeof head - (size_t)k, "\r\n+RECEIVE,%d,%zu:", c->id, n);
	else if (t->head)
		k += snprintf(head + k, sizeof head - (size_t)k, "\r\n+IPD,%zu:", n);
	if (k > 0)
		modem_send(m, head, (size_t)k);
	modem_send(m, c->rx, n);
	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
}

/* Hand buffered data to the host as the mode says, when the line allows it. */
static void deliver(struct cip_conn *c)
{
	struct svc_tcp *t = c->owner;
	struct sim_modem *m = t->m;
	if (t->rxget) {
		if (c->rx_len && !c->rx_notified) {
			c->rx_notified = true;
			if (t->mux)
				modem_urc(m, "+CIPRXGET: 1,%d", c->id);
			else
				modem_urc(m, "+CIPRXGET: 1");
		}
		return;
	}
	/* Nothing goes out while a prompt owns the line or the line is saturated; in
	 * transparent mode only while online (after "+++" the data waits for ATO). */
	bool may = t->cipmode == 1 ? t->online : !m->hook.feed;
	while (c->rx_len && may && m->out.len < PUSH_HIGH_WATER) {
		size_t n = c->rx_len < CIP_RXGET_MAX ? c->rx_len : CIP_RXGET_MAX;
		push_chunk(c, n);
	}
	if (c->rx_len && m->out.len >= PUSH_HIGH_WATER)
		m->out.want_drain = true;
	if (c->rx_len == 0 && c->eof && c->st != CIP_CONN_CLOSED) {
		svc_tcp_conn_release(c);
		c->st = CIP_CONN_CLOSED;
		svc_tcp_conn_urc(c, "CLOSED");
		return;
	}
	if (c->fd >= 0 && !c->eof && c->rx_len < m->profile->cip_rx_buffer &&
	    c->st == CIP_CONN_CONNECTED && !ev_is_active(&c->rw))
		ev_io_start(m->loop, &c->rw);
}

void svc_tcp_kick(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	for (int i = 0; i < CIP_MAX_CONN; i++)
		if (t->conn[i].rx_len || (t->conn[i].eof && t->conn[i].st != CIP_CONN_CLOSED))
			deliver(&t->conn[i]);
}

size_t svc_tcp_take(struct svc_tcp *t, int id, uint8_t *buf, size_t max)
{
	struct cip_conn *c = &t->conn[id];
	size_t n = c->rx_len < max ? c->rx_len : max;
	memcpy(buf, c->rx, n);
	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
	if (c->rx_len == 0)
		c->rx_notified = false;
	if (c->eof && c->rx_len == 0) {
		svc_tcp_conn_release(c);
		c->st = CIP_CONN_CLOSED;
	} else if (c->fd >= 0 && !c->eof && c->st == CIP_CONN_CONNECTED && !ev_is_active(&c->rw)) {
		ev_io_start(t->m->loop, &c->rw);
	}
	return n;
}

/* Write queued payload: 1 all written, 0 some left (the write watcher runs), -1 error. */
static int write_tx(struct cip_conn *c)
{
	while (c->tx_len) {
		ssize_t w;
		if (c->ssl) {
			ERR_clear_error();
			int n = SSL_write(c->ssl, c->tx, (int)c->tx_len);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				return -1;
			}
			w = n;
		} else {
			w = send(c->fd, c->tx, c->tx_len, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (w < 0)
				return -1;
		}
		memmove(c->tx, c->tx + w, c->tx_len - (size_t)w);
		c->tx_len -= (size_t)w;
	}
	struct ev_loop *loop = svc_tcp_loop_of(c);
	if (c->tx_len) {
		ev_io_set(&c->ww, c->fd, EV_WRITE);
		ev_io_start(loop, &c->ww);
		return 0;
	}
	ev_io_stop(loop, &c->ww);
	return 1;
}

void svc_tcp_conn_writable(struct cip_conn *c)
{
	int r = write_tx(c);
	if (r == 1) {
		svc_tcp_sent(c->owner->m, c->id, true);
	} else if (r < 0) {
		svc_tcp_sent(c->owner->m, c->id, false);
		peer_closed(c);
	}
}

enum svc_tcp_send_res svc_tcp_send(struct svc_tcp *t, int id, const uint8_t *data, size_t n)
{
	struct cip_conn *c = &t->conn[id];
	if (c->st != CIP_CONN_CONNECTED || c->fd < 0)
		return SVC_TCP_SEND_FAIL;
	if (c->fail_next_send) {
		/* The link died under the send: the data is lost and the socket goes. */
		transcript_note(t->m->log, t->m->index, "injected: send on %d fails", id);
		svc_tcp_conn_release(c);
		c->st = CIP_CONN_CLOSED;
		c->fail_next_send = false;
		return SVC_TCP_SEND_FAIL;
	}
	if (c->udp) {
		ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL);
		if (w != (ssize_t)n)
			return SVC_TCP_SEND_FAIL;
		c->tx_total += n;
		return SVC_TCP_SEND_DONE;
	}
	uint8_t *b = realloc(c->tx, c->tx_len + n);
	if (!b)
		return SVC_TCP_SEND_FAIL;
	c->tx = b;
	memcpy(c->tx + c->tx_len, data, n);
	c->tx_len += n;
	c->tx_total += n;
	if (ev_is_active(&c->ww))
		return SVC_TCP_SEND_PENDING; /* earlier data still waits: this follows it */
	/* Written at once: the caller reports SEND OK itself, not through svc_tcp_sent. */
	int r = write_tx(c);
	if (r < 0)
		return SVC_TCP_SEND_FAIL;
	return r == 1 ? SVC_TCP_SEND_DONE : SVC_TCP_SEND_PENDING;
}

bool svc_tcp_remote_close(struct sim_modem *m, int id)
{
	struct svc_tcp *t = m->tcp;
	if (!t || id < 0 || id >= CIP_MAX_CONN)
		return false;
	struct cip_conn *c = &t->conn[id];
	if (c->st != CIP_CONN_CONNECTED || c->fd < 0)
		return false;
	/* Close our side of the socket too: the server sees the link go, the host sees CLOSED. */
	ev_io_stop(m->loop, &c->rw);
	peer_closed(c);
	deliver(c);
	return true;
}
