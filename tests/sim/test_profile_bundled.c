/* test_profile_bundled.c - the bundled profiles load, with the values their documents give. */
#include "profile_testutil.h"

/* ---- bundled profiles -------------------------------------------------------------------- */

struct listing {
	int n;
	char names[32][64];
};

static void check_one_bundled(const char *name, const char *path, void *ctx)
{
	struct listing *l = ctx;
	struct profile *p = prof_load_ok(path);
	/* The file name is the profile's name: that is how extends: and --profile find it. */
	assert_string_equal(p->name, name);
	assert_string_equal(p->source_path, path);
	assert_true(p->n_net >= 1);
	assert_non_null(profile_net_at(p, 0));
	profile_free(p);
	if (l->n < 32)
		snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	l->n++;
}

static void test_bundled_all_load(void **state)
{
	(void)state;
	struct listing l = { 0 };
	assert_int_equal(profile_yaml_list(BUNDLED_DIR, check_one_bundled, &l), 10);
	assert_int_equal(l.n, 10);
	/* Sorted by name, as profile_yaml_list promises. */
	for (int i = 1; i < l.n; i++)
		assert_true(strcmp(l.names[i - 1], l.names[i]) < 0);
	assert_string_equal(l.names[0], "sim800-denied");
	assert_string_equal(l.names[9], "sim800l16-2014");
}

static void test_bundled_r1308(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok("sim800-r13.08");
	assert_string_equal(p->ati, "SIM800 R13.08");
	assert_string_equal(p->manufacturer, "SIMCOM_Ltd");
	assert_string_equal(p->model, "SIMCOM_SIM800L");
	assert_string_equal(p->revision, "Revision:1308B08SIM800L16");
	assert_int_equal(p->n_gsv, 3);
	assert_string_equal(p->gsv[2], "Revision:1308B08SIM800L16");
	assert_string_equal(p->imei, "867010032343809");
	assert_false(p->cap_ssl);
	assert_false(p->cap_httpssl);
	assert_int_equal(p->tls_min, PROFILE_TLS_NONE);
	assert_int_equal(p->tls_max, PROFILE_TLS_NONE);
	assert_true(p->cap_http && p->cap_ppp && p->cap_sms);
	assert_false(p->cap_cmux);
	assert_int_equal(p->line_max, 556);
	assert_false(p->mixed_case_prefix);
	assert_string_equal(p->unknown_answer, "ERROR");
	assert_true(p->echo);
	assert_int_equal(p->cmee, 0);
	assert_int_equal(p->ipr, 115200);
	assert_int_equal(p->n_boot_urcs, 5);
	assert_string_equal(p->boot_urcs[0].text, "RDY");
	assert_int_equal(p->boot_urcs[0].when, PROFILE_WHEN_FIXED_BAUD);
	assert_string_equal(p->boot_urcs[1].text, "+CFUN: 1");
	assert_string_equal(p->boot_urcs[2].text, "+CPIN: READY");
	assert_string_equal(p->boot_urcs[3].text, "Call Ready");
	assert_string_equal(p->boot_urcs[4].text, "SMS Ready");
	assert_int_equal(p->boot_urcs[4].after_ms, 4200);
	assert_int_equal(p->boot_urcs[4].when, PROFILE_WHEN_ALWAYS);
	assert_int_equal(p->sim, PROFILE_SIM_READY);
	assert_null(p->sim_pin);
	assert_int_equal(p->n_net, 2);
	assert_int_equal(p->net[0].reg, PROFILE_REG_SEARCHING);
	assert_int_equal(p->net[0].rssi, 0);
	assert_int_equal(p->net[1].after_ms, 3000);
	assert_int_equal(p->net[1].reg, PROFILE_REG_HOME);
	assert_int_equal(p->net[1].rssi, 20);
	assert_string_equal(p->net[1].lac, "1A2B");
	assert_string_equal(p->net[1].ci, "0F3C");
	assert_int_equal(profile_delay_for(p, "+COPS", "=?"), 3000);
	assert_int_equal(profile_delay_for(p, "+CIICR", ""), 1500);
	const struct profile_replay *r = profile_replay_find(p, "+CSPN?", 6);
	assert_non_null(r);
	assert_int_equal(r->n_lines, 2);
	assert_string_equal(r->lines[1], "OK");
	profile_free(p);
}

