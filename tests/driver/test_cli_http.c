/* test_cli_http.c - the sim800 CLI's http and ppp commands and the transport policy table. */
#include "cli_rig.h"

/* GET a pattern body: the hash the CLI reports equals the hash of the known pattern. */
static void test_http_get_plain(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "http", "get", "http://web.test/bytes/5000", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
	assert_int_equal(cli_rig_jint(o.j, "http", "received"), 5000);
	static const char pat[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char body[5000], hex[65];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = pat[i % 62];
	cli_rig_sha_hex(body, sizeof body, hex);
	assert_string_equal(cli_rig_jstr(o.j, "http.sha256"), hex);
	assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "module-plain");
	json_t *rec = fxproc_records(&r->fx, "http", "request");
	assert_true(json_array_size(rec) >= 1);
	json_decref(rec);
	json_decref(o.j);
}

/* POST: the fixture logs the body it received; same hash as what we sent and got back. */
static void test_http_post_plain(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	uint8_t data[3000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3); /* binary: CR, LF, NUL, 0x1a, >= 0x80 */
	char path[160], at[170], hex[65];
	cli_rig_data_file(r, "post.bin", data, sizeof data, path, at, hex);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "http", "post", "http://web.test/echo",
				    "--data", at, "--content-type", "application/octet-stream", NULL});
	unlink(path);
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
	assert_string_equal(cli_rig_jstr(o.j, "http.sha256"), hex);
	json_t *rec = fxproc_records(&r->fx, "http", "request");
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(last, "body_sha256")), hex);
	json_decref(rec);
	json_decref(o.j);
}

/* The policy table, one row per profile x scheme x policy. */
static void test_policy_http_plain_refused(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	const char *pols[] = {"secure", "module-tls-ok"};
	for (int i = 0; i < 2; i++) {
		struct cli_rig_result o;
		cli_rig_run(r, &o, (const char *[]){"--policy", pols[i], "http", "get", "http://web.test/", NULL});
		EXPECT_RC(&o, 5);
		assert_string_equal(cli_rig_jstr(o.j, "error.code"), "POLICY");
		assert_null(strstr(o.wire, "AT+HTTPACTION"));
		json_decref(o.j);
	}
}

