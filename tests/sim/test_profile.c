/* test_profile.c - profile loader and queries: bundled profiles, extends:, every error class. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile.h"
#include "profile_yaml.h"

#define BUNDLED_DIR SIM800_SOURCE_DIR "/profiles"
#define FIXTURES    SIM800_SOURCE_DIR "/tests/sim/profiles/"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Load or fail the test, printing the loader's error so a broken profile is easy to find. */
static struct profile *load_ok(const char *name_or_path)
{
	struct profile_error err;
	struct profile *p = profile_yaml_load(name_or_path, BUNDLED_DIR, &err);
	if (!p) {
		char buf[1400];
		profile_error_format(&err, buf, sizeof(buf));
		fail_msg("loading %s: %s", name_or_path, buf);
	}
	return p;
}

/* Load a profile that must fail, and check where and why. message is a substring. */
static void expect_error(const char *name_or_path, const char *file, unsigned line, unsigned column,
			 const char *path, const char *message)
{
	struct profile_error err;
	struct profile *p = profile_yaml_load(name_or_path, BUNDLED_DIR, &err);
	if (p) {
		profile_free(p);
		fail_msg("%s loaded, but should fail with \"%s\"", name_or_path, message);
	}
	char buf[1400];
	profile_error_format(&err, buf, sizeof(buf));
	print_message("  %s\n", buf);
	assert_string_equal(err.file, file);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_string_equal(err.path, path);
	if (!strstr(err.message, message))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, message);
}

/* A scratch directory for generated files; removed with everything in it by tmp_clean. */
struct tmpdir {
	char path[64];
	char files[32][128];
	size_t n;
};

