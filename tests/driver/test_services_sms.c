/* test_services_sms.c - the SMS service on the mock port: send after SMS Ready, errors, list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_shapes.h"

#include <stdio.h>
#include <string.h>

static void test_sms_send_waits_for_sms_ready(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		/* Before SMS Ready: ERROR (boot-sms-cmd-error-before-sms-ready); it comes 0.5 s
		 * later, while the driver waits, and the retry works. */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n");
		mock_port_push_at(&f->mp, f->mp.now + 500, "\r\nSMS Ready\r\n");
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"+4412345\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "hi there\x1a", "\r\n+CMGS: 42\r\n\r\nOK\r\n");
		int mr = -1;
		assert_int_equal(sim800_sms_send(m, "+4412345", "hi there", &mr, 10000), SIM800_OK);
		assert_int_equal(mr, 42);
		assert_true(m->sms_ready);
		assert_true(mock_port_done(&f->mp));
	}
	/* SMS Ready right behind the ERROR, read with it: still retried. */
	FOR_EACH_SHAPE(f)
	{
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n\r\nSMS Ready\r\n");
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"+4412345\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "hi\x1a", "\r\n+CMGS: 7\r\n\r\nOK\r\n");
		int mr = -1;
		assert_int_equal(sim800_sms_send(&f->m, "+4412345", "hi", &mr, 10000), SIM800_OK);
		assert_int_equal(mr, 7);
		assert_true(mock_port_done(&f->mp));
	}
}

static void test_sms_errors(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		m->sms_ready = true;
		/* A stray OK right after Ctrl-Z is no success (sms-false-success-on-stray-ok). */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"123\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "x\x1a", "\r\nOK\r\n");
		assert_int_equal(sim800_sms_send(m, "123", "x", NULL, 5000), SIM800_ERR_NO_INFO);
		/* +CMS ERROR after the prompt: the code is kept (sms-cms-error-not-recognised). */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGS=\"123\"\r", "\r\n> ");
		mock_port_expect(&f->mp, "y\x1a", "\r\n+CMS ERROR: 331\r\n");
		assert_int_equal(sim800_sms_send(m, "123", "y", NULL, 5000), SIM800_ERR_CMS);
		assert_int_equal(sim800_last(m)->code, 331);
		/* SMS Ready long ago and still ERROR: a real refusal, no endless retry. */
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nERROR\r\n");
		uint64_t t0 = f->mp.now;
		assert_int_equal(sim800_sms_send(m, "123", "z", NULL, 60000), SIM800_ERR_ERROR);
		assert_true(f->mp.now - t0 < 5000);
		assert_int_equal(sim800_sms_send(m, "12\"3", "z", NULL, 0), SIM800_ERR_INVAL);
		assert_true(mock_port_done(&f->mp));
	}
}

struct sms_list {
	int n;
	struct sim800_sms last;
};

static void on_sms(void *user, const struct sim800_sms *s)
{
	struct sms_list *l = user;
	l->n++;
	l->last = *s;
}

static void test_sms_list(void **state)
{
	(void)state;
	FOR_EACH_SHAPE(f)
	{
		struct sim800 *m = &f->m;
		mock_port_expect(&f->mp, "AT+CMGF=1\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CMGL=\"ALL\"\r",
				 "\r\n+CMGL: 1,\"REC READ\",\"+4477\",\"\",\"24/01/02,10:00:00+00\"\r\n"
				 "first\r\n+CMTI: \"SM\",3\r\n"
				 "+CMGL: 3,\"REC UNREAD\",\"+4488\",\"\",\"24/01/02,11:00:00+00\"\r\n"
				 "4\r\n\r\nOK\r\n");
		struct sms_list l = {0};
		assert_int_equal(sim800_sms_list(m, on_sms, &l, 5000), SIM800_OK);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.last.index, 3);
		assert_string_equal(l.last.stat, "REC UNREAD");
		assert_string_equal(l.last.number, "+4488");
		/* A body "4" is text in V1, not a numeric final. */
		assert_string_equal(l.last.text, "4");
		assert_true(m->svc.cmti);
		assert_true(mock_port_done(&f->mp));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sms_send_waits_for_sms_ready),
		cmocka_unit_test(test_sms_errors),
		cmocka_unit_test(test_sms_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
