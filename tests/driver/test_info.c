/* test_info.c - revision parsing (every format of sim800-facts §1.2), identity, SSL probing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_fixture.h"

#include <string.h>

struct fw_case {
	const char *in;
	enum sim800_fw_format format;
	int major, minor, build;
	long date;
	const char *variant;
};

static const struct fw_case fw_cases[] = {
	{"Revision:1418B05SIM800L24", SIM800_FW_REVISION, 14, 18, 5, 0, "SIM800L24"},
	{"Revision:1418B04SIM800L24", SIM800_FW_REVISION, 14, 18, 4, 0, "SIM800L24"},
	{"Revision: 1308B01SIM800H32", SIM800_FW_REVISION, 13, 8, 1, 0, "SIM800H32"},
	{"Revision:1418B03SIM868M32_BT", SIM800_FW_REVISION, 14, 18, 3, 0, "SIM868M32_BT"},
	{"Revision:1308B08SIM800L16", SIM800_FW_REVISION, 13, 8, 8, 0, "SIM800L16"},
	{"1308B09SIM800L16", SIM800_FW_REVISION, 13, 8, 9, 0, "SIM800L16"},
	{"SIM800L16_20141031_1027", SIM800_FW_DATED, -1, -1, -1, 20141031, "SIM800L16"},
	{"Revision:SIM800L16_20141031_1027", SIM800_FW_DATED, -1, -1, -1, 20141031, "SIM800L16"},
	{"SIM800 R14.18", SIM800_FW_ATI, 14, 18, -1, 0, "SIM800"},
	{"SIM800 R13.08", SIM800_FW_ATI, 13, 8, -1, 0, "SIM800"},
	{"SIM800 R11.08", SIM800_FW_ATI, 11, 8, -1, 0, "SIM800"},
	{"SIM868 R14.18", SIM800_FW_ATI, 14, 18, -1, 0, "SIM868"},
};

static const char *const fw_unknown[] = {
	"", "Revision:", "Revision:14B05SIM800L24", "SIM800 R14", "SIMCOM_Ltd", "1418X05SIM800L24",
	"Revision:1418B05", "SIM800 R1a.18", "garbage_2014_1", "SIM800L16_2014103x_1027",
	"Revision:1418B05SIM800L24 extra",
};

static void test_fw_formats(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fw_cases) / sizeof(fw_cases[0]); i++) {
		const struct fw_case *c = &fw_cases[i];
		struct sim800_fw fw;
		assert_true(sim800_fw_parse(c->in, &fw));
		assert_int_equal(fw.format, c->format);
		assert_int_equal(fw.major, c->major);
		assert_int_equal(fw.minor, c->minor);
		assert_int_equal(fw.build, c->build);
		assert_int_equal(fw.date, c->date);
		assert_string_equal(fw.variant, c->variant);
	}
	for (size_t i = 0; i < sizeof(fw_unknown) / sizeof(fw_unknown[0]); i++) {
		struct sim800_fw fw;
		assert_false(sim800_fw_parse(fw_unknown[i], &fw));
		assert_int_equal(fw.format, SIM800_FW_UNKNOWN);
		assert_int_equal(fw.major, -1);
	}
	struct sim800_fw fw;
	assert_false(sim800_fw_parse(NULL, &fw));
}

static void script_identity(struct mock_port *mp, const char *ati, const char *cgmr)
{
	mock_port_expect(mp, "ATI\r", ati);
	mock_port_expect(mp, "AT+CGMI\r", "\r\nSIMCOM_Ltd\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+CGMM\r", "\r\nCall Ready\r\n\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n");
	mock_port_expect(mp, "AT+CGMR\r", cgmr);
	mock_port_expect(mp, "AT+CGSN\r", "\r\nSMS Ready\r\n\r\n867010032343809\r\n\r\nOK\r\n");
}

static void test_info_read_r1418(void **state)
{
	(void)state;
	for (unsigned chunk = 1; chunk <= 8; chunk++) {
		struct fx *f = fx_new(chunk * 7, chunk);
		f->mp.echo = true;
		script_identity(&f->mp, "\r\nSIM800 R14.18\r\n\r\nOK\r\n",
				"\r\nRevision:1418B05SIM800L24\r\n\r\nOK\r\n");
		struct sim800_info info;
		assert_int_equal(sim800_info_read(&f->m, &info), SIM800_OK);
		assert_string_equal(info.ati, "SIM800 R14.18");
		assert_string_equal(info.manufacturer, "SIMCOM_Ltd");
		assert_string_equal(info.model, "SIMCOM_SIM800L"); /* not "Call Ready" */
		assert_string_equal(info.revision, "Revision:1418B05SIM800L24");
		assert_string_equal(info.imei, "867010032343809"); /* not "SMS Ready" */
		assert_int_equal(info.fw.format, SIM800_FW_REVISION);
		assert_int_equal(info.fw.major, 14);
		assert_int_equal(info.fw.minor, 18);
		assert_int_equal(info.fw.build, 5);
		fx_free(f);
	}
}

static void test_info_read_dated_uses_ati(void **state)
{
	(void)state;
	struct fx *f = fx_new(11, 3);
	script_identity(&f->mp, "\r\nSIM800 R13.08\r\n\r\nOK\r\n",
			"\r\nRevision:SIM800L16_20141031_1027\r\n\r\nOK\r\n");
	struct sim800_info info;
	assert_int_equal(sim800_info_read(&f->m, &info), SIM800_OK);
	assert_int_equal(info.fw.format, SIM800_FW_DATED);
	assert_int_equal(info.fw.major, 13);
	assert_int_equal(info.fw.minor, 8);
	assert_int_equal(info.fw.date, 20141031);
	fx_free(f);
}

