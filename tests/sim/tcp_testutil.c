/* tcp_testutil.c - shared by the CIP tests: fixture servers, a modem past boot, the bring-up. */
#include "tcp_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

static struct fxproc fx; /* one set of fixture servers per test program */

int tcp_fixtures_start(void **state)
{
	(void)state;
	return fxproc_start(&fx) ? 0 : -1;
}

int tcp_fixtures_stop(void **state)
{
	(void)state;
	return fxproc_stop(&fx) == 0 ? 0 : -1;
}

struct simtest *up(const char *profile, size_t limit)
{
	struct simtest *t = simtest_new(profile, limit, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

void bring_up(struct simtest *t)
{
	EXPECT_REPLY(t, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIFSR\r", "\r\n10.64.0.2\r\n");
}

void cmdf(struct simtest *t, const char *fmt, int a, int b)
{
	char buf[256];
	snprintf(buf, sizeof buf, fmt, a, b);
	simtest_take(t, NULL);
	simtest_send(t, buf);
}

const struct fxproc *tcp_fx(void)
{
	return &fx;
}

void start_echo(struct simtest *t)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo);
	simtest_send(t, cmd);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nCONNECT OK\r\n");
}
