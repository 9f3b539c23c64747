/* test_profile_errors.c - every profile error class, with file:line:column and key path. */
#include "profile_testutil.h"

/* ---- error classes ----------------------------------------------------------------------- */

static void test_error_broken_yaml(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-yaml.yaml", FIXTURES "bad-yaml.yaml", 5, 6, "identity.gsv[2]",
		     "invalid YAML: did not find expected ',' or ']' "
		     "(while parsing a flow sequence)");
}

static void test_error_unknown_key(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-unknown-key.yaml", FIXTURES "bad-unknown-key.yaml", 3, 1,
		     "identiy",
		     "unknown key \"identiy\" (expected one of: name, description, extends, "
		     "identity, capabilities, command_line, defaults, boot, timing, data, hosts, "
		     "scenario, network, "
		     "replay)");
}

static void test_error_wrong_type(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-type.yaml", FIXTURES "bad-type.yaml", 7, 18,
		     "boot.urcs[1].after_ms",
		     "expected a decimal integer, got the quoted string \"3000\"");
	prof_expect_error(FIXTURES "bad-bool.yaml", FIXTURES "bad-bool.yaml", 5, 9, "defaults.echo",
		     "expected true or false, got \"yes\"");
	prof_expect_error(FIXTURES "bad-string-for-map.yaml", FIXTURES "bad-string-for-map.yaml", 4, 10,
		     "network", "expected a mapping, got \"home\"");
}

static void test_error_out_of_range(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-range.yaml", FIXTURES "bad-range.yaml", 5, 9, "defaults.cmee",
		     "3 is out of range (0..2)");
	/* The error is placed in the parent file where the bad value is written. */
	prof_expect_error(FIXTURES "bad-child-parent-error.yaml", FIXTURES "bad-range.yaml", 5, 9,
		     "defaults.cmee", "3 is out of range (0..2)");
}

static void test_error_unknown_enum(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-enum.yaml", FIXTURES "bad-enum.yaml", 8, 12,
		     "network.timeline[1].reg",
		     "unknown value \"hme\" (expected one of: not_searching, home, searching, "
		     "denied, unknown, roaming)");
}

static void test_error_missing_after_merge(void **state)
{
	(void)state;
	/* Neither file has imei; the error points at the child's identity mapping. */
	prof_expect_error(FIXTURES "bad-missing.yaml", FIXTURES "bad-missing.yaml", 5, 3,
		     "identity.imei", "missing required key \"imei\"");
}

static void test_error_duplicate_key(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-dup.yaml", FIXTURES "bad-dup.yaml", 6, 3, "identity.ati",
		     "duplicate key \"ati\" (first at line 4, column 3)");
}

static void test_error_empty_and_garbage(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-empty.yaml", FIXTURES "bad-empty.yaml", 1, 1, "",
		     "empty file: no YAML document");
	prof_expect_error(FIXTURES "bad-toplevel.yaml", FIXTURES "bad-toplevel.yaml", 2, 1, "",
		     "the top level must be a mapping of keys, got a sequence");
	/* 0x89 (PNG signature) starts line 3: libyaml gives the byte offset, we the place. */
	prof_expect_error(FIXTURES "bad-binary.yaml", FIXTURES "bad-binary.yaml", 3, 1, "",
		     "invalid YAML: invalid leading UTF-8 octet");
}

static void test_error_alias_and_tag(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-alias.yaml", FIXTURES "bad-alias.yaml", 3, 11, "identity",
		     "anchors (&id) are not supported");
	struct prof_tmpdir t;
	prof_tmp_make(&t);
	prof_expect_text_error(&t, "tag.yaml", "name: !!str x\n", 1, 7, "name",
			  "tags (tag:yaml.org,2002:str) are not supported");
	prof_expect_text_error(&t, "alias.yaml", "a: &x 1\nb: *x\n", 1, 4, "a",
			  "anchors (&x) are not supported");
	prof_expect_text_error(&t, "key.yaml", "? [a]\n: b\n", 1, 3, "",
			  "mapping keys must be plain strings");
	prof_tmp_clean(&t);
}

