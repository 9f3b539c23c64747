/* cli_ppp.c - the PPP path of the CLI: dial, run PPP on the host, HTTP(S) with host TLS, hang up. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SIM800_CLI_PPP_CLIENT
/*
 * The PPP path with the lwIP client (driver/ppp/ppp_client.h): the tty after CONNECT carries
 * PPP; DNS, TCP and TLS (OpenSSL, TLS 1.2 minimum, certificate and host name checked unless
 * --insecure) run on the host. The HTTP request is HTTP/1.0 with Connection: close, so the body
 * is everything after the header until the server closes (no chunked coding to undo).
 * Allocations: the PPP client, the libev loop, the SSL_CTX and the header buffer below; all
 * freed before returning.
 */
#include "ppp_client.h"

#include <arpa/inet.h>
#include <ev.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <strings.h>

#define HEAD_MAX 16384

struct fetch {
	struct cli *c;
	struct ppp_client_conn *conn;
	bool connected, closed, dns_done;
	enum ppp_client_err err;
	uint32_t addr;
	char head[HEAD_MAX];   /* status line and headers until the blank line */
	size_t head_len;
	bool in_body;
	int status;
	long clen;             /* Content-Length, -1 if none: then the body ends at the close */
	size_t got;            /* body bytes so far */
};

static void wake(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
}

/* Step the loop until done(ctx) or the timeout (seconds); a 50 ms tick bounds each step. */
static bool run_until(struct ev_loop *loop, bool (*done)(const void *ctx), const void *ctx,
		      double timeout)
{
	ev_now_update(loop);
	ev_tstamp end = ev_now(loop) + timeout;
	ev_timer t;
	ev_timer_init(&t, wake, 0.05, 0.05);
	ev_timer_start(loop, &t);
	while (!done(ctx) && ev_now(loop) < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &t);
	return done(ctx);
}

static bool flag_set(const void *ctx)
{
	return *(const bool *)ctx;
}

/* Connected, or already failed (TLS alert, refused): no need to wait out the timeout. */
static bool conn_settled(const void *ctx)
{
	const struct fetch *f = ctx;
	return f->connected || f->closed;
}

/* The whole answer is in: the server closed, or Content-Length bytes came (a server may keep
 * the connection open despite "Connection: close" until its idle timeout). */
static bool answer_done(const void *ctx)
{
	const struct fetch *f = ctx;
	return f->closed || (f->in_body && f->clen >= 0 && f->got >= (size_t)f->clen);
}

static bool link_settled(const void *ctx)
{
	return ppp_client_state(ctx) != PPP_CLIENT_NEGOTIATING;
}

static bool link_down(const void *ctx)
{
	return ppp_client_state(ctx) == PPP_CLIENT_DOWN;
}

static void on_dns(void *ctx, enum ppp_client_err err, uint32_t addr)
{
	struct fetch *f = ctx;
	f->dns_done = true;
	f->err = err;
	f->addr = addr;
}

static void on_connected(void *ctx)
{
	((struct fetch *)ctx)->connected = true;
}

static void body(struct fetch *f, const uint8_t *buf, size_t n)
{
	f->got += n;
	cli_body_feed(f->c, buf, n);
}

/* Content-Length from the header block (case-insensitive name), -1 if absent. */
static long content_length(const char *head)
{
	for (const char *p = head; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			return strtol(p + 15, NULL, 10);
	}
	return -1;
}

static void on_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct fetch *f = ctx;
	if (f->in_body) {
		body(f, buf, n);
		return;
	}
	size_t k = n < HEAD_MAX - 1 - f->head_len ? n : HEAD_MAX - 1 - f->head_len;
	memcpy(f->head + f->head_len, buf, k);
	f->head_len += k;
	f->head[f->head_len] = '\0';
	char *end = strstr(f->head, "\r\n\r\n");
	if (!end)
		return;
	f->in_body = true;
	int maj, min, st;
	if (sscanf(f->head, "HTTP/%d.%d %d", &maj, &min, &st) == 3)
		f->status = st;
	*end = '\0';
	f->clen = content_length(f->head);
	size_t used = (size_t)(end + 4 - f->head);
	/* What came after the blank line in this piece is body. */
	size_t consumed_before = f->head_len - k;
	if (used > consumed_before && used - consumed_before < n)
		body(f, buf + (used - consumed_before), n - (used - consumed_before));
}