static void tmp_make(struct tmpdir *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "/tmp/test_profile.XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

/* Write len bytes to dir/name and return the path (owned by t). */
static const char *tmp_write(struct tmpdir *t, const char *name, const char *data, size_t len)
{
	assert_true(t->n < 32);
	char *path = t->files[t->n++];
	char dir[sizeof(t->path)];
	memcpy(dir, t->path, sizeof dir); /* a separate buffer: gcc -O2 -Wrestrict sees one object */
	snprintf(path, sizeof(t->files[0]), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *tmp_write_str(struct tmpdir *t, const char *name, const char *text)
{
	return tmp_write(t, name, text, strlen(text));
}

/* Write text to a scratch file and expect loading it to fail in that file, at line:column. */
static void expect_text_error(struct tmpdir *t, const char *name, const char *text, unsigned line,
			      unsigned column, const char *path, const char *message)
{
	const char *f = tmp_write_str(t, name, text);
	expect_error(f, f, line, column, path, message);
}

static void tmp_clean(struct tmpdir *t)
{
	for (size_t i = 0; i < t->n; i++)
		unlink(t->files[i]);
	rmdir(t->path);
}

static const char minimal_identity[] = "identity:\n"
				       "  ati: A\n"
				       "  manufacturer: M\n"
				       "  model: X\n"
				       "  revision: R\n"
				       "  imei: \"000000000000000\"\n"
				       "  iccid: \"000000000000000000\"\n"
				       "  imsi: \"000000\"\n";

/* ---- bundled profiles -------------------------------------------------------------------- */

struct listing {
	int n;
	char names[32][64];
};

static void check_one_bundled(const char *name, const char *path, void *ctx)
{
	struct listing *l = ctx;
	struct profile *p = load_ok(path);
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
	struct profile *p = load_ok("sim800-r13.08");
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
	struct profile *p = load_ok("sim800-r14.18");
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
	struct profile *p = load_ok("sim800-r14.18-nohttpssl");
	assert_true(p->cap_ssl);
	assert_false(p->cap_httpssl);
	assert_int_equal(p->tls_max, PROFILE_TLS_1_0);
	profile_free(p);

	p = load_ok("sim800-r14.18-autobaud");
	assert_int_equal(p->ipr, 0);
	assert_int_equal(p->boot_urcs[0].when, PROFILE_WHEN_FIXED_BAUD);
	assert_true(p->cap_httpssl);
	profile_free(p);

	p = load_ok("sim800l16-2014");
	assert_string_equal(p->revision, "Revision:SIM800L16_20141031_1027");
	assert_string_equal(p->ati, "SIM800 R11.08");
	assert_false(p->cap_ssl);
	assert_false(p->cap_httpssl);
	profile_free(p);

	p = load_ok("sim800-roaming");
	assert_int_equal(profile_net_at(p, 5000)->reg, PROFILE_REG_ROAMING);
	assert_int_equal(profile_net_at(p, 0)->reg, PROFILE_REG_SEARCHING);
	profile_free(p);

	p = load_ok("sim800-no-sim");
	assert_int_equal(p->sim, PROFILE_SIM_NOT_INSERTED);
	assert_int_equal(p->n_net, 1);
	assert_int_equal(profile_net_at(p, 100000)->reg, PROFILE_REG_NOT_SEARCHING);
	assert_int_equal(p->n_boot_urcs, 3);
	assert_string_equal(p->boot_urcs[2].text, "+CPIN: NOT INSERTED");
	profile_free(p);

	p = load_ok("sim800-denied");
	assert_int_equal(profile_net_at(p, 3000)->reg, PROFILE_REG_DENIED);
	profile_free(p);

	p = load_ok("sim800-searching");
	assert_int_equal(p->n_net, 1);
	assert_int_equal(profile_net_at(p, UINT_MAX)->reg, PROFILE_REG_SEARCHING);
	assert_int_equal(profile_net_at(p, UINT_MAX)->rssi, 0);
	profile_free(p);

	p = load_ok("sim800-slow-reg");
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

/* ---- defaults, extends ------------------------------------------------------------------- */

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct profile *p = load_ok(FIXTURES "good-minimal.yaml");
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
	struct profile *p = load_ok(FIXTURES "good-child.yaml");
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

	p = load_ok(FIXTURES "good-parent.yaml");
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
	expect_error(FIXTURES "cycle-a.yaml", FIXTURES "cycle-b.yaml", 3, 10, "extends",
		     "extends cycle: " FIXTURES "cycle-a.yaml -> " FIXTURES
		     "cycle-b.yaml -> " FIXTURES "./cycle-a.yaml");
}

/* A chain of n files: d0 extends d1 ... and the last one is complete. */
static const char *write_chain(struct tmpdir *t, int n)
{
	const char *first = NULL;
	for (int i = 0; i < n; i++) {
		char name[32], text[512];
		snprintf(name, sizeof(name), "d%d.yaml", i);
		if (i + 1 < n)
			snprintf(text, sizeof(text), "name: d%d\nextends: d%d.yaml\n", i, i + 1);
		else
			snprintf(text, sizeof(text), "name: d%d\n%s", i, minimal_identity);
		const char *path = tmp_write_str(t, name, text);
		if (i == 0)
			first = path;
	}
	return first;
}

static void test_extends_depth(void **state)
{
	(void)state;
	struct tmpdir t;
	tmp_make(&t);
	/* Eight levels of extends: (nine files) load. */
	struct profile *p = load_ok(write_chain(&t, 9));
	assert_string_equal(p->name, "d0");
	profile_free(p);
	tmp_clean(&t);

	tmp_make(&t);
	const char *first = write_chain(&t, 10);
	char where[128];
	snprintf(where, sizeof(where), "%s/d8.yaml", t.path);
	expect_error(first, where, 2, 10, "extends", "more than 8 levels of extends:");
	tmp_clean(&t);
}

/* ---- error classes ----------------------------------------------------------------------- */

static void test_error_broken_yaml(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-yaml.yaml", FIXTURES "bad-yaml.yaml", 5, 6, "identity.gsv[2]",
		     "invalid YAML: did not find expected ',' or ']' "
		     "(while parsing a flow sequence)");
}

static void test_error_unknown_key(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-unknown-key.yaml", FIXTURES "bad-unknown-key.yaml", 3, 1,
		     "identiy",
		     "unknown key \"identiy\" (expected one of: name, description, extends, "
		     "identity, capabilities, command_line, defaults, boot, timing, data, hosts, "
		     "scenario, network, "
		     "replay)");
}

static void test_error_wrong_type(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-type.yaml", FIXTURES "bad-type.yaml", 7, 18,
		     "boot.urcs[1].after_ms",
		     "expected a decimal integer, got the quoted string \"3000\"");
	expect_error(FIXTURES "bad-bool.yaml", FIXTURES "bad-bool.yaml", 5, 9, "defaults.echo",
		     "expected true or false, got \"yes\"");
	expect_error(FIXTURES "bad-string-for-map.yaml", FIXTURES "bad-string-for-map.yaml", 4, 10,
		     "network", "expected a mapping, got \"home\"");
}

static void test_error_out_of_range(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-range.yaml", FIXTURES "bad-range.yaml", 5, 9, "defaults.cmee",
		     "3 is out of range (0..2)");
	/* The error is placed in the parent file where the bad value is written. */
	expect_error(FIXTURES "bad-child-parent-error.yaml", FIXTURES "bad-range.yaml", 5, 9,
		     "defaults.cmee", "3 is out of range (0..2)");
}

static void test_error_unknown_enum(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-enum.yaml", FIXTURES "bad-enum.yaml", 8, 12,
		     "network.timeline[1].reg",
		     "unknown value \"hme\" (expected one of: not_searching, home, searching, "
		     "denied, unknown, roaming)");
}

