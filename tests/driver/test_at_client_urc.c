/* test_at_client_urc.c - URCs around commands: mid-response, boot, reset, power down, registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

struct urc_capture {
	char lines[8][64];
	int n;
	struct sim800 *busy_probe; /* if set, the handler tries a command (must be BUSY) */
	enum sim800_err busy_result;
};

static void capture_urc(struct sim800 *m, const char *line, size_t len, void *user)
{
	struct urc_capture *c = user;
	if (c->n < 8)
		snprintf(c->lines[c->n++], 64, "%.*s", (int)len, line);
	if (c->busy_probe)
		c->busy_result = sim800_exec(m, "AT", 0);
}

static void test_urcs_mid_response(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		struct urc_capture cap = {0};
		assert_int_equal(sim800_urc_register(&f->m, "+CREG:", capture_urc, &cap), SIM800_OK);
		/* "+CREG: 1" between echo and info line, a voltage warning between lines. */
		mock_port_expect(&f->mp, "AT+CSQ\r",
				 "\r\n+CREG: 1\r\n\r\n+CSQ: 20,0\r\n\r\nUNDER-VOLTAGE WARNNING\r\n"
				 "\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "20,0");
		assert_int_equal(cap.n, 1);
		assert_string_equal(cap.lines[0], "+CREG: 1");
		assert_true(fx_has_event(f, SIM800_EV_VOLTAGE_WARNING));
		fx_free(f);
	}
}

static void test_boot_urcs_during_creg(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		struct urc_capture cap = {0};
		sim800_urc_register(&f->m, "+CREG:", capture_urc, &cap);
		/* boot-call-ready-sms-ready-as-response; plus a "+CREG: 2" URC (n=1 form) that has
		 * the answer's prefix but not its shape. */
		mock_port_expect(&f->mp, "AT+CREG?\r",
				 "\r\nCall Ready\r\n\r\nSMS Ready\r\n\r\n+CREG: 2\r\n"
				 "\r\n+CREG: 0,5\r\n\r\nOK\r\n");
		enum sim800_reg reg = SIM800_REG_UNKNOWN;
		assert_int_equal(sim800_creg(&f->m, &reg), SIM800_OK);
		assert_int_equal(reg, SIM800_REG_ROAMING);
		assert_true(fx_has_event(f, SIM800_EV_CALL_READY));
		assert_true(fx_has_event(f, SIM800_EV_SMS_READY));
		assert_true(f->m.sms_ready);
		assert_int_equal(cap.n, 1);
		assert_string_equal(cap.lines[0], "+CREG: 2");
		fx_free(f);
	}
}

static void test_dst_before_imsi(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* urc-dst-taken-as-imsi */
		mock_port_expect(&f->mp, "AT+CIMI\r",
				 "\r\n*PSUTTZ: 2024,5,1,12,0,0,\"+8\",1\r\n\r\nDST: 1\r\n"
				 "\r\n001010123456789\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "001010123456789");
		/* not handled by anyone: logged, not dropped silently */
		assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "DST: 1"));
		fx_free(f);
	}
}

static void test_reset_midsession(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* idle: reported through the event and sim800_take_reset() */
		mock_port_push(&f->mp, "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
		assert_int_equal(sim800_poll(&f->m, 10), SIM800_OK);
		assert_true(fx_has_event(f, SIM800_EV_RESET));
		assert_int_equal(f->n_events, 1); /* RDY + +CFUN: 1 is one reboot */
		assert_true(sim800_take_reset(&f->m));
		assert_false(sim800_take_reset(&f->m));
		/* during a command: it ends at once with SIM800_ERR_RESET, not after 20 s */
		uint64_t t0 = f->mp.now;
		mock_port_expect(&f->mp, "AT+CIMI\r", "\r\nRDY\r\n");
		char v[32];
		assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_ERR_RESET);
		assert_true(f->mp.now - t0 < 1000);
		assert_true(sim800_take_reset(&f->m));
		fx_free(f);
	}
}

static void test_cfun_answer_is_not_reset(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 3);
	mock_port_expect(&f->mp, "AT+CFUN=1\r", "\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CFUN=1", 0), SIM800_OK);
	assert_false(sim800_take_reset(&f->m));
	fx_free(f);
}

static void test_power_down_ends_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 3);
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\nUNDER-VOLTAGE POWER DOWN\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_POWERED_DOWN);
	assert_true(fx_has_event(f, SIM800_EV_POWER_DOWN));
	assert_true(f->m.powered_down);
	fx_free(f);
}