static void on_closed(void *ctx, enum ppp_client_err err)
{
	struct fetch *f = ctx;
	f->closed = true;
	if (!f->err)
		f->err = err;
}

static const struct ppp_client_conn_cb conn_cb = {on_connected, on_data, on_closed};

static SSL_CTX *tls_ctx(struct cli *c, const char *host, const char *cafile, bool insecure)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	/* The point of this path: TLS the host can trust (1.2+, verified), unlike the module's. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (insecure) {
		cli_warn(c, "--insecure: the server certificate is not checked");
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	if (cafile ? SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1
		   : SSL_CTX_set_default_verify_paths(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx);
	struct in_addr ip;
	if (inet_pton(AF_INET, host, &ip) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(vp, host);
	else
		X509_VERIFY_PARAM_set1_host(vp, host, 0);
	return ctx;
}

static enum sim800_err over_link(struct cli *c, struct ev_loop *loop, struct ppp_client *pc,
				 struct fetch *f, const struct cli_url *u, const char *method,
				 const uint8_t *body, size_t body_len, const char *ctype,
				 const char *cafile, bool insecure)
{
	if (!run_until(loop, link_settled, pc, 30) || ppp_client_state(pc) != PPP_CLIENT_UP) {
		snprintf(c->detail, sizeof c->detail, "PPP negotiation did not complete");
		return SIM800_ERR_PPP;
	}
	struct in_addr ip;
	if (inet_pton(AF_INET, u->host, &ip) == 1) {
		f->addr = ip.s_addr;
	} else {
		if (!ppp_client_resolve(pc, u->host, on_dns, f) || !run_until(loop, flag_set, &f->dns_done, 15) ||
		    f->err) {
			snprintf(c->detail, sizeof c->detail, "DNS over PPP for %.200s: %s", u->host,
				 ppp_client_strerror(f->err ? f->err : PPP_CLIENT_ETIMEOUT));
			return SIM800_ERR_HOST;
		}
	}
	SSL_CTX *ctx = NULL;
	if (u->tls && !(ctx = tls_ctx(c, u->host, cafile, insecure))) {
		snprintf(c->detail, sizeof c->detail, "TLS set-up failed (CA file %s)",
			 cafile ? cafile : "system default");
		return SIM800_ERR_HOST;
	}
	f->err = PPP_CLIENT_OK;
	f->conn = ppp_client_connect(pc, f->addr, (uint16_t)u->port, ctx, u->tls ? u->host : NULL,
				     &conn_cb, f);
	enum sim800_err e = SIM800_OK;
	if (!f->conn) {
		e = SIM800_ERR_HOST;
		snprintf(c->detail, sizeof c->detail, "TCP over PPP could not start");
	} else if (!run_until(loop, conn_settled, f, 60) || !f->connected || f->closed) {
		unsigned long ssl_err = ERR_peek_last_error();
		snprintf(c->detail, sizeof c->detail, "connect to %.200s:%u over PPP: %s%s%.120s", u->host,
			 u->port, ppp_client_strerror(f->err ? f->err : PPP_CLIENT_ETIMEOUT),
			 ssl_err ? ": " : "", ssl_err ? ERR_reason_error_string(ssl_err) : "");
		e = f->err == PPP_CLIENT_ETLS ? SIM800_ERR_TLS_HANDSHAKE : SIM800_ERR_HOST;
	} else {
		if (u->tls)
			cli_note(c, "host TLS: %s", ppp_client_conn_tls_version(f->conn));
		char req[1024];
		int n = snprintf(req, sizeof req,
				 "%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: sim800-cli\r\n"
				 "Connection: close\r\n",
				 method, u->path, u->host);
		if (body_len || strcmp(method, "POST") == 0)
			n += snprintf(req + n, sizeof req - (size_t)n, "Content-Length: %zu\r\n",
				      body_len);
		if (ctype)
			n += snprintf(req + n, sizeof req - (size_t)n, "Content-Type: %s\r\n", ctype);
		n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
		if (n < 0 || (size_t)n >= sizeof req ||
		    ppp_client_conn_write(f->conn, req, (size_t)n) != PPP_CLIENT_OK ||
		    (body_len && ppp_client_conn_write(f->conn, body, body_len) != PPP_CLIENT_OK)) {
			e = SIM800_ERR_HOST;
		} else if (!run_until(loop, answer_done, f, c->timeout_ms / 1000.0 + 30) ||
			   (f->closed && f->err) || !f->in_body) {
			snprintf(c->detail, sizeof c->detail, "HTTP over PPP: %s",
				 f->err ? ppp_client_strerror(f->err) : "no complete answer");
			e = SIM800_ERR_HOST;
		}
	}
	if (f->conn)
		ppp_client_conn_free(f->conn);
	f->conn = NULL;
	if (ctx)
		SSL_CTX_free(ctx);
	return e;
}

bool cli_ppp_available(char *why, size_t cap)
{
	snprintf(why, cap, "lwIP PPP client built in");
	return true;
}

enum sim800_err cli_ppp_fetch(struct cli *c, const struct cli_url *u, const char *method,
			      const uint8_t *body, size_t body_len, const char *ctype,
			      const char *cafile, bool insecure, int *status)
{
	*status = 0;
	enum sim800_err e = sim800_ppp_dial(&c->m, c->apn);
	if (e != SIM800_OK)
		return e;
	cli_note(c, "CONNECT: PPP on the host");
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fetch *f = calloc(1, sizeof *f);
	struct ppp_client *pc = loop && f ? ppp_client_new(loop, c->pp.fd) : NULL;
	if (pc) {
		/* The module's first LCP frame may have come in the same read as CONNECT. */
		uint8_t first[SIM800_DATA_START_MAX];
		ppp_client_input(pc, first, sim800_take_data(&c->m, first, sizeof first));
	}
	if (!pc) {
		e = SIM800_ERR_PPP;
	} else {
		f->c = c;
		f->clen = -1;
		e = over_link(c, loop, pc, f, u, method, body, body_len, ctype, cafile, insecure);
		*status = f->status;
		cli_note(c, "over PPP: %s, HTTP %d, %zu body bytes", sim800_err_name(e), f->status,
			 f->got);
		/* LCP terminate, then back to command mode. */
		ppp_client_close(pc);
		if (!run_until(loop, link_down, pc, 3))
			cli_note(c, "PPP: no LCP terminate ack; hanging up anyway");
		ppp_client_free(pc);
	}
	free(f);
	if (loop)
		ev_loop_destroy(loop);
	struct sim800_last said = c->m.last;
	enum sim800_err h = sim800_ppp_hangup(&c->m);
	if (h != SIM800_OK)
		cli_warn(c, "hang-up after PPP: %s", sim800_strerror(h));
	if (e != SIM800_OK)
		c->m.last = said;
	return e;
}