static void test_error_cross_checks(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-order.yaml", FIXTURES "bad-order.yaml", 8, 18,
		     "network.timeline[2].after_ms",
		     "after_ms 1000 is before the previous entry's 3000");
	prof_expect_error(FIXTURES "bad-tls.yaml", FIXTURES "bad-tls.yaml", 7, 5, "capabilities.tls",
		     "min tls1.2 is above max tls1.0");
	prof_expect_error(FIXTURES "bad-httpssl.yaml", FIXTURES "bad-httpssl.yaml", 6, 12,
		     "capabilities.httpssl", "httpssl: true needs ssl: true");
	prof_expect_error(FIXTURES "bad-replay.yaml", FIXTURES "bad-replay.yaml", 6, 15,
		     "replay[1].command", "\"+cspn?\" is already replayed by entry 0");
	prof_expect_error(FIXTURES "bad-timing-key.yaml", FIXTURES "bad-timing-key.yaml", 7, 5,
		     "timing.commands.+csq?", "is not an upper-case command name");
	prof_expect_error(FIXTURES "bad-ppp-connect.yaml", FIXTURES "bad-ppp-connect.yaml", 5, 16,
		     "data.ppp_connect",
		     "expected CONNECT or \"CONNECT <text>\", got \"CONNECTED 9600\"");
	prof_expect_error(FIXTURES "bad-ppp-escape-answer.yaml", FIXTURES "bad-ppp-escape-answer.yaml",
		     5, 22, "data.ppp_escape_answer",
		     "expected OK or \"NO CARRIER\", got \"ERROR\"");
}

static void test_error_files(void **state)
{
	(void)state;
	prof_expect_error(FIXTURES "bad-extends-missing.yaml", FIXTURES "bad-extends-missing.yaml", 3,
		     10, "extends",
		     "cannot open \"" FIXTURES "no-such-file.yaml\": No such file or directory");
	prof_expect_error(FIXTURES "nope.yaml", FIXTURES "nope.yaml", 0, 0, "",
		     "No such file or directory");
	prof_expect_error("no such name", "no such name", 0, 0, "", "not a profile name");
	prof_expect_error("sim800-nope", BUNDLED_DIR "/sim800-nope.yaml", 0, 0, "", "cannot open");
	prof_expect_error(FIXTURES, FIXTURES, 0, 0, "", "is not a regular file");
}

static void test_error_limits(void **state)
{
	(void)state;
	struct prof_tmpdir t;
	prof_tmp_make(&t);

	/* Files over 1 MiB are refused before parsing. */
	size_t big = 1024 * 1024 + 1;
	char *buf = malloc(big);
	assert_non_null(buf);
	memset(buf, '#', big);
	buf[big - 1] = '\n';
	const char *f = prof_tmp_write(&t, "big.yaml", buf, big);
	prof_expect_error(f, f, 0, 0, "", "larger than 1 MiB");

	/* Strings: 4096 bytes pass, 4097 fail. */
	size_t n = (size_t)snprintf(buf, big, "name: ");
	memset(buf + n, 'a', 4096);
	n += 4096;
	n += (size_t)snprintf(buf + n, big - n, "\n%s", prof_minimal_identity);
	f = prof_tmp_write(&t, "s4096.yaml", buf, n);
	struct profile *p = prof_load_ok(f);
	assert_int_equal(strlen(p->name), 4096);
	profile_free(p);
	n = (size_t)snprintf(buf, big, "name: ");
	memset(buf + n, 'a', 4097);
	n += 4097;
	f = prof_tmp_write(&t, "s4097.yaml", buf, n);
	prof_expect_error(f, f, 1, 7, "name", "string longer than 4096 bytes");

	/* Sequences: the 4097th item fails, with its index in the path. */
	n = (size_t)snprintf(buf, big, "name: x\nidentity:\n  gsv: [");
	for (int i = 0; i < 4097; i++)
		n += (size_t)snprintf(buf + n, big - n, "%sa", i ? "," : "");
	n += (size_t)snprintf(buf + n, big - n, "]\n");
	f = prof_tmp_write(&t, "seq.yaml", buf, n);
	prof_expect_error(f, f, 3, 9 + 2 * 4096, "identity.gsv[4096]", "more than 4096 items");

	/* Nesting deeper than 32 levels. */
	n = (size_t)snprintf(buf, big, "name: ");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '\n';
	f = prof_tmp_write(&t, "deep.yaml", buf, n);
	prof_expect_error(f, f, 1, 38,
		     "name[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		     "[0][0][0][0][0][0][0][0][0][0][0]",
		     "nested deeper than 32 levels");
	free(buf);

	/* One document per file; comments alone are an empty file. */
	prof_expect_text_error(&t, "two.yaml", "name: a\n---\nname: b\n", 2, 1, "",
			  "more than one YAML document");
	prof_expect_text_error(&t, "comments.yaml", "# nothing here\n# at all\n", 1, 1, "",
			  "empty file");
	prof_expect_text_error(&t, "nul.yaml", "name: \"a\\0b\"\n", 1, 7, "name",
			  "NUL character in a string");
	prof_tmp_clean(&t);
}

