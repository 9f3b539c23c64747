/* ppp_client.c - PPPoS client on lwIP: the link, DNS queries with ldns, TCP with OpenSSL TLS. */
#include "ppp_client.h"
#include "ppp_client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip_port.h"
#include "netif/ppp/pppos.h"
#include "netif/ppp/ppp_impl.h"
#include "netif/ppp/ipcp.h"

#define DNS_TIMEOUT 5.0      /* seconds */
#define READ_CHUNK 4096


static bool bytes_add(struct bytes *b, const void *p, size_t n)
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

static void bytes_drop(struct bytes *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

struct dnsq {
	struct ppp_client *c;
	struct dnsq *next;
	struct udp_pcb *pcb;
	uint16_t id;
	ppp_client_dns_cb cb;
	void *ctx;
	ev_timer timeout;
};

struct ppp_client_conn {
	struct ppp_client *c;
	struct ppp_client_conn *next;
	struct tcp_pcb *pcb;        /* NULL once lwIP freed it */
	const struct ppp_client_conn_cb *cb;
	void *ctx;
	SSL *ssl;                   /* NULL for plain TCP */
	BIO *rbio, *wbio;           /* owned by ssl */
	bool up;                    /* connected callback done */
	bool shut;                  /* FIN wanted once out is empty */
	bool fin_sent;
	bool closed;                /* closed callback done */
	struct bytes out;           /* bytes for TCP not yet handed to lwIP */
};

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
		bytes_drop(&c->out, (size_t)n);
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
	if (bytes_add(&c->out, data, len) && c->out.len == len)
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

static void dnsq_free(struct dnsq *q);

void ppp_client_free(struct ppp_client *c)
{
	if (!c)
		return;
	while (c->conns)
		ppp_client_conn_free(c->conns);
	while (c->queries)
		dnsq_free(c->queries);
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

/* ---- DNS ---------------------------------------------------------------------------------- */

static void dnsq_free(struct dnsq *q)
{
	for (struct dnsq **pp = &q->c->queries; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	ev_timer_stop(q->c->loop, &q->timeout);
	udp_remove(q->pcb);
	free(q);
}

static void dnsq_done(struct dnsq *q, enum ppp_client_err err, uint32_t addr)
{
	ppp_client_dns_cb cb = q->cb;
	void *ctx = q->ctx;
	dnsq_free(q);
	cb(ctx, err, addr);
}

static void dns_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	dnsq_done((struct dnsq *)((char *)w - offsetof(struct dnsq, timeout)), PPP_CLIENT_ETIMEOUT, 0);
}

static void dns_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	(void)pcb;
	(void)addr;
	(void)port;
	struct dnsq *q = arg;
	uint8_t buf[1500];
	u16_t n = pbuf_copy_partial(p, buf, sizeof buf, 0);
	pbuf_free(p);
	ldns_pkt *ans = NULL;
	if (ldns_wire2pkt(&ans, buf, n) != LDNS_STATUS_OK)
		return;
	if (ldns_pkt_id(ans) != q->id || !ldns_pkt_qr(ans)) {
		ldns_pkt_free(ans);
		return;
	}
	uint32_t a = 0;
	ldns_rr_list *list = ldns_pkt_answer(ans);
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rr_rd_count(rr) == 1 &&
		    ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 4) {
			memcpy(&a, ldns_rdf_data(ldns_rr_rdf(rr, 0)), 4);
			break;
		}
	}
	ldns_pkt_free(ans);
	dnsq_done(q, a ? PPP_CLIENT_OK : PPP_CLIENT_ENAME, a);
}

