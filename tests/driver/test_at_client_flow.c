/* test_at_client_flow.c - timeouts, late finals and resync, "> " prompts, DOWNLOAD, I/O errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

static void test_silent_module_times_out(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_TIMEOUT);
	uint64_t spent = f->mp.now - t0;
	assert_true(spent >= 3000);       /* the default */
	assert_true(spent <= 3000 + 1000); /* within one wait slice of the deadline */
	assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_NONE);
	assert_int_equal(sim800_last(&f->m)->err, SIM800_ERR_TIMEOUT);
	assert_true(f->m.need_resync);
	/* explicit timeout honoured; CIICR default is the manual's 85 s */
	t0 = f->mp.now;
	struct sim800_cmd c = {.text = "AT+CIICR", .timeout_ms = 0, .flags = SIM800_CMD_NO_RESYNC};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_TIMEOUT);
	assert_true(f->mp.now - t0 >= 85000 && f->mp.now - t0 <= 86000);
	assert_int_equal(sim800_default_timeout(&f->m, "AT+CIMI"), 20000);
	assert_int_equal(sim800_default_timeout(&f->m, "at+cops=?"), 45000);
	assert_int_equal(sim800_default_timeout(&f->m, "AT+CCID"), 3000);
	fx_free(f);
}

static void test_late_final_does_not_shift(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		uint64_t t0 = f->mp.now;
		/* urc-late-final-shifts-responses: CSQ's answer comes 500 ms after our timeout. */
		mock_port_push_at(&f->mp, t0 + 3500, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		mock_port_expect_delay(&f->mp, "AT\r", "\r\nOK\r\n", 600);
		mock_port_expect_delay(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n", 700);
		mock_port_expect(&f->mp, "AT+CGMI\r", "\r\nSIMCOM_Ltd\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 21,0\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0),
				 SIM800_ERR_TIMEOUT);
		struct sim800_cmd c = {.text = "AT+CGMI", .flags = SIM800_CMD_ANY_INFO};
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "21,0");
		assert_true(mock_port_done(&f->mp));
		assert_int_equal(f->m.cmee, 2);
		assert_false(f->m.need_resync);
		assert_true(f->n_log[SIM800_LOG_STALE] >= 1);
		fx_free(f);
	}
}

static void test_resync_fails_bounded(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_TIMEOUT);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_NO_RESPONSE);
	assert_true(f->mp.now - t0 <= 3000 + 1000);
	/* it tried AT several times (every ~400 ms) */
	assert_non_null(strstr(f->mp.written, "AT+CSQ\rAT\rAT\rAT\r"));
	fx_free(f);
}

static void test_prompt_without_newline(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		for (int echo = 0; echo <= 1; echo++) {
			struct fx *f = fx_new(seed, chunk);
			f->mp.echo = echo;
			mock_port_expect(&f->mp, "AT+CIPSEND=5\r", "\r\n> ");
			mock_port_expect(&f->mp, "hello", "\r\nSEND OK\r\n");
			struct sim800_cmd c = {
				.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT,
				.payload = (const uint8_t *)"hello", .payload_len = 5,
			};
			assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
			assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_SEND_OK);
			assert_string_equal(f->mp.written, "AT+CIPSEND=5\rhello");
			assert_int_equal(f->n_log[SIM800_LOG_UNHANDLED], 0);
			fx_free(f);
		}
	}
}

static void test_prompt_error_sends_nothing(void **state)
{
	(void)state;
	struct fx *f = fx_new(4, 2);
	mock_port_expect(&f->mp, "AT+CIPSEND=5\r", "\r\nERROR\r\n");
	struct sim800_cmd c = {
		.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT,
		.payload = (const uint8_t *)"hello", .payload_len = 5,
	};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_ERROR);
	assert_string_equal(f->mp.written, "AT+CIPSEND=5\r");
	/* multi-connection SEND FAIL form */
	mock_port_expect(&f->mp, "AT+CIPSEND=0,5\r", "\r\n> ");
	mock_port_expect(&f->mp, "hello", "\r\n0, SEND FAIL\r\n");
	c.text = "AT+CIPSEND=0,5";
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_SEND_FAIL);
	fx_free(f);
}

static void test_prompt_timeout_sends_esc(void **state)
{
	(void)state;
	struct fx *f = fx_new(3, 3);
	struct sim800_cmd c = {
		.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT, .timeout_ms = 1000,
		.payload = (const uint8_t *)"hello", .payload_len = 5,
	};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_TIMEOUT);
	/* The module may sit at "> ": ESC leaves it without sending, then the usual resync. */
	mock_port_expect(&f->mp, "\x1b" "AT\r", "\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 4,0\r\n\r\nOK\r\n");
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(f->mp.written, "AT+CIPSEND=5\r\x1b" "AT\rAT+CMEE?\rAT+CSQ\r");
	assert_true(fx_log_has(f, SIM800_LOG_TX, "AT+CSQ"));
	fx_free(f);
}

static void test_httpdata_download(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect(&f->mp, "AT+HTTPDATA=4,10000\r", "\r\nDOWNLOAD\r\n");
		mock_port_expect(&f->mp, "{\"a\"", "\r\nOK\r\n");
		struct sim800_cmd c = {
			.text = "AT+HTTPDATA=4,10000", .flags = SIM800_CMD_DOWNLOAD,
			.payload = (const uint8_t *)"{\"a\"", .payload_len = 4,
		};
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_string_equal(f->mp.written, "AT+HTTPDATA=4,10000\r{\"a\"");
		fx_free(f);
	}
}

static void test_io_error(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	f->mp.fail_read = true;
	assert_int_equal(sim800_exec(&f->m, "AT", 0), SIM800_ERR_IO);
	assert_int_equal(sim800_exec(&f->m, "bogus", 0), SIM800_ERR_INVAL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_module_times_out),
		cmocka_unit_test(test_late_final_does_not_shift),
		cmocka_unit_test(test_resync_fails_bounded),
		cmocka_unit_test(test_prompt_without_newline),
		cmocka_unit_test(test_prompt_error_sends_nothing),
		cmocka_unit_test(test_prompt_timeout_sends_esc),
		cmocka_unit_test(test_httpdata_download),
		cmocka_unit_test(test_io_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
