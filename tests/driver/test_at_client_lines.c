/* test_at_client_lines.c - command execution: echo, V0/V1 finals, errors, garbage, bare finals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

static void test_echo_off_query(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "20,0");
		assert_string_equal(f->mp.written, "AT+CSQ\r");
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_OK);
		assert_string_equal(sim800_last(&f->m)->line, "OK");
		fx_free(f);
	}
}

static void test_echo_on_then_ate0(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		/* The echo "AT+CSQ\r" is followed by the response's own CRLF (facts §0). */
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 31,99\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATE0\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CGSN\r", "\r\n867010032343809\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "31,99");
		assert_int_equal(sim800_exec(&f->m, "ATE0", 0), SIM800_OK);
		assert_false(f->m.echo);
		assert_int_equal(sim800_read_imei(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "867010032343809");
		assert_true(mock_port_done(&f->mp));
		/* the echo never shows up as an unhandled line */
		assert_false(fx_log_has(f, SIM800_LOG_UNHANDLED, "AT+CSQ"));
		assert_false(fx_log_has(f, SIM800_LOG_UNHANDLED, "ATE0"));
		fx_free(f);
	}
}

static void test_v0_numeric_finals(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* ATV0: info "<text>\r\n", final "<code>\r" only (MAN §2.2.25). */
		mock_port_expect(&f->mp, "ATV0\r", "0\r");
		mock_port_expect(&f->mp, "AT+CSQ\r", "+CSQ: 5,0\r\n0\r");
		mock_port_expect(&f->mp, "AT+FOO\r", "4\r");
		mock_port_expect(&f->mp, "AT+CGSN\r", "867010032343809\r\n0\r");
		mock_port_expect(&f->mp, "ATV1\r", "\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_exec(&f->m, "ATV0", 0), SIM800_OK);
		assert_true(f->m.v0);
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "5,0");
		assert_int_equal(sim800_exec(&f->m, "AT+FOO", 0), SIM800_ERR_ERROR);
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_ERROR);
		assert_int_equal(sim800_read_imei(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "867010032343809");
		assert_int_equal(sim800_exec(&f->m, "ATV1", 0), SIM800_OK);
		assert_false(f->m.v0);
		fx_free(f);
	}
}

static void test_lone_digit_in_v1_is_not_a_final(void **state)
{
	(void)state;
	struct fx *f = fx_new(6, 2);
	/* An SMS body "4" in V1 must not end AT+CMGR as ERROR. */
	mock_port_expect(&f->mp, "AT+CMGR=1\r",
			 "\r\n+CMGR: \"REC READ\",\"+391234\",\"\",\"24/05/01,12:00:00+08\"\r\n4\r\n"
			 "\r\nOK\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CMGR=1", 0), SIM800_OK);
	assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "4"));
	fx_free(f);
}

static void test_sync_finds_module_in_v0(void **state)
{
	(void)state;
	struct fx *f = fx_new(6, 2);
	/* pwr-host-reset-modem-keeps-state: a previous host left the module in ATV0. */
	mock_port_expect(&f->mp, "AT\r", "0\r");
	mock_port_expect(&f->mp, "AT+CMEE?\r", "+CMEE: 1\r\n0\r");
	mock_port_expect(&f->mp, "AT+CSQ\r", "+CSQ: 12,0\r\n0\r");
	assert_int_equal(sim800_sync(&f->m, 2000), SIM800_OK);
	assert_true(f->m.v0);
	assert_int_equal(f->m.cmee, 1);
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "12,0");
	fx_free(f);
}

