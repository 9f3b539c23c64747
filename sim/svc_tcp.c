/* svc_tcp.c - the CIP stack's connection lifecycle: open, TLS, close, PDP loss, states (svc_tcp.h). */
#include "svc_tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modem.h"
#include "netmap.h"
#include "tls_cap.h"
#include "svc_tcp_int.h"
#include "transcript.h"

static void conn_rx_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_tx_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_fail_cb(struct ev_loop *loop, ev_timer *w, int revents);

struct svc_tcp *svc_tcp_get(struct sim_modem *m)
{
	if (m->tcp)
		return m->tcp;
	struct svc_tcp *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->m = m;
	t->sprt = 1;
	snprintf(t->apn, sizeof t->apn, "CMNET"); /* the manual's default APN (MAN §8.2.9) */
	/* Only shown to the host (AT+CIFSR); never used for routing. */
	snprintf(t->local_ip, sizeof t->local_ip, "10.%d.%d.%d", 64 + (m->index >> 16) % 64,
		 (m->index >> 8) & 255, 2 + (m->index & 255) % 250);
	for (int i = 0; i < CIP_MAX_CONN; i++) {
		struct cip_conn *c = &t->conn[i];
		c->owner = t;
		c->id = i;
		c->fd = -1;
		ev_init(&c->rw, conn_rx_cb);
		ev_init(&c->ww, conn_tx_cb);
		ev_init(&c->fail_timer, conn_fail_cb);
	}
	m->tcp = t;
	return t;
}

/* Release the socket and buffers; the state is set by the caller. */
void svc_tcp_conn_release(struct cip_conn *c)
{
	struct ev_loop *loop = svc_tcp_loop_of(c);
	ev_io_stop(loop, &c->rw);
	ev_io_stop(loop, &c->ww);
	ev_timer_stop(loop, &c->fail_timer);
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->ctx)
		SSL_CTX_free(c->ctx);
	c->ssl = NULL;
	c->ctx = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rx);
	free(c->tx);
	c->rx = c->tx = NULL;
	c->rx_len = c->rx_cap = c->tx_len = 0;
	c->rx_notified = false;
	c->eof = false;
	c->fail_next_send = false;
	c->quiet_open = false;
}

void svc_tcp_reset(struct sim_modem *m)
{
	struct svc_tcp *t = m->tcp;
	if (!t)
		return;
	for (int i = 0; i < CIP_MAX_CONN; i++)
		svc_tcp_conn_release(&t->conn[i]);
	if (t->online)
		escape_stop(&t->esc);
	free(t);
	m->tcp = NULL;
}

void svc_tcp_shut(struct svc_tcp *t)
{
	svc_tcp_go_offline(t);
	for (int i = 0; i < CIP_MAX_CONN; i++) {
		svc_tcp_conn_release(&t->conn[i]);
		t->conn[i].st = CIP_CONN_INITIAL;
		t->conn[i].closed_by_us = false;
	}
	t->ip = CIP_IP_INITIAL;
	if (t->wedged == 2)
		t->wedged = 0;
}

/* "CONNECT OK" in single mode, "0, CONNECT OK" in multi mode (facts §10 item 4). */
void svc_tcp_conn_urc(struct cip_conn *c, const char *what)
{
	struct svc_tcp *t = c->owner;
	svc_tcp_go_offline(t); /* a closed link ends transparent data mode; the URC says why */
	if (t->mux)
		modem_urc(t->m, "%d, %s", c->id, what);
	else
		modem_urc(t->m, "%s", what);
}

static void conn_failed(struct cip_conn *c, const char *urc, const char *why)
{
	transcript_note(c->owner->m->log, c->owner->m->index, "connection %d to %s:%u: %s", c->id,
			c->host, c->port, why);
	svc_tcp_conn_release(c);
	c->st = CIP_CONN_CLOSED;
	svc_tcp_conn_urc(c, urc);
}

bool svc_tcp_conn_open(const struct cip_conn *c)
{
	return c->st == CIP_CONN_CONNECTING || c->st == CIP_CONN_CONNECTED;
}

static void connected(struct cip_conn *c)
{
	struct svc_tcp *t = c->owner;
	ev_timer_stop(svc_tcp_loop_of(c), &c->fail_timer);
	c->st = CIP_CONN_CONNECTED;
	ev_io_set(&c->rw, c->fd, EV_READ);
	ev_io_start(svc_tcp_loop_of(c), &c->rw);
	if (t->cipmode == 1) {
		/* Transparent mode says CONNECT and the line becomes the connection (UNCERTAIN: the
		 * TCP/IP application note is not available; V.250 and MAN §8.2.22 shape). */
		modem_urc(t->m, "CONNECT");
		svc_tcp_online(t->m);
		return;
	}
	if (c->quiet_open)
		c->quiet_open = false; /* a previous host's link (op cip_open): nobody waits */
	else
		svc_tcp_conn_urc(c, "CONNECT OK");
}

