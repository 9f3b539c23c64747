/* test_bringup.c - sync, ATE0, CMEE, SIM states, registration (slow, roaming, denied), signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_fixture.h"

#include <string.h>

static void script_sync(struct mock_port *mp)
{
	mock_port_expect(mp, "AT\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+CMEE?\r", "\r\n+CMEE: 0\r\n\r\nOK\r\n");
}

static void script_setup(struct mock_port *mp)
{
	mock_port_expect(mp, "ATE0\r", "\r\nOK\r\n");
	mock_port_expect(mp, "AT+CMEE=2\r", "\r\nOK\r\n");
}

static void script_tail(struct mock_port *mp)
{
	mock_port_expect(mp, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+COPS?\r", "\r\n+COPS: 0,0,\"vodafone IT\"\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+CBC\r", "\r\n+CBC: 0,85,4012\r\n\r\nOK\r\n");
}

/* After the sync: setup, SIM ready, registered at home, then the tail. */
static void script_registered(struct mock_port *mp)
{
	script_setup(mp);
	mock_port_expect(mp, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	script_tail(mp);
}

static void script_ready(struct mock_port *mp, const char *creg)
{
	script_sync(mp);
	script_setup(mp);
	mock_port_expect(mp, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+CREG?\r", creg);
}

static void test_bringup_happy(void **state)
{
	(void)state;
	for (unsigned chunk = 1; chunk <= 8; chunk++) {
		for (int echo = 0; echo <= 1; echo++) {
			struct fx *f = fx_new(chunk * 31 + (unsigned)echo, chunk);
			f->mp.echo = echo;
			script_ready(&f->mp, "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
			script_tail(&f->mp);
			struct sim800_net_status st;
			assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_OK);
			assert_int_equal(st.sim, SIM800_SIM_READY);
			assert_int_equal(st.reg, SIM800_REG_HOME);
			assert_int_equal(st.rssi, 20);
			assert_int_equal(st.ber, 0);
			assert_string_equal(st.oper, "vodafone IT");
			assert_int_equal(st.battery_mv, 4012);
			assert_int_equal(f->m.cmee, 2);
			assert_false(f->m.echo);
			assert_true(mock_port_done(&f->mp));
			assert_string_equal(f->mp.written,
					    "AT\rAT+CMEE?\rATE0\rAT+CMEE=2\rAT+CPIN?\rAT+CREG?\r"
					    "AT+CSQ\rAT+COPS?\rAT+CBC\r");
			fx_free(f);
		}
	}
}

/* With the host's line rate known, an autobauding module (AT+IPR? 0) gets it fixed
 * (boot-autobaud-unstable); a module at a fixed rate is left alone. */
static void test_bringup_fixes_autobaud(void **state)
{
	(void)state;
	for (int fixed = 0; fixed <= 1; fixed++) {
		struct fx *f = fx_new(7, 3);
		f->m.cfg.line_rate = 115200;
		script_sync(&f->mp);
		script_setup(&f->mp);
		mock_port_expect(&f->mp, "AT+IPR?\r",
				 fixed ? "\r\n+IPR: 115200\r\n\r\nOK\r\n" : "\r\n+IPR: 0\r\n\r\nOK\r\n");
		if (!fixed)
			mock_port_expect(&f->mp, "AT+IPR=115200\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
		script_tail(&f->mp);
		assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_OK);
		assert_true(mock_port_done(&f->mp));
		fx_free(f);
	}
}

static void test_bringup_deaf_module_with_noise(void **state)
{
	(void)state;
	/* boot-first-at-ignored + boot-garbage-before-sync + boot-rdy-absent-when-autobaud:
	 * the module only answers the fourth AT, after line noise, and never says RDY. */
	struct fx *f = fx_new(77, 3);
	f->mp.echo = true;
	mock_port_push(&f->mp, "\xff\xfe\x80");
	mock_port_expect(&f->mp, "AT\rAT\rAT\rAT\r", "\xf0\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 0\r\n\r\nOK\r\n");
	script_registered(&f->mp);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_OK);
	assert_true(f->mp.now - t0 >= 3 * 400);
	assert_true(mock_port_done(&f->mp));
	fx_free(f);
}

static void test_bringup_no_response(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	uint64_t t0 = f->mp.now;
	struct sim800_bringup_cfg cfg = {.sync_timeout_ms = 6000};
	assert_int_equal(sim800_bringup(&f->m, &cfg, NULL), SIM800_ERR_NO_RESPONSE);
	uint64_t spent = f->mp.now - t0;
	assert_true(spent >= 6000 && spent <= 6000 + 500);
	/* at least 3 AT over at least 5 s (boot-first-at-ignored) */
	size_t n = 0;
	for (const char *p = f->mp.written; (p = strstr(p, "AT\r")); p += 3)
		n++;
	assert_true(n >= 10);
	fx_free(f);
}

/* ppp-host-reboot-in-data-mode: the module is still in a PPP call from before the host's
 * reset, so AT is PPP data and gets no answer. After 3 s of that: 1.1 s of silence, "+++",
 * 1.1 s of silence, OK; then the usual sync, ATH, and the bring-up goes on. */
static void test_bringup_escapes_data_mode(void **state)
{
	(void)state;
	struct fx *f = fx_new(5, 8);
	mock_port_expect(&f->mp, "AT\rAT\rAT\rAT\rAT\rAT\rAT\rAT\r+++", "\r\nOK\r\n");
	script_sync(&f->mp);
	mock_port_expect(&f->mp, "ATH\r", "\r\nOK\r\n");
	script_registered(&f->mp);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_OK);
	assert_true(mock_port_done(&f->mp));
	assert_true(f->mp.now - t0 >= 3000 + 2 * 1100);
	fx_free(f);
}

