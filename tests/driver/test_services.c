/* test_services.c - CIP TCP, HTTP app, SMS, PPP dial and the policy table on the mock port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_fixture.h"

#include <stdio.h>
#include <string.h>

/*
 * Every scenario runs for read sizes 1..8 (mock fragments) and echo off/on, so line assembly,
 * prompts and the raw data after "+CIPRXGET: 2" / "+HTTPREAD:" are all exercised in pieces.
 * URCs, UNDER-VOLTAGE WARNNING and garbage are injected between and inside answers.
 */
#define FOR_EACH_SHAPE(f)                                                                   \
	for (unsigned chunk_ = 1; chunk_ <= 8; chunk_++)                                      \
		for (int echo_ = 0; echo_ <= 1; echo_++)                                      \
			for (struct fx *f = fx_new(chunk_ * 7 + (unsigned)echo_, chunk_);     \
			     f && (f->mp.echo = echo_, 1); fx_free(f), f = NULL)

static void script_cip_up(struct mock_port *mp)
{
	mock_port_expect(mp, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	mock_port_expect(mp, "AT+CIPMUX=0\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+CIPRXGET=1\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+CIPQSEND=1\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
	/* A URC between the command and its answer, and the module's spelling of a warning. */
	mock_port_expect(mp, "AT+CIICR\r", "\r\nUNDER-VOLTAGE WARNNING\r\n\r\nOK\r\n");
	/* CIFSR: the bare address is the final (reg-cifsr-has-no-ok). */
	mock_port_expect(mp, "AT+CIFSR\r", "\r\n+CMTI: \"SM\",3\r\n\r\n10.64.0.2\r\n");
}

static void test_tcp_roundtrip(void **state)
{
	(void)state;
	static const uint8_t reply[] = "\r\n+CIPRXGET: 2,7,0\r\nab\r\n\0\xff\x1a\r\nOK\r\n";
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		m->caps.cipssl = SIM800_CAP_LISTED;
		script_cip_up(&f->mp);
		mock_port_expect(&f->mp, "AT+CIPSSL=0\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"echo.test\",7\r",
				 "\r\nOK\r\n\r\nCONNECT OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSEND=5\r", "\r\n> ");
		mock_port_expect(&f->mp, "hello", "\r\nDATA ACCEPT:5\r\n\r\n+CIPRXGET: 1\r\n");
		/* Binary with CR, LF, NUL, 0xff and Ctrl-Z inside: raw, not lines. */
		mock_port_expect_n(&f->mp, "AT+CIPRXGET=2,100\r", reply, sizeof reply - 1);
		mock_port_expect(&f->mp, "AT+CIPCLOSE=1\r", "\r\nCLOSE OK\r\n");
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_OK);
		assert_string_equal(m->svc.ip, "10.64.0.2");
		assert_true(fx_has_event(f, SIM800_EV_VOLTAGE_WARNING));
		assert_int_equal(sim800_tcp_open(m, 0, false, "echo.test", 7, false, 0), SIM800_OK);
		size_t sent = 0;
		assert_int_equal(sim800_tcp_send(m, 0, "hello", 5, &sent), SIM800_OK);
		assert_int_equal(sent, 5);
		uint8_t buf[100];
		size_t got = 0;
		assert_int_equal(sim800_tcp_recv(m, 0, buf, sizeof buf, &got, 1000), SIM800_OK);
		assert_int_equal(got, 7);
		assert_memory_equal(buf, "ab\r\n\0\xff\x1a", 7);
		assert_int_equal(sim800_tcp_close(m, 0), SIM800_OK);
		assert_true(mock_port_done(&f->mp));
	}
}

/* The stack up and link 0 connected to a.test:1. */
static void connect_a_test(struct fx *f)
{
	script_cip_up(&f->mp);
	mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"a.test\",1\r", "\r\nOK\r\n\r\nCONNECT OK\r\n");
	assert_int_equal(sim800_cip_up(&f->m, "internet", NULL, NULL, false), SIM800_OK);
	assert_int_equal(sim800_tcp_open(&f->m, 0, false, "a.test", 1, false, 0), SIM800_OK);
}

