/* ppp_rig.c - PPP test helpers (see ppp_rig.h). */
#include "ppp_rig.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simproc.h"

static void wake_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

bool ppp_rig_run_until(struct ev_loop *loop, bool (*pred)(void *ctx), void *ctx, double timeout)
{
	ev_now_update(loop);
	ev_tstamp end = ev_now(loop) + timeout;
	ev_timer wake;
	ev_timer_init(&wake, wake_cb, 0.01, 0.01);
	ev_timer_start(loop, &wake);
	bool ok;
	while (!(ok = pred ? pred(ctx) : false) && ev_now(loop) < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &wake);
	return ok;
}

void ppp_rig_run_for(struct ev_loop *loop, double seconds)
{
	ppp_rig_run_until(loop, NULL, NULL, seconds);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ppp_rig_expect_tail(int fd, const char *tail, int timeout_ms, const char *file, int line)
{
	char buf[65536];
	size_t len = 0, tl = strlen(tail);
	long long end = now_ms() + timeout_ms;
	while (now_ms() < end) {
		if (len >= tl && memcmp(buf + len - tl, tail, tl) == 0)
			return;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 50);
		if (len == sizeof buf) {
			memmove(buf, buf + sizeof buf / 2, sizeof buf / 2);
			len = sizeof buf / 2;
		}
		ssize_t n = read(fd, buf + len, sizeof buf - len);
		if (n > 0)
			len += (size_t)n;
	}
	char shown[200];
	size_t k = len < 120 ? len : 120;
	for (size_t i = 0; i < k; i++) {
		char ch = buf[len - k + i];
		shown[i] = ch >= 32 && ch < 127 ? ch : '.';
	}
	shown[k] = '\0';
	print_error("%s:%d: expected the tty to end with \"%s\", last bytes \"%s\"\n", file, line,
		       tail, shown);
	_fail(file, line);
}

void ppp_rig_dial(int fd)
{
	char junk[4096];
	simproc_read_all(fd, junk, sizeof junk, 2000, 200);
	simproc_write_str(fd, "ATE0\r");
	PPP_RIG_EXPECT_TAIL(fd, "\r\nOK\r\n");
	simproc_write_str(fd, "AT+CGDCONT=1,\"IP\",\"internet\"\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	simproc_write_str(fd, "ATD*99#\r");
	EXPECT_TTY_START(fd, "\r\nCONNECT\r\n");
}

static bool is_up(void *ctx)
{
	return ppp_client_state(ctx) != PPP_CLIENT_NEGOTIATING;
}

struct ppp_client *ppp_rig_up(struct ev_loop *loop, int fd)
{
	struct ppp_client *c = ppp_client_new(loop, fd);
	assert_non_null(c);
	assert_true(ppp_rig_run_until(loop, is_up, c, 20));
	assert_int_equal(ppp_client_state(c), PPP_CLIENT_UP);
	return c;
}

struct dns_wait {
	bool done;
	enum ppp_client_err err;
	uint32_t addr;
};

static void dns_cb(void *ctx, enum ppp_client_err err, uint32_t addr)
{
	struct dns_wait *w = ctx;
	w->done = true;
	w->err = err;
	w->addr = addr;
}

static bool dns_done(void *ctx)
{
	return ((struct dns_wait *)ctx)->done;
}

uint32_t ppp_rig_resolve(struct ev_loop *loop, struct ppp_client *c, const char *name,
			 enum ppp_client_err *err)
{
	struct dns_wait w = {0};
	assert_true(ppp_client_resolve(c, name, dns_cb, &w));
	assert_true(ppp_rig_run_until(loop, dns_done, &w, 10));
	if (err)
		*err = w.err;
	else
		assert_int_equal(w.err, PPP_CLIENT_OK);
	return w.addr;
}

static void f_connected(void *ctx)
{
	struct ppp_rig_fetch *f = ctx;
	f->connected = true;
	f->tls_version = ppp_client_conn_tls_version(f->conn);
}

static void f_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct ppp_rig_fetch *f = ctx;
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		while (cap < f->len + n + 1)
			cap *= 2;
		f->body = realloc(f->body, cap);
		f->cap = cap;
	}
	memcpy(f->body + f->len, buf, n);
	f->len += n;
	f->body[f->len] = '\0';
}

static void f_closed(void *ctx, enum ppp_client_err err)
{
	struct ppp_rig_fetch *f = ctx;
	f->done = true;
	f->err = err;
}

static const struct ppp_client_conn_cb fetch_cb = {
	.connected = f_connected, .data = f_data, .closed = f_closed};

static bool f_ready(void *ctx)
{
	struct ppp_rig_fetch *f = ctx;
	return f->connected || f->done;
}

static bool f_done(void *ctx)
{
	return ((struct ppp_rig_fetch *)ctx)->done;
}

bool ppp_rig_fetch(struct ev_loop *loop, struct ppp_client *c, uint32_t addr, uint16_t port,
		   SSL_CTX *tls, const char *sni, const char *req, struct ppp_rig_fetch *f)
{
	memset(f, 0, sizeof *f);
	f->conn = ppp_client_connect(c, addr, port, tls, sni, &fetch_cb, f);
	if (!f->conn)
		return false;
	if (!ppp_rig_run_until(loop, f_ready, f, 20))
		return false;
	if (f->connected && req)
		ppp_client_conn_write(f->conn, req, strlen(req));
	return ppp_rig_run_until(loop, f_done, f, 30);
}

void ppp_rig_fetch_free(struct ppp_rig_fetch *f)
{
	ppp_client_conn_free(f->conn);
	free(f->body);
	memset(f, 0, sizeof *f);
}
