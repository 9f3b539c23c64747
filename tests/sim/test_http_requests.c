/* test_http_requests.c - HTTP requests against sim800-fixtures: GET, POST, HEAD, reads, redirects, DNS. */
#include "http_testutil.h"

/* ---- requests ---- */

static void get_and_ranged_read(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r13.08", 1, 7);
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/bytes/1000");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,1000");
	char *want = ht_pattern(1000);
	ht_expect_read(r, 0, "AT+HTTPREAD\r", want, 1000);
	/* The data stays: a second whole read and ranged reads. */
	ht_expect_read(r, 0, "AT+HTTPREAD\r", want, 1000);
	ht_expect_read(r, 0, "AT+HTTPREAD=0,10\r", want, 10);
	ht_expect_read(r, 0, "AT+HTTPREAD=995,100\r", want + 995, 5);
	ht_expect_read(r, 0, "AT+HTTPREAD=1000,10\r", "", 0);
	ht_expect_read(r, 0, "AT+HTTPREAD=123,456\r", want + 123, 456);
	RIG_REPLY(r, 0, "AT+HTTPREAD=0,0\r", "\r\nERROR\r\n");
	free(want);
	/* ATV0: no CRLF before numeric finals, so one ends the data (UNCERTAIN, see svc_http.c). */
	RIG_REPLY(r, 0, "ATV0\r", "0\r");
	RIG_REPLY(r, 0, "AT+HTTPREAD=10,3\r", "+HTTPREAD: 3\r\nABC\r\n0\r");
	RIG_REPLY(r, 0, "ATV1\r", "\r\nOK\r\n");
	json_t *rec = NULL;
	assert_int_equal(ht_requests(f, "/bytes/1000", &rec), 1);
	assert_string_equal(ht_header(rec, "User-Agent"), "SIMCOM_MODULE");
	json_decref(rec);
	/* HTTPHEAD after a GET: the status line and headers. */
	http_rig_clear(r, 0);
	http_rig_send(r, 0, "AT+HTTPHEAD\r");
	http_rig_settle(r);
	const char *out = http_rig_out(r, 0, NULL);
	assert_true(strncmp(out, "\r\n+HTTPHEAD: ", 13) == 0);
	const char *data = strstr(out + 2, "\r\n") + 2;
	assert_int_equal(strtoul(out + 13, NULL, 10), strlen(data) - 6);
	assert_true(strncmp(data, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(data, "Content-Length: 1000\r\n"));
	assert_string_equal(data + strlen(data) - 8, "\r\n\r\nOK\r\n");
	/* BREAK/BREAKEND: a download resumed from a byte range (MAN §11.2.3): the server gets
	 * "Range: bytes=100-199". TIMEOUT takes 30..1000 s. */
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"BREAK\",100\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"BREAKEND\",199\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"TIMEOUT\",29\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"TIMEOUT\",30\r", "\r\nOK\r\n");
	ht_set_url(r, 0, "http", (unsigned)f->http, "/bytes/999");
	ht_action_prefix(r, 0, 0, "+HTTPACTION: 0,");
	assert_int_equal(ht_requests(f, "/bytes/999", &rec), 1);
	assert_string_equal(ht_header(rec, "Range"), "bytes=100-199");
	json_decref(rec);
	RIG_REPLY(r, 0, "AT+HTTPTERM\r", "\r\nOK\r\n");
	http_rig_free(r);
}

static void post_body_exact(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 11);
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/echo");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"CONTENT\",\"application/octet-stream\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"USERDATA\",\"X-Sim: one\\r\\nX-Other: two\"\r", "\r\nOK\r\n");
	/* Every byte value, Ctrl-Z, ESC and CR included: the length decides, nothing else. */
	enum { N = 1500 };
	uint8_t body[N];
	for (size_t i = 0; i < N; i++)
		body[i] = (uint8_t)(i * 7 + 3);
	body[0] = 0x1a;
	body[1] = 0x1b;
	body[2] = '\r';
	RIG_REPLY(r, 0, "AT+HTTPDATA=1500,10000\r", "\r\nDOWNLOAD\r\n");
	http_rig_send_n(r, 0, body, N);
	http_rig_settle(r);
	RIG_OUT(r, 0, "\r\nOK\r\n");
	ht_action(r, 0, 1, "+HTTPACTION: 1,200,1500");
	json_t *rec = NULL;
	assert_int_equal(ht_requests(f, "/echo", &rec), 1);
	char sha[65];
	ht_sha256_hex(body, N, sha);
	assert_string_equal(json_string_value(json_object_get(rec, "method")), "POST");
	assert_int_equal(json_integer_value(json_object_get(rec, "body_len")), N);
	assert_string_equal(json_string_value(json_object_get(rec, "body_sha256")), sha);
	assert_string_equal(ht_header(rec, "Content-Type"), "application/octet-stream");
	assert_string_equal(ht_header(rec, "X-Sim"), "one");
	assert_string_equal(ht_header(rec, "X-Other"), "two");
	json_decref(rec);
	/* The echo comes back through HTTPREAD; HTTPHEAD is for GET only. */
	ht_expect_read(r, 0, "AT+HTTPREAD\r", (const char *)body, N);
	RIG_REPLY(r, 0, "AT+HTTPHEAD\r", "\r\nERROR\r\n");
	/* A short upload ends at the time limit with what arrived (HTTPDATA time is not
	 * scaled: 1 s of real time). */
	RIG_REPLY(r, 0, "AT+HTTPDATA=10,1000\r", "\r\nDOWNLOAD\r\n");
	http_rig_send(r, 0, "abc");
	assert_true(http_rig_wait(r, 0, "OK", 5.0));
	RIG_OUT(r, 0, "\r\nOK\r\n");
	ht_action(r, 0, 1, "+HTTPACTION: 1,200,3");
	ht_expect_read(r, 0, "AT+HTTPREAD\r", "abc", 3);
	http_rig_free(r);
}