#else /* no PPP client library: hand the tty to pppd where the host has PPP */

/* pppd needs the kernel's PPP channel (/dev/ppp) and the binary itself. */
static bool find_pppd(char *path, size_t cap)
{
	const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", NULL};
	for (int i = 0; dirs[i]; i++) {
		snprintf(path, cap, "%s/pppd", dirs[i]);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

bool cli_ppp_available(char *why, size_t cap)
{
	char pppd[64];
	int fd = open("/dev/ppp", O_RDWR);
	if (fd < 0) {
		snprintf(why, cap, "/dev/ppp cannot be opened (%s) and no PPP client library is built in",
			 strerror(errno));
		return false;
	}
	close(fd);
	if (!find_pppd(pppd, sizeof pppd)) {
		snprintf(why, cap, "pppd not found and no PPP client library is built in");
		return false;
	}
	snprintf(why, cap, "pppd at %s", pppd);
	/* The pppd hand-off dials and gives the tty to pppd, but fetching through the resulting
	 * interface is not implemented: report it as unavailable rather than half-working. */
	snprintf(why, cap, "pppd found, but the pppd hand-off fetch is not implemented");
	return false;
}

enum sim800_err cli_ppp_fetch(struct cli *c, const struct cli_url *u, const char *method,
			      const uint8_t *body, size_t body_len, const char *ctype,
			      const char *cafile, bool insecure, int *status)
{
	(void)u, (void)method, (void)body, (void)body_len, (void)ctype, (void)cafile;
	(void)insecure;
	*status = 0;
	char why[160];
	cli_ppp_available(why, sizeof why);
	snprintf(c->detail, sizeof c->detail, "PPP unavailable: %s", why);
	return SIM800_ERR_PPP_UNAVAILABLE;
}

#endif
