/* test_services_ppp.c - PPP dial on the mock port, and the transport policy table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

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

/* After the host's LCP Terminate the module drops the call itself: its NO CARRIER (here 900 ms
 * later, a restart time) ends the hang-up without an escape; online, the wait is the escape's
 * leading guard and "+++" follows it at once. */
static void test_ppp_hangup_after_drop(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CGDCONT=1,\"IP\",\"internet\"\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATD*99***1#\r", "\r\nCONNECT\r\n");
		assert_int_equal(sim800_ppp_dial(m, "internet"), SIM800_OK);
		uint64_t t0 = f->mp.now;
		mock_port_push_at(&f->mp, t0 + 900, "~\x7e\xff\x03~\r\nNO CARRIER\r\n");
		mock_port_expect(&f->mp, "ATH\r", "\r\nOK\r\n");
		assert_int_equal(sim800_ppp_hangup(m), SIM800_OK);
		assert_null(strstr(f->mp.written, "+++"));
		assert_true(fx_has_event(f, SIM800_EV_NO_CARRIER));
		assert_true(f->mp.now - t0 < 1500);
		assert_true(mock_port_done(&f->mp));
		/* Still online: nothing for 2 s (more than the guard), then "+++" at once. */
		mock_port_expect(&f->mp, "ATD*99***1#\r", "\r\nCONNECT\r\n");
		assert_int_equal(sim800_exec(m, "ATD*99***1#", 0), SIM800_OK);
		t0 = f->mp.now;
		size_t before = f->mp.wlen;
		mock_port_expect(&f->mp, "+++", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATH\r", "\r\nOK\r\n");
		assert_int_equal(sim800_ppp_hangup(m), SIM800_OK);
		assert_memory_equal(f->mp.written + before, "+++", 3);
		assert_true(f->mp.now - t0 >= 2000 + 1100);
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
		cmocka_unit_test(test_ppp_dial),
		cmocka_unit_test(test_ppp_hangup_after_drop),
		cmocka_unit_test(test_policy_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
