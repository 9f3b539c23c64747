/* test_profile_model.c - profile defaults, extends: merging and limits, and the model's queries. */
#include "profile_testutil.h"

/* ---- defaults, extends ------------------------------------------------------------------- */

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok(FIXTURES "good-minimal.yaml");
	assert_string_equal(p->description, "");
	assert_null(p->gsv);
	assert_int_equal(p->n_gsv, 0);
	assert_false(p->cap_ssl);
	assert_false(p->cap_httpssl);
	assert_int_equal(p->tls_min, PROFILE_TLS_NONE);
	assert_true(p->cap_http && p->cap_ppp && p->cap_sms);
	assert_false(p->cap_cmux);
	assert_int_equal(p->line_max, 556);
	assert_string_equal(p->unknown_answer, "ERROR");
	assert_true(p->echo);
	assert_int_equal(p->cmee, 0);
	assert_int_equal(p->ipr, 0);
	assert_int_equal(p->n_boot_urcs, 0);
	assert_int_equal(p->boot_deaf_ms, 0);
	assert_int_equal(p->boot_noise_bytes, 0);
	assert_int_equal(p->delay_default_ms, 0);
	assert_int_equal(p->n_delays, 0);
	assert_int_equal(p->sim, PROFILE_SIM_READY);
	assert_null(p->sim_pin);
	assert_string_equal(p->operator_name, "SIM800-SIM");
	assert_int_equal(p->battery_bcs, 0);
	assert_int_equal(p->battery_bcl, 80);
	assert_int_equal(p->battery_mv, 4000);
	assert_int_equal(p->n_net, 1);
	assert_int_equal(p->net[0].after_ms, 0);
	assert_int_equal(p->net[0].reg, PROFILE_REG_HOME);
	assert_int_equal(p->net[0].gprs_reg, -1);
	assert_int_equal(p->net[0].rssi, 20);
	assert_int_equal(p->net[0].ber, 0);
	assert_int_equal(p->net[0].attached, -1);
	assert_null(p->net[0].lac);
	assert_int_equal(p->n_replay, 0);
	profile_free(p);
}

static void test_extends_override_and_merge(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok(FIXTURES "good-child.yaml");
	assert_string_equal(p->name, "good-child");
	assert_string_equal(p->description, ""); /* not inherited */
	/* identity: mapping merged key by key. */
	assert_string_equal(p->ati, "TEST R02.00");
	assert_string_equal(p->model, "TEST_MODEL");
	assert_string_equal(p->iccid, "8944000000000000000f");
	assert_int_equal(p->n_gsv, 3);
	/* capabilities: ssl overridden, sms kept from the parent, tls merged with defaults. */
	assert_true(p->cap_ssl);
	assert_true(p->cap_httpssl); /* defaults to ssl */
	assert_false(p->cap_sms);
	assert_int_equal(p->tls_min, PROFILE_TLS_SSL3);
	assert_int_equal(p->tls_max, PROFILE_TLS_1_2);
	assert_int_equal(p->line_max, 100);
	assert_false(p->echo);
	assert_int_equal(p->cmee, 1);
	/* boot: inherited whole. */
	assert_int_equal(p->boot_deaf_ms, 500);
	assert_int_equal(p->n_boot_urcs, 2);
	/* timing.commands: mappings merge, so the child adds "+CSQ?" to the parent's keys. */
	assert_int_equal(p->n_delays, 3);
	assert_int_equal(p->delay_default_ms, 5);
	/* network: battery merged, timeline (a sequence) replaced whole. */
	assert_int_equal(p->sim, PROFILE_SIM_PIN);
	assert_string_equal(p->sim_pin, "1234");
	assert_string_equal(p->operator_name, "Parent Net");
	assert_int_equal(p->battery_bcs, 1);
	assert_int_equal(p->battery_bcl, 90);
	assert_int_equal(p->battery_mv, 3700);
	assert_int_equal(p->n_net, 1);
	assert_int_equal(p->net[0].reg, PROFILE_REG_ROAMING);
	assert_int_equal(p->net[0].gprs_reg, PROFILE_REG_HOME);
	assert_int_equal(p->net[0].attached, 0);
	assert_int_equal(p->net[0].rssi, 99);
	assert_int_equal(p->net[0].ber, 99);
	/* replay: [] replaces the parent's entries with none. */
	assert_int_equal(p->n_replay, 0);
	assert_null(profile_replay_find(p, "+CSPN?", 6));
	profile_free(p);

	p = prof_load_ok(FIXTURES "good-parent.yaml");
	assert_string_equal(p->description, "the parent");
	assert_int_equal(p->n_net, 2);
	assert_int_equal(p->net[0].ber, 99);
	assert_int_equal(p->net[1].ber, 3);
	assert_int_equal(p->n_replay, 2);
	profile_free(p);
}