static void test_no_carrier_urc_does_not_end_other_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(10, 4);
	struct urc_capture cap = {0};
	sim800_urc_register(&f->m, "NO CARRIER", capture_urc, &cap);
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\nNO CARRIER\r\n\r\n+CSQ: 8,0\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "ATD*99#\r", "\r\nNO CARRIER\r\n");
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "8,0");
	assert_int_equal(cap.n, 1);
	assert_int_equal(sim800_exec(&f->m, "ATD*99#", 0), SIM800_ERR_NO_CARRIER);
	assert_int_equal(cap.n, 1);
	fx_free(f);
}

static void test_unhandled_urc_logged_then_handled(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 1);
	mock_port_push(&f->mp, "\r\n+CMTI: \"SM\",3\r\n\r\nOK\r\n");
	assert_int_equal(sim800_poll(&f->m, 0), SIM800_OK);
	assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "+CMTI: \"SM\",3"));
	assert_true(fx_log_has(f, SIM800_LOG_STALE, "OK"));
	struct urc_capture cap = {0};
	assert_int_equal(sim800_urc_register(&f->m, "+CMTI:", capture_urc, &cap), SIM800_OK);
	mock_port_push(&f->mp, "\r\n+CMTI: \"ME\",42\r\n");
	assert_int_equal(sim800_poll(&f->m, 100), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_string_equal(cap.lines[0], "+CMTI: \"ME\",42");
	assert_int_equal(sim800_urc_unregister(&f->m, "+CMTI:", capture_urc), SIM800_OK);
	assert_int_equal(sim800_urc_unregister(&f->m, "+CMTI:", capture_urc), SIM800_ERR_INVAL);
	fx_free(f);
}

/* sim800_poll sits out its whole timeout; sim800_poll_any is back once a URC came in (fake
 * clock: wait_readable advances it to the next delivery or by the whole wait). */
static void test_poll_any_returns_on_input(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 64);
	struct urc_capture cap = {0};
	assert_int_equal(sim800_urc_register(&f->m, "+CIPRXGET:", capture_urc, &cap), SIM800_OK);
	uint64_t t0 = f->mp.now;
	mock_port_push_at(&f->mp, t0 + 200, "\r\n+CIPRXGET: 1,0\r\n");
	assert_int_equal(sim800_poll_any(&f->m, 5000), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_int_equal(f->mp.now - t0, 200);
	mock_port_push_at(&f->mp, f->mp.now + 200, "\r\n+CIPRXGET: 1,1\r\n");
	t0 = f->mp.now;
	assert_int_equal(sim800_poll(&f->m, 5000), SIM800_OK);
	assert_int_equal(cap.n, 2);
	assert_int_equal(f->mp.now - t0, 5000);
	/* Nothing comes: poll_any waits it out too. */
	t0 = f->mp.now;
	assert_int_equal(sim800_poll_any(&f->m, 300), SIM800_OK);
	assert_int_equal(f->mp.now - t0, 300);
	fx_free(f);
}

static void test_command_from_callback_is_busy(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct urc_capture cap = {0};
	cap.busy_probe = &f->m;
	cap.busy_result = SIM800_OK;
	sim800_urc_register(&f->m, "RING", capture_urc, &cap);
	mock_port_push(&f->mp, "\r\nRING\r\n");
	assert_int_equal(sim800_poll(&f->m, 0), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.busy_result, SIM800_ERR_BUSY);
	assert_string_equal(f->mp.written, "");
	fx_free(f);
}

static void test_registry_full(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct urc_capture cap = {0};
	for (int i = 0; i < SIM800_URC_MAX; i++)
		assert_int_equal(sim800_urc_register(&f->m, "X", capture_urc, &cap), SIM800_OK);
	assert_int_equal(sim800_urc_register(&f->m, "X", capture_urc, &cap), SIM800_ERR_TOOLONG);
	assert_int_equal(sim800_urc_register(&f->m, "", capture_urc, &cap), SIM800_ERR_INVAL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urcs_mid_response),
		cmocka_unit_test(test_boot_urcs_during_creg),
		cmocka_unit_test(test_dst_before_imsi),
		cmocka_unit_test(test_reset_midsession),
		cmocka_unit_test(test_cfun_answer_is_not_reset),
		cmocka_unit_test(test_power_down_ends_command),
		cmocka_unit_test(test_no_carrier_urc_does_not_end_other_command),
		cmocka_unit_test(test_unhandled_urc_logged_then_handled),
		cmocka_unit_test(test_poll_any_returns_on_input),
		cmocka_unit_test(test_command_from_callback_is_busy),
		cmocka_unit_test(test_registry_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