static void test_error_missing_after_merge(void **state)
{
	(void)state;
	/* Neither file has imei; the error points at the child's identity mapping. */
	expect_error(FIXTURES "bad-missing.yaml", FIXTURES "bad-missing.yaml", 5, 3,
		     "identity.imei", "missing required key \"imei\"");
}

static void test_error_duplicate_key(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-dup.yaml", FIXTURES "bad-dup.yaml", 6, 3, "identity.ati",
		     "duplicate key \"ati\" (first at line 4, column 3)");
}

static void test_error_empty_and_garbage(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-empty.yaml", FIXTURES "bad-empty.yaml", 1, 1, "",
		     "empty file: no YAML document");
	expect_error(FIXTURES "bad-toplevel.yaml", FIXTURES "bad-toplevel.yaml", 2, 1, "",
		     "the top level must be a mapping of keys, got a sequence");
	/* 0x89 (PNG signature) starts line 3: libyaml gives the byte offset, we the place. */
	expect_error(FIXTURES "bad-binary.yaml", FIXTURES "bad-binary.yaml", 3, 1, "",
		     "invalid YAML: invalid leading UTF-8 octet");
}

static void test_error_alias_and_tag(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-alias.yaml", FIXTURES "bad-alias.yaml", 3, 11, "identity",
		     "anchors (&id) are not supported");
	struct tmpdir t;
	tmp_make(&t);
	expect_text_error(&t, "tag.yaml", "name: !!str x\n", 1, 7, "name",
			  "tags (tag:yaml.org,2002:str) are not supported");
	expect_text_error(&t, "alias.yaml", "a: &x 1\nb: *x\n", 1, 4, "a",
			  "anchors (&x) are not supported");
	expect_text_error(&t, "key.yaml", "? [a]\n: b\n", 1, 3, "",
			  "mapping keys must be plain strings");
	tmp_clean(&t);
}

static void test_error_cross_checks(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-order.yaml", FIXTURES "bad-order.yaml", 8, 18,
		     "network.timeline[2].after_ms",
		     "after_ms 1000 is before the previous entry's 3000");
	expect_error(FIXTURES "bad-tls.yaml", FIXTURES "bad-tls.yaml", 7, 5, "capabilities.tls",
		     "min tls1.2 is above max tls1.0");
	expect_error(FIXTURES "bad-httpssl.yaml", FIXTURES "bad-httpssl.yaml", 6, 12,
		     "capabilities.httpssl", "httpssl: true needs ssl: true");
	expect_error(FIXTURES "bad-replay.yaml", FIXTURES "bad-replay.yaml", 6, 15,
		     "replay[1].command", "\"+cspn?\" is already replayed by entry 0");
	expect_error(FIXTURES "bad-timing-key.yaml", FIXTURES "bad-timing-key.yaml", 7, 5,
		     "timing.commands.+csq?", "is not an upper-case command name");
	expect_error(FIXTURES "bad-ppp-connect.yaml", FIXTURES "bad-ppp-connect.yaml", 5, 16,
		     "data.ppp_connect",
		     "expected CONNECT or \"CONNECT <text>\", got \"CONNECTED 9600\"");
}

static void test_error_files(void **state)
{
	(void)state;
	expect_error(FIXTURES "bad-extends-missing.yaml", FIXTURES "bad-extends-missing.yaml", 3,
		     10, "extends",
		     "cannot open \"" FIXTURES "no-such-file.yaml\": No such file or directory");
	expect_error(FIXTURES "nope.yaml", FIXTURES "nope.yaml", 0, 0, "",
		     "No such file or directory");
	expect_error("no such name", "no such name", 0, 0, "", "not a profile name");
	expect_error("sim800-nope", BUNDLED_DIR "/sim800-nope.yaml", 0, 0, "", "cannot open");
	expect_error(FIXTURES, FIXTURES, 0, 0, "", "is not a regular file");
}