static void test_tcp_send_fail_and_late_connect_fail(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		connect_a_test(f);
		mock_port_expect(&f->mp, "AT+CIPSEND=3\r", "\r\n> ");
		mock_port_expect(&f->mp, "xyz", "\r\nSEND FAIL\r\n");
		size_t sent = 9;
		assert_int_equal(sim800_tcp_send(m, 0, "xyz", 3, &sent), SIM800_ERR_SEND_FAIL);
		assert_int_equal(sent, 0);
		assert_int_equal(sim800_tcp_state(m, 0), SIM800_LINK_CLOSED);
		/* Not connected any more: no CIPSEND goes out. */
		assert_int_equal(sim800_tcp_send(m, 0, "xyz", 3, &sent), SIM800_ERR_CLOSED);
		assert_true(mock_port_done(&f->mp));
	}
	/* Our connect timeout closes the link; the module's late CONNECT FAIL is not taken as the
	 * answer to the next command (cip-connect-fail-late-75s). */
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		script_cip_up(&f->mp);
		mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"slow.test\",1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPCLOSE=1\r", "\r\nCLOSE OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTATUS\r",
				 "\r\nCONNECT FAIL\r\n\r\nOK\r\n\r\nSTATE: IP CLOSE\r\n");
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_OK);
		assert_int_equal(sim800_tcp_open(m, 0, false, "slow.test", 1, false, 5000),
				 SIM800_ERR_TIMEOUT);
		assert_int_equal(sim800_exec(m, "AT+CIPSTATUS", 0), SIM800_OK);
		assert_int_equal(sim800_last(m)->final, SIM800_FINAL_OK);
		assert_true(mock_port_done(&f->mp));
	}
}

/* Three failed connects in a row: CIPSHUT and SIM800_ERR_GPRS, never CIPSTART forever
 * (reg-stuck-connect-needs-shut). */
static void test_tcp_escalation(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		script_cip_up(&f->mp);
		for (int i = 0; i < 3; i++)
			mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"d.test\",1\r",
					 "\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
		mock_port_expect(&f->mp, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_OK);
		for (int i = 0; i < 2; i++)
			assert_int_equal(sim800_tcp_open(m, 0, false, "d.test", 1, false, 0),
					 SIM800_ERR_CONNECT_FAIL);
		assert_int_equal(sim800_tcp_open(m, 0, false, "d.test", 1, false, 0), SIM800_ERR_GPRS);
		assert_string_equal(sim800_last(m)->line, "CONNECT FAIL");
		assert_false(m->svc.cip_up);
		/* Until the caller brings the stack up again, nothing is sent. */
		size_t before = f->mp.wlen;
		assert_int_equal(sim800_tcp_open(m, 0, false, "d.test", 1, false, 0), SIM800_ERR_GPRS);
		assert_int_equal(f->mp.wlen, before);
		assert_true(mock_port_done(&f->mp));
	}
}

/* The module reboots during AT+CIICR (a brown-out, pwr-reset-on-gprs-attach): RESET, not a
 * GPRS failure, so that the caller re-inits the module before anything else. */
static void test_tcp_reset_during_attach(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPMUX=0\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPRXGET=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPQSEND=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIICR\r", "\r\nRDY\r\n\r\n+CFUN: 1\r\n");
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_ERR_RESET);
		assert_false(m->svc.cip_up);
		assert_true(fx_has_event(f, SIM800_EV_RESET));
	}
}

/* +PDP: DEACT after a send: the next send fails without a command, and closing the link
 * shuts the dead stack (reg-pdp-deact-urc-midsession). */
static void test_tcp_pdp_deact_midsession(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		connect_a_test(f);
		mock_port_expect(&f->mp, "AT+CIPSEND=3\r", "\r\n> ");
		mock_port_expect(&f->mp, "abc", "\r\nDATA ACCEPT:3\r\n\r\n+PDP: DEACT\r\n\r\nCLOSED\r\n");
		mock_port_expect(&f->mp, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
		size_t sent = 0;
		assert_int_equal(sim800_tcp_send(m, 0, "abc", 3, &sent), SIM800_OK);
		assert_int_equal(sim800_poll(m, 10), SIM800_OK);
		size_t before = f->mp.wlen;
		assert_int_equal(sim800_tcp_send(m, 0, "def", 3, &sent), SIM800_ERR_CLOSED);
		assert_int_equal(f->mp.wlen, before);
		assert_int_equal(sim800_tcp_close(m, 0), SIM800_OK);
		assert_false(m->svc.pdp_deact);
		assert_true(mock_port_done(&f->mp));
	}
}

