/* test_fs.c - flash files and certificate commands (AT+FS*, AT+SSLOPT, AT+SSLSETCERT), wire bytes asserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modem.h"
#include "simtest.h"

#define CERT "C:\\USER\\CERT.CRT"

static struct simtest *up(const char *profile)
{
	struct simtest *t = simtest_new(profile, 4, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

/* TinyGSM's SIM800_SslSetCert sequence (sim800-facts.md §5.2). */
static void upload_and_set_cert(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "AT+SSLOPT=1,1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SSLOPT?\r", "\r\n+SSLOPT: 0,1\r\n\r\n+SSLOPT: 1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SSLOPT=2,1\r", "\r\nERROR\r\n");
	/* Writing a file that does not exist; setting it as the certificate. */
	EXPECT_REPLY(t, "AT+FSWRITE=" CERT ",0,5,10\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+SSLSETCERT=\"" CERT "\"\r", "\r\nOK\r\n\r\n+SSLSETCERT: 1\r\n");
	EXPECT_REPLY(t, "AT+FSCREATE=" CERT "\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+FSCREATE=" CERT "\r", "\r\nOK\r\n"); /* kept (UNCERTAIN) */
	EXPECT_REPLY(t, "AT+FSWRITE=" CERT ",0,12,10\r", "\r\n> ");
	/* Exactly the declared bytes, binary-safe (a CR inside), then OK. */
	EXPECT_REPLY(t, "-----BEG\rIN-", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+FSWRITE=" CERT ",1,3,10\r", "\r\n> ");
	EXPECT_REPLY(t, "xyz", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+FSFLSIZE=" CERT "\r", "\r\n+FSFLSIZE: 15\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SSLSETCERT=\"" CERT "\"\r", "\r\nOK\r\n\r\n+SSLSETCERT: 0\r\n");
	EXPECT_REPLY(t, "AT+SSLSETCERT=\"" CERT "\",\"pw\"\r", "\r\nOK\r\n\r\n+SSLSETCERT: 0\r\n");
	/* Over the size limit, and a malformed write. */
	EXPECT_REPLY(t, "AT+FSWRITE=" CERT ",1,10240,10\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+FSWRITE=" CERT ",2,5,10\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+FSDEL=" CERT "\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+FSFLSIZE=" CERT "\r", "\r\nERROR\r\n");
	simtest_free(t);
}

/* An input that stops short: after the timeout nothing is written and the answer is ERROR. */
static void write_times_out(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18");
	EXPECT_REPLY(t, "AT+FSCREATE=a.pem\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+FSWRITE=a.pem,0,10,1\r", "\r\n> ");
	simtest_send(t, "abc");
	simtest_run_for(t, 1.5);
	EXPECT_OUT(t, "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+FSFLSIZE=a.pem\r", "\r\n+FSFLSIZE: 0\r\n\r\nOK\r\n");
	simtest_free(t);
}

/* R13.08 has no SSL: the certificate commands are unknown (field-bugs.md
 * ssl-client-auth-and-cert-upload); its flash files still work. */
static void r1308_has_no_ssl_commands(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r13.08");
	EXPECT_REPLY(t, "AT+SSLOPT=1,1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+SSLSETCERT=\"a\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+FSCREATE=a\r", "\r\nOK\r\n");
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(upload_and_set_cert),
		cmocka_unit_test(write_times_out),
		cmocka_unit_test(r1308_has_no_ssl_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
