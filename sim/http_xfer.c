/* http_xfer.c - one AT+HTTPACTION on libcurl: URL, netmap pinning, TLS per profile, redirects. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_multi.h"
#include "http_state.h"
#include "netmap.h"
#include "transcript.h"

/* What a URL gives a hop. */
struct http_target {
	bool tls;
	char host[256];      /* as in the URL; IPv6 literals keep their brackets */
	unsigned port;
	char *path;          /* path and query, owned */
};

static void done_cb(void *ctx, CURL *easy, CURLcode rc);

/*
 * Parse a URL as the module would (facts §6.2 "http://server/path:port"). Accepted: normal
 * URLs with or without a scheme (no scheme = http), and the manual's form where ":port" ends
 * the path when the authority has no port. Rejected with 603 (DNS Error): backslashes (field
 * bug http-redirect-and-url-form: "https:\\host" gave 603), other schemes, unparsable text.
 * first: the URL of HTTPPARA (https:// needs HTTPSSL=1; http:// or none follows HTTPSSL);
 * otherwise a redirect target, whose scheme decides.
 */
static int parse_target(struct sim_modem *m, const char *url, bool first, struct http_target *t)
{
	struct svc_http *s = m->http;
	memset(t, 0, sizeof *t);
	if (strchr(url, '\\')) {
		transcript_note(m->log, m->index, "HTTP URL has a backslash: 603");
		return HTTP_ST_DNS;
	}
	CURLU *u = curl_url();
	if (!u)
		return HTTP_ST_NOMEM;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	int code = HTTP_ST_DNS;
	/* No scheme means http (libcurl's own default would be https). */
	char *full = NULL;
	if (!strstr(url, "://")) {
		size_t n = strlen(url) + 8;
		full = malloc(n);
		if (!full) {
			curl_url_cleanup(u);
			return HTTP_ST_NOMEM;
		}
		snprintf(full, n, "http://%s", url);
		url = full;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		transcript_note(m->log, m->index, "HTTP URL cannot be parsed: 603");
		goto out;
	}
	bool https = strcasecmp(scheme, "https") == 0;
	if (!https && strcasecmp(scheme, "http") != 0) {
		transcript_note(m->log, m->index, "HTTP URL scheme %s unsupported: 603", scheme);
		goto out;
	}
	if (https && !s->ssl) {
		/* LilyGo #55: HTTPS without a working AT+HTTPSSL=1 reports 603 (facts §1.2). */
		transcript_note(m->log, m->index, "https:// without AT+HTTPSSL=1: 603");
		goto out;
	}
	/* UNCERTAIN (facts §6.3): with HTTPSSL=1 a URL without https:// is taken to mean TLS too,
	 * as SSLAN's sequence and drivers that send bare host names suggest. */
	t->tls = https || (first && s->ssl);
	t->port = t->tls ? 443 : 80;
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) {
		t->port = (unsigned)strtoul(port, NULL, 10);
	} else {
		/* The manual's "http://server/path:port". */
		char *colon = strrchr(path, ':');
		size_t digits = colon ? strspn(colon + 1, "0123456789") : 0;
		if (colon && digits > 0 && digits <= 5 && colon[1 + digits] == '\0' &&
		    !strchr(colon, '/')) {
			unsigned long p = strtoul(colon + 1, NULL, 10);
			if (p >= 1 && p <= 65535) {
				t->port = (unsigned)p;
				*colon = '\0';
			}
		}
	}
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (snprintf(t->host, sizeof t->host, "%s", host) >= (int)sizeof t->host)
		goto out;
	size_t plen = strlen(path) + (query ? strlen(query) + 1 : 0) + 2;
	t->path = malloc(plen);
	if (!t->path) {
		code = HTTP_ST_NOMEM;
		goto out;
	}
	snprintf(t->path, plen, "%s%s%s", path[0] ? path : "/", query ? "?" : "", query ? query : "");
	code = 0;
out:
	free(full);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return code;
}