/* AT+CIPGSMLOC: the coordinates, a failure code, and a wait of the manual's 60 s, not 1 s
 * (tim-cipgsmloc-needs-10s). */
static void test_gsm_location(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CIPGSMLOC=1,1\r",
				 "\r\n+CIPGSMLOC: 0,13.377704,52.516275,2026/11/30,08:00:00\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPGSMLOC=1,1\r", "\r\n+CIPGSMLOC: 601\r\n\r\nOK\r\n");
		struct sim800_location loc;
		assert_int_equal(sim800_gsm_location(m, &loc), SIM800_OK);
		assert_int_equal(loc.code, 0);
		assert_true(loc.lon > 13.3777 && loc.lon < 13.3778);
		assert_true(loc.lat > 52.5162 && loc.lat < 52.5163);
		assert_string_equal(loc.date, "2026/11/30");
		assert_string_equal(loc.time, "08:00:00");
		assert_int_equal(sim800_gsm_location(m, &loc), SIM800_ERR_GPRS);
		assert_int_equal(loc.code, 601);
		assert_true(mock_port_done(&f->mp));
	}
	struct fx *f = fx_new(1, 8);
	assert_true(sim800_default_timeout(&f->m, "AT+CIPGSMLOC=1,1") >= 10000);
	fx_free(f);
}

static void test_tcp_tls_paths(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		script_cip_up(&f->mp);
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_OK);
		/* R13.08: the probe said ERROR: nothing is sent (id-r1308-cipssl-test-error). */
		m->caps.cipssl = SIM800_CAP_NO;
		size_t before = f->mp.wlen;
		assert_int_equal(sim800_tcp_open(m, 0, false, "x.test", 443, true, 0),
				 SIM800_ERR_TLS_UNSUPPORTED);
		assert_int_equal(f->mp.wlen, before);
		/* R14.18 to a TLS 1.2 server: OK then CLOSE OK (ssl-cipssl-ok-then-close-ok). */
		m->caps.cipssl = SIM800_CAP_LISTED;
		mock_port_expect(&f->mp, "AT+CIPSSL=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"x.test\",443\r",
				 "\r\nOK\r\n\r\nCLOSE OK\r\n");
		assert_int_equal(sim800_tcp_open(m, 0, false, "x.test", 443, true, 0),
				 SIM800_ERR_TLS_HANDSHAKE);
		assert_true(mock_port_done(&f->mp));
	}
}

/* Multi mode: "<n>, " URCs, a data notice for another link mid-answer, ALREADY CONNECT. */
static void test_tcp_multi(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPMUX=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPRXGET=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPQSEND=1\r", "\r\nERROR\r\n");
		mock_port_expect(&f->mp, "AT+CSTT=\"apn\",\"u\",\"p\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIICR\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIFSR\r", "\r\n10.1.2.3\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTART=2,\"TCP\",\"h.test\",80\r",
				 "\r\nOK\r\n\r\n2, ALREADY CONNECT\r\n");
		mock_port_expect(&f->mp, "AT+CIPCLOSE=2,1\r", "\r\n2, CLOSE OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTART=2,\"TCP\",\"h.test\",80\r",
				 "\r\nOK\r\n\r\n2, CONNECT OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSEND=2,4\r", "\r\n> ");
		mock_port_expect(&f->mp, "ping", "\r\n+CIPRXGET: 1,2\r\n\r\n2, SEND OK\r\n");
		mock_port_expect(&f->mp, "AT+CIPRXGET=2,2,64\r",
				 "\r\n+CIPRXGET: 1,0\r\n+CIPRXGET: 2,2,4,0\r\npong\r\nOK\r\n");
		assert_int_equal(sim800_cip_up(m, "apn", "u", "p", true), SIM800_OK);
		assert_false(m->svc.cip_qsend);
		assert_int_equal(sim800_tcp_open(m, 2, false, "h.test", 80, false, 0), SIM800_OK);
		size_t sent;
		assert_int_equal(sim800_tcp_send(m, 2, "ping", 4, &sent), SIM800_OK);
		assert_int_equal(sent, 4);
		uint8_t buf[64];
		size_t got;
		assert_int_equal(sim800_tcp_recv(m, 2, buf, sizeof buf, &got, 1000), SIM800_OK);
		assert_int_equal(got, 4);
		assert_memory_equal(buf, "pong", 4);
		/* The notice for link 0 during link 2's read went to link 0. */
		assert_true(m->svc.link[0].rx_ready);
		assert_true(mock_port_done(&f->mp));
	}
}

