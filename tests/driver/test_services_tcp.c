/* test_services_tcp.c - the CIP TCP service on the mock port: bring-up, send/recv, failures, TLS, multi. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

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

/* The stack up and link 0 connected to echo.test:7, plain (CIPSSL=0 on a module that has it). */
static void connect_echo_test(struct fx *f)
{
	f->m.caps.cipssl = SIM800_CAP_LISTED;
	script_cip_up(&f->mp);
	mock_port_expect(&f->mp, "AT+CIPSSL=0\r", "\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"echo.test\",7\r",
			 "\r\nOK\r\n\r\nCONNECT OK\r\n");
	assert_int_equal(sim800_cip_up(&f->m, "internet", NULL, NULL, false), SIM800_OK);
	assert_int_equal(sim800_tcp_open(&f->m, 0, false, "echo.test", 7, false, 0), SIM800_OK);
}

/* A fresh module's boot RDY (seen before the work started) does not fail the first connect;
 * the app still learns of it (sim800_take_reset). A reboot during the connect wait does. */
static void test_tcp_reset_before_and_during(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_push(&f->mp, "\r\nRDY\r\n");
		assert_int_equal(sim800_poll(m, 0), SIM800_OK);
		connect_echo_test(f);
		assert_true(sim800_take_reset(m));
		mock_port_expect(&f->mp, "AT+CIPCLOSE=1\r", "\r\nCLOSE OK\r\n");
		assert_int_equal(sim800_tcp_close(m, 0), SIM800_OK);
		mock_port_expect(&f->mp, "AT+CIPSSL=0\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CIPSTART=\"TCP\",\"echo.test\",7\r",
				 "\r\nOK\r\n\r\nRDY\r\n");
		assert_int_equal(sim800_tcp_open(m, 0, false, "echo.test", 7, false, 3000),
				 SIM800_ERR_RESET);
		assert_true(mock_port_done(&f->mp));
	}
}

/* rec-reset-mid-tcp: the module reboots between two pieces of one send (its RDY arrives
 * after a DATA ACCEPT, while no command runs). The next CIPSEND's ERROR is reported as the
 * reboot it is, with the link gone; a reboot seen before the send began fails nothing. */
static void test_tcp_reset_between_sends(void **state)
{
	(void)state;
	static char big[3000];
	memset(big, 'x', sizeof big);
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		connect_echo_test(f);
		mock_port_expect(&f->mp, "AT+CIPSEND=1460\r", "\r\n> ");
		mock_port_expect(&f->mp, "xxxxxxxx", "\r\nDATA ACCEPT:1460\r\n\r\nRDY\r\n");
		mock_port_expect(&f->mp, "AT+CIPSEND=1460\r", "\r\nERROR\r\n");
		size_t sent = 0;
		assert_int_equal(sim800_tcp_send(m, 0, big, sizeof big, &sent), SIM800_ERR_RESET);
		assert_int_equal(sent, 1460);
		assert_int_equal(m->svc.link[0].state, SIM800_LINK_IDLE);
		assert_false(m->svc.cip_up);
		assert_true(sim800_take_reset(m));
		assert_true(mock_port_done(&f->mp));
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
		cmocka_unit_test(test_tcp_reset_before_and_during),
		cmocka_unit_test(test_tcp_reset_between_sends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
