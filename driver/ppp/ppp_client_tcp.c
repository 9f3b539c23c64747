/* ppp_client_tcp.c - TCP connections through the PPP client's link, with OpenSSL TLS on top. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "lwip/tcp.h"
#include "ppp_client_int.h"

#define READ_CHUNK 4096

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
			ppp_client_bytes_add(&k->out, buf, (size_t)n);
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
		ppp_client_bytes_drop(&k->out, n);
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
	} else if (!ppp_client_bytes_add(&k->out, buf, n)) {
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