static void test_error_values(void **state)
{
	(void)state;
	struct prof_tmpdir t;
	prof_tmp_make(&t);
	char text[1024];
	static const struct {
		const char *yaml;
		const char *path;
		const char *message;
	} cases[] = {
		{ "defaults: {ipr: 1234}", "defaults.ipr",
		  "1234 is out of range (0 or 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, "
		  "230400, 460800)" },
		{ "defaults: {cmee: 0x1}", "defaults.cmee",
		  "expected a decimal integer, got \"0x1\"" },
		{ "defaults: {cmee: 01}", "defaults.cmee",
		  "expected a decimal integer, got \"01\"" },
		{ "defaults: {cmee: -1}", "defaults.cmee", "-1 is out of range (0..2)" },
		{ "command_line: {max_length: 99999999999999999999}", "command_line.max_length",
		  "is out of range (16..4096)" },
		{ "network: {timeline: [{after_ms: 0, reg: home, rssi: 40}]}",
		  "network.timeline[0].rssi", "40 is out of range (0..31 or 99)" },
		{ "network: {timeline: [{after_ms: 0}]}", "network.timeline[0].reg",
		  "missing required key \"reg\"" },
		{ "network: {timeline: [home]}", "network.timeline[0]",
		  "expected a mapping, got \"home\"" },
		{ "network: {pin: 12}", "network.pin",
		  "expected 4 to 8 decimal digits, got \"12\"" },
		{ "network: {sim: maybe}", "network.sim", "unknown value \"maybe\"" },
		{ "boot: {urcs: [{after_ms: 0, text: \"a\\nb\"}]}", "boot.urcs[0].text",
		  "expected a non-empty line" },
		{ "replay: [{command: AT+CSQ, response: [OK]}]", "replay[0].command",
		  "without its \"AT\" prefix" },
		{ "replay: [{command: +CSQ}]", "replay[0].response",
		  "missing required key \"response\"" },
		{ "capabilities: {tls: {min: tls9}}", "capabilities.tls.min",
		  "unknown value \"tls9\"" },
		{ "extends: [a]", "extends", "expected a profile name or path, got a sequence" },
		{ "extends: \"bad name\"", "extends", "\"bad name\" is not a profile name" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "v%zu.yaml", i);
		/* The case's line comes last so that its line number is known: line 10. */
		snprintf(text, sizeof(text), "name: v\n%s%s\n", prof_minimal_identity, cases[i].yaml);
		const char *f = prof_tmp_write_str(&t, name, text);
		struct profile_error err;
		struct profile *p = profile_yaml_load(f, BUNDLED_DIR, &err);
		if (p) {
			profile_free(p);
			fail_msg("case %zu (%s) loaded", i, cases[i].yaml);
		}
		assert_string_equal(err.file, f);
		assert_int_equal(err.line, 10);
		assert_string_equal(err.path, cases[i].path);
		if (!strstr(err.message, cases[i].message))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
	}
	prof_tmp_clean(&t);
}

static void test_null_means_default(void **state)
{
	(void)state;
	struct prof_tmpdir t;
	prof_tmp_make(&t);
	char text[1024];
	snprintf(text, sizeof(text),
		 "name: parent\n%snetwork: {pin: \"1234\", operator: X}\ndefaults: {cmee: 2}\n",
		 prof_minimal_identity);
	prof_tmp_write_str(&t, "parent.yaml", text);
	/* A null in the child resets an inherited value to the default. */
	const char *f = prof_tmp_write_str(&t, "child.yaml",
				      "name: child\nextends: parent.yaml\n"
				      "network: {pin: ~, operator: null}\n"
				      "defaults: {cmee: }\n");
	struct profile *p = prof_load_ok(f);
	assert_null(p->sim_pin);
	assert_string_equal(p->operator_name, "SIM800-SIM");
	assert_int_equal(p->cmee, 0); /* the child's null wins the merge, then means the default */
	profile_free(p);
	prof_tmp_clean(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_broken_yaml),
		cmocka_unit_test(test_error_unknown_key),
		cmocka_unit_test(test_error_wrong_type),
		cmocka_unit_test(test_error_out_of_range),
		cmocka_unit_test(test_error_unknown_enum),
		cmocka_unit_test(test_error_missing_after_merge),
		cmocka_unit_test(test_error_duplicate_key),
		cmocka_unit_test(test_error_empty_and_garbage),
		cmocka_unit_test(test_error_alias_and_tag),
		cmocka_unit_test(test_error_cross_checks),
		cmocka_unit_test(test_error_files),
		cmocka_unit_test(test_error_limits),
		cmocka_unit_test(test_error_values),
		cmocka_unit_test(test_null_means_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