static void test_bringup_rdy_and_boot_urcs(void **state)
{
	(void)state;
	for (unsigned chunk = 1; chunk <= 8; chunk++) {
		struct fx *f = fx_new(chunk, chunk);
		f->mp.echo = true;
		mock_port_push(&f->mp, "\r\nRDY\r\n\r\n+CFUN: 1\r\n");
		script_sync(&f->mp);
		script_setup(&f->mp);
		mock_port_expect(&f->mp, "AT+CPIN?\r",
				 "\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CREG?\r",
				 "\r\nSMS Ready\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n");
		script_tail(&f->mp);
		assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_OK);
		assert_true(fx_has_event(f, SIM800_EV_RESET));
		assert_true(f->m.call_ready);
		assert_true(f->m.sms_ready);
		fx_free(f);
	}
}

static void test_bringup_slow_registration(void **state)
{
	(void)state;
	struct fx *f = fx_new(5, 5);
	script_ready(&f->mp, "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 1\r\n\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,1,\"00C3\",\"1234\"\r\n\r\nOK\r\n");
	script_tail(&f->mp);
	uint64_t t0 = f->mp.now;
	struct sim800_net_status st;
	assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_OK);
	assert_int_equal(st.reg, SIM800_REG_HOME);
	assert_true(f->mp.now - t0 >= 3 * 2000); /* polled, not spun */
	assert_true(mock_port_done(&f->mp));
	fx_free(f);
}

static void test_bringup_roaming(void **state)
{
	(void)state;
	struct fx *f = fx_new(6, 2);
	script_ready(&f->mp, "\r\n+CREG: 0,5\r\n\r\nOK\r\n");
	script_tail(&f->mp);
	struct sim800_net_status st;
	assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_OK);
	assert_int_equal(st.reg, SIM800_REG_ROAMING);
	fx_free(f);
}

static void test_bringup_denied(void **state)
{
	(void)state;
	struct fx *f = fx_new(7, 4);
	script_ready(&f->mp, "\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,3\r\n\r\nOK\r\n");
	struct sim800_net_status st;
	assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_ERR_REG_DENIED);
	assert_int_equal(st.reg, SIM800_REG_DENIED);
	assert_true(mock_port_done(&f->mp));
	assert_null(strstr(f->mp.written, "AT+CSQ"));
	fx_free(f);
}