/* Defence in depth: libcurl may open a socket only to the address the netmap gave this hop. */
static curl_socket_t open_socket_cb(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct sim_modem *m = ctx;
	struct http_xfer *x = &m->http->x;
	const struct sockaddr *sa = &a->addr;
	bool same = false;
	if (sa->sa_family == x->pinned.ss_family) {
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *p = (const struct sockaddr_in *)&x->pinned;
			const struct sockaddr_in *q = (const struct sockaddr_in *)sa;
			same = p->sin_port == q->sin_port && p->sin_addr.s_addr == q->sin_addr.s_addr;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)&x->pinned;
			const struct sockaddr_in6 *q = (const struct sockaddr_in6 *)sa;
			same = p->sin6_port == q->sin6_port &&
			       memcmp(&p->sin6_addr, &q->sin6_addr, sizeof p->sin6_addr) == 0;
		}
	}
	if (purpose != CURLSOCKTYPE_IPCXN || !same || !netmap_addr_allowed(m->opt->netmap, sa)) {
		transcript_note(m->log, m->index, "HTTP: refused a socket to an address not pinned "
						  "by the netmap");
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t body_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct sim_modem *m = ctx;
	if (!svc_http_buf_append(&m->http->body, p, n, HTTP_BODY_MAX)) {
		transcript_note(m->log, m->index, "HTTP body over %u bytes: 602", HTTP_BODY_MAX);
		return 0; /* CURLE_WRITE_ERROR -> 602 No memory */
	}
	return size * n;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct sim_modem *m = ctx;
	struct http_buf *h = &m->http->head;
	/* A new status line starts a new header block (after "100 Continue"). */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		h->len = 0;
	/* The blank line that ends the block is not kept: HTTPHEAD shows the header lines. */
	if (!(n == 2 && p[0] == '\r' && p[1] == '\n'))
		svc_http_buf_append(h, p, n, HTTP_HEAD_MAX);
	return size * n;
}

static void xfer_clear(struct http_xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->connect_to);
	free(x->url);
	x->easy = NULL;
	x->headers = NULL;
	x->connect_to = NULL;
	x->url = NULL;
}

void http_xfer_abort(struct sim_modem *m)
{
	struct http_xfer *x = &m->http->x;
	if (x->easy)
		http_multi_remove(m->http_multi, x->easy);
	xfer_clear(x);
}

/* USERDATA: header lines separated by CRLF, or by the four characters "\r\n" since an AT
 * string cannot carry a CR. UNCERTAIN: the manual does not say how several lines are sent. */
static struct curl_slist *add_userdata(struct curl_slist *l, const char *ud)
{
	const char *p = ud;
	while (*p) {
		size_t n = 0;
		while (p[n] && !(p[n] == '\r' || p[n] == '\n' ||
				 (p[n] == '\\' && (p[n + 1] == 'r' || p[n + 1] == 'n'))))
			n++;
		if (n > 0 && memchr(p, ':', n)) {
			char *line = strndup(p, n);
			if (line) {
				struct curl_slist *nl = curl_slist_append(l, line);
				if (nl)
					l = nl;
				free(line);
			}
		}
		p += n;
		while (*p == '\r' || *p == '\n' || (*p == '\\' && (p[1] == 'r' || p[1] == 'n')))
			p += *p == '\\' ? 2 : 1;
	}
	return l;
}

static long tls_min_version(enum profile_tls v)
{
	/* libcurl with OpenSSL 3 cannot speak SSL 3.0: TLS 1.0 is the floor. */
	switch (v) {
	case PROFILE_TLS_1_1: return CURL_SSLVERSION_TLSv1_1;
	case PROFILE_TLS_1_2: return CURL_SSLVERSION_TLSv1_2;
	case PROFILE_TLS_1_3: return CURL_SSLVERSION_TLSv1_3;
	default: return CURL_SSLVERSION_TLSv1_0;
	}
}

static long tls_max_version(enum profile_tls v)
{
	switch (v) {
	case PROFILE_TLS_1_1: return CURL_SSLVERSION_MAX_TLSv1_1;
	case PROFILE_TLS_1_2: return CURL_SSLVERSION_MAX_TLSv1_2;
	case PROFILE_TLS_1_3: return CURL_SSLVERSION_MAX_TLSv1_3;
	default: return CURL_SSLVERSION_MAX_TLSv1_0;
	}
}