static void test_extends_cycle(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "cycle-a.yaml", FIXTURES "cycle-b.yaml", 3, 10, "extends",
		     "extends cycle: " FIXTURES "cycle-a.yaml -> " FIXTURES
		     "cycle-b.yaml -> " FIXTURES "./cycle-a.yaml");
}

/* A chain of n files: d0 extends d1 ... and the last one is complete. */
static const char *write_chain(struct prof_tmpdir *t, int n)
{
	const char *first = NULL;
	for (int i = 0; i < n; i++) {
		char name[32], text[512];
		snprintf(name, sizeof(name), "d%d.yaml", i);
		if (i + 1 < n)
			snprintf(text, sizeof(text), "name: d%d\nextends: d%d.yaml\n", i, i + 1);
		else
			snprintf(text, sizeof(text), "name: d%d\n%s", i, prof_minimal_identity);
		const char *path = prof_tmp_write_str(t, name, text);
		if (i == 0)
			first = path;
	}
	return first;
}

static void test_extends_depth(void **state)
{
	(void)state;
	struct prof_tmpdir t;
	prof_tmp_make(&t);
	/* Eight levels of extends: (nine files) load. */
	struct profile *p = prof_load_ok(write_chain(&t, 9));
	assert_string_equal(p->name, "d0");
	profile_free(p);
	prof_tmp_clean(&t);

	prof_tmp_make(&t);
	const char *first = write_chain(&t, 10);
	char where[128];
	snprintf(where, sizeof(where), "%s/d8.yaml", t.path);
	prof_expect_error(first, where, 2, 10, "extends", "more than 8 levels of extends:");
	prof_tmp_clean(&t);
}

/* ---- queries ----------------------------------------------------------------------------- */

static void test_delay_for_specificity(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok(FIXTURES "good-child.yaml");
	/* "+CSQ?" (child) beats "+CSQ" (parent) for the read form only. */
	assert_int_equal(profile_delay_for(p, "+CSQ", "?"), 20);
	assert_int_equal(profile_delay_for(p, "+CSQ", ""), 10);
	assert_int_equal(profile_delay_for(p, "+CSQ", "=?"), 10);
	assert_int_equal(profile_delay_for(p, "+CSQ", NULL), 10);
	assert_int_equal(profile_delay_for(p, "+csq", "?"), 20);
	/* "+COPS=?" covers only the test form; the rest falls back to default_ms. */
	assert_int_equal(profile_delay_for(p, "+COPS", "=?"), 2000);
	assert_int_equal(profile_delay_for(p, "+COPS", "?"), 5);
	assert_int_equal(profile_delay_for(p, "+COPS", "="), 5);
	assert_int_equal(profile_delay_for(p, "+COP", "=?"), 5);
	assert_int_equal(profile_delay_for(p, "+COPSX", "=?"), 5);
	assert_int_equal(profile_delay_for(p, NULL, "?"), 5);
	assert_int_equal(profile_delay_for(NULL, "+CSQ", ""), 0);
	profile_free(p);
}