/* Remote close with data buffered: read it all, then EOF on ERROR, bounded. */
static void test_tcp_close_with_buffer(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		script_cip_up(&f->mp);
		mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"c.test\",13\r",
				 "\r\nOK\r\n\r\nCONNECT OK\r\n\r\n+CIPRXGET: 1\r\n\r\nCLOSED\r\n");
		mock_port_expect(&f->mp, "AT+CIPRXGET=2,10\r", "\r\n+CIPRXGET: 2,3,0\r\nbye\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPRXGET=2,10\r", "\r\n+CME ERROR: operation not allowed\r\n");
		assert_int_equal(sim800_cip_up(m, "internet", NULL, NULL, false), SIM800_OK);
		assert_int_equal(sim800_tcp_open(m, 0, false, "c.test", 13, false, 0), SIM800_OK);
		uint8_t buf[10];
		size_t got;
		assert_int_equal(sim800_tcp_recv(m, 0, buf, sizeof buf, &got, 1000), SIM800_OK);
		assert_int_equal(got, 3);
		assert_int_equal(sim800_tcp_recv(m, 0, buf, sizeof buf, &got, 1000), SIM800_ERR_CLOSED);
		assert_int_equal(got, 0);
		/* At most one CIPCLOSE, none for a closed link. */
		size_t before = f->mp.wlen;
		assert_int_equal(sim800_tcp_close(m, 0), SIM800_OK);
		assert_int_equal(f->mp.wlen, before);
		assert_true(mock_port_done(&f->mp));
	}
}

/* ---------------------------------------------------------------------------------------- */

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

/* ---------------------------------------------------------------------------------------- */

static void test_sms_send_waits_for_sms_ready(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		/* Before SMS Ready: ERROR (boot-sms-cmd-error-before-sms-ready); it comes 0.5 s
		 * later, while the driver waits, and the retry works. */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n");
		mock_port_push_at(&f->mp, f->mp.now + 500, "\r\nSMS Ready\r\n");
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"+4412345\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "hi there\x1a", "\r\n+CMGS: 42\r\n\r\nOK\r\n");
		int mr = -1;
		assert_int_equal(sim800_sms_send(m, "+4412345", "hi there", &mr, 10000), SIM800_OK);
		assert_int_equal(mr, 42);
		assert_true(m->sms_ready);
		assert_true(mock_port_done(&f->mp));
	}
	/* SMS Ready right behind the ERROR, read with it: still retried. */
	FOR_EACH_SHAPE(f)
	{
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n\r\nSMS Ready\r\n");
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"+4412345\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "hi\x1a", "\r\n+CMGS: 7\r\n\r\nOK\r\n");
		int mr = -1;
		assert_int_equal(sim800_sms_send(&f->m, "+4412345", "hi", &mr, 10000), SIM800_OK);
		assert_int_equal(mr, 7);
		assert_true(mock_port_done(&f->mp));
	}
}

static void test_sms_errors(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		m->sms_ready = true;
		/* A stray OK right after Ctrl-Z is no success (sms-false-success-on-stray-ok). */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"123\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "x\x1a", "\r\nOK\r\n");
		assert_int_equal(sim800_sms_send(m, "123", "x", NULL, 5000), SIM800_ERR_NO_INFO);
		/* +CMS ERROR after the prompt: the code is kept (sms-cms-error-not-recognised). */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"123\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "y\x1a", "\r\n+CMS ERROR: 331\r\n");
		assert_int_equal(sim800_sms_send(m, "123", "y", NULL, 5000), SIM800_ERR_CMS);
		assert_int_equal(sim800_last(m)->code, 331);
		/* SMS Ready long ago and still ERROR: a real refusal, no endless retry. */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n");
		uint64_t t0 = f->mp.now;
		assert_int_equal(sim800_sms_send(m, "123", "z", NULL, 60000), SIM800_ERR_ERROR);
		assert_true(f->mp.now - t0 < 5000);
		assert_int_equal(sim800_sms_send(m, "12\"3", "z", NULL, 0), SIM800_ERR_INVAL);
		assert_true(mock_port_done(&f->mp));
	}
}

