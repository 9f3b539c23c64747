/* test_cert.c - sim800_tls_set_cert on the mock port: prompt, exact length, +SSLSETCERT result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_fixture.h"

#include <string.h>

#define PEM "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"

/* field bug ssl-client-auth-and-cert-upload, for read sizes 1..8 (mock fragments). */
static void test_cert_upload(void **state)
{
	(void)state;
	for (unsigned chunk = 1; chunk <= 8; chunk++) {
		struct fx *f = fx_new(chunk, chunk);
		struct sim800 *m = &f->m;
		m->caps.cipssl = SIM800_CAP_LISTED;
		mock_port_expect(&f->mp, "AT+FSCREATE=C:\\USER\\CERT.CRT\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+FSWRITE=C:\\USER\\CERT.CRT,0,59,10\r", "\r\n> ");
		mock_port_expect(&f->mp, PEM, "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+SSLOPT=1,1\r", "\r\nOK\r\n");
		/* The result comes after the OK, with a URC of another kind before it. */
		mock_port_expect(&f->mp, "AT+SSLSETCERT=\"C:\\USER\\CERT.CRT\"\r",
				 "\r\nOK\r\n\r\n+CMTI: \"SM\",1\r\n\r\n+SSLSETCERT: 0\r\n");
		assert_int_equal(sim800_tls_set_cert(m, "C:\\USER\\CERT.CRT", PEM, strlen(PEM), true),
				 SIM800_OK);
		assert_true(mock_port_done(&f->mp));
		/* A result other than 0 is reported with the module's line. */
		mock_port_expect(&f->mp, "AT+FSCREATE=a.pem\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+FSWRITE=a.pem,0,4,10\r", "\r\n> ");
		mock_port_expect(&f->mp, "abcd", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+SSLSETCERT=\"a.pem\"\r", "\r\nOK\r\n\r\n+SSLSETCERT: 1\r\n");
		assert_int_equal(sim800_tls_set_cert(m, "a.pem", "abcd", 4, false), SIM800_ERR_ERROR);
		assert_string_equal(sim800_last(m)->line, "+SSLSETCERT: 1");
		/* No prompt, no data: FSWRITE refused means nothing more is sent. */
		mock_port_expect(&f->mp, "AT+FSCREATE=a.pem\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+FSWRITE=a.pem,0,4,10\r", "\r\nERROR\r\n");
		assert_int_equal(sim800_tls_set_cert(m, "a.pem", "abcd", 4, false), SIM800_ERR_ERROR);
		assert_true(mock_port_done(&f->mp));
		fx_free(f);
	}
}

/* Firmware without SSL, bad names and sizes: refused before anything is sent. */
static void test_cert_refused_early(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct sim800 *m = &f->m;
	m->caps.cipssl = SIM800_CAP_NO;
	assert_int_equal(sim800_tls_set_cert(m, "a.pem", "x", 1, false), SIM800_ERR_TLS_UNSUPPORTED);
	m->caps.cipssl = SIM800_CAP_LISTED;
	assert_int_equal(sim800_tls_set_cert(m, "a,b", "x", 1, false), SIM800_ERR_INVAL);
	assert_int_equal(sim800_tls_set_cert(m, "a\"b", "x", 1, false), SIM800_ERR_INVAL);
	assert_int_equal(sim800_tls_set_cert(m, "a.pem", "x", 0, false), SIM800_ERR_INVAL);
	static char big[SIM800_CERT_MAX + 1];
	assert_int_equal(sim800_tls_set_cert(m, "a.pem", big, sizeof big, false), SIM800_ERR_TOOLONG);
	assert_int_equal(f->mp.wlen, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_upload),
		cmocka_unit_test(test_cert_refused_early),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
