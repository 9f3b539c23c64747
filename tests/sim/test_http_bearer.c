/* test_http_bearer.c - AT+SAPBR per profile and modem, and the HTTP state machine's errors. */
#include "http_testutil.h"

/* ---- bearer ---- */

static void sapbr_profile(const char *profile)
{
	struct http_rig *r = http_rig_new(profile, 1, 5);
	RIG_REPLY(r, 0, "AT+SAPBR=?\r",
		  "\r\n+SAPBR: (0-4),(1-3), \"ConParamTag\",\"ConParamValue\"\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
	/* reg-sapbr-open-error-when-open: closing a closed bearer is ERROR. */
	RIG_REPLY(r, 0, "AT+SAPBR=0,1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"CONTYPE\",\"GPRS\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"apn\",\"internet.example\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"User\",\"u\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"CONTYPE\",\"X25\"\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"NOSUCH\",\"1\"\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=3,1,\"APN\",\""
			"12345678901234567890123456789012345678901234567890123456789012345\"\r",
		  "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=4,1\r",
		  "\r\n+SAPBR:\r\nCONTYPE: GPRS\r\nAPN: internet.example\r\nPHONENUM: \r\nUSER: u\r\n"
		  "PWD: \r\nRATE: 2\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=1,4\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=5,1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=1,1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,1,\"10.65.0.2\"\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=2,2\r", "\r\n+SAPBR: 2,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=0,1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
	/* Without GPRS attach the bearer cannot open. */
	RIG_REPLY(r, 0, "AT+CGATT=0\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
	/* An open bearer whose attach goes away is deactivated with a URC. */
	RIG_REPLY(r, 0, "AT+CGATT=1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=1,1\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+CGATT=0\r", "\r\nOK\r\n\r\n+SAPBR 1: DEACT\r\n");
	RIG_REPLY(r, 0, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,3,\"0.0.0.0\"\r\n\r\nOK\r\n");
	http_rig_free(r);
}

static void sapbr_both_profiles(void **state)
{
	(void)state;
	sapbr_profile("sim800-r13.08");
	sapbr_profile("sim800-r14.18");
}

static void sapbr_ip_per_modem(void **state)
{
	(void)state;
	struct http_rig *r = http_rig_new("sim800-r14.18", 3, 64);
	ht_bearer_open(r, 2);
	RIG_REPLY(r, 2, "AT+SAPBR=2,1\r", "\r\n+SAPBR: 1,1,\"10.65.0.4\"\r\n\r\nOK\r\n");
	http_rig_free(r);
}

/* ---- HTTP state machine ---- */

static void state_errors(void **state)
{
	struct fxproc *f = ht_fx_of(state);
	struct http_rig *r = http_rig_new("sim800-r14.18", 1, 5);
	/* Before HTTPINIT. */
	RIG_REPLY(r, 0, "AT+HTTPTERM\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"URL\",\"x\"\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPACTION=0\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSTATUS?\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPDATA=10,1000\r", "\r\nERROR\r\n");
	/* http-httpinit-twice-error */
	RIG_REPLY(r, 0, "AT+HTTPINIT\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPINIT\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPSTATUS?\r", "\r\n+HTTPSTATUS: GET,0,0,0\r\n\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPACTION=?\r", "\r\n+HTTPACTION: (0-2)\r\n\r\nOK\r\n");
	/* No URL yet; no data yet; bad values. */
	RIG_REPLY(r, 0, "AT+HTTPACTION=0\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPHEAD\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPACTION=3\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"TIMEOUT\",29\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"TIMEOUT\",60\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"CID\",4\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"NOSUCH\",1\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPDATA=0,1000\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPDATA=319489,1000\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPDATA=10,999\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA=\"UA\",\"test-agent\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPPARA?\r",
		  "\r\n+HTTPPARA: CID,1\r\n\r\n+HTTPPARA: URL,\"\"\r\n"
		  "\r\n+HTTPPARA: UA,\"test-agent\"\r\n\r\n+HTTPPARA: PROIP,\"0.0.0.0\"\r\n"
		  "\r\n+HTTPPARA: PROPORT,0\r\n\r\n+HTTPPARA: REDIR,0\r\n\r\n+HTTPPARA: BREAK,0\r\n"
		  "\r\n+HTTPPARA: BREAKEND,0\r\n\r\n+HTTPPARA: TIMEOUT,60\r\n"
		  "\r\n+HTTPPARA: CONTENT,\"\"\r\n\r\n+HTTPPARA: USERDATA,\"\"\r\n\r\nOK\r\n");
	/* http-601-bearer-not-open: OK, then 601 with no data to read. */
	ht_set_url(r, 0, "http", (unsigned)f->http, "/bytes/10");
	ht_action(r, 0, 0, "+HTTPACTION: 0,601,0");
	RIG_REPLY(r, 0, "AT+HTTPREAD\r", "\r\nERROR\r\n");
	RIG_REPLY(r, 0, "AT+HTTPTERM\r", "\r\nOK\r\n");
	RIG_REPLY(r, 0, "AT+HTTPTERM\r", "\r\nERROR\r\n");
	http_rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sapbr_both_profiles),
		cmocka_unit_test(sapbr_ip_per_modem),
		cmocka_unit_test(state_errors),
	};
	return cmocka_run_group_tests(tests, ht_group_setup, ht_group_teardown);
}
