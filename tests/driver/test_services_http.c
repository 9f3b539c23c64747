/* test_services_http.c - the HTTP application service on the mock port: GET/POST, 60x, TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

struct body {
	uint8_t buf[4096];
	size_t len;
};

static void body_sink(void *user, const uint8_t *p, size_t n)
{
	struct body *b = user;
	assert_true(b->len + n <= sizeof b->buf);
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void script_http_head(struct mock_port *mp, const char *url)
{
	static char cmd[256];
	mock_port_expect(mp, "AT+HTTPTERM\r", "\r\nERROR\r\n"); /* nothing to end: ignored */
	mock_port_expect(mp, "AT+HTTPINIT\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+HTTPPARA=\"CID\",1\r", "\r\nOK\r\n");
	snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"URL\",\"%s\"\r", url);
	mock_port_expect(mp, cmd, "\r\nOK\r\n");
}

static void test_http_get_binary_in_pieces(void **state)
{
	(void)state;
	static const uint8_t r1[] = "\r\n+HTTPREAD: 4\r\n\r\n\0\x80\r\nOK\r\n";
	static const uint8_t r2[] = "\r\n+HTTPREAD: 2\r\nOK\r\nOK\r\n";
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		m->caps.httpssl = SIM800_CAP_NO;
		script_http_head(&f->mp, "http://web.test/b");
		/* The result URC arrives later, after a stray voltage warning and garbage. */
		mock_port_expect(&f->mp, "AT+HTTPACTION=0\r",
				 "\r\nOK\r\n\r\nUNDER-VOLTAGE WARNNING\r\n\xfe\xff\r\n"
				 "+HTTPACTION: 0,200,6\r\n");
		mock_port_expect_n(&f->mp, "AT+HTTPREAD=0,4\r", r1, sizeof r1 - 1);
		/* A body that looks like a final result ("OK") is data, not the answer. */
		mock_port_expect_n(&f->mp, "AT+HTTPREAD=4,4\r", r2, sizeof r2 - 1);
		mock_port_expect(&f->mp, "AT+HTTPTERM\r", "\r\nOK\r\n");
		struct body b = {.len = 0};
		struct sim800_http_req rq = {
			.url = "http://web.test/b", .read_chunk = 4, .on_body = body_sink, .user = &b,
		};
		struct sim800_http_res res;
		assert_int_equal(sim800_http_request(m, &rq, &res), SIM800_OK);
		assert_int_equal(res.status, 200);
		assert_int_equal(res.length, 6);
		assert_int_equal(b.len, 6);
		assert_memory_equal(b.buf, "\r\n\0\x80OK", 6);
		assert_true(mock_port_done(&f->mp));
	}
}

static void test_http_post_and_60x(void **state)
{
	(void)state;
	static const struct {
		int code;
		enum sim800_err err;
	} map[] = {
		{600, SIM800_ERR_HTTP_PDU},     {601, SIM800_ERR_HTTP_NETWORK},
		{602, SIM800_ERR_HTTP_NOMEM},   {603, SIM800_ERR_HTTP_DNS},
		{604, SIM800_ERR_HTTP_BUSY},    {605, SIM800_ERR_TLS_HANDSHAKE},
		{606, SIM800_ERR_TLS_HANDSHAKE},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		struct fx *f = fx_new((uint32_t)i + 1, 1 + (unsigned)i % 8);
		struct sim800 *m = &f->m;
		m->caps.httpssl = SIM800_CAP_LISTED;
		script_http_head(&f->mp, "https://x.test/echo");
		mock_port_expect(&f->mp, "AT+HTTPPARA=\"CONTENT\",\"text/plain\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+HTTPSSL=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+HTTPDATA=3,10000\r", "\r\nDOWNLOAD\r\n");
		mock_port_expect(&f->mp, "abc", "\r\nOK\r\n");
		char urc[64];
		static char urcs[7][64];
		snprintf(urc, sizeof urc, "\r\nOK\r\n\r\n+HTTPACTION: 1,%d,0\r\n", map[i].code);
		memcpy(urcs[i], urc, sizeof urc);
		mock_port_expect(&f->mp, "AT+HTTPACTION=1\r", urcs[i]);
		mock_port_expect(&f->mp, "AT+HTTPTERM\r", "\r\nOK\r\n");
		struct sim800_http_req rq = {
			.method = SIM800_HTTP_POST, .url = "https://x.test/echo",
			.body = (const uint8_t *)"abc", .body_len = 3, .content_type = "text/plain",
		};
		struct sim800_http_res res;
		assert_int_equal(sim800_http_request(m, &rq, &res), map[i].err);
		assert_int_equal(res.status, map[i].code);
		assert_true(res.module_tls);
		/* The module's answer survives the HTTPTERM clean-up. */
		assert_non_null(strstr(sim800_last(m)->line, "+HTTPACTION: 1,"));
		assert_true(mock_port_done(&f->mp));
		fx_free(f);
	}
}

static void test_http_tls_unsupported(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		/* R13.08: probe said ERROR: refused before a single byte (ssl-r1308-httpssl). */
		m->caps.httpssl = SIM800_CAP_NO;
		struct sim800_http_req rq = {.url = "https://x.test/"};
		struct sim800_http_res res;
		assert_int_equal(sim800_http_request(m, &rq, &res), SIM800_ERR_TLS_UNSUPPORTED);
		assert_int_equal(f->mp.wlen, 0);
		/* Listed, but HTTPSSL=1 refused (id-cipssl-ok-httpssl-error): no HTTPACTION. */
		m->caps.httpssl = SIM800_CAP_LISTED;
		script_http_head(&f->mp, "https://x.test/");
		mock_port_expect(&f->mp, "AT+HTTPSSL=1\r", "\r\nERROR\r\n");
		mock_port_expect(&f->mp, "AT+HTTPTERM\r", "\r\nOK\r\n");
		assert_int_equal(sim800_http_request(m, &rq, &res), SIM800_ERR_TLS_UNSUPPORTED);
		assert_null(strstr(f->mp.written, "HTTPACTION"));
		assert_true(mock_port_done(&f->mp));
	}
}

