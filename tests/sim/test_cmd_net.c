/* test_cmd_net.c - cmd_net.c answers that a third-party tool caught (conformance test_adapters.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"

static struct simtest *up(const char *profile)
{
	struct simtest *t = simtest_new(profile, 4, 0);
	simtest_take(t, NULL); /* the boot URCs */
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

/* AT+COPS=3,<format> sets only the format AT+COPS? uses; the mode stays automatic
 * (27.007 §7.3). gammu sends AT+COPS=3,2 before AT+COPS?. */
static void cops_format_keeps_mode(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS=3,2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,2,\"00101\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS=3,1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,1,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS=3,0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	/* Mode 3 with no format keeps the format; an unknown format changes nothing. */
	EXPECT_REPLY(t, "AT+COPS=3,2;+COPS=3\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,2,\"00101\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS=3,3\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+COPS=5\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,2,\"00101\"\r\n\r\nOK\r\n");
	/* Another mode with a format sets both. */
	EXPECT_REPLY(t, "AT+COPS=1,0,\"SIM800-SIM\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 1,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS=0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	/* A reset brings back automatic mode and long names. */
	EXPECT_REPLY(t, "AT+COPS=3,2\r", "\r\nOK\r\n");
	modem_power_off(t->m);
	modem_power_on(t->m);
	simtest_settle(t);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0;+COPS?\r", "ATE0;+COPS?\r\r\n+COPS: 0,0,\"SIM800-SIM\"\r\n\r\nOK\r\n");
	simtest_free(t);
}

/* Unregistered: only the mode, whatever the format (27.007 §7.3). */
static void cops_unregistered_shows_mode_only(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-denied");
	EXPECT_REPLY(t, "AT+COPS=3,2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+COPS?\r", "\r\n+COPS: 0\r\n\r\nOK\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cops_format_keeps_mode),
		cmocka_unit_test(cops_unregistered_shows_mode_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
