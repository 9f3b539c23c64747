/* test_http_edge.c - HTTPS and its gating, twenty modems, busy/TERM, a short body, the real pty. */
#include "http_testutil.h"

static void https_r1418(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 9);
	char url[128];
	ht_bearer_open(r, 0);
	RIG_REPLY(r, 0, "AT+HTTPSSL=?\r", "\r\n+HTTPSSL: (0-1)\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL?\r", "\r\n+HTTPSSL: 0\r\n\r\nOK\r\n");
	/* https:// without HTTPSSL=1: 603 (id-cipssl-ok-httpssl-error). */
	ht_url_for(url, sizeof url, "https", (unsigned)f->https_legacy, "/bytes/300");
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 0, "+HTTPACTION: 0,603,0");
	RIG_REPLY(r, 0, "AT+HTTPSSL=1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL?\r", "\r\n+HTTPSSL: 1\r\n\r\nOK\r\n");
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,300");
	char *want = ht_pattern(300);
	ht_expect_read(r, 0, "AT+HTTPREAD\r", want, 300);
	json_t *rec = NULL;
	assert_int_equal(ht_requests(f, "/bytes/300", &rec), 1);
	assert_string_equal(json_string_value(json_object_get(rec, "tls_version")), "TLSv1");
	json_decref(rec);
	/* Expired certificate: not checked, as on the module. */
	ht_set_url(r, 0, "https", (unsigned)f->https_expired, "/bytes/301");
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,301");
	free(want);
	want = ht_pattern(301);
	ht_expect_read(r, 0, "AT+HTTPREAD\r", want, 301);
	free(want);
	/* TLS 1.2-only server against a TLS 1.0 module: the server's protocol_version alert. */
	ht_set_url(r, 0, "https", (unsigned)f->https_modern, "/bytes/302");
	ht_action(r, 0, 0, "+HTTPACTION: 0,606,0");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	assert_int_equal(ht_requests(f, "/bytes/302", NULL), 0);
	http_rig_free(r);
}

static void httpssl_gating(void **state)
{
	(void)state;
	struct http_rig *r = http_rig_new("sim800-r13.08", 1, 5);
	RIG_REPLY(r, 0, "AT+HTTPSSL=?\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL?\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL=1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL=0\r", "\r\nERROR\r\n");
	http_rig_free(r);
	r = http_rig_new("sim800-r14.18-nohttpssl", 1, 5);
	RIG_REPLY(r, 0, "AT+HTTPSSL?\r", "\r\n+HTTPSSL: 0\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL=1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSSL=0\r", "\r\nOK\r\n");
	http_rig_free(r);
}

static void twenty_modems(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	enum { M = 20 };
	struct http_rig *r = http_rig_new("sim800-r14.18", M, 16);
	char url[128];
	for (size_t i = 0; i < M; i++) {
		char path[32];
		snprintf(path, sizeof path, "/bytes/%zu", 2000 + i * 37);
		ht_url_for(url, sizeof url, "http", (unsigned)f->http, path);
		ht_bearer_open(r, i);
		ht_http_begin(r, i, url);
		http_rig_clear(r, i);
	}
	/* Every request is in flight before any completes (/bytes is fast: send all first). */
	for (size_t i = 0; i < M; i++)
		http_rig_send(r, i, "AT+HTTPACTION=0\r");
	for (size_t i = 0; i < M; i++) {
		char want[64];
		assert_true(http_rig_wait(r, i, "+HTTPACTION:", WAIT_S));
		snprintf(want, sizeof want, "\r\nOK\r\n\r\n+HTTPACTION: 0,200,%zu\r\n", 2000 + i * 37);
		RIG_OUT(r, i, want);
	}
	for (size_t i = 0; i < M; i++) {
		size_t n = 2000 + i * 37;
		char *want = ht_pattern(n);
		ht_expect_read(r, i, "AT+HTTPREAD\r", want, n);
		free(want);
	}
	http_rig_free(r);
}