/* https + secure: PPP with host TLS (1.2+, certificate checked), never the module's TLS. */
static void test_policy_https_secure(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	size_t before = cli_rig_count(&r->fx, "https-modern");
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "secure", "http", "get", "https://modern.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	assert_null(strstr(o.wire, "AT+HTTPSSL=1"));
	assert_null(strstr(o.wire, "AT+HTTPACTION"));
	assert_null(strstr(o.wire, "AT+CIPSTART"));
	bool ppp = json_is_true(json_object_get(json_object_get(o.j, "capabilities"), "ppp"));
	if (!ppp) {
		EXPECT_RC(&o, 5);
		assert_string_equal(cli_rig_jstr(o.j, "error.code"), "POLICY");
		assert_int_equal(cli_rig_count(&r->fx, "https-modern"), before);
		json_decref(o.j);
		return;
	}
	assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
	assert_non_null(strstr(o.wire, "TX ATD*99***1#"));
	if (r->cafile[0]) {
		EXPECT_RC(&o, 0);
		assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
		assert_false(json_is_true(json_object_get(json_object_get(o.j, "http"), "module_tls")));
		assert_int_equal(cli_rig_count(&r->fx, "https-modern"), before + 1);
	}
	json_decref(o.j);
	/* The TLS 1.0-only server: the host refuses TLS 1.0, and secure never falls back to the
	 * module or to plaintext. */
	before = cli_rig_count(&r->fx, "https-legacy");
	cli_rig_run(r, &o, (const char *[]){"--policy", "secure", "http", "get", "https://legacy.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "TLS_HANDSHAKE");
	assert_null(strstr(o.wire, "AT+HTTPACTION"));
	assert_int_equal(cli_rig_count(&r->fx, "https-legacy"), before);
	json_decref(o.j);
	/* Without the CA the certificate is not trusted: refused, not ignored. */
	cli_rig_run(r, &o, (const char *[]){"ppp", "https://modern.test/", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "TLS_HANDSHAKE");
	assert_non_null(strstr(cli_rig_jstr(o.j, "error.detail"), "certificate verify failed"));
	json_decref(o.j);
}

static void test_policy_https_module_tls(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	bool r14 = strstr(r->profile, "14.18") != NULL;
	size_t before = cli_rig_count(&r->fx, "https-legacy");
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get", "https://legacy.test/", NULL});
	if (r14) {
		/* R14.18 speaks TLS 1.0: the legacy server answers through the module's TLS, with
		 * the warning. */
		EXPECT_RC(&o, 0);
		assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "module-tls");
		assert_true(json_is_true(json_object_get(json_object_get(o.j, "http"), "module_tls")));
		assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
		assert_true(json_array_size(json_object_get(o.j, "warnings")) >= 1);
		assert_int_equal(cli_rig_count(&r->fx, "https-legacy"), before + 1);
	} else {
		/* R13.08: the probe said ERROR: never module TLS, never plaintext; PPP with host
		 * TLS when the host has it (host TLS refuses the TLS 1.0 server), else a fast
		 * "TLS unsupported". */
		assert_null(strstr(o.wire, "AT+HTTPACTION"));
		assert_null(strstr(o.wire, "AT+HTTPSSL=1"));
		assert_int_equal(cli_rig_count(&r->fx, "https-legacy"), before);
		if (o.rc == 5) {
			assert_string_equal(cli_rig_jstr(o.j, "error.code"), "TLS_UNSUPPORTED");
		} else {
			assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
			assert_string_equal(cli_rig_jstr(o.j, "error.code"), "TLS_HANDSHAKE");
		}
		json_decref(o.j);
		if (!r->cafile[0])
			return;
		cli_rig_run(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get",
					    "https://modern.test/", "--cafile", r->cafile, NULL});
		if (o.rc != 5) {
			EXPECT_RC(&o, 0);
			assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
			assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
		}
	}
	json_decref(o.j);
}

static void test_policy_https_modern_module_tls(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get", "https://modern.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	if (!strstr(r->profile, "14.18")) {
		/* No module SSL on this firmware: never tried; PPP with host TLS reaches the server. */
		char *tried = json_dumps(json_object_get(json_object_get(o.j, "transport"), "tried"),
					 JSON_COMPACT);
		assert_null(strstr(tried, "module-tls"));
		free(tried);
		EXPECT_RC(&o, 0);
		assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
		assert_null(strstr(o.wire, "HTTPSSL=1"));
		json_decref(o.j);
		return;
	}
	/* TLS 1.2-only server: a distinct TLS error (605/606), or the PPP fallback after it. */
	json_t *tried = json_object_get(json_object_get(o.j, "transport"), "tried");
	assert_string_equal(json_string_value(json_array_get(tried, 0)), "module-tls");
	if (o.rc == 0) {
		assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
		assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
		/* The fallback is logged as a warning naming the module's answer. */
		bool seen = false;
		json_t *w = json_object_get(o.j, "warnings");
		for (size_t i = 0; i < json_array_size(w); i++)
			if (strstr(json_string_value(json_array_get(w, i)), "falling back"))
				seen = true;
		assert_true(seen);
	} else {
		EXPECT_RC(&o, 6);
		assert_string_equal(cli_rig_jstr(o.j, "error.code"), "TLS_HANDSHAKE");
		const char *mod = cli_rig_jstr(o.j, "error.module");
		assert_non_null(mod);
		assert_true(strstr(mod, ",605,") || strstr(mod, ",606,"));
	}
	json_decref(o.j);
}

/* ppp URL: dial, PPP, host TLS with the certificate checked, POST body at the server. */
static void test_ppp(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	assert_true(r->cafile[0]); /* made by fx_start_certs with the openssl tool */
	size_t before = cli_rig_count(&r->fx, "https-modern");
	cli_rig_run(r, &o, (const char *[]){"ppp", "https://modern.test/echo", "--data", "over ppp",
				    "--cafile", r->cafile, NULL});
	EXPECT_RC(&o, 0); /* the lwIP PPP client is built in: PPP is always available */
	assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "ppp-host-tls");
	assert_int_equal(cli_rig_jint(o.j, "http", "status"), 200);
	char hex[65];
	cli_rig_sha_hex("over ppp", 8, hex);
	assert_string_equal(cli_rig_jstr(o.j, "http.sha256"), hex);
	json_t *rec = fxproc_records(&r->fx, "https-modern", "request");
	assert_int_equal(json_array_size(rec), before + 1);
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "body_sha256")), hex);
	json_decref(rec);
	/* Hung up and back in command mode: the next command works. */
	const char *ath = strstr(o.wire, "TX ATH");
	assert_non_null(ath);
	json_decref(o.j);
	cli_rig_run(r, &o, (const char *[]){"at", "AT+CSQ", NULL});
	EXPECT_RC(&o, 0);
	json_decref(o.j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_get_plain),
		cmocka_unit_test(test_http_post_plain),
		cmocka_unit_test(test_policy_http_plain_refused),
		cmocka_unit_test(test_policy_https_secure),
		cmocka_unit_test(test_policy_https_module_tls),
		cmocka_unit_test(test_policy_https_modern_module_tls),
		cmocka_unit_test(test_ppp),
	};
	return cli_rig_run_tests(tests, sizeof tests / sizeof tests[0]);
}
