/* test_cli_module.c - the sim800 CLI's info, status, at, sms, dial and usage against sim800-sim. */
#include "cli_rig.h"

static void test_info(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"info", NULL});
	EXPECT_RC(&o, 0);
	bool r14 = strstr(r->profile, "14.18") != NULL;
	assert_int_equal(cli_rig_jint(o.j, "firmware", "major"), r14 ? 14 : 13);
	assert_int_equal(cli_rig_jint(o.j, "firmware", "minor"), r14 ? 18 : 8);
	assert_string_equal(cli_rig_jstr(o.j, "capabilities.ssl"), r14 ? "yes" : "no");
	assert_string_equal(cli_rig_jstr(o.j, "capabilities.httpssl"), r14 ? "yes" : "no");
	assert_true(json_is_true(json_object_get(o.j, "ok")));
	/* Capabilities come from the probe, not the version: the wire shows it. */
	assert_non_null(strstr(o.wire, "TX AT+CIPSSL=?"));
	json_decref(o.j);
}

static void test_status(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"status", NULL});
	EXPECT_RC(&o, 0);
	json_t *s = json_object_get(o.j, "status");
	assert_true(json_is_true(json_object_get(s, "registered")));
	assert_string_equal(json_string_value(json_object_get(s, "sim")), "ready");
	json_decref(o.j);
}

/* A 2.5 s answer is waited for in slices: the driver comes back to the host's port at least
 * every second (tim-http-action-vs-watchdog), and the outcome says how long it stayed away. */
static void test_waits_in_slices(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	json_decref(cli_rig_control(r, "{\"op\":\"slow\",\"command\":\"+CSQ\",\"ms\":2500}\n"));
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"status", NULL});
	json_decref(cli_rig_control(r, "{\"op\":\"slow\",\"command\":\"+CSQ\",\"ms\":0}\n"));
	EXPECT_RC(&o, 0);
	json_int_t w = cli_rig_jint(o.j, "timing", "max_wait_ms");
	assert_true(w >= 500);
	assert_true(w <= 1200);
	json_decref(o.j);
}

/* location: bearer, then AT+CIPGSMLOC (the simulator's made-up cell). */
static void test_location(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"location", NULL});
	EXPECT_RC(&o, 0);
	json_t *l = json_object_get(o.j, "location");
	assert_int_equal(json_integer_value(json_object_get(l, "code")), 0);
	assert_true(json_real_value(json_object_get(l, "lat")) > 52.5);
	assert_non_null(strstr(o.wire, "TX AT+SAPBR=1,1"));
	assert_non_null(strstr(o.wire, "TX AT+CIPGSMLOC=1,1"));
	json_decref(o.j);
}

static void test_at(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"at", "ATI", "AT+CGMR", NULL});
	EXPECT_RC(&o, 0);
	json_t *a = json_object_get(o.j, "at");
	assert_int_equal(json_array_size(a), 2);
	const char *l0 = json_string_value(json_array_get(json_object_get(json_array_get(a, 0), "lines"), 0));
	assert_non_null(l0);
	assert_non_null(strstr(l0, strstr(r->profile, "14.18") ? "R14.18" : "R13.08"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "final")), "OK");
	json_decref(o.j);
}

static void test_sms(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--timeout", "5", "sms", "send", "+441234567890", "hello", NULL});
	EXPECT_RC(&o, 0);
	assert_true(cli_rig_jint(o.j, "sms", "mr") >= 0);
	assert_non_null(strstr(o.wire, "TX AT+CMGS=\"+441234567890\""));
	json_decref(o.j);
	/* The network received exactly that text, for that number. */
	json_t *sent = cli_rig_control(r, "{\"op\":\"sms_sent\"}\n");
	json_t *msgs = json_object_get(sent, "messages");
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "to")), "+441234567890");
	assert_string_equal(json_string_value(json_object_get(last, "text")), "hello");
	json_decref(sent);
	/* A message arrives; the driver lists it. */
	json_decref(cli_rig_control(r, "{\"op\":\"sms\",\"from\":\"+4917011\",\"text\":\"inbound\"}\n"));
	cli_rig_run(r, &o, (const char *[]){"--timeout", "5", "sms", "list", NULL});
	EXPECT_RC(&o, 0);
	json_t *list = json_object_get(o.j, "messages");
	assert_true(json_is_array(list));
	char *dump = json_dumps(list, JSON_COMPACT);
	assert_non_null(strstr(dump, "inbound"));
	assert_non_null(strstr(dump, "+4917011"));
	free(dump);
	json_decref(o.j);
}

/* dial: CONNECT, then back to command mode with the guarded "+++" and ATH. */
static void test_dial(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--timeout", "5", "dial", NULL});
	EXPECT_RC(&o, 0);
	assert_true(json_is_true(json_object_get(json_object_get(o.j, "dial"), "connected")));
	const char *esc = strstr(o.wire, "TX +++");
	assert_non_null(esc);
	assert_non_null(strstr(esc, "TX ATH"));
	json_decref(o.j);
}

static void test_usage(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"frobnicate", NULL});
	EXPECT_RC(&o, 2);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "USAGE");
	json_decref(o.j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_waits_in_slices),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_at),
		cmocka_unit_test(test_sms),
		cmocka_unit_test(test_dial),
		cmocka_unit_test(test_usage),
	};
	return cli_rig_run_tests(tests, sizeof tests / sizeof tests[0]);
}