bool ppp_client_resolve(struct ppp_client *c, const char *name, ppp_client_dns_cb cb, void *ctx)
{
	uint32_t server = ppp_client_dns(c);
	if (!server)
		return false;
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	ldns_pkt *qp = dname ? ldns_pkt_query_new(dname, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD)
			     : NULL;
	if (!qp) {
		ldns_rdf_deep_free(dname);
		return false;
	}
	struct dnsq *q = calloc(1, sizeof *q);
	uint8_t *wire = NULL;
	size_t len = 0;
	if (q) {
		q->id = (uint16_t)lwip_port_rand();
		ldns_pkt_set_id(qp, q->id);
	}
	bool ok = q && ldns_pkt2wire(&wire, qp, &len) == LDNS_STATUS_OK;
	ldns_pkt_free(qp);
	if (ok)
		q->pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!ok || !q->pcb) {
		free(wire);
		free(q);
		return false;
	}
	q->c = c;
	q->cb = cb;
	q->ctx = ctx;
	udp_bind_netif(q->pcb, &c->nif);
	udp_recv(q->pcb, dns_recv_cb, q);
	ip_addr_t srv;
	ip_addr_set_ip4_u32(&srv, server);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p) {
		memcpy(p->payload, wire, len);
		udp_sendto_if(q->pcb, p, &srv, 53, &c->nif);
		pbuf_free(p);
	}
	free(wire);
	ev_timer_init(&q->timeout, dns_timeout_cb, DNS_TIMEOUT, 0.);
	ev_timer_start(c->loop, &q->timeout);
	q->next = c->queries;
	c->queries = q;
	return true;
}

/* ---- TCP and TLS --------------------------------------------------------------------------- */

static void conn_closed(struct ppp_client_conn *k, enum ppp_client_err err)
{
	if (k->closed)
		return;
	k->closed = true;
	k->cb->closed(k->ctx, err);
}

/* Hand queued bytes to lwIP as far as its send buffer goes; FIN when asked and empty. */
static void pump(struct ppp_client_conn *k)
{
	if (!k->pcb)
		return;
	if (k->ssl) {
		char buf[READ_CHUNK];
		int n;
		while ((n = BIO_read(k->wbio, buf, sizeof buf)) > 0)
			bytes_add(&k->out, buf, (size_t)n);
	}
	while (k->out.len) {
		size_t room = tcp_sndbuf(k->pcb);
		if (room == 0 || tcp_sndqueuelen(k->pcb) >= TCP_SND_QUEUELEN / 2)
			break;
		size_t n = k->out.len < room ? k->out.len : room;
		if (n > 0xFFFF)
			n = 0xFFFF;
		if (tcp_write(k->pcb, k->out.d + k->out.off, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		bytes_drop(&k->out, n);
	}
	if (k->shut && !k->out.len && !k->fin_sent) {
		tcp_shutdown(k->pcb, 0, 1);
		k->fin_sent = true;
	}
	tcp_output(k->pcb);
}

static void tls_progress(struct ppp_client_conn *k)
{
	if (!k->up) {
		int r = SSL_do_handshake(k->ssl);
		if (r == 1) {
			k->up = true;
			pump(k);
			k->cb->connected(k->ctx);
		} else {
			int e = SSL_get_error(k->ssl, r);
			pump(k);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				conn_closed(k, PPP_CLIENT_ETLS);
				return;
			}
		}
	}
	if (!k->up)
		return;
	uint8_t buf[READ_CHUNK];
	for (;;) {
		int n = SSL_read(k->ssl, buf, sizeof buf);
		if (n > 0) {
			k->cb->data(k->ctx, buf, (size_t)n);
			continue;
		}
		int e = SSL_get_error(k->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN)
			conn_closed(k, PPP_CLIENT_OK);
		else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			conn_closed(k, PPP_CLIENT_ETLS);
		break;
	}
	pump(k);
}

static err_t recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)err;
	struct ppp_client_conn *k = arg;
	if (!p) {
		conn_closed(k, PPP_CLIENT_OK);
		return ERR_OK;
	}
	uint8_t *buf = malloc(p->tot_len);
	u16_t n = buf ? pbuf_copy_partial(p, buf, p->tot_len, 0) : 0;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (!buf)
		return ERR_OK;
	if (k->ssl) {
		BIO_write(k->rbio, buf, n);
		tls_progress(k);
	} else {
		k->cb->data(k->ctx, buf, n);
	}
	free(buf);
	return ERR_OK;
}

static err_t sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	pump(arg);
	return ERR_OK;
}

static void err_cb(void *arg, err_t err)
{
	(void)err;
	struct ppp_client_conn *k = arg;
	k->pcb = NULL;
	conn_closed(k, PPP_CLIENT_EREFUSED);
}

