/* test_at_result.c - final result table, +CME/+CMS decoding, strerror table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "at_result.h"
#include "sim800.h"

#include <string.h>

static struct at_result parse(const char *line, const char *cmd, bool numeric, bool *is_final)
{
	struct at_result r;
	*is_final = at_result_parse(line, strlen(line), cmd, numeric, &r);
	return r;
}

static void expect_final(const char *line, const char *cmd, enum sim800_final f, int code)
{
	bool ok;
	struct at_result r = parse(line, cmd, false, &ok);
	assert_true(ok);
	assert_int_equal(r.final, f);
	assert_int_equal(r.code, code);
}

static void expect_not_final(const char *line, const char *cmd, bool numeric)
{
	bool ok;
	parse(line, cmd, numeric, &ok);
	assert_false(ok);
}

static void test_v1_finals(void **state)
{
	(void)state;
	expect_final("OK", "AT", SIM800_FINAL_OK, -1);
	expect_final("ERROR", "AT", SIM800_FINAL_ERROR, -1);
	expect_final("NO CARRIER", "ATD*99#", SIM800_FINAL_NO_CARRIER, -1);
	expect_final("BUSY", "ATD123;", SIM800_FINAL_BUSY, -1);
	expect_final("NO ANSWER", "ATD123;", SIM800_FINAL_NO_ANSWER, -1);
	expect_final("NO DIALTONE", "ATD123;", SIM800_FINAL_NO_DIALTONE, -1);
	expect_final("CONNECT", "ATD*99#", SIM800_FINAL_CONNECT, -1);
	expect_final("CONNECT 115200", "ATD*99#", SIM800_FINAL_CONNECT, -1);
	/* CIPSTART's late status lines are not V.250 CONNECT */
	expect_not_final("CONNECT OK", "AT+CSQ", false);
	expect_not_final("CONNECT FAIL", "AT+CSQ", false);
	expect_not_final("CONNECTED", "AT", false);
	expect_not_final("OK ", "AT", false);
	expect_not_final("+CSQ: 1,0", "AT+CSQ", false);
	expect_not_final("RING", "AT", false);
	/* call results are URCs outside call/data commands */
	expect_not_final("NO CARRIER", "AT+CSQ", false);
	expect_not_final("BUSY", NULL, false);
	expect_not_final("CONNECT", "AT+CGMI", false);
	expect_final("NO CARRIER", "ATA", SIM800_FINAL_NO_CARRIER, -1);
	expect_final("CONNECT", "ATO", SIM800_FINAL_CONNECT, -1);
}

static void test_command_specific_finals(void **state)
{
	(void)state;
	expect_final("SEND OK", "AT+CIPSEND=5", SIM800_FINAL_SEND_OK, -1);
	expect_final("0, SEND OK", "AT+CIPSEND=0,5", SIM800_FINAL_SEND_OK, -1);
	expect_final("SEND FAIL", "AT+CIPSEND", SIM800_FINAL_SEND_FAIL, -1);
	expect_final("DATA ACCEPT:0,5", "AT+CIPSEND=0,5", SIM800_FINAL_DATA_ACCEPT, -1);
	expect_final("CLOSE OK", "AT+CIPCLOSE", SIM800_FINAL_CLOSE_OK, -1);
	expect_final("1, CLOSE OK", "AT+CIPCLOSE=1,1", SIM800_FINAL_CLOSE_OK, -1);
	expect_final("SHUT OK", "AT+CIPSHUT", SIM800_FINAL_SHUT_OK, -1);
	expect_not_final("SEND OK", "AT+CSQ", false);
	expect_not_final("CLOSE OK", "AT+CIPSEND=5", false);
	expect_not_final("SHUT OK", NULL, false);
}