static void busy_and_term(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/slow/800");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	RIG_REPLY(r, 0, "AT+HTTPACTION=0\r", "\r\nOK\r\n");
	/* http-action-slow-and-busy: a second action gets 604; other commands are refused. */
	http_rig_send(r, 0, "AT+HTTPACTION=1\r");
	assert_true(http_rig_wait(r, 0, "604", 2.0));
	RIG_OUT(r, 0, "\r\nOK\r\n\r\n+HTTPACTION: 1,604,0\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"URL\",\"x\"\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+CMEE=1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\n+CME ERROR: 3\r\n");
	RIG_REPLY(r, 0, "AT+HTTPINIT\r", "\r\n+CME ERROR: 3\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSTATUS?\r", "\r\n+HTTPSTATUS: GET,1,0,0\r\n\r\nOK\r\n");
	assert_true(http_rig_wait(r, 0, "+HTTPACTION:", WAIT_S));
	assert_true(strncmp(http_rig_out(r, 0, NULL), "\r\n+HTTPACTION: 0,200,", 21) == 0);
	http_rig_clear(r, 0);
	/* HTTPTERM aborts a running action: no URC follows. */
	RIG_REPLY(r, 0, "AT+HTTPACTION=0\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPTERM\r", "\r\nOK\r\n");
	assert_false(http_rig_wait(r, 0, "+HTTPACTION:", 1.2));
	RIG_OUT(r, 0, "");
	/* A reboot in the middle of an action drops it (ASan checks nothing leaks). */
	ht_http_begin(r, 0, url);
	RIG_REPLY(r, 0, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPACTION=0\r", "\r\nOK\r\n");
	http_rig_send(r, 0, "AT+CFUN=1,1\r");
	assert_false(http_rig_wait(r, 0, "+HTTPACTION:", 1.2));
	http_rig_free(r);
}

/* A server that promises 1000 bytes, sends 100 and closes (in the rig's own loop). */
struct short_srv {
	ev_io accept_w;
	ev_io conn_w;
	int lfd, cfd;
	char req[4096];
	size_t req_len;
};

static void short_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct short_srv *s = (struct short_srv *)((char *)w - offsetof(struct short_srv, conn_w));
	ssize_t n = read(s->cfd, s->req + s->req_len, sizeof s->req - 1 - s->req_len);
	if (n > 0) {
		s->req_len += (size_t)n;
		s->req[s->req_len] = '\0';
		if (!strstr(s->req, "\r\n\r\n"))
			return;
		char resp[256];
		int k = snprintf(resp, sizeof resp,
				 "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n%.100s", ALPHABET
				 ALPHABET);
		assert_int_equal(write(s->cfd, resp, (size_t)k), k);
	}
	ev_io_stop(loop, w);
	close(s->cfd);
	s->cfd = -1;
}

static void short_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct short_srv *s = (struct short_srv *)w;
	s->cfd = accept(s->lfd, NULL, NULL);
	if (s->cfd < 0)
		return;
	ev_io_init(&s->conn_w, short_conn_cb, s->cfd, EV_READ);
	ev_io_start(loop, &s->conn_w);
}

static void closed_mid_body(void **state)
{
	(void)state;
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	struct short_srv s = {.cfd = -1};
	s.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s.lfd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(s.lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s.lfd, 4), 0);
	assert_int_equal(getsockname(s.lfd, (struct sockaddr *)&a, &al), 0);
	ev_io_init(&s.accept_w, short_accept_cb, s.lfd, EV_READ);
	ev_io_start(r->loop, &s.accept_w);
	char url[128];
	ht_url_for(url, sizeof url, "http", ntohs(a.sin_port), "/short");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 0, "+HTTPACTION: 0,601,0");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	/* A refused connection is a network error too. */
	ev_io_stop(r->loop, &s.accept_w);
	close(s.lfd);
	ht_action(r, 0, 0, "+HTTPACTION: 0,601,0");
	http_rig_free(r);
}

/* The real binary on a pty: main's multi drives the request, --host maps the name. */
static void pty_get(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct simproc sp;
	char host[64], cmd[160], want[700];
	snprintf(host, sizeof host, "fixtures.test=127.0.0.1");
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--host", host, NULL};
	assert_true(simproc_start(&sp, 1, args));
	int fd = simproc_open_tty(sp.path[0]);
	assert_true(fd >= 0);
	char junk[512];
	simproc_read_all(fd, junk, sizeof junk, 500, 200); /* boot URCs */
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	simproc_write_str(fd, "AT+SAPBR=1,1;+HTTPINIT\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"URL\",\"http://fixtures.test:%d/bytes/500\"\r",
		 f->http);
	simproc_write_str(fd, cmd);
	EXPECT_TTY(fd, "\r\nOK\r\n");
	simproc_write_str(fd, "AT+HTTPACTION=0\r");
	EXPECT_TTY(fd, "\r\nOK\r\n\r\n+HTTPACTION: 0,200,500\r\n");
	simproc_write_str(fd, "AT+HTTPREAD=490,100\r");
	char *p = ht_pattern(500);
	snprintf(want, sizeof want, "\r\n+HTTPREAD: 10\r\n%s\r\nOK\r\n", p + 490);
	free(p);
	EXPECT_TTY(fd, want);
	close(fd);
	assert_int_equal(simproc_stop(&sp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(https_r1418),
		cmocka_unit_test(httpssl_gating),
		cmocka_unit_test(twenty_modems),
		cmocka_unit_test(busy_and_term),
		cmocka_unit_test(closed_mid_body),
		cmocka_unit_test(pty_get),
	};
	return cmocka_run_group_tests(tests, ht_group_setup, ht_group_teardown);
}