static void test_info_read_unknown_format(void **state)
{
	(void)state;
	struct fx *f = fx_new(12, 5);
	script_identity(&f->mp, "\r\nSIMCOM something new\r\n\r\nOK\r\n",
			"\r\nRevision:weird build 7\r\n\r\nOK\r\n");
	struct sim800_info info;
	assert_int_equal(sim800_info_read(&f->m, &info), SIM800_OK);
	assert_int_equal(info.fw.format, SIM800_FW_UNKNOWN); /* probe, don't assume */
	assert_int_equal(info.fw.major, -1);
	fx_free(f);
}

static void test_info_read_silent(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct sim800_info info;
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_info_read(&f->m, &info), SIM800_ERR_TIMEOUT);
	assert_true(f->mp.now - t0 <= 4000); /* stops at the first dead query */
	assert_string_equal(info.ati, "");
	fx_free(f);
}

static void test_iccid_imsi(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 2);
	mock_port_expect(&f->mp, "AT+CCID\r", "\r\n8942001450338567978f\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CIMI\r", "\r\n+CME ERROR: SIM not inserted\r\n");
	mock_port_expect(&f->mp, "AT+CIMI\r", "\r\nOK\r\n");
	char v[24];
	assert_int_equal(sim800_read_iccid(&f->m, v, sizeof(v)), SIM800_OK);
	assert_string_equal(v, "8942001450338567978f");
	assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, 10);
	assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_ERR_NO_INFO);
	char small[4];
	mock_port_expect(&f->mp, "AT+CCID\r", "\r\n8942001450338567978f\r\n\r\nOK\r\n");
	assert_int_equal(sim800_read_iccid(&f->m, small, sizeof(small)), SIM800_ERR_TOOLONG);
	fx_free(f);
}

static void test_caps_r1308(void **state)
{
	(void)state;
	struct fx *f = fx_new(3, 4);
	/* id-r1308-cipssl-test-error */
	mock_port_expect(&f->mp, "AT+CIPSSL=?\r", "\r\nERROR\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL=?\r", "\r\nERROR\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL?\r", "\r\nERROR\r\n");
	struct sim800_caps caps;
	assert_int_equal(sim800_probe_caps(&f->m, &caps), SIM800_OK);
	assert_int_equal(caps.cipssl, SIM800_CAP_NO);
	assert_int_equal(caps.httpssl, SIM800_CAP_NO);
	assert_int_equal(f->m.caps.cipssl, SIM800_CAP_NO);
	assert_true(mock_port_done(&f->mp));
	fx_free(f);
}

static void test_caps_r1418(void **state)
{
	(void)state;
	struct fx *f = fx_new(4, 6);
	f->mp.echo = true;
	mock_port_expect(&f->mp, "AT+CIPSSL=?\r", "\r\n+CIPSSL: (0-1)\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL=?\r", "\r\n+HTTPSSL: (0-1)\r\n\r\nOK\r\n");
	struct sim800_caps caps;
	assert_int_equal(sim800_probe_caps(&f->m, &caps), SIM800_OK);
	assert_int_equal(caps.cipssl, SIM800_CAP_LISTED);
	assert_int_equal(caps.httpssl, SIM800_CAP_LISTED);
	assert_true(mock_port_done(&f->mp));
	assert_string_equal(f->mp.written, "AT+CIPSSL=?\rAT+HTTPSSL=?\r");
	fx_free(f);
}

static void test_caps_cipssl_only(void **state)
{
	(void)state;
	struct fx *f = fx_new(5, 1);
	/* id-cipssl-ok-httpssl-error: each subsystem probed on its own */
	mock_port_expect(&f->mp, "AT+CIPSSL=?\r", "\r\n+CIPSSL: (0-1)\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL=?\r", "\r\nERROR\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL?\r", "\r\nERROR\r\n");
	struct sim800_caps caps;
	assert_int_equal(sim800_probe_caps(&f->m, &caps), SIM800_OK);
	assert_int_equal(caps.cipssl, SIM800_CAP_LISTED);
	assert_int_equal(caps.httpssl, SIM800_CAP_NO);
	fx_free(f);
	/* =? refused but the read form answers: listed */
	f = fx_new(6, 3);
	mock_port_expect(&f->mp, "AT+CIPSSL=?\r", "\r\n+CIPSSL: (0-1)\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL=?\r", "\r\nERROR\r\n");
	mock_port_expect(&f->mp, "AT+HTTPSSL?\r", "\r\n+HTTPSSL: 0\r\n\r\nOK\r\n");
	assert_int_equal(sim800_probe_caps(&f->m, &caps), SIM800_OK);
	assert_int_equal(caps.httpssl, SIM800_CAP_LISTED);
	fx_free(f);
}

static void test_caps_silent_unknown(void **state)
{
	(void)state;
	struct fx *f = fx_new(7, 8);
	struct sim800_caps caps;
	assert_int_equal(sim800_probe_caps(&f->m, &caps), SIM800_ERR_TIMEOUT);
	assert_int_equal(caps.cipssl, SIM800_CAP_UNKNOWN);
	assert_int_equal(caps.httpssl, SIM800_CAP_UNKNOWN);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fw_formats),
		cmocka_unit_test(test_info_read_r1418),
		cmocka_unit_test(test_info_read_dated_uses_ati),
		cmocka_unit_test(test_info_read_unknown_format),
		cmocka_unit_test(test_info_read_silent),
		cmocka_unit_test(test_iccid_imsi),
		cmocka_unit_test(test_caps_r1308),
		cmocka_unit_test(test_caps_r1418),
		cmocka_unit_test(test_caps_cipssl_only),
		cmocka_unit_test(test_caps_silent_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
