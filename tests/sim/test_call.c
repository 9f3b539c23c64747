/* test_call.c - voice calls: RING/+CLIP, ATA, ATD outcomes, ATH, AT+CLCC, wire bytes asserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"
#include "svc_call.h"

#define NUM "+15551234567"

static struct simtest *up(const char *profile, double scale)
{
	struct simtest *t = simtest_new(profile, 4, scale);
	if (scale > 0)
		simtest_run_for(t, 5.0 * scale); /* past boot and registration */
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void incoming_answer_remote_hangup(void **state)
{
	(void)state;
	/* Time scale 0: one RING, then the call waits. */
	struct simtest *t = up("sim800-r14.18", 0);
	EXPECT_REPLY(t, "AT+CLIP?\r", "\r\n+CLIP: 0,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLIP=1\r", "\r\nOK\r\n");
	assert_true(svc_call_incoming(t->m, NUM));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nRING\r\n\r\n+CLIP: \"" NUM "\",145,\"\",0,\"\",0\r\n");
	assert_false(svc_call_incoming(t->m, "+1")); /* one call at a time */
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,1,4,0,0,\"" NUM "\",145,\"\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "ATA\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,1,0,0,0,\"" NUM "\",145,\"\"\r\n\r\nOK\r\n");
	svc_call_remote_hangup(t->m);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nNO CARRIER\r\n");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\nOK\r\n");
	svc_call_remote_hangup(t->m); /* nothing left to hang up */
	simtest_settle(t);
	EXPECT_OUT(t, "");
	/* Nothing to answer. */
	EXPECT_REPLY(t, "ATA\r", "\r\nNO CARRIER\r\n");
	/* A withheld number. */
	assert_true(svc_call_incoming(t->m, ""));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nRING\r\n\r\n+CLIP: \"\",128,\"\",0,\"\",1\r\n");
	assert_false(svc_call_incoming(t->m, "12a"));
	simtest_free(t);
}

static void rings_repeat_until_caller_gives_up(void **state)
{
	(void)state;
	/* 3 s x 0.001: a RING every 3 ms; after CALL_RING_MAX rings, NO CARRIER. */
	struct simtest *t = up("sim800-r14.18", 0.001);
	EXPECT_REPLY(t, "AT+CRC=1;+CLIP=1\r", "\r\nOK\r\n");
	assert_true(svc_call_incoming(t->m, "5550000"));
	WAIT_FOR(t, "NO CARRIER");
	const char *out = simtest_take(t, NULL);
	assert_int_equal(count(out, "\r\n+CRING: VOICE\r\n\r\n+CLIP: \"5550000\",129,\"\",0,\"\",0\r\n"),
			 CALL_RING_MAX);
	assert_int_equal(count(out, "\r\nRING\r\n"), 0); /* +CRING replaces RING */
	assert_non_null(strstr(out, "\r\nNO CARRIER\r\n"));
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void ath_rejects_and_ats0_answers(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	assert_true(svc_call_incoming(t->m, NUM));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nRING\r\n");
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n"); /* our own hang-up: no NO CARRIER */
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\nOK\r\n");
	/* ATS0=1: answered on the first ring. */
	EXPECT_REPLY(t, "ATS0=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLCC=1\r", "\r\nOK\r\n");
	assert_true(svc_call_incoming(t->m, NUM));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CLCC: 1,1,4,0,0,\"" NUM "\",145,\"\"\r\n\r\nRING\r\n"
		      "\r\n+CLCC: 1,1,0,0,0,\"" NUM "\",145,\"\"\r\n");
	EXPECT_REPLY(t, "AT+CHUP\r", "\r\nOK\r\n\r\n+CLCC: 1,1,6,0,0,\"" NUM "\",145,\"\"\r\n");
	simtest_free(t);
}