/* Drive a TLS handshake; true when it finished (either way). */
static void tls_step(struct cip_conn *c)
{
	ERR_clear_error();
	int r = SSL_connect(c->ssl);
	if (r == 1) {
		transcript_note(c->owner->m->log, c->owner->m->index, "connection %d: %s handshake done",
				c->id, SSL_get_version(c->ssl));
		ev_io_stop(svc_tcp_loop_of(c), &c->ww);
		connected(c);
		return;
	}
	int e = SSL_get_error(c->ssl, r);
	struct ev_loop *loop = svc_tcp_loop_of(c);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ev_io_stop(loop, &c->ww);
		ev_io_stop(loop, &c->rw);
		ev_io *w = e == SSL_ERROR_WANT_READ ? &c->rw : &c->ww;
		ev_io_set(w, c->fd, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
		ev_io_start(loop, w);
		return;
	}
	char why[256];
	unsigned long err = ERR_peek_error();
	snprintf(why, sizeof why, "TLS handshake failed: %s",
		 err ? ERR_reason_error_string(err) : "connection closed");
	/* A failed SSL CIPSTART ends in "CLOSE OK" (TinyGSM #425; facts §5.2). */
	conn_failed(c, "CLOSE OK", why);
}

static void connect_done(struct cip_conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		ev_io_stop(svc_tcp_loop_of(c), &c->ww);
		conn_failed(c, "CONNECT FAIL", strerror(err));
		return;
	}
	if (!c->tls) {
		ev_io_stop(svc_tcp_loop_of(c), &c->ww);
		connected(c);
		return;
	}
	char why[256];
	c->ctx = tls_cap_client_ctx(c->owner->m->profile, why, sizeof why);
	c->ssl = c->ctx ? SSL_new(c->ctx) : NULL;
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
		conn_failed(c, "CLOSE OK", c->ctx ? "cannot start TLS" : why);
		return;
	}
	SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->host[0] && !inet_pton(AF_INET, c->host, &(struct in_addr){0}))
		SSL_set_tlsext_host_name(c->ssl, c->host);
	tls_step(c);
}

static void conn_fail_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct cip_conn *c = (struct cip_conn *)((char *)w - offsetof(struct cip_conn, fail_timer));
	conn_failed(c, "CONNECT FAIL", "no answer within data.connect_fail_ms");
}

void svc_tcp_open(struct svc_tcp *t, int id, bool udp, const char *host, unsigned port)
{
	struct sim_modem *m = t->m;
	struct cip_conn *c = &t->conn[id];
	svc_tcp_conn_release(c);
	c->udp = udp;
	c->tls = t->ssl && !udp;
	c->closed_by_us = false;
	c->tx_total = 0;
	snprintf(c->host, sizeof c->host, "%s", host);
	c->port = port;
	c->st = CIP_CONN_CONNECTING;
	c->ip[0] = '\0';
	if (t->wedged) {
		t->wedged = 2;
		transcript_note(m->log, m->index, "connection %d: the IP stack is wedged, no result "
				"until AT+CIPSHUT", id);
		return;
	}

	struct sockaddr_storage sa;
	socklen_t salen;
	char why[256];
	enum netmap_res r = netmap_resolve(m->opt->netmap, host, port, &sa, &salen, why, sizeof why);
	if (r == NETMAP_UNKNOWN_NAME || r == NETMAP_BAD_PORT) {
		/* A DNS failure is known at once (field-bugs.md cip-connect-fail-late-75s: UNCERTAIN). */
		conn_failed(c, "CONNECT FAIL", why);
		return;
	}
	if (sa.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, c->ip, sizeof c->ip);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, c->ip, sizeof c->ip);
	double timeout = modem_delay(m, m->profile->connect_fail_ms);
	if (m->connect_fail_real_ms)
		timeout = m->connect_fail_real_ms / 1000.0; /* a late URC even at --time-scale 0 */
	if (r == NETMAP_NOT_ALLOWED) {
		/* Outside --allow: nothing leaves the machine; fail as an unreachable host does. */
		transcript_note(m->log, m->index, "connection %d: %s", id, why);
		ev_timer_set(&c->fail_timer, timeout, 0.);
		ev_timer_start(m->loop, &c->fail_timer);
		return;
	}
	c->fd = socket(sa.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_failed(c, "CONNECT FAIL", strerror(errno));
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, salen) != 0 && errno != EINPROGRESS) {
		conn_failed(c, "CONNECT FAIL", strerror(errno));
		return;
	}
	if (udp) {
		connected(c);
		return;
	}
	ev_io_set(&c->ww, c->fd, EV_WRITE);
	ev_io_start(m->loop, &c->ww);
	/* A real socket decides by itself (refused, connected); the module's timeout is only an
	 * upper bound. --time-scale 0 must not cut real connects and handshakes short. */
	if (timeout <= 0)
		timeout = m->profile->connect_fail_ms / 1000.0;
	if (timeout > 0) {
		ev_timer_set(&c->fail_timer, timeout, 0.);
		ev_timer_start(m->loop, &c->fail_timer);
	}
}

void svc_tcp_close(struct svc_tcp *t, int id)
{
	struct cip_conn *c = &t->conn[id];
	svc_tcp_conn_release(c);
	c->st = CIP_CONN_CLOSED;
	c->closed_by_us = true;
}

