/* test_netstate.c - SIM, registration, signal and attach over the profile's network timeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"

#define TESTP(name) SIM800_SOURCE_DIR "/tests/sim/profiles/" name ".yaml"

static struct simtest *up(const char *profile, double scale)
{
	struct simtest *t = simtest_new(profile, 4, scale);
	simtest_take(t, NULL); /* the boot URCs */
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

static void slow_registration_with_urcs(void **state)
{
	(void)state;
	/* r14.18: searching with no signal, home after 3 s; boot URCs up to 4.2 s. Scaled by
	 * 0.25 so the first URC is 375 ms away, time enough for the first commands. */
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0.25);
	EXPECT_OUT(t, "\r\nRDY\r\n");
	EXPECT_REPLY(t, "ATE0;+CREG=1\r", "ATE0;+CREG=1\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 1,2\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0\r\n\r\nOK\r\n");
	simtest_run_for(t, 1.2);
	EXPECT_OUT(t, "\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+CREG: 1\r\n\r\nCall Ready\r\n"
		      "\r\nSMS Ready\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void roaming_denied_searching(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-roaming", 0);
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,5\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
	simtest_free(t);

	t = up("sim800-denied", 0);
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,3\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CGATT?\r", "\r\n+CGATT: 0\r\n\r\nOK\r\n");
	simtest_free(t);

	t = up("sim800-searching", 0);
	simtest_run_for(t, 0.05);
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,2\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void no_sim(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-no-sim", 0);
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\n+CME ERROR: 10\r\n");
	EXPECT_REPLY(t, "AT+CIMI\r", "\r\n+CME ERROR: 10\r\n");
	EXPECT_REPLY(t, "AT+CCID\r", "\r\n+CME ERROR: 10\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
	/* Identity of the module itself does not need a SIM. */
	EXPECT_REPLY(t, "AT+CGSN\r", "\r\n867010032343809\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void pin_entry(void **state)
{
	(void)state;
	struct simtest *t = up(TESTP("core-pin"), 0);
	EXPECT_REPLY(t, "AT+CMEE=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIMI\r", "\r\n+CME ERROR: SIM PIN required\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN=\"0000\"\r", "\r\n+CME ERROR: incorrect password\r\n");
	EXPECT_REPLY(t, "AT+CPIN=\"1234\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPIN=\"1234\"\r", "\r\n+CME ERROR: operation not allowed\r\n");
	simtest_free(t);
}

static void cfun_cycles(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	EXPECT_REPLY(t, "AT+CREG=1\r", "\r\nOK\r\n");
	/* "+CPIN: NOT READY" comes before the OK (field-bugs.md boot-cfun0-cpin-not-ready). */
	EXPECT_REPLY(t, "AT+CFUN=0\r", "\r\n+CPIN: NOT READY\r\n\r\n+CREG: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CFUN?\r", "\r\n+CFUN: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CREG?\r", "\r\n+CREG: 1,0\r\n\r\nOK\r\n");
	/* Back on: OK first, registration after it. */
	EXPECT_REPLY(t, "AT+CFUN=1\r", "\r\nOK\r\n\r\n+CREG: 2\r\n\r\n+CREG: 1\r\n");
	EXPECT_REPLY(t, "AT+CFUN=2\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CFUN=?\r", "\r\n+CFUN: (0,1,4),(0,1)\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void attach_and_gprs_registration(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	EXPECT_REPLY(t, "AT+CGREG?\r", "\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT=0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT?\r", "\r\n+CGATT: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGREG?\r", "\r\n+CGREG: 0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CBC\r", "\r\n+CBC: 0,80,4000\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void creg2_reports_location(void **state)
{
	(void)state;
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0.25);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0;+CREG=2\r", "ATE0;+CREG=2\r\r\nOK\r\n");
	simtest_run_for(t, 0.9);
	size_t n;
	const char *out = simtest_take(t, &n);
	assert_non_null(strstr(out, "\r\n+CREG: 1,\"1A2B\",\"0F3C\"\r\n"));
	simtest_free(t);
}

static void delayed_answer_lets_urcs_through(void **state)
{
	(void)state;
	struct simtest *t = simtest_new(TESTP("core-delays"), 4, 1.0);
	EXPECT_OUT(t, "\r\nRDY\r\n");
	/* The echo goes out at once, "Call Ready" at 100 ms lands between the echo and the
	 * answer due at 400 ms (field-bugs.md boot-call-ready-sms-ready-as-response); the AT
	 * sent meanwhile is answered after it, in order. */
	simtest_send(t, "AT+CREG?\rAT\r");
	simtest_settle(t);
	EXPECT_OUT(t, "AT+CREG?\r");
	simtest_run_for(t, 0.6);
	EXPECT_OUT(t, "\r\nCall Ready\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\nAT\r\r\nOK\r\n");
	simtest_free(t);
}

static void replay_entries(void **state)
{
	(void)state;
	struct simtest *t = up(TESTP("core-delays"), 0);
	EXPECT_REPLY(t, "AT+CSPN?\r", "\r\n+CSPN: \"TestNet\",0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "at+cspn?\r", "\r\n+CSPN: \"TestNet\",0\r\n\r\nOK\r\n");
	/* A replayed final error respects AT+CMEE like a modelled one. */
	EXPECT_REPLY(t, "AT+XFAIL\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2;+XFAIL\r", "\r\n+CME ERROR: unknown\r\n");
	simtest_free(t);
}

static void deaf_and_noisy_boot(void **state)
{
	(void)state;
	struct simtest *t = simtest_new(TESTP("core-boot"), 4, 1.0);
	size_t n;
	const char *out = simtest_take(t, &n);
	/* Six bytes of 0x80..0xFF noise, then RDY. */
	assert_true(n >= 6 + strlen("\r\nRDY\r\n"));
	for (int i = 0; i < 6; i++)
		assert_true((unsigned char)out[i] >= 0x80);
	assert_memory_equal(out + 6, "\r\nRDY\r\n", 7);
	/* Deaf for 300 ms: the first AT gets nothing at all, not even its echo. */
	EXPECT_REPLY(t, "AT\r", "");
	simtest_run_for(t, 0.4);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT\r", "AT\r\r\nOK\r\n");
	simtest_free(t);
}

static void rest_of_line_waits_for_a_slow_command(void **state)
{
	(void)state;
	struct simtest *t = simtest_new(TESTP("core-delays"), 4, 0.25);
	simtest_take(t, NULL);
	/* +CREG? answers after 100 ms (400 ms scaled); +CSQ runs only after it. */
	EXPECT_REPLY(t, "ATE0;+CREG?;+CSQ;+CSCLK=1;+CSCLK?\r", "ATE0;+CREG?;+CSQ;+CSCLK=1;+CSCLK?\r");
	simtest_run_for(t, 0.3);
	size_t n;
	const char *out = simtest_take(t, &n);
	const char *creg = strstr(out, "\r\n+CREG: 0,1\r\n\r\n+CSQ: 20,0\r\n\r\n+CSCLK: 1\r\n\r\nOK\r\n");
	assert_non_null(creg);
	simtest_free(t);
}

static void gsv_lines(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	EXPECT_REPLY(t, "AT+GSV\r", "\r\nSIMCOM_Ltd\r\n\r\nSIMCOM_SIM800L\r\n\r\nRevision:1418B05SIM800L24\r\n\r\nOK\r\n");
	simtest_free(t);
}

/* Injected refusals of GPRS activation: an APN off the allow-list leaves the stack in PDP
 * DEACT until CIPSHUT (reg-cgdcont-apn-pdp-deact); low VBAT refuses it too
 * (pwr-tcall-lipo-below-3v9); AT+CBC reports the voltage. */
static void activation_refused(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	simtest_inject(t, "{\"op\":\"apns\",\"allow\":[\"web.vodafone.de\"]}", true);
	EXPECT_REPLY(t, "AT+CSTT=\"internet\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"web.vodafone.de\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"web.vodafone.de\";+CIICR\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=3,1,\"APN\",\"internet\";+SAPBR=1,1\r", "\r\nERROR\r\n");
	simtest_inject(t, "{\"op\":\"apns\",\"allow\":[]}", true);
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=0,1;+CIPSHUT\r", "\r\nSHUT OK\r\n");
	simtest_inject(t, "{\"op\":\"voltage\",\"mv\":3800,\"gprs_min_mv\":3900}", true);
	EXPECT_REPLY(t, "AT+CBC\r", "\r\n+CBC: 0,80,3800\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"internet\";+CIICR\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
	simtest_inject(t, "{\"op\":\"voltage\",\"mv\":4000}", true);
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", "\r\nOK\r\n");
	simtest_inject(t, "{\"op\":\"apns\",\"allow\":\"x\"}", false);
	simtest_inject(t, "{\"op\":\"apns\",\"allow\":[\"\"]}", false);
	simtest_free(t);
}

/* An injected slow command answers after that much real time, whatever --time-scale
 * (tim-cgact-slow). */
static void injected_slow_command(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	simtest_inject(t, "{\"op\":\"slow\",\"command\":\"+CIICR\",\"ms\":300}", true);
	EXPECT_REPLY(t, "AT+CSTT=\"internet\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "");
	simtest_run_for(t, 0.35);
	EXPECT_OUT(t, "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	/* By how the command begins: the set form only. */
	simtest_inject(t, "{\"op\":\"slow\",\"command\":\"+sapbr=1,\",\"ms\":300}", true);
	EXPECT_REPLY(t, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", "");
	simtest_run_for(t, 0.35);
	EXPECT_OUT(t, "\r\nOK\r\n");
	simtest_inject(t, "{\"op\":\"slow\",\"command\":\"+CIICR\",\"ms\":0}", true);
	simtest_inject(t, "{\"op\":\"slow\",\"ms\":10}", false);
	simtest_free(t);
}

/* AT+CIPGSMLOC over bearer 1: 601 while it is closed; the profile's 3 s latency (scaled). */
static void gsm_location(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0.01);
	simtest_run_for(t, 0.1); /* booted and registered */
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT+CIPGSMLOC=?\r", "\r\n+CIPGSMLOC: (1,2),(1-3)\r\n\r\nOK\r\n");
	simtest_send(t, "AT+CIPGSMLOC=1,1\r");
	WAIT_FOR(t, "OK\r\n");
	EXPECT_OUT(t, "\r\n+CIPGSMLOC: 601\r\n\r\nOK\r\n");
	simtest_send(t, "AT+SAPBR=1,1\r");
	WAIT_FOR(t, "OK\r\n");
	simtest_take(t, NULL);
	simtest_send(t, "AT+CIPGSMLOC=1,1\r");
	simtest_settle(t);
	EXPECT_OUT(t, ""); /* 3000 ms x 0.01 */
	WAIT_FOR(t, "OK\r\n");
	size_t n;
	const char *out = simtest_take(t, &n);
	/* "\r\n+CIPGSMLOC: 0,<lon>,<lat>,yyyy/mm/dd,hh:mm:ss\r\n\r\nOK\r\n" */
	const char *head = "\r\n+CIPGSMLOC: 0,13.377704,52.516275,";
	assert_int_equal(n, strlen(head) + 19 + 8);
	assert_memory_equal(out, head, strlen(head));
	assert_int_equal(out[strlen(head) + 4], '/');
	assert_int_equal(out[strlen(head) + 10], ',');
	assert_string_equal(out + strlen(head) + 19, "\r\n\r\nOK\r\n");
	simtest_send(t, "AT+CIPGSMLOC=2,1\r");
	WAIT_FOR(t, "OK\r\n");
	out = simtest_take(t, &n);
	assert_int_equal(n, strlen("\r\n+CIPGSMLOC: 0,") + 19 + 8);
	simtest_send(t, "AT+CIPGSMLOC=3,1;+CIPGSMLOC=1,4\r");
	WAIT_FOR(t, "ERROR\r\n");
	EXPECT_OUT(t, "\r\nERROR\r\n");
	simtest_send(t, "AT+CIPGSMLOC=1,4\r");
	WAIT_FOR(t, "ERROR\r\n");
	EXPECT_OUT(t, "\r\nERROR\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_registration_with_urcs),
		cmocka_unit_test(roaming_denied_searching),
		cmocka_unit_test(no_sim),
		cmocka_unit_test(pin_entry),
		cmocka_unit_test(cfun_cycles),
		cmocka_unit_test(attach_and_gprs_registration),
		cmocka_unit_test(creg2_reports_location),
		cmocka_unit_test(delayed_answer_lets_urcs_through),
		cmocka_unit_test(replay_entries),
		cmocka_unit_test(deaf_and_noisy_boot),
		cmocka_unit_test(rest_of_line_waits_for_a_slow_command),
		cmocka_unit_test(gsv_lines),
		cmocka_unit_test(activation_refused),
		cmocka_unit_test(injected_slow_command),
		cmocka_unit_test(gsm_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
