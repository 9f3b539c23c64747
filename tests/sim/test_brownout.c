/* test_brownout.c - injected power faults: a brown-out mid-command, a reset that leaves the
 * UART deaf; bytes on the wire (brownout.c, inject.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"

/* The boot URCs of the bundled profiles at --time-scale 0, all at once. */
#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

static struct simtest *up(void)
{
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}


/* AT+CIICR gets no answer; the module is off (input ignored), then boots with echo on again
 * and the stack at IP INITIAL. */
static void brownout_on_attach(void **state)
{
	(void)state;
	struct simtest *t = up();
	simtest_inject(t, "{\"op\":\"brownout\",\"on\":\"attach\",\"off_ms\":200}", true);
	EXPECT_REPLY(t, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "");
	assert_int_equal(t->m->power, SIM_POWER_OFF);
	EXPECT_REPLY(t, "AT\r", "");
	simtest_run_for(t, 0.3);
	EXPECT_OUT(t, BOOT);
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "AT+CIPSTATUS\r\r\nOK\r\n\r\nSTATE: IP INITIAL\r\n");
	/* Once only. */
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nOK\r\n");
	/* The bearer path is GPRS activation too; off_ms 0: no answer, and it boots at once. */
	simtest_inject(t, "{\"op\":\"brownout\",\"on\":\"attach\",\"off_ms\":0}", true);
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", BOOT);
	simtest_inject(t, "{\"op\":\"brownout\",\"on\":\"rx\"}", false);
	simtest_inject(t, "{\"op\":\"brownout\"}", false);
	simtest_inject(t, "{\"op\":\"brownout\",\"on\":\"tx\",\"off_ms\":60001}", false);
	simtest_free(t);
}

/* reset with deaf_ms: the boot URCs come, but the first AT goes unanswered for that long. */
static void reset_deaf(void **state)
{
	(void)state;
	struct simtest *t = up();
	simtest_inject(t, "{\"op\":\"reset\",\"deaf_ms\":300}", true);
	simtest_settle(t);
	EXPECT_OUT(t, BOOT);
	EXPECT_REPLY(t, "AT\r", "");
	simtest_run_for(t, 0.35);
	EXPECT_REPLY(t, "AT\r", "AT\r\r\nOK\r\n");
	simtest_free(t);
}

/* reset with boot_scale at --time-scale 0: the boot URCs come at the profile's times x 0.5 in
 * real time, and SMS commands answer ERROR until SMS Ready (4.2 s x 0.5). */
static void reset_boot_scale(void **state)
{
	(void)state;
	struct simtest *t = up();
	simtest_inject(t, "{\"op\":\"reset\",\"boot_scale\":0.5}", true);
	simtest_settle(t); /* unpaced output goes out on the loop's next turn (pacing.c) */
	EXPECT_OUT(t, "\r\nRDY\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "AT+CMGF=1\r\r\nERROR\r\n");
	simtest_run_for(t, 0.85);
	EXPECT_OUT(t, "\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
	WAIT_FOR(t, "\r\nSMS Ready\r\n");
	EXPECT_OUT(t, "\r\nCall Ready\r\n\r\nSMS Ready\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "AT+CMGF=1\r\r\nOK\r\n");
	/* Only that boot: a reboot after it runs at --time-scale again. */
	EXPECT_REPLY(t, "AT+CFUN=1,1\r", "AT+CFUN=1,1\r\r\nOK\r\n" BOOT);
	simtest_inject(t, "{\"op\":\"reset\",\"boot_scale\":0}", false);
	simtest_inject(t, "{\"op\":\"reset\",\"boot_scale\":\"x\"}", false);
	simtest_free(t);
}

/* sms_ready: SMS Ready now, and SMS commands answer, while the boot runs slow. */
static void sms_ready_op(void **state)
{
	(void)state;
	struct simtest *t = up();
	simtest_inject(t, "{\"op\":\"reset\",\"boot_scale\":10}", true);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nRDY\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "AT+CMGF=1\r\r\nERROR\r\n");
	simtest_inject(t, "{\"op\":\"sms_ready\"}", true);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nSMS Ready\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "AT+CMGF=1\r\r\nOK\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(brownout_on_attach),
		cmocka_unit_test(reset_deaf),
		cmocka_unit_test(reset_boot_scale),
		cmocka_unit_test(sms_ready_op),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