struct sms_list {
	int n;
	struct sim800_sms last;
};

static void on_sms(void *user, const struct sim800_sms *s)
{
	struct sms_list *l = user;
	l->n++;
	l->last = *s;
}

static void test_sms_list(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGL=\"ALL\"\r",
				 "\r\n+CMGL: 1,\"REC READ\",\"+4477\",\"\",\"24/01/02,10:00:00+00\"\r\n"
				 "first\r\n+CMTI: \"SM\",3\r\n"
				 "+CMGL: 3,\"REC UNREAD\",\"+4488\",\"\",\"24/01/02,11:00:00+00\"\r\n"
				 "4\r\n\r\nOK\r\n");
		struct sms_list l = {0};
		assert_int_equal(sim800_sms_list(m, on_sms, &l, 5000), SIM800_OK);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.last.index, 3);
		assert_string_equal(l.last.stat, "REC UNREAD");
		assert_string_equal(l.last.number, "+4488");
		/* A body "4" is text in V1, not a numeric final. */
		assert_string_equal(l.last.text, "4");
		assert_true(m->svc.cmti);
		assert_true(mock_port_done(&f->mp));
	}
}

/* ---------------------------------------------------------------------------------------- */

static void test_ppp_dial(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CGDCONT=1,\"IP\",\"internet\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATD*99***1#\r", "\r\nERROR\r\n");
		/* No PPP after a dial error (ppp-dial-error-must-not-start-ppp). */
		assert_int_equal(sim800_ppp_dial(m, "internet"), SIM800_ERR_PPP);
		mock_port_expect(&f->mp, "AT+CGDCONT=1,\"IP\",\"internet\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATD*99***1#\r", "\r\nCONNECT 115200\r\n~\x7d\x23~");
		assert_int_equal(sim800_ppp_dial(m, "internet"), SIM800_OK);
		/* What came with CONNECT is the PPP client's (the module speaks LCP at once), then
		 * the port has the rest: together exactly the frame, not a byte lost or parsed. */
		uint8_t got[64];
		size_t k = sim800_take_data(m, got, sizeof got);
		assert_int_equal(sim800_take_data(m, got + k, sizeof got - k), 0);
		int r;
		while ((r = m->port.read(m->port.ctx, got + k, sizeof got - k)) > 0)
			k += (size_t)r;
		/* A read that ended between CR and LF leaves the LF on the port (HDLC ignores it). */
		size_t lf = k > 0 && got[0] == '\n' ? 1 : 0;
		assert_int_equal(k - lf, 4);
		assert_memory_equal(got + lf, "~\x7d\x23~", 4);
		/* Not taken before the next command: dropped, never read as lines. */
		mock_port_expect(&f->mp, "ATD*99***1#\r", "\r\nCONNECT\r\n~\x7d\x23~");
		assert_int_equal(sim800_exec(m, "ATD*99***1#", 0), SIM800_OK);
		/* Leaving: guarded +++, leftover frames dropped, NO CARRIER accepted, ATH. */
		mock_port_expect(&f->mp, "+++", "~\x7e\xff\x03~\r\nNO CARRIER\r\n");
		mock_port_expect(&f->mp, "AT\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATH\r", "\r\nOK\r\n");
		assert_int_equal(sim800_ppp_hangup(m), SIM800_OK);
		assert_true(mock_port_done(&f->mp));
	}
}

/* ---------------------------------------------------------------------------------------- */