static void head_404_status(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/bytes/50");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 2, "+HTTPACTION: 2,200,0");
	RIG_REPLY(r, 0, "AT+HTTPSTATUS?\r", "\r\n+HTTPSTATUS: HEAD,0,0,0\r\n\r\nOK\r\n");
	json_t *rec = NULL;
	assert_int_equal(ht_requests(f, "/bytes/50", &rec), 1);
	assert_string_equal(json_string_value(json_object_get(rec, "method")), "HEAD");
	json_decref(rec);
	/* Statuses pass through: 404, and 201 for a POST (field bug http-2xx-not-only-200). */
	ht_set_url(r, 0, "http", (unsigned)f->http, "/status/404");
	ht_action_prefix(r, 0, 0, "+HTTPACTION: 0,404,");
	ht_set_url(r, 0, "http", (unsigned)f->http, "/status/201");
	ht_action_prefix(r, 0, 1, "+HTTPACTION: 1,201,");
	/* A body over the module's buffer: 602 "No memory", nothing to read. */
	ht_set_url(r, 0, "http", (unsigned)f->http, "/bytes/2000000");
	ht_action(r, 0, 0, "+HTTPACTION: 0,602,0");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	http_rig_free(r);
}

/* A whole HTTPREAD bigger than the output queue goes out in pieces, nothing lost. */
static void big_read(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	enum { N = 700000 };
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/bytes/700000");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,700000");
	http_rig_clear(r, 0);
	http_rig_send(r, 0, "AT+HTTPREAD\r");
	assert_true(http_rig_wait(r, 0, "\r\nOK\r\n", WAIT_S));
	size_t n;
	const char *out = http_rig_out(r, 0, &n);
	const char *head = "\r\n+HTTPREAD: 700000\r\n";
	size_t hl = strlen(head);
	assert_int_equal(n, hl + N + 6);
	assert_memory_equal(out, head, hl);
	char *want = ht_pattern(N);
	assert_memory_equal(out + hl, want, N);
	assert_memory_equal(out + hl + N, "\r\nOK\r\n", 6);
	free(want);
	http_rig_free(r);
}

static void redirects(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	char url[128];
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/redirect/3");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	/* REDIR=0 (default): the 302 is the result. */
	ht_action_prefix(r, 0, 0, "+HTTPACTION: 0,302,");
	assert_int_equal(ht_requests(f, "/redirect/2", NULL), 0);
	/* REDIR=1: every hop through the netmap, the last answer is the result. */
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"REDIR\",1\r", "\r\nOK\r\n");
	size_t roots = ht_requests(f, "/", NULL);
	ht_action_prefix(r, 0, 0, "+HTTPACTION: 0,200,");
	assert_int_equal(ht_requests(f, "/redirect/2", NULL), 1);
	assert_int_equal(ht_requests(f, "/redirect/1", NULL), 1);
	assert_int_equal(ht_requests(f, "/", NULL), roots + 1);
	http_rig_free(r);
}

static void dns_and_netmap(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	char spec[64], why[128];
	snprintf(spec, sizeof spec, "example.com:80=127.0.0.1:%u", (unsigned)f->http);
	assert_true(netmap_host(r->netmap, spec, why, sizeof why));
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, "http://no-such-host.invalid/x");
	ht_action(r, 0, 0, "+HTTPACTION: 0,603,0");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"URL\",\"http:\\\\example.com\\bytes\\5\"\r", "\r\nOK\r\n");
	ht_action(r, 0, 0, "+HTTPACTION: 0,603,0");
	/* A name from --host; no scheme means http; the Host header keeps the name. */
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"URL\",\"example.com/bytes/77\"\r", "\r\nOK\r\n");
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,77");
	char *want = ht_pattern(77);
	ht_expect_read(r, 0, "AT+HTTPREAD\r", want, 77);
	free(want);
	json_t *rec = NULL;
	assert_int_equal(ht_requests(f, "/bytes/77", &rec), 1);
	assert_string_equal(ht_header(rec, "Host"), "example.com");
	json_decref(rec);
	/* The manual's "http://server/path:port" form. */
	char cmd[200];
	snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"URL\",\"http://127.0.0.1/bytes/78:%u\"\r",
		 (unsigned)f->http);
	RIG_REPLY(r, 0, cmd, "\r\nOK\r\n");
	ht_action(r, 0, 0, "+HTTPACTION: 0,200,78");
	http_rig_free(r);
}

static void outside_allow(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	char why[128], url[128];
	assert_true(netmap_allow(r->netmap, "127.0.0.2/32", why, sizeof why));
	ht_url_for(url, sizeof url, "http", (unsigned)f->http, "/bytes/4242");
	ht_bearer_open(r, 0);
	ht_http_begin(r, 0, url);
	ht_action(r, 0, 0, "+HTTPACTION: 0,601,0");
	assert_int_equal(ht_requests(f, "/bytes/4242", NULL), 0);
	http_rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_and_ranged_read),
		cmocka_unit_test(post_body_exact),
		cmocka_unit_test(head_404_status),
		cmocka_unit_test(big_read),
		cmocka_unit_test(redirects),
		cmocka_unit_test(dns_and_netmap),
		cmocka_unit_test(outside_allow),
	};
	return cmocka_run_group_tests(tests, ht_group_setup, ht_group_teardown);
}