static err_t connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)pcb;
	struct ppp_client_conn *k = arg;
	if (err != ERR_OK) {
		conn_closed(k, PPP_CLIENT_EREFUSED);
		return ERR_OK;
	}
	if (k->ssl) {
		tls_progress(k);
	} else {
		k->up = true;
		k->cb->connected(k->ctx);
	}
	return ERR_OK;
}

/* The name the certificate must carry when the context verifies peers: a DNS name (also sent
 * as SNI) or an address literal (matched against IP SANs; RFC 6066 sends no SNI for those). */
static bool tls_name(SSL *ssl, const char *name)
{
	struct in6_addr tmp;
	if (inet_pton(AF_INET, name, &tmp) == 1 || inet_pton(AF_INET6, name, &tmp) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1;
	return SSL_set_tlsext_host_name(ssl, name) == 1 && SSL_set1_host(ssl, name) == 1;
}

struct ppp_client_conn *ppp_client_connect(struct ppp_client *c, uint32_t addr, uint16_t port,
					   SSL_CTX *tls, const char *sni,
					   const struct ppp_client_conn_cb *cb, void *ctx)
{
	if (c->state != PPP_CLIENT_UP)
		return NULL;
	struct ppp_client_conn *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->c = c;
	k->cb = cb;
	k->ctx = ctx;
	if (tls) {
		k->ssl = SSL_new(tls);
		k->rbio = BIO_new(BIO_s_mem());
		k->wbio = BIO_new(BIO_s_mem());
		if (!k->ssl || !k->rbio || !k->wbio) {
			BIO_free(k->rbio);
			BIO_free(k->wbio);
			SSL_free(k->ssl);
			free(k);
			return NULL;
		}
		SSL_set_bio(k->ssl, k->rbio, k->wbio);
		SSL_set_connect_state(k->ssl);
		if (sni && !tls_name(k->ssl, sni)) {
			SSL_free(k->ssl);
			free(k);
			return NULL;
		}
	}
	k->pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!k->pcb) {
		SSL_free(k->ssl);
		free(k);
		return NULL;
	}
	tcp_bind_netif(k->pcb, &c->nif);
	tcp_nagle_disable(k->pcb);
	tcp_arg(k->pcb, k);
	tcp_recv(k->pcb, recv_cb);
	tcp_sent(k->pcb, sent_cb);
	tcp_err(k->pcb, err_cb);
	ip_addr_t a;
	ip_addr_set_ip4_u32(&a, addr);
	k->next = c->conns;
	c->conns = k;
	if (tcp_connect(k->pcb, &a, port, connected_cb) != ERR_OK) {
		ppp_client_conn_free(k);
		return NULL;
	}
	return k;
}

enum ppp_client_err ppp_client_conn_write(struct ppp_client_conn *k, const void *buf, size_t n)
{
	if (!k->pcb || !k->up)
		return PPP_CLIENT_ELINK;
	if (k->ssl) {
		if (n && SSL_write(k->ssl, buf, (int)n) <= 0)
			return PPP_CLIENT_ETLS;
	} else if (!bytes_add(&k->out, buf, n)) {
		return PPP_CLIENT_ENOMEM;
	}
	pump(k);
	return PPP_CLIENT_OK;
}

size_t ppp_client_conn_pending(const struct ppp_client_conn *k)
{
	if (!k->pcb)
		return k->out.len;
	return k->out.len + (size_t)(TCP_SND_BUF - tcp_sndbuf(k->pcb));
}

void ppp_client_conn_shutdown(struct ppp_client_conn *k)
{
	if (k->ssl && k->up)
		SSL_shutdown(k->ssl);
	k->shut = true;
	pump(k);
}

const char *ppp_client_conn_tls_version(const struct ppp_client_conn *k)
{
	return k->ssl && k->up ? SSL_get_version(k->ssl) : NULL;
}

void ppp_client_conn_free(struct ppp_client_conn *k)
{
	if (!k)
		return;
	for (struct ppp_client_conn **pp = &k->c->conns; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	if (k->pcb) {
		tcp_arg(k->pcb, NULL);
		tcp_recv(k->pcb, NULL);
		tcp_sent(k->pcb, NULL);
		tcp_err(k->pcb, NULL);
		if (tcp_close(k->pcb) != ERR_OK)
			tcp_abort(k->pcb);
	}
	SSL_free(k->ssl);
	free(k->out.d);
	free(k);
}