/* The request headers of a hop (Content-Type, USERDATA, Range). */
static bool build_headers(struct sim_modem *m, struct http_xfer *x)
{
	struct svc_http *s = m->http;
	const struct http_params *p = &s->par;
	struct curl_slist *l = curl_slist_append(NULL, "Expect:"); /* no 100-continue wait */
	if (!l)
		return false;
	if (x->method == HTTP_POST) {
		/* Without CONTENT no Content-Type is sent (libcurl would add a form type). */
		char ct[600];
		snprintf(ct, sizeof ct, "Content-Type:%s%s", p->content ? " " : "",
			 p->content ? p->content : "");
		struct curl_slist *nl = curl_slist_append(l, ct);
		if (nl)
			l = nl;
	}
	if (p->userdata)
		l = add_userdata(l, p->userdata);
	x->headers = l;
	return true;
}

/* Prepare and start one hop to t; 0 or the 60x code. */
static int start_hop(struct sim_modem *m, const struct http_target *t)
{
	struct svc_http *s = m->http;
	struct http_xfer *x = &s->x;
	char why[256] = "";
	char bare[256];
	size_t hl = strlen(t->host);
	if (hl >= 2 && t->host[0] == '[') {
		snprintf(bare, sizeof bare, "%.*s", (int)(hl - 2), t->host + 1);
	} else {
		snprintf(bare, sizeof bare, "%s", t->host);
	}
	enum netmap_res nr = netmap_resolve(m->opt->netmap, bare, t->port, &x->pinned,
					    &x->pinned_len, why, sizeof why);
	if (nr != NETMAP_OK) {
		transcript_note(m->log, m->index, "HTTP: %s", why);
		/* Outside --allow fails like an unreachable host (601), an unknown name as DNS. */
		return nr == NETMAP_NOT_ALLOWED ? HTTP_ST_NETWORK : HTTP_ST_DNS;
	}
	char ip[INET6_ADDRSTRLEN];
	unsigned to_port;
	if (x->pinned.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&x->pinned;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
		to_port = ntohs(a->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&x->pinned;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
		to_port = ntohs(a->sin6_port);
	}
	bool v6 = x->pinned.ss_family == AF_INET6;
	char conn[600];
	snprintf(conn, sizeof conn, "%s:%u:%s%s%s:%u", t->host, t->port, v6 ? "[" : "", ip,
		 v6 ? "]" : "", to_port);
	size_t ul = strlen(t->host) + strlen(t->path) + 32;
	x->url = malloc(ul);
	x->connect_to = curl_slist_append(NULL, conn);
	x->easy = curl_easy_init();
	if (!x->url || !x->connect_to || !x->easy || !build_headers(m, x)) {
		xfer_clear(x);
		return HTTP_ST_NOMEM;
	}
	snprintf(x->url, ul, "%s://%s:%u%s", t->tls ? "https" : "http", t->host, t->port, t->path);
	transcript_note(m->log, m->index, "HTTP %s %s via %s%s%s:%u",
			x->method == HTTP_POST ? "POST" : x->method == HTTP_HEAD ? "HEAD" : "GET",
			x->url, v6 ? "[" : "", ip, v6 ? "]" : "", to_port);

	CURL *e = x->easy;
	const struct http_params *p = &s->par;
	x->err[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	/* Never the system resolver, never another host, never a proxy from the environment. */
	curl_easy_setopt(e, CURLOPT_CONNECT_TO, x->connect_to);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, m);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* Each modem opens its own connection, as a module would. */
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->err);
	curl_easy_setopt(e, CURLOPT_USERAGENT, p->ua ? p->ua : "SIMCOM_MODULE");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, m);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, m);
	double left = x->deadline - ev_now(m->loop);
	long left_ms = left > 0.001 ? (long)(left * 1000.0) : 1L;
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left_ms);
	if (x->method == HTTP_POST) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->post.len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->post.len ? (const char *)s->post.p : "");
	} else if (x->method == HTTP_HEAD) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (p->brk > 0 || p->brkend > 0) {
		/* BREAK/BREAKEND: resume a download from a byte offset (MAN §11.2.3). */
		char range[48];
		if (p->brkend > 0)
			snprintf(range, sizeof range, "%ld-%ld", p->brk, p->brkend);
		else
			snprintf(range, sizeof range, "%ld-", p->brk);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	}
	if (t->tls) {
		/* The module's TLS stack: old versions and ciphers, no certificate checks (facts
		 * §6.3: SSLOPT "ignore invalid certificate" is the default). */
		const struct profile *pr = m->profile;
		curl_easy_setopt(e, CURLOPT_SSLVERSION,
				 tls_min_version(pr->tls_min) | tls_max_version(pr->tls_max));
		curl_easy_setopt(e, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	}
	svc_http_buf_free(&s->body);
	svc_http_buf_free(&s->head);
	if (!m->http_multi || !http_multi_add(m->http_multi, e, done_cb, m)) {
		transcript_note(m->log, m->index, "HTTP: no libcurl multi: 601");
		xfer_clear(x);
		return HTTP_ST_NETWORK;
	}
	return 0;
}