static void test_bundled_r1418(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok("sim800-r14.18");
	assert_string_equal(p->ati, "SIM800 R14.18");
	assert_string_equal(p->revision, "Revision:1418B05SIM800L24");
	assert_string_equal(p->gsv[2], "Revision:1418B05SIM800L24");
	assert_true(p->cap_ssl);
	assert_true(p->cap_httpssl);
	assert_int_equal(p->tls_min, PROFILE_TLS_SSL3);
	assert_int_equal(p->tls_max, PROFILE_TLS_1_0);
	/* Inherited from sim800-r13.08. */
	assert_string_equal(p->manufacturer, "SIMCOM_Ltd");
	assert_string_equal(p->imei, "867010032343809");
	assert_int_equal(p->ipr, 115200);
	assert_int_equal(p->n_boot_urcs, 5);
	assert_int_equal(p->n_replay, 4);
	/* Not inherited: a profile's own name and description. */
	assert_string_equal(p->name, "sim800-r14.18");
	assert_non_null(strstr(p->description, "R14.18"));
	profile_free(p);
}

static void test_bundled_variants(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok("sim800-r14.18-nohttpssl");
	assert_true(p->cap_ssl);
	assert_false(p->cap_httpssl);
	assert_int_equal(p->tls_max, PROFILE_TLS_1_0);
	profile_free(p);

	p = prof_load_ok("sim800-r14.18-autobaud");
	assert_int_equal(p->ipr, 0);
	assert_int_equal(p->boot_urcs[0].when, PROFILE_WHEN_FIXED_BAUD);
	assert_true(p->cap_httpssl);
	profile_free(p);

	p = prof_load_ok("sim800l16-2014");
	assert_string_equal(p->revision, "Revision:SIM800L16_20141031_1027");
	assert_string_equal(p->ati, "SIM800 R11.08");
	assert_false(p->cap_ssl);
	assert_false(p->cap_httpssl);
	profile_free(p);

	p = prof_load_ok("sim800-roaming");
	assert_int_equal(profile_net_at(p, 5000)->reg, PROFILE_REG_ROAMING);
	assert_int_equal(profile_net_at(p, 0)->reg, PROFILE_REG_SEARCHING);
	profile_free(p);

	p = prof_load_ok("sim800-no-sim");
	assert_int_equal(p->sim, PROFILE_SIM_NOT_INSERTED);
	assert_int_equal(p->n_net, 1);
	assert_int_equal(profile_net_at(p, 100000)->reg, PROFILE_REG_NOT_SEARCHING);
	assert_int_equal(p->n_boot_urcs, 3);
	assert_string_equal(p->boot_urcs[2].text, "+CPIN: NOT INSERTED");
	profile_free(p);

	p = prof_load_ok("sim800-denied");
	assert_int_equal(profile_net_at(p, 3000)->reg, PROFILE_REG_DENIED);
	profile_free(p);

	p = prof_load_ok("sim800-searching");
	assert_int_equal(p->n_net, 1);
	assert_int_equal(profile_net_at(p, UINT_MAX)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(p, UINT_MAX)->rssi, 0);
	profile_free(p);

	p = prof_load_ok("sim800-slow-reg");
	assert_int_equal(profile_net_at(p, 29999)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(p, 29999)->rssi, 0);
	assert_int_equal(profile_net_at(p, 30000)->reg, PROFILE_REG_HOME);
	profile_free(p);
}

static void test_bundled_dir_env(void **state)
{
	(void)state;
	assert_int_equal(setenv("SIM800_PROFILE_DIR", BUNDLED_DIR, 1), 0);
	assert_string_equal(profile_yaml_bundled_dir(), BUNDLED_DIR);
	/* dir NULL means the bundled directory. */
	struct profile_error err;
	struct profile *p = profile_yaml_load("sim800-r13.08", NULL, &err);
	assert_non_null(p);
	profile_free(p);
	assert_int_equal(setenv("SIM800_PROFILE_DIR", "/nonexistent", 1), 0);
	assert_null(profile_yaml_load("sim800-r13.08", NULL, &err));
	assert_string_equal(err.file, "/nonexistent/sim800-r13.08.yaml");
	assert_int_equal(err.line, 0);
	assert_int_equal(unsetenv("SIM800_PROFILE_DIR"), 0);
	assert_non_null(profile_yaml_bundled_dir());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_all_load),
		cmocka_unit_test(test_bundled_r1308),
		cmocka_unit_test(test_bundled_r1418),
		cmocka_unit_test(test_bundled_variants),
		cmocka_unit_test(test_bundled_dir_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