/* A reboot while waiting for +HTTPACTION ends the wait at once; a silent module times out. */
static void test_http_reset_and_silence(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		m->caps.httpssl = SIM800_CAP_NO;
		script_http_head(&f->mp, "http://a.test/");
		mock_port_expect(&f->mp, "AT+HTTPACTION=0\r", "\r\nOK\r\n\r\nRDY\r\n");
		struct sim800_http_req rq = {.url = "http://a.test/", .timeout_ms = 30000};
		struct sim800_http_res res;
		uint64_t t0 = f->mp.now;
		assert_int_equal(sim800_http_request(m, &rq, &res), SIM800_ERR_RESET);
		assert_true(fx_has_event(f, SIM800_EV_RESET));
		assert_true(f->mp.now - t0 < 30000);
	}
	struct fx *f = fx_new(5, 3);
	f->m.caps.httpssl = SIM800_CAP_NO;
	script_http_head(&f->mp, "http://a.test/");
	mock_port_expect(&f->mp, "AT+HTTPACTION=0\r", "\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+HTTPTERM\r", "\r\nOK\r\n");
	struct sim800_http_req rq = {.url = "http://a.test/", .timeout_ms = 30000};
	struct sim800_http_res res;
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_http_request(&f->m, &rq, &res), SIM800_ERR_TIMEOUT);
	assert_true(f->mp.now - t0 >= 30000);
	/* ... and HTTPTERM follows the timeout (http-action-slow-and-busy). */
	assert_true(mock_port_done(&f->mp));
	fx_free(f);
}

/* The whole body in one bare AT+HTTPREAD, after a 201 (all 2xx are success). */
static void test_http_read_whole(void **state)
{
	(void)state;
	static const uint8_t r1[] = "\r\n+HTTPREAD: 5\r\nhe\r\nl\r\nOK\r\n";
	FOR_EACH_SHAPE(f)
	{
		f->m.caps.httpssl = SIM800_CAP_NO;
		script_http_head(&f->mp, "http://a.test/");
		mock_port_expect(&f->mp, "AT+HTTPACTION=0\r", "\r\nOK\r\n\r\n+HTTPACTION: 0,201,5\r\n");
		mock_port_expect_n(&f->mp, "AT+HTTPREAD\r", r1, sizeof r1 - 1);
		mock_port_expect(&f->mp, "AT+HTTPTERM\r", "\r\nOK\r\n");
		struct body b = {.len = 0};
		struct sim800_http_req rq = {.url = "http://a.test/", .read_chunk = SIM800_HTTP_READ_WHOLE,
					     .on_body = body_sink, .user = &b};
		struct sim800_http_res res;
		assert_int_equal(sim800_http_request(&f->m, &rq, &res), SIM800_OK);
		assert_int_equal(res.status, 201);
		assert_int_equal(b.len, 5);
		assert_memory_equal(b.buf, "he\r\nl", 5);
		assert_true(mock_port_done(&f->mp));
	}
}

/* V0 (numeric finals) with HTTPREAD: "0\r" ends it, the data is still raw. */
static void test_http_read_v0(void **state)
{
	(void)state;
	static const uint8_t r1[] = "+HTTPREAD: 3\r\n0\r\n0\r";
	struct fx *f = fx_new(9, 2);
	struct sim800 *m = &f->m;
	m->v0 = true;
	m->caps.httpssl = SIM800_CAP_NO;
	mock_port_expect(&f->mp, "AT+HTTPTERM\r", "4\r");
	mock_port_expect(&f->mp, "AT+HTTPINIT\r", "0\r");
	mock_port_expect(&f->mp, "AT+HTTPPARA=\"CID\",1\r", "0\r");
	mock_port_expect(&f->mp, "AT+HTTPPARA=\"URL\",\"http://a.test/\"\r", "0\r");
	mock_port_expect(&f->mp, "AT+HTTPACTION=0\r", "0\r+HTTPACTION: 0,200,3\r\n");
	mock_port_expect_n(&f->mp, "AT+HTTPREAD=0,1024\r", r1, sizeof r1 - 1);
	mock_port_expect(&f->mp, "AT+HTTPTERM\r", "0\r");
	struct body b = {.len = 0};
	struct sim800_http_req rq = {.url = "http://a.test/", .on_body = body_sink, .user = &b};
	struct sim800_http_res res;
	assert_int_equal(sim800_http_request(m, &rq, &res), SIM800_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.buf, "0\r\n", 3);
	assert_true(mock_port_done(&f->mp));
	fx_free(f);
}

static void test_bearer_open(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+SAPBR=3,1,\"Contype\",\"GPRS\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+SAPBR=3,1,\"APN\",\"internet\"\r", "\r\nOK\r\n");
		/* ERROR because it is already opening: the status query decides. */
		mock_port_expect(&f->mp, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
		mock_port_expect(&f->mp, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,1,\"10.0.0.2\"\r\n\r\nOK\r\n");
		assert_int_equal(sim800_bearer_open(m, "internet"), SIM800_OK);
		assert_true(mock_port_done(&f->mp));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_get_binary_in_pieces),
		cmocka_unit_test(test_http_post_and_60x),
		cmocka_unit_test(test_http_tls_unsupported),
		cmocka_unit_test(test_http_reset_and_silence),
		cmocka_unit_test(test_http_read_v0),
		cmocka_unit_test(test_http_read_whole),
		cmocka_unit_test(test_bearer_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