static void test_cme_cms(void **state)
{
	(void)state;
	expect_final("+CME ERROR: 10", "AT+CPIN?", SIM800_FINAL_CME_ERROR, 10);
	expect_final("+CME ERROR: SIM not inserted", "AT+CPIN?", SIM800_FINAL_CME_ERROR, 10);
	expect_final("+CME ERROR: sim NOT inserted ", "AT+CPIN?", SIM800_FINAL_CME_ERROR, 10);
	expect_final("+CME ERROR 3", "AT+CIPSEND", SIM800_FINAL_CME_ERROR, 3); /* manual form */
	expect_final("+CME ERROR: operation not allowed", "AT+CIPCLOSE=0,1",
		     SIM800_FINAL_CME_ERROR, 3);
	expect_final("+CME ERROR: 100", "AT+CREG}1", SIM800_FINAL_CME_ERROR, 100);
	expect_final("+CME ERROR: bogus", "AT", SIM800_FINAL_CME_ERROR, -1);
	expect_final("+CMS ERROR: 500", "AT+CMGS=\"1\"", SIM800_FINAL_CMS_ERROR, 500);
	expect_final("+CMS ERROR: no network", "AT+CMGS=\"1\"", SIM800_FINAL_CMS_ERROR, 331);
	expect_final("+CMS ERROR: unknown", "AT+CMGS=\"1\"", SIM800_FINAL_CMS_ERROR, 500);
	expect_not_final("+CME ERRORS: 1", "AT", false);
}

static void test_numeric(void **state)
{
	(void)state;
	bool ok;
	struct at_result r = parse("0", "AT", true, &ok);
	assert_true(ok);
	assert_int_equal(r.final, SIM800_FINAL_OK);
	r = parse("4", "AT", true, &ok);
	assert_true(ok);
	assert_int_equal(r.final, SIM800_FINAL_ERROR);
	r = parse("3", "ATD*99#", true, &ok);
	assert_true(ok);
	assert_int_equal(r.final, SIM800_FINAL_NO_CARRIER);
	expect_not_final("3", "AT+CSQ", true); /* a dropped call, not CSQ's answer */
	expect_not_final("1", "AT+CSQ", true);
	expect_not_final("2", "AT", true); /* RING */
	expect_not_final("5", "AT", true); /* no 5 on SIM800 */
	expect_not_final("9", "AT", true); /* PROCEEDING */
	expect_not_final("0", "AT", false);
	expect_not_final("00", "AT", true);
}

static void test_err_mapping(void **state)
{
	(void)state;
	assert_int_equal(at_result_err(SIM800_FINAL_OK), SIM800_OK);
	assert_int_equal(at_result_err(SIM800_FINAL_SEND_OK), SIM800_OK);
	assert_int_equal(at_result_err(SIM800_FINAL_BARE), SIM800_OK);
	assert_int_equal(at_result_err(SIM800_FINAL_CME_ERROR), SIM800_ERR_CME);
	assert_int_equal(at_result_err(SIM800_FINAL_CMS_ERROR), SIM800_ERR_CMS);
	assert_int_equal(at_result_err(SIM800_FINAL_SEND_FAIL), SIM800_ERR_SEND_FAIL);
	assert_int_equal(at_result_err(SIM800_FINAL_NO_CARRIER), SIM800_ERR_NO_CARRIER);
}

static void test_strerror_table(void **state)
{
	(void)state;
	for (int i = 0; i < SIM800_ERR__COUNT; i++) {
		const char *s = sim800_strerror((enum sim800_err)i);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (int k = 0; k < i; k++)
			assert_string_not_equal(s, sim800_strerror((enum sim800_err)k));
	}
	assert_string_equal(sim800_strerror((enum sim800_err)999), "unknown error");
	assert_string_equal(sim800_strerror((enum sim800_err)-1), "unknown error");
}

static void test_code_tables(void **state)
{
	(void)state;
	assert_string_equal(sim800_cme_text(10), "SIM not inserted");
	assert_string_equal(sim800_cme_text(797), "CFUN state is 0 or 4");
	assert_null(sim800_cme_text(9999));
	assert_string_equal(sim800_cms_text(331), "no network");
	assert_int_equal(sim800_cme_code("SIM PIN required", 16), 11);
	assert_int_equal(sim800_cme_code("  SIM busy  ", 12), 14);
	assert_int_equal(sim800_cme_code("", 0), -1);
	assert_int_equal(sim800_cms_code("SIM not inserted", 16), 310);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_finals),
		cmocka_unit_test(test_command_specific_finals),
		cmocka_unit_test(test_cme_cms),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_err_mapping),
		cmocka_unit_test(test_strerror_table),
		cmocka_unit_test(test_code_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