static void conn_rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct cip_conn *c = (struct cip_conn *)((char *)w - offsetof(struct cip_conn, rw));
	if (c->st == CIP_CONN_CONNECTING) {
		tls_step(c);
		return;
	}
	svc_tcp_conn_read(c);
}

static void conn_tx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct cip_conn *c = (struct cip_conn *)((char *)w - offsetof(struct cip_conn, ww));
	if (c->st == CIP_CONN_CONNECTING) {
		if (c->ssl)
			tls_step(c);
		else
			connect_done(c);
		return;
	}
	svc_tcp_conn_writable(c);
}

void svc_tcp_pdp_deact(struct sim_modem *m, bool silent)
{
	struct svc_tcp *t = svc_tcp_get(m);
	if (!t)
		return;
	svc_tcp_go_offline(t);
	if (!silent)
		modem_urc(m, "+PDP: DEACT");
	for (int i = 0; i < CIP_MAX_CONN; i++) {
		struct cip_conn *c = &t->conn[i];
		bool was_open = c->st == CIP_CONN_CONNECTING || c->st == CIP_CONN_CONNECTED ||
				c->st == CIP_CONN_REMOTE_CLOSING;
		svc_tcp_conn_release(c);
		if (!was_open)
			continue;
		c->st = CIP_CONN_CLOSED;
		/* Per-link CLOSED after +PDP: DEACT is UNCERTAIN (field-bugs.md); we say it. */
		if (!silent)
			svc_tcp_conn_urc(c, "CLOSED");
	}
	t->ip = CIP_PDP_DEACT;
}

void svc_tcp_wedge(struct sim_modem *m)
{
	struct svc_tcp *t = svc_tcp_get(m);
	if (t)
		t->wedged = 1;
}

bool svc_tcp_preset(struct sim_modem *m, const char *host, unsigned port)
{
	struct svc_tcp *t = svc_tcp_get(m);
	if (!t || !netstate_attached(m) || t->ip != CIP_IP_INITIAL)
		return false;
	/* What AT+CSTT, AT+CIICR and AT+CIFSR (and AT+CIPSTART) of the previous host did. */
	t->ip = CIP_IP_STATUS;
	if (host)
		svc_tcp_open(t, 0, false, host, port);
	return true;
}

bool svc_tcp_fail_next_send(struct sim_modem *m, int id)
{
	struct svc_tcp *t = m->tcp;
	/* A connecting link too: a scenario event after +CIPSTART lands before CONNECT OK, and
	 * the first send is then the one that fails (field-bugs.md cip-send-fail-unhandled). */
	if (!t || id < 0 || id >= CIP_MAX_CONN ||
	    (t->conn[id].st != CIP_CONN_CONNECTED && t->conn[id].st != CIP_CONN_CONNECTING))
		return false;
	t->conn[id].fail_next_send = true;
	return true;
}

static const char *const ip_names[] = {
	[CIP_IP_INITIAL] = "IP INITIAL", [CIP_IP_START] = "IP START",
	[CIP_IP_CONFIG] = "IP CONFIG",   [CIP_IP_GPRSACT] = "IP GPRSACT",
	[CIP_IP_STATUS] = "IP STATUS",   [CIP_PDP_DEACT] = "PDP DEACT",
};

/* MAN §8.2.2 / §8.2.12 state names. */
const char *svc_tcp_state_name(const struct svc_tcp *t)
{
	if (t->ip != CIP_IP_STATUS)
		return ip_names[t->ip];
	if (t->mux) {
		for (int i = 0; i < CIP_MAX_CONN; i++)
			if (t->conn[i].st == CIP_CONN_CONNECTING || t->conn[i].st == CIP_CONN_CONNECTED ||
			    t->conn[i].st == CIP_CONN_REMOTE_CLOSING)
				return "IP PROCESSING";
		return "IP STATUS";
	}
	const struct cip_conn *c = &t->conn[0];
	switch (c->st) {
	case CIP_CONN_INITIAL:
		return "IP STATUS";
	case CIP_CONN_CONNECTING:
		return c->udp ? "UDP CONNECTING" : "TCP CONNECTING";
	case CIP_CONN_CONNECTED:
	case CIP_CONN_REMOTE_CLOSING:
		return "CONNECT OK";
	case CIP_CONN_CLOSING:
		return c->udp ? "UDP CLOSING" : "TCP CLOSING";
	case CIP_CONN_CLOSED:
		if (c->closed_by_us)
			return "IP CLOSE";
		return c->udp ? "UDP CLOSED" : "TCP CLOSED";
	}
	return "IP STATUS";
}

const char *svc_tcp_conn_state_name(const struct cip_conn *c)
{
	static const char *const names[] = {
		[CIP_CONN_INITIAL] = "INITIAL",	    [CIP_CONN_CONNECTING] = "CONNECTING",
		[CIP_CONN_CONNECTED] = "CONNECTED", [CIP_CONN_REMOTE_CLOSING] = "REMOTE CLOSING",
		[CIP_CONN_CLOSING] = "CLOSING",	    [CIP_CONN_CLOSED] = "CLOSED",
	};
	return names[c->st];
}