/* The policy table: scheme x policy x probe x PPP. */
static void test_policy_table(void **state)
{
	(void)state;
	static const struct {
		enum sim800_policy pol;
		bool tls;
		enum sim800_cap cap;
		bool ppp;
		enum sim800_path first, second;
		enum sim800_err refusal;
	} rows[] = {
		/* https, secure: PPP + host TLS or refuse, never module TLS (R14.18 and R13.08). */
		{SIM800_POLICY_SECURE, true, SIM800_CAP_LISTED, false, 0, 0, SIM800_ERR_POLICY},
		{SIM800_POLICY_SECURE, true, SIM800_CAP_LISTED, true, SIM800_PATH_PPP_HOST_TLS, 0, 0},
		{SIM800_POLICY_SECURE, true, SIM800_CAP_NO, false, 0, 0, SIM800_ERR_POLICY},
		/* https, module-tls-ok: module TLS first where the probe listed it, then PPP. */
		{SIM800_POLICY_MODULE_TLS_OK, true, SIM800_CAP_LISTED, false, SIM800_PATH_MODULE_TLS, 0, 0},
		{SIM800_POLICY_MODULE_TLS_OK, true, SIM800_CAP_LISTED, true, SIM800_PATH_MODULE_TLS,
		 SIM800_PATH_PPP_HOST_TLS, 0},
		{SIM800_POLICY_MODULE_TLS_OK, true, SIM800_CAP_NO, false, 0, 0, SIM800_ERR_TLS_UNSUPPORTED},
		{SIM800_POLICY_MODULE_TLS_OK, true, SIM800_CAP_NO, true, SIM800_PATH_PPP_HOST_TLS, 0, 0},
		{SIM800_POLICY_MODULE_TLS_OK, true, SIM800_CAP_UNKNOWN, false, 0, 0,
		 SIM800_ERR_TLS_UNSUPPORTED},
		/* https, plain-ok: still never plaintext for an https URL. */
		{SIM800_POLICY_PLAIN_OK, true, SIM800_CAP_NO, false, 0, 0, SIM800_ERR_TLS_UNSUPPORTED},
		/* http: only plain-ok allows it. */
		{SIM800_POLICY_SECURE, false, SIM800_CAP_LISTED, true, 0, 0, SIM800_ERR_POLICY},
		{SIM800_POLICY_MODULE_TLS_OK, false, SIM800_CAP_LISTED, true, 0, 0, SIM800_ERR_POLICY},
		{SIM800_POLICY_PLAIN_OK, false, SIM800_CAP_NO, false, SIM800_PATH_MODULE_PLAIN, 0, 0},
		{SIM800_POLICY_PLAIN_OK, false, SIM800_CAP_NO, true, SIM800_PATH_MODULE_PLAIN,
		 SIM800_PATH_PPP_PLAIN, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct sim800_plan p;
		sim800_policy_plan(rows[i].pol, rows[i].tls, rows[i].cap, rows[i].ppp, &p);
		int want = rows[i].first ? (rows[i].second ? 2 : 1) : 0;
		assert_int_equal(p.n, want);
		if (want >= 1)
			assert_int_equal(p.path[0], rows[i].first);
		if (want == 2)
			assert_int_equal(p.path[1], rows[i].second);
		if (!want)
			assert_int_equal(p.refusal, rows[i].refusal);
		assert_true(p.why[0] != '\0');
	}
	enum sim800_policy pol;
	assert_true(sim800_policy_parse("module-tls-ok", &pol));
	assert_int_equal(pol, SIM800_POLICY_MODULE_TLS_OK);
	assert_false(sim800_policy_parse("insecure", &pol));
	assert_string_equal(sim800_err_name(SIM800_ERR_TLS_HANDSHAKE), "TLS_HANDSHAKE");
	for (int e = 0; e < SIM800_ERR__COUNT; e++) {
		assert_string_not_equal(sim800_err_name((enum sim800_err)e), "UNKNOWN");
		assert_string_not_equal(sim800_strerror((enum sim800_err)e), "unknown error");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_roundtrip),
		cmocka_unit_test(test_tcp_send_fail_and_late_connect_fail),
		cmocka_unit_test(test_tcp_escalation),
		cmocka_unit_test(test_tcp_reset_during_attach),
		cmocka_unit_test(test_tcp_pdp_deact_midsession),
		cmocka_unit_test(test_gsm_location),
		cmocka_unit_test(test_tcp_tls_paths),
		cmocka_unit_test(test_tcp_multi),
		cmocka_unit_test(test_tcp_close_with_buffer),
		cmocka_unit_test(test_http_get_binary_in_pieces),
		cmocka_unit_test(test_http_post_and_60x),
		cmocka_unit_test(test_http_tls_unsupported),
		cmocka_unit_test(test_http_reset_and_silence),
		cmocka_unit_test(test_http_read_v0),
		cmocka_unit_test(test_http_read_whole),
		cmocka_unit_test(test_bearer_open),
		cmocka_unit_test(test_sms_send_waits_for_sms_ready),
		cmocka_unit_test(test_sms_errors),
		cmocka_unit_test(test_sms_list),
		cmocka_unit_test(test_ppp_dial),
		cmocka_unit_test(test_policy_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
