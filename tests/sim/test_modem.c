/* test_modem.c - the AT engine byte for byte through the in-memory transport (3 bytes a read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"

/* The bundled default; boot URCs are taken and checked by their own test. */
static struct simtest *up(const char *profile)
{
	struct simtest *t = simtest_new(profile, 3, 0);
	simtest_take(t, NULL);
	return t;
}

static void echo_on_by_default(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "AT\r", "AT\r\r\nOK\r\n");
	EXPECT_REPLY(t, "at\r", "at\r\r\nOK\r\n");
	/* ATE0 is itself echoed, then echo stops (field-bugs.md boot-echo-on-default). */
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATE1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT\r\n", "AT\r\r\nOK\r\n");
	simtest_free(t);
}

static void crlf_from_host_is_tolerated(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r\n", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT\r\nAT\r\n", "\r\nOK\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void v0_numeric_results(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0V0\r", "ATE0V0\r0\r");
	EXPECT_REPLY(t, "AT\r", "0\r");
	EXPECT_REPLY(t, "AT+BOGUS\r", "4\r");
	/* V0 information text has no leading CRLF (MAN §2.2.25). */
	EXPECT_REPLY(t, "AT+CGMI\r", "SIMCOM_Ltd\r\n0\r");
	EXPECT_REPLY(t, "ATV1\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void quiet_suppresses_results_only(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0Q1\r", "ATE0Q1\r");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n");
	EXPECT_REPLY(t, "ATQ0\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void cmee_modes(void **state)
{
	(void)state;
	struct simtest *t = simtest_new("sim800-no-sim", 3, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\n+CME ERROR: 10\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\n+CME ERROR: SIM not inserted\r\n");
	EXPECT_REPLY(t, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMEE=3\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void concatenated_commands(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	/* One final result for the whole line; information text in order. */
	EXPECT_REPLY(t, "AT+CGMI;+CGMM\r", "\r\nSIMCOM_Ltd\r\n\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n");
	/* An error stops the rest: +CSQ is not run. */
	EXPECT_REPLY(t, "AT+CGMI;+BOGUS;+CSQ\r", "\r\nSIMCOM_Ltd\r\n\r\nERROR\r\n");
	/* Basic commands need no ';' (MAN §1.4.4 example). */
	EXPECT_REPLY(t, "ATE0Q0V1X4;+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMEE?\r", "\r\n+CMEE: 1\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void cpowd_powers_down(void **state)
{
	(void)state;
	/* "NORMAL POWER DOWN" and no OK; after it nothing answers (MAN §6.2.2, §3.2). */
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPOWD=1\r", "\r\nNORMAL POWER DOWN\r\n");
	EXPECT_REPLY(t, "AT\r", "");
	simtest_free(t);
}

static void test_read_set_exec_forms(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG=?\r", "\r\n+CREG: (0-2)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 2,1,\"1A2B\",\"0F3C\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG=3\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CREG\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CGMR=?\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void identification_per_profile(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r13.08");
	EXPECT_REPLY(t, "ATI\r", "ATI\r\r\nSIM800 R13.08\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGMR\r", "AT+CGMR\r\r\nRevision:1308B08SIM800L16\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+GMR\r", "AT+GMR\r\r\nRevision:1308B08SIM800L16\r\n\r\nOK\r\n");
	simtest_free(t);
	t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "ATI\r", "\r\nSIM800 R14.18\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGMR\r", "\r\nRevision:1418B05SIM800L24\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGMI\r", "\r\nSIMCOM_Ltd\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGSN\r", "\r\n867010032343809\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+GSN\r", "\r\n867010032343809\r\n\r\nOK\r\n");
	simtest_free(t);
	t = up("sim800l16-2014");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGMR\r", "\r\nRevision:SIM800L16_20141031_1027\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void ssl_capability_gates_commands(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r13.08");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSSL=?\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void unknown_command_is_error(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+NOSUCH\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+NOSUCH=?\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT#X\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSQ?X\r", "\r\nERROR\r\n");
	/* Nothing to hang up or resume. */
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATO\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void repeat_last_command(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	/* "A/" needs no CR (V.250). */
	EXPECT_REPLY(t, "A/", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "a/", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void garbage_before_prefix_ignored(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "xyz\x01\xff+++AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "\r\r\n\n", "");
	/* A lone "A" then garbage does not start a line. */
	EXPECT_REPLY(t, "AxAT\r", "\r\nOK\r\n");
	/* Mixed-case prefixes are not accepted by the bundled profiles. */
	EXPECT_REPLY(t, "At\r", "");
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void backspace_edits_line(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSX\bQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void overlong_line_is_error_then_recovers(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	/* 556 characters after "AT" is the limit (MAN §1.4.4). */
	char line[600];
	memcpy(line, "AT", 2);
	memset(line + 2, ' ', 556);
	strcpy(line + 558, "\r");
	EXPECT_REPLY(t, line, "\r\nOK\r\n");
	memset(line + 2, ' ', 557);
	strcpy(line + 559, "\r");
	EXPECT_REPLY(t, line, "\r\nERROR\r\n");
	/* 10 kB of junk inside a line: one ERROR, then normal service. */
	char *big = malloc(10240 + 8);
	memcpy(big, "AT+", 3);
	memset(big + 3, 'X', 10240);
	strcpy(big + 3 + 10240, "\r");
	EXPECT_REPLY(t, big, "\r\nERROR\r\n");
	free(big);
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void binary_and_nul_bytes(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	uint8_t junk[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 16);
		if (junk[i] == 'A' || junk[i] == 'a')
			junk[i] = 0xff; /* no line may start: only the garbage path is under test */
	}
	simtest_send_n(t, junk, sizeof junk);
	simtest_send(t, "\r");
	simtest_settle(t);
	EXPECT_OUT(t, "");
	const uint8_t bin[] = {'A', 'T', 0x80, 0xff, 0x01, 0x7e, '\r'};
	simtest_send_n(t, bin, sizeof bin);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nERROR\r\n");
	const uint8_t nul[] = {'A', 'T', 0, '\r'};
	simtest_send_n(t, nul, sizeof nul);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void s_registers(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "ATS0?\r", "\r\n000\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "ATS0=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATS0?\r", "\r\n002\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "ATS3?\r", "\r\n013\r\n\r\nOK\r\n");
	/* S3/S4/S5 "only support default value" (MAN §2.2.17-19). */
	EXPECT_REPLY(t, "ATS3=13\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATS3=10\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATS99?\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void save_and_restore_profiles(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT&W\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATE1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATZ\r", "ATZ\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	/* AT&F: factory echo on again, applies after the line's own echo. */
	EXPECT_REPLY(t, "AT&F\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT\r", "AT\r\r\nOK\r\n");
	/* A reboot keeps the saved E0 (AT&W is non-volatile). */
	EXPECT_REPLY(t, "AT+CFUN=1,1\r", "AT+CFUN=1,1\r\r\nOK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"
		     "\r\nCall Ready\r\n\r\nSMS Ready\r\n");
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void ipr_set_and_read(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+IPR?\r", "\r\n+IPR: 115200\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+IPR=9600\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+IPR?\r", "\r\n+IPR: 9600\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+IPR=1234\r", "\r\nERROR\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_on_by_default),
		cmocka_unit_test(crlf_from_host_is_tolerated),
		cmocka_unit_test(v0_numeric_results),
		cmocka_unit_test(quiet_suppresses_results_only),
		cmocka_unit_test(cmee_modes),
		cmocka_unit_test(concatenated_commands),
		cmocka_unit_test(cpowd_powers_down),
		cmocka_unit_test(test_read_set_exec_forms),
		cmocka_unit_test(identification_per_profile),
		cmocka_unit_test(ssl_capability_gates_commands),
		cmocka_unit_test(unknown_command_is_error),
		cmocka_unit_test(repeat_last_command),
		cmocka_unit_test(garbage_before_prefix_ignored),
		cmocka_unit_test(backspace_edits_line),
		cmocka_unit_test(overlong_line_is_error_then_recovers),
		cmocka_unit_test(binary_and_nul_bytes),
		cmocka_unit_test(s_registers),
		cmocka_unit_test(save_and_restore_profiles),
		cmocka_unit_test(ipr_set_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