static void test_bringup_never_registers(void **state)
{
	(void)state;
	struct fx *f = fx_new(8, 8);
	script_ready(&f->mp, "\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	for (int i = 0; i < 20; i++)
		mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	struct sim800_bringup_cfg cfg = {.reg_timeout_ms = 10000, .reg_poll_ms = 1000};
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_bringup(&f->m, &cfg, NULL), SIM800_ERR_NOT_REGISTERED);
	assert_true(f->mp.now - t0 >= 10000 && f->mp.now - t0 <= 10000 + 1000);
	fx_free(f);
}

static void test_bringup_no_sim(void **state)
{
	(void)state;
	static const char *const answers[] = {
		"\r\n+CME ERROR: SIM not inserted\r\n",
		"\r\n+CME ERROR: 10\r\n",
		"\r\n+CPIN: NOT INSERTED\r\n\r\nOK\r\n",
	};
	for (size_t i = 0; i < 3; i++) {
		struct fx *f = fx_new(9 + (uint32_t)i, 3);
		script_sync(&f->mp);
		script_setup(&f->mp);
		mock_port_expect(&f->mp, "AT+CPIN?\r", answers[i]);
		struct sim800_net_status st;
		assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_ERR_SIM_NOT_INSERTED);
		assert_int_equal(st.sim, SIM800_SIM_NOT_INSERTED);
		assert_null(strstr(f->mp.written, "AT+CREG"));
		fx_free(f);
	}
}

static void test_bringup_sim_pin(void **state)
{
	(void)state;
	struct fx *f = fx_new(12, 6);
	script_sync(&f->mp);
	script_setup(&f->mp);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CPIN=\"1234\"\r", "\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	script_tail(&f->mp);
	struct sim800_bringup_cfg cfg = {.pin = "1234"};
	assert_int_equal(sim800_bringup(&f->m, &cfg, NULL), SIM800_OK);
	fx_free(f);

	f = fx_new(13, 6);
	script_sync(&f->mp);
	script_setup(&f->mp);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_ERR_SIM_PIN);
	fx_free(f);

	f = fx_new(14, 6);
	script_sync(&f->mp);
	script_setup(&f->mp);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CPIN=\"0000\"\r", "\r\n+CME ERROR: incorrect password\r\n");
	cfg.pin = "0000";
	assert_int_equal(sim800_bringup(&f->m, &cfg, NULL), SIM800_ERR_SIM_PIN);
	assert_int_equal(sim800_last(&f->m)->code, 16);
	fx_free(f);
}

static void test_bringup_sim_not_ready_then_ready(void **state)
{
	(void)state;
	struct fx *f = fx_new(15, 7);
	script_sync(&f->mp);
	script_setup(&f->mp);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CME ERROR: SIM busy\r\n");
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	script_tail(&f->mp);
	assert_int_equal(sim800_bringup(&f->m, NULL, NULL), SIM800_OK);
	fx_free(f);
}

static void test_bringup_tail_failures_not_fatal(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 8);
	script_ready(&f->mp, "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+COPS?\r", "\r\n+COPS: 0\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CBC\r", "\r\nERROR\r\n");
	struct sim800_net_status st;
	assert_int_equal(sim800_bringup(&f->m, NULL, &st), SIM800_OK);
	assert_int_equal(st.rssi, 99);
	assert_string_equal(st.oper, "");
	assert_int_equal(st.battery_mv, -1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup_happy),
		cmocka_unit_test(test_bringup_fixes_autobaud),
		cmocka_unit_test(test_bringup_deaf_module_with_noise),
		cmocka_unit_test(test_bringup_no_response),
		cmocka_unit_test(test_bringup_escapes_data_mode),
		cmocka_unit_test(test_bringup_rdy_and_boot_urcs),
		cmocka_unit_test(test_bringup_slow_registration),
		cmocka_unit_test(test_bringup_roaming),
		cmocka_unit_test(test_bringup_denied),
		cmocka_unit_test(test_bringup_never_registers),
		cmocka_unit_test(test_bringup_no_sim),
		cmocka_unit_test(test_bringup_sim_pin),
		cmocka_unit_test(test_bringup_sim_not_ready_then_ready),
		cmocka_unit_test(test_bringup_tail_failures_not_fatal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
