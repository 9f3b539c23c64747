/* test_ppp_at.c - PPP calls at the AT level: dial forms, CONNECT text, the bearer rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pacing.h"
#include "simtest.h"
#include "svc_ppp.h"

#define TESTP(name) SIM800_SOURCE_DIR "/tests/sim/profiles/" name ".yaml"

/* LCP Configure-Request as the modem's lwIP sends it first: flag, FF 03 (escaped), C021,
 * code 1 (escaped). */
static const char lcp_start[] = "\x7e\xff\x7d\x23\xc0\x21\x7d\x21";

/* A modem attached to GPRS, echo off, output taken. Scale 0.05: the 1 s escape guard is
 * 50 ms and registration comes within the 0.3 s run. */
static struct simtest *attached(const char *profile)
{
	struct simtest *t = simtest_new(profile, 64, 0.05);
	simtest_run_for(t, 0.3);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

/* Send a line; the modem's answer must start with want (PPP frames may follow it). */
static void expect_start(struct simtest *t, const char *send, const char *want)
{
	simtest_send(t, send);
	simtest_settle(t);
	size_t n;
	const char *out = simtest_take(t, &n);
	size_t k = strlen(want);
	if (n < k || memcmp(out, want, k) != 0)
		fail_msg("after %s: expected output to start with \"%s\", got %zu bytes \"%.*s\"",
			 send, want, n, (int)(n < 60 ? n : 60), out);
}

/* "+++" with its guard times: OK, command mode. */
static void escape(struct simtest *t)
{
	simtest_run_for(t, 0.1);
	simtest_take(t, NULL);
	simtest_send(t, "+++");
	WAIT_FOR(t, "\r\nOK\r\n");
	simtest_take(t, NULL);
}

/* The first LCP frame follows CONNECT at once: a host waiting for the modem to speak first
 * would otherwise wait out LCP's 1 s restart timer. settle only polls, no timer fires. */
static void lcp_right_after_connect(void **state)
{
	(void)state;
	struct simtest *t = attached("sim800-r14.18");
	char want[64];
	snprintf(want, sizeof want, "\r\nCONNECT\r\n%s", lcp_start);
	expect_start(t, "ATD*99#\r", want);
	escape(t);
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	simtest_free(t);
}

/* data.ppp_escape_answer NO CARRIER (sim800l16-2014): the escape ends the call with NO
 * CARRIER (field-bugs.md ppp-exit-no-carrier-missed); ATO has no call to resume. */
static void escape_answers_no_carrier(void **state)
{
	(void)state;
	struct simtest *t = attached("sim800l16-2014");
	expect_start(t, "ATD*99#\r", "\r\nCONNECT\r\n");
	simtest_run_for(t, 0.1);
	simtest_take(t, NULL);
	simtest_send(t, "+++");
	WAIT_FOR(t, "\r\nNO CARRIER\r\n");
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	assert_false(svc_ppp_active(t->m));
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	/* No 27.010 multiplexer: AT+CMUX is refused, plain PPP is the way (ppp-cmux-on-sim800). */
	EXPECT_REPLY(t, "AT+CMUX=0\r", "\r\nERROR\r\n");
	simtest_free(t);
}

/* op ppp_leftover: frames still queued go out between the escape and its OK, whole and in
 * order (field-bugs.md ppp-leftover-frames-after-exit). */
static void leftover_frames_before_ok(void **state)
{
	(void)state;
	struct simtest *t = attached("sim800-r14.18");
	expect_start(t, "ATD*99#\r", "\r\nCONNECT\r\n");
	simtest_run_for(t, 0.1);
	simtest_take(t, NULL);
	assert_true(svc_ppp_leftover_frames(t->m, 2));
	simtest_send(t, "+++");
	WAIT_FOR(t, "\r\nOK\r\n");
	size_t n;
	const char *out = simtest_take(t, &n);
	static const char frame[] = "\x7e\xff\x7d\x23\xc0\x21\x7d\x29\x7d\x21\x7d\x20\x7d\x28"
				    "\x5a\x3c\x96\xa1\xd5\x22\x7e";
	const size_t k = sizeof frame - 1;
	assert_true(n >= 2 * k + 6);
	assert_memory_equal(out + n - 6, "\r\nOK\r\n", 6);
	assert_memory_equal(out + n - 6 - 2 * k, frame, k);
	assert_memory_equal(out + n - 6 - k, frame, k);
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	simtest_free(t);
}

/* V.250 §6.3.1: T and P are dial modifiers a GSM module ignores; wvdial and many chat
 * scripts dial ATDT*99#. */
static void dial_modifiers_ignored(void **state)
{
	(void)state;
	struct simtest *t = attached("sim800-r14.18");
	static const char *const forms[] = {"ATDT*99#\r", "ATDP*99***1#\r", "ATDt*99**PPP*1#\r",
					    "ATD*98#\r"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		expect_start(t, forms[i], "\r\nCONNECT\r\n");
		escape(t);
		EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	}
	/* A modifier and nothing to dial, or a cid out of range: ERROR, no PPP. */
	EXPECT_REPLY(t, "ATDT\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATDT*99***9#\r", "\r\nERROR\r\n");
	simtest_free(t);
}

/* data.ppp_connect: the text after CONNECT with ATX>0, for ATD*99# and ATO alike; ATX0 gives
 * bare CONNECT and ATV0 the code 1 (MAN §2.2.25, §2.2.26). */
static void connect_text_from_profile(void **state)
{
	(void)state;
	struct simtest *t = attached(TESTP("core-ppp-text"));
	expect_start(t, "ATD*99#\r", "\r\nCONNECT 115200\r\n\x7e");
	escape(t);
	expect_start(t, "ATO\r", "\r\nCONNECT 115200\r\n");
	escape(t);
	EXPECT_REPLY(t, "ATX0\r", "\r\nOK\r\n");
	expect_start(t, "ATO\r", "\r\nCONNECT\r\n");
	escape(t);
	EXPECT_REPLY(t, "ATX4V0\r", "0\r");
	expect_start(t, "ATO\r", "1\r");
	simtest_run_for(t, 0.1);
	simtest_take(t, NULL);
	simtest_send(t, "+++");
	WAIT_FOR(t, "0\r");
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATH\r", "0\r");
	EXPECT_REPLY(t, "ATV1\r", "\r\nOK\r\n");
	/* The bundled profiles keep bare CONNECT (facts §7: UNCERTAIN, MAN §20.8 shows it). */
	simtest_free(t);
}

/* data.ppp_rate: the bearer, not the UART, limits PPP data to the host. While online the
 * line is paced at ppp_rate/8 bytes/s; in command mode at the line rate again. */
static void bearer_rate_paces_data_mode(void **state)
{
	(void)state;
	struct simtest *t = attached(TESTP("core-ppp-text"));
	pacing_set_baud(&t->m->out, 460800);
	const double line = 46080.0, bearer = 85600 / 8.0;
	expect_start(t, "ATD*99#\r", "\r\nCONNECT 115200\r\n");
	assert_true(t->m->out.rate == bearer);
	escape(t);
	assert_true(t->m->out.rate == line);
	expect_start(t, "ATO\r", "\r\nCONNECT 115200\r\n");
	assert_true(t->m->out.rate == bearer);
	escape(t);
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	assert_true(t->m->out.rate == line);
	/* A bearer faster than the line changes nothing: the UART is the limit. */
	pacing_set_baud(&t->m->out, 9600);
	expect_start(t, "ATD*99#\r", "\r\nCONNECT 115200\r\n");
	assert_true(t->m->out.rate == 960.0);
	escape(t);
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	simtest_free(t);

	/* No ppp_rate (the bundled profiles): the line rate throughout. */
	t = attached("sim800-r14.18");
	pacing_set_baud(&t->m->out, 460800);
	expect_start(t, "ATD*99#\r", "\r\nCONNECT\r\n");
	assert_true(t->m->out.rate == line);
	escape(t);
	EXPECT_REPLY(t, "ATH\r", "\r\nOK\r\n");
	simtest_free(t);
}

/* capabilities.ppp false: ERROR, as a module without GPRS data mode answers; no frames. */
static void profile_without_ppp(void **state)
{
	(void)state;
	struct simtest *t = attached(TESTP("core-no-ppp"));
	EXPECT_REPLY(t, "ATD*99#\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "ATO\r", "\r\nERROR\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lcp_right_after_connect),
		cmocka_unit_test(dial_modifiers_ignored),
		cmocka_unit_test(escape_answers_no_carrier),
		cmocka_unit_test(leftover_frames_before_ok),
		cmocka_unit_test(connect_text_from_profile),
		cmocka_unit_test(bearer_rate_paces_data_mode),
		cmocka_unit_test(profile_without_ppp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