static void test_cme_cms_decoding(void **state)
{
	(void)state;
	struct fx *f = fx_new(3, 4);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CME ERROR: 10\r\n");
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CME ERROR: SIM not inserted\r\n");
	mock_port_expect(&f->mp, "AT+CMGS=\"1\"\r", "\r\n+CMS ERROR: 500\r\n");
	mock_port_expect(&f->mp, "AT+X\r", "\r\n+CME ERROR: something new\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CPIN?", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, 10);
	assert_int_equal(sim800_exec(&f->m, "AT+CPIN?", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, 10);
	assert_string_equal(sim800_last(&f->m)->line, "+CME ERROR: SIM not inserted");
	assert_int_equal(sim800_exec(&f->m, "AT+CMGS=\"1\"", 0), SIM800_ERR_CMS);
	assert_int_equal(sim800_last(&f->m)->code, 500);
	assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_CMS_ERROR);
	/* unknown verbose text: code -1, text kept */
	assert_int_equal(sim800_exec(&f->m, "AT+X", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, -1);
	assert_string_equal(sim800_last(&f->m)->line, "+CME ERROR: something new");
	fx_free(f);
}

static void test_garbage_ignored(void **state)
{
	(void)state;
	static const uint8_t noisy[] = "\xff\xfe\x00\x80\r\n~\x7d\x23\xc0\x21\x7d\x21\x7d\x20\x7d"
				       "\x20\x7d\x24\x7d\x25\x06~~\x7d\x23\x01\x02~\r\n\r\nOK\r\n";
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect_n(&f->mp, "AT\r", noisy, sizeof(noisy) - 1);
		static const char csq[] = "\r\n\xff+CSQ: 9,0\x00\r\n\r\nOK\r\n";
		mock_port_expect_n(&f->mp, "AT+CSQ\r", csq, sizeof(csq) - 1);
		assert_int_equal(sim800_exec(&f->m, "AT", 0), SIM800_OK);
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "9,0");
		assert_true(f->m.dropped_bytes > 0);
		assert_true(f->n_log[SIM800_LOG_DROPPED] >= 1);
		fx_free(f);
	}
}

static void test_overlong_line_dropped(void **state)
{
	(void)state;
	struct fx *f = fx_new(5, 8);
	static char big[SIM800_LINE_MAX * 2 + 64];
	memset(big, 'A', sizeof(big));
	memcpy(big, "\r\n+CSQ: ", 8);
	memcpy(big + sizeof(big) - 24, "\r\n+CSQ: 7,0\r\n\r\nOK\r\n", 20);
	big[sizeof(big) - 4] = '\0';
	mock_port_expect(&f->mp, "AT+CSQ\r", big);
	char v[32];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "7,0");
	assert_true(f->n_log[SIM800_LOG_DROPPED] >= 1);
	fx_free(f);
}

static void test_cifsr_bare_final(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		/* reg-cifsr-has-no-ok: the IP line is the final */
		mock_port_expect(&f->mp, "AT+CIFSR\r", "\r\n10.179.170.111\r\n");
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		char ip[20] = "";
		struct sim800_cmd c = {
			.text = "AT+CIFSR", .match = sim800_is_ipv4, .flags = SIM800_CMD_BARE_FINAL,
		};
		uint64_t t0 = f->mp.now;
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_true(f->mp.now - t0 < 1000);
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_BARE);
		assert_string_equal(sim800_last(&f->m)->line, "10.179.170.111");
		(void)ip;
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		fx_free(f);
	}
}

static void test_specific_final_only_for_its_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(9, 5);
	/* A late "SEND OK" / "CLOSE OK" must not end AT+CSQ (cip-send-fail-unhandled). */
	mock_port_expect(&f->mp, "AT+CSQ\r",
			 "\r\nSEND OK\r\n\r\n0, CLOSE OK\r\n\r\n+CSQ: 3,0\r\n\r\nOK\r\n");
	char v[32];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "3,0");
	fx_free(f);
}

static void test_predicates(void **state)
{
	(void)state;
	assert_true(sim800_is_ipv4("10.179.170.111", 14));
	assert_false(sim800_is_ipv4("10.179.170", 10));
	assert_false(sim800_is_ipv4("10.179.170.256", 14));
	assert_false(sim800_is_ipv4("OK", 2));
	assert_true(sim800_is_iccid("8942001450338567978f", 20));
	assert_true(sim800_is_iccid("898600810906F8048812", 20));
	assert_false(sim800_is_iccid("Call Ready", 10));
	assert_true(sim800_is_imsi("001010123456789", 15));
	assert_false(sim800_is_imsi("DST: 1", 6));
	assert_false(sim800_is_imei("0", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_off_query),
		cmocka_unit_test(test_echo_on_then_ate0),
		cmocka_unit_test(test_v0_numeric_finals),
		cmocka_unit_test(test_lone_digit_in_v1_is_not_a_final),
		cmocka_unit_test(test_sync_finds_module_in_v0),
		cmocka_unit_test(test_cme_cms_decoding),
		cmocka_unit_test(test_garbage_ignored),
		cmocka_unit_test(test_overlong_line_dropped),
		cmocka_unit_test(test_cifsr_bare_final),
		cmocka_unit_test(test_specific_final_only_for_its_command),
		cmocka_unit_test(test_predicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