int http_xfer_start(struct sim_modem *m)
{
	struct svc_http *s = m->http;
	struct http_xfer *x = &s->x;
	xfer_clear(x);
	x->method = s->method;
	x->hops = 0;
	x->deadline = ev_now(m->loop) + (double)s->par.timeout;
	struct http_target t;
	int code = parse_target(m, s->par.url, true, &t);
	if (code == 0)
		code = start_hop(m, &t);
	free(t.path);
	return code;
}

/*
 * A transport failure as the module reports it. CURLE_SSL_CONNECT_ERROR whose message names
 * an alert (the server sent a fatal alert, e.g. protocol_version to a TLS 1.0-only client)
 * gives 606, any other handshake failure 605. UNCERTAIN (facts §6.3): which of 605/606 a
 * TLS 1.2-only server triggers is not pinned down; ostaquet #33 saw 606.
 */
static int map_error(CURLcode rc, const char *err)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
		return strstr(err, "alert") ? HTTP_ST_SSL_ALERT : HTTP_ST_SSL;
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ENGINE_INITFAILED:
		return HTTP_ST_SSL;
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
		return HTTP_ST_NOMEM;
	case CURLE_COULDNT_RESOLVE_HOST:
		return HTTP_ST_DNS;
	default:
		/* Refused, reset, timed out, closed mid-body (CURLE_PARTIAL_FILE): the data is
		 * not trustworthy, so no length is reported. UNCERTAIN for mid-body closes. */
		return HTTP_ST_NETWORK;
	}
}

static bool is_redirect(long st)
{
	return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

/* Start the next hop of a redirect; *code is 0 or the 60x code that ends the action. */
static void follow(struct sim_modem *m, const char *location, long st, int *code)
{
	struct http_xfer *x = &m->http->x;
	/* 301/302/303 turn a POST into a GET as browsers do; 307/308 keep the method. */
	if (x->method == HTTP_POST && st != 307 && st != 308)
		x->method = HTTP_GET;
	x->hops++;
	struct http_target t;
	char *loc = strdup(location);
	xfer_clear(x);
	if (!loc) {
		*code = HTTP_ST_NOMEM;
		return;
	}
	transcript_note(m->log, m->index, "HTTP %ld: following to %s", st, loc);
	*code = parse_target(m, loc, false, &t);
	if (*code == 0)
		*code = start_hop(m, &t);
	free(t.path);
	free(loc);
}

static void done_cb(void *ctx, CURL *easy, CURLcode rc)
{
	struct sim_modem *m = ctx;
	struct svc_http *s = m->http;
	struct http_xfer *x = &s->x;
	long st = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &st);
	if (rc != CURLE_OK) {
		int code = map_error(rc, x->err);
		transcript_note(m->log, m->index, "HTTP failed: %s (%s): %d", curl_easy_strerror(rc),
				x->err, code);
		xfer_clear(x);
		svc_http_action_done(m, code);
		return;
	}
	char *loc = NULL;
	curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &loc);
	if (s->par.redir && is_redirect(st) && loc && x->hops < HTTP_REDIR_MAX) {
		int code = 0;
		follow(m, loc, st, &code);
		if (code)
			svc_http_action_done(m, code);
		return;
	}
	xfer_clear(x);
	svc_http_action_done(m, (int)st);
}

bool http_xfer_progress(struct sim_modem *m, bool *sending, size_t *done, size_t *remain)
{
	struct svc_http *s = m->http;
	struct http_xfer *x = &s->x;
	*sending = false;
	*done = *remain = 0;
	if (!x->easy)
		return false;
	curl_off_t up = 0, down_len = -1;
	curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &down_len);
	if (x->method == HTTP_POST && (size_t)up < s->post.len && s->head.len == 0) {
		*sending = true;
		*done = (size_t)up;
		*remain = s->post.len - (size_t)up;
		return true;
	}
	*done = s->body.len;
	if (down_len > 0 && (size_t)down_len > s->body.len)
		*remain = (size_t)down_len - s->body.len;
	return true;
}