static void dial_connects_silently(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0.01);
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,0,3,0,0,\"" NUM "\",145,\"\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "ATD5551;\r", "\r\nERROR\r\n"); /* a call exists */
	simtest_run_for(t, 0.06);                        /* connected after 4 s x 0.01 */
	EXPECT_OUT(t, "");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,0,0,0,0,\"" NUM "\",145,\"\"\r\n\r\nOK\r\n");
	svc_call_remote_hangup(t->m);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nNO CARRIER\r\n");
	/* With AT+MORING=1 and AT+COLP=1 the progress is shown. */
	EXPECT_REPLY(t, "AT+MORING=1;+COLP=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATD5551234;\r", "\r\nOK\r\n\r\nMO RING\r\n");
	WAIT_FOR(t, "MO CONNECTED\r\n");
	EXPECT_OUT(t, "\r\n+COLP: \"5551234\",129,\"\",0,\"\"\r\n\r\nMO CONNECTED\r\n");
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void dial_outcomes(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0.001);
	assert_true(svc_call_set_outcome(t->m, "busy"));
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	WAIT_FOR(t, "BUSY");
	EXPECT_OUT(t, "\r\nBUSY\r\n");
	assert_true(svc_call_set_outcome(t->m, "no answer"));
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	WAIT_FOR(t, "NO ANSWER");
	EXPECT_OUT(t, "\r\nNO ANSWER\r\n");
	assert_true(svc_call_set_outcome(t->m, "no carrier"));
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	WAIT_FOR(t, "NO CARRIER");
	EXPECT_OUT(t, "\r\nNO CARRIER\r\n");
	assert_false(svc_call_set_outcome(t->m, "maybe"));
	/* The outcome was for one call: the next one connects. */
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	simtest_run_for(t, 0.02);
	EXPECT_OUT(t, "");
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,0,0,0,0,\"" NUM "\",145,\"\"\r\n\r\nOK\r\n");
	/* Hang up while the far end is still ringing: OK, then nothing. */
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	assert_true(svc_call_set_outcome(t->m, "no_answer"));
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	simtest_run_for(t, 0.05);
	EXPECT_OUT(t, "");
	/* ATV0: numeric result codes. */
	assert_true(svc_call_set_outcome(t->m, "busy"));
	EXPECT_REPLY(t, "ATV0\r", "0\r");
	EXPECT_REPLY(t, "ATD" NUM ";\r", "0\r");
	WAIT_FOR(t, "7");
	EXPECT_OUT(t, "7\r"); /* a result code in V0: CR only, like the finals (MAN §2.2.25) */
	/* An incoming call rings as "2\r"; the caller giving up is NO CARRIER, "3\r". */
	assert_true(svc_call_incoming(t->m, NUM));
	WAIT_FOR(t, "2\r");
	EXPECT_OUT(t, "2\r");
	/* It rings every 3 ms here: a slow run (valgrind) may see more rings before the answer. */
	simtest_send(t, "ATH\r");
	simtest_settle(t);
	const char *out = simtest_take(t, NULL);
	while (strncmp(out, "2\r", 2) == 0)
		out += 2;
	assert_string_equal(out, "0\r");
	simtest_free(t);
}

static void dial_errors(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0);
	EXPECT_REPLY(t, "ATD" NUM "\r", "\r\nNO CARRIER\r\n"); /* no ';': a data call */
	EXPECT_REPLY(t, "ATD;\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATD12x4;\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATD>SM1;\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATD5551234I;\r", "\r\nOK\r\n"); /* CLIR modifier accepted */
	simtest_settle(t);
	EXPECT_REPLY(t, "AT+CLCC\r", "\r\n+CLCC: 1,0,0,0,0,\"5551234\",129,\"\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CRC?;+COLP?;+MORING?;+CLCC?\r",
		     "\r\n+CRC: 0\r\n\r\n+COLP: 0,1\r\n\r\n+MORING: 0\r\n\r\n+CLCC: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CLIP=2\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CLIP=?\r", "\r\n+CLIP: (0,1)\r\n\r\nOK\r\n");
	simtest_free(t);

	/* No network: NO CARRIER at once, and no incoming calls. */
	t = up("sim800-searching", 0);
	EXPECT_REPLY(t, "ATD" NUM ";\r", "\r\nNO CARRIER\r\n");
	assert_false(svc_call_incoming(t->m, NUM));
	simtest_free(t);
}

static void power_cycle_ends_call(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 0.01);
	assert_true(svc_call_incoming(t->m, NUM));
	simtest_settle(t);
	modem_power_off(t->m);
	simtest_run_for(t, 0.1);
	simtest_take(t, NULL);
	assert_false(svc_call_active(t->m));
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(incoming_answer_remote_hangup),
		cmocka_unit_test(rings_repeat_until_caller_gives_up),
		cmocka_unit_test(ath_rejects_and_ats0_answers),
		cmocka_unit_test(dial_connects_silently),
		cmocka_unit_test(dial_outcomes),
		cmocka_unit_test(dial_errors),
		cmocka_unit_test(power_cycle_ends_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