static void test_error_limits(void **state)
{
	(void)state;
	struct tmpdir t;
	tmp_make(&t);

	/* Files over 1 MiB are refused before parsing. */
	size_t big = 1024 * 1024 + 1;
	char *buf = malloc(big);
	assert_non_null(buf);
	memset(buf, '#', big);
	buf[big - 1] = '\n';
	const char *f = tmp_write(&t, "big.yaml", buf, big);
	expect_error(f, f, 0, 0, "", "larger than 1 MiB");

	/* Strings: 4096 bytes pass, 4097 fail. */
	size_t n = (size_t)snprintf(buf, big, "name: ");
	memset(buf + n, 'a', 4096);
	n += 4096;
	n += (size_t)snprintf(buf + n, big - n, "\n%s", minimal_identity);
	f = tmp_write(&t, "s4096.yaml", buf, n);
	struct profile *p = load_ok(f);
	assert_int_equal(strlen(p->name), 4096);
	profile_free(p);
	n = (size_t)snprintf(buf, big, "name: ");
	memset(buf + n, 'a', 4097);
	n += 4097;
	f = tmp_write(&t, "s4097.yaml", buf, n);
	expect_error(f, f, 1, 7, "name", "string longer than 4096 bytes");

	/* Sequences: the 4097th item fails, with its index in the path. */
	n = (size_t)snprintf(buf, big, "name: x\nidentity:\n  gsv: [");
	for (int i = 0; i < 4097; i++)
		n += (size_t)snprintf(buf + n, big - n, "%sa", i ? "," : "");
	n += (size_t)snprintf(buf + n, big - n, "]\n");
	f = tmp_write(&t, "seq.yaml", buf, n);
	expect_error(f, f, 3, 9 + 2 * 4096, "identity.gsv[4096]", "more than 4096 items");

	/* Nesting deeper than 32 levels. */
	n = (size_t)snprintf(buf, big, "name: ");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '\n';
	f = tmp_write(&t, "deep.yaml", buf, n);
	expect_error(f, f, 1, 38,
		     "name[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		     "[0][0][0][0][0][0][0][0][0][0][0]",
		     "nested deeper than 32 levels");
	free(buf);

	/* One document per file; comments alone are an empty file. */
	expect_text_error(&t, "two.yaml", "name: a\n---\nname: b\n", 2, 1, "",
			  "more than one YAML document");
	expect_text_error(&t, "comments.yaml", "# nothing here\n# at all\n", 1, 1, "",
			  "empty file");
	expect_text_error(&t, "nul.yaml", "name: \"a\\0b\"\n", 1, 7, "name",
			  "NUL character in a string");
	tmp_clean(&t);
}

static void test_error_values(void **state)
{
	(void)state;
	struct tmpdir t;
	tmp_make(&t);
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
		snprintf(text, sizeof(text), "name: v\n%s%s\n", minimal_identity, cases[i].yaml);
		const char *f = tmp_write_str(&t, name, text);
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
	tmp_clean(&t);
}

static void test_null_means_default(void **state)
{
	(void)state;
	struct tmpdir t;
	tmp_make(&t);
	char text[1024];
	snprintf(text, sizeof(text),
		 "name: parent\n%snetwork: {pin: \"1234\", operator: X}\ndefaults: {cmee: 2}\n",
		 minimal_identity);
	tmp_write_str(&t, "parent.yaml", text);
	/* A null in the child resets an inherited value to the default. */
	const char *f = tmp_write_str(&t, "child.yaml",
				      "name: child\nextends: parent.yaml\n"
				      "network: {pin: ~, operator: null}\n"
				      "defaults: {cmee: }\n");
	struct profile *p = load_ok(f);
	assert_null(p->sim_pin);
	assert_string_equal(p->operator_name, "SIM800-SIM");
	assert_int_equal(p->cmee, 0); /* the child's null wins the merge, then means the default */
	profile_free(p);
	tmp_clean(&t);
}

/* ---- queries ----------------------------------------------------------------------------- */

static void test_delay_for_specificity(void **state)
{
	(void)state;
	struct profile *p = load_ok(FIXTURES "good-child.yaml");
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
	struct profile *p = load_ok(FIXTURES "good-parent.yaml");
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
	struct profile *p = load_ok(FIXTURES "good-parent.yaml");
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
	struct tmpdir t;
	tmp_make(&t);
	tmp_write_str(&t, "b.yaml", "");
	tmp_write_str(&t, "a.yaml", "");
	tmp_write_str(&t, "c.yml", "");
	tmp_write_str(&t, ".hidden.yaml", "");
	tmp_write_str(&t, "notes.txt", "");
	int n = 0;
	assert_int_equal(profile_yaml_list(t.path, count_cb, &n), 2);
	assert_int_equal(n, 2);
	assert_int_equal(profile_yaml_list(t.path, NULL, NULL), 2);
	tmp_clean(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_all_load),
		cmocka_unit_test(test_bundled_r1308),
		cmocka_unit_test(test_bundled_r1418),
		cmocka_unit_test(test_bundled_variants),
		cmocka_unit_test(test_bundled_dir_env),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_extends_override_and_merge),
		cmocka_unit_test(test_extends_cycle),
		cmocka_unit_test(test_extends_depth),
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
		cmocka_unit_test(test_delay_for_specificity),
		cmocka_unit_test(test_replay_find_case_rules),
		cmocka_unit_test(test_net_at),
		cmocka_unit_test(test_tls_name_and_format),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