static void test_replay_find_case_rules(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok(FIXTURES "good-parent.yaml");
	const struct profile_replay *r = profile_replay_find(p, "+CSPN?", 6);
	assert_non_null(r);
	assert_string_equal(r->command, "+CSPN?");
	/* The name part is case-insensitive... */
	assert_ptr_equal(profile_replay_find(p, "+cSpN?", 6), r);
	const char *t = "+ctest=\"Ab\"";
	const struct profile_replay *r2 = profile_replay_find(p, t, strlen(t));
	assert_non_null(r2);
	assert_int_equal(r2->n_lines, 0);
	assert_null(r2->lines);
	assert_int_equal(r2->delay_ms, 7);
	/* ...the arguments are not. */
	t = "+CTEST=\"ab\"";
	assert_null(profile_replay_find(p, t, strlen(t)));
	/* Exact match only: no prefixes, no extra bytes; len, not NUL, ends the text. */
	assert_null(profile_replay_find(p, "+CSPN", 5));
	assert_null(profile_replay_find(p, "+CSPN?x", 7));
	assert_non_null(profile_replay_find(p, "+CSPN?x", 6));
	assert_null(profile_replay_find(p, "+CSPM?", 6));
	assert_null(profile_replay_find(NULL, "+CSPN?", 6));
	assert_null(profile_replay_find(p, NULL, 0));
	profile_free(p);
}

static void test_net_at(void **state)
{
	(void)state;
	struct profile *p = prof_load_ok(FIXTURES "good-parent.yaml");
	assert_int_equal(profile_net_at(p, 0)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(p, 999)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(p, 1000)->reg, PROFILE_REG_HOME);
	assert_int_equal(profile_net_at(p, 1000)->rssi, 25);
	assert_string_equal(profile_net_at(p, UINT_MAX)->ci, "00BB");
	profile_free(p);

	/* Steps with equal times: the last one wins; before the first step, the first holds. */
	struct profile_net_step steps[] = {
		{ .after_ms = 500, .reg = PROFILE_REG_SEARCHING },
		{ .after_ms = 800, .reg = PROFILE_REG_DENIED },
		{ .after_ms = 800, .reg = PROFILE_REG_ROAMING },
	};
	struct profile hand = { .net = steps, .n_net = 3 };
	assert_int_equal(profile_net_at(&hand, 0)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(&hand, 800)->reg, PROFILE_REG_ROAMING);
	hand.n_net = 0;
	assert_null(profile_net_at(&hand, 0));
	assert_null(profile_net_at(NULL, 0));
}

static void test_tls_name_and_format(void **state)
{
	(void)state;
	assert_string_equal(profile_tls_name(PROFILE_TLS_NONE), "none");
	assert_string_equal(profile_tls_name(PROFILE_TLS_1_0), "tls1.0");
	assert_string_equal(profile_tls_name(PROFILE_TLS_1_3), "tls1.3");
	assert_null(profile_tls_name((enum profile_tls)42));

	struct profile_error e = {
		.file = "a.yaml", .line = 3, .column = 7, .path = "x.y", .message = "bad"
	};
	char buf[64];
	profile_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml:3:7: x.y: bad");
	e.path[0] = '\0';
	e.line = 0;
	profile_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml: bad");
	profile_error_format(&e, buf, 4);
	assert_string_equal(buf, "a.y");
	profile_free(NULL);
}

static void count_cb(const char *name, const char *path, void *ctx)
{
	(void)name;
	(void)path;
	(*(int *)ctx)++;
}

static void test_list(void **state)
{
	(void)state;
	assert_int_equal(profile_yaml_list("/nonexistent-dir", count_cb, NULL), -1);
	struct prof_tmpdir t;
	prof_tmp_make(&t);
	prof_tmp_write_str(&t, "b.yaml", "");
	prof_tmp_write_str(&t, "a.yaml", "");
	prof_tmp_write_str(&t, "c.yml", "");
	prof_tmp_write_str(&t, ".hidden.yaml", "");
	prof_tmp_write_str(&t, "notes.txt", "");
	int n = 0;
	assert_int_equal(profile_yaml_list(t.path, count_cb, &n), 2);
	assert_int_equal(n, 2);
	assert_int_equal(profile_yaml_list(t.path, NULL, NULL), 2);
	prof_tmp_clean(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_extends_override_and_merge),
		cmocka_unit_test(test_extends_cycle),
		cmocka_unit_test(test_extends_depth),
		cmocka_unit_test(test_delay_for_specificity),
		cmocka_unit_test(test_replay_find_case_rules),
		cmocka_unit_test(test_net_at),
		cmocka_unit_test(test_tls_name_and_format),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
