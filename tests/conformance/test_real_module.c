/* test_real_module.c - sim800-conformance --device: the module is probed, and its answers choose the cases. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cf_testutil.h"
#include "simproc.h"

#define T SIM800_SOURCE_DIR "/tests/conformance"

static char json[64];

/* A simulated R13.08 on a pty is the "real" module: the runner only sees a serial device. */
static struct simproc module;

static const json_t *verdict(const json_t *r, const char *target, const char *id,
			     const char *want, const char *message_part)
{
	const json_t *c = cf_test_result(r, target, id);
	if (!c)
		fail_msg("%s: no result on %s", id, target);
	const char *v = json_string_value(json_object_get(c, "verdict"));
	const char *m = json_string_value(json_object_get(c, "message"));
	if (strcmp(v, want))
		fail_msg("%s: %s (%s), expected %s", id, v, m ? m : "", want);
	if (message_part && (!m || !strstr(m, message_part)))
		fail_msg("%s: message \"%s\" lacks \"%s\"", id, m ? m : "", message_part);
	return c;
}

/* Identified read-only first: the probe's answers name the target, choose the expectations
 * (no_ssl), decide the pinned cases and are what the identity checks compare with. */
static void probed_module_chooses_cases(void **state)
{
	(void)state;
	char out[65536], target[128];
	const char *const a[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", module.path[0], "--json", json, NULL};
	assert_int_equal(cf_test_runner(a, out, sizeof out), 1); /* the two wrong identities */
	assert_non_null(strstr(out, "identifying the module on "));
	assert_non_null(strstr(out, ": SIM800 R13.08 (Revision:1308B08SIM800L16), no TLS in the "
				    "module, registered\n"));
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	snprintf(target, sizeof target, "%s (SIM800 R13.08)", module.path[0]);
	const json_t *t = json_array_get(json_object_get(r, "targets"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "target")), target);
	assert_true(json_is_true(json_object_get(t, "real")));
	const json_t *fw = json_object_get(t, "firmware");
	assert_string_equal(json_string_value(json_object_get(fw, "ati")), "SIM800 R13.08");
	assert_string_equal(json_string_value(json_object_get(fw, "revision")),
			    "Revision:1308B08SIM800L16");
	assert_true(json_is_false(json_object_get(fw, "ssl")));
	verdict(r, target, "pinned-any", "pass", NULL);
	verdict(r, target, "pinned-no-ssl", "pass", NULL);
	verdict(r, target, "pinned-ssl", "skip",
		"only on sim800-r14.18, or on a real module that answers AT+CIPSSL=? (TLS in the "
		"module): this one does not");
	verdict(r, target, "pinned-state", "skip",
		"only on sim800-roaming: it needs that simulated firmware or module state");
	verdict(r, target, "expect-by-capability", "pass", NULL);
	verdict(r, target, "identity-right", "pass", NULL);
	verdict(r, target, "version-wrong", "fail",
		"reported version 14.18, the module's ATI says SIM800 R13.08");
	verdict(r, target, "revision-wrong", "fail",
		"reported revision Revision:1418B05SIM800L24, the module says "
		"Revision:1308B08SIM800L16");
	json_decref(r);
}

/* --no-probe: nothing is asked first, so only what needs no knowledge of the module runs. */
static void unprobed_module_runs_what_it_can(void **state)
{
	(void)state;
	char out[65536];
	const char *const a[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", module.path[0], "--no-probe", "--json", json, NULL};
	assert_int_equal(cf_test_runner(a, out, sizeof out), 1);
	assert_null(strstr(out, "identifying"));
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	const json_t *t = json_array_get(json_object_get(r, "targets"), 0);
	assert_null(json_object_get(t, "firmware"));
	const char *target = module.path[0];
	verdict(r, target, "pinned-any", "pass", NULL);
	verdict(r, target, "pinned-no-ssl", "skip", "this one was not identified (--no-probe)");
	verdict(r, target, "pinned-state", "skip", "only on sim800-roaming");
	/* The default expectation: the capability is unknown. */
	verdict(r, target, "expect-by-capability", "fail", NULL);
	json_decref(r);
}

/* No module there: a clear runtime error before any case, and the way around it. */
static void unidentified_module_is_an_error(void **state)
{
	(void)state;
	char out[8192];
	const char *const argv[] = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1",
				    SIM800_BIN_DIR "/sim800-conformance", "--cases", T "/module-cases",
				    "--adapter", T "/scripted", "--device", "/nonexistent/ttyUSB9",
				    NULL};
	assert_int_equal(cf_test_exec(argv, out, sizeof out, 60), 3);
	assert_non_null(strstr(out, "cannot identify the module on /nonexistent/ttyUSB9: "
				    "sim800-probe: /nonexistent/ttyUSB9: "));
	assert_non_null(strstr(out, "--no-probe runs the cases without it"));
	assert_null(strstr(out, "pinned-any"));
	/* --no-probe without --device is a usage error. */
	const char *const b[] = {"--no-probe", NULL};
	assert_int_equal(cf_test_runner(b, out, sizeof out), 2);
}

/* real_module is checked at load: only with profile, and only a known property. */
static void real_module_key_checked(void **state)
{
	(void)state;
	char dir[] = "/tmp/sim800-cf-rm-XXXXXX", path[64], out[4096];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/x.yaml", dir);
	const char *const bodies[] = {
		"    profile: sim800-r14.18\n    real_module: tls\n",
		"    real_module: any\n",
	};
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "cases:\n  - id: x\n    title: x\n    group: id\n%s    request: {action: "
			   "info}\n    expect:\n      default: [{check: ok}]\n", bodies[i]);
		fclose(f);
		const char *const argv[] = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1",
					    SIM800_BIN_DIR "/sim800-conformance", "--cases", dir,
					    "--list", NULL};
		assert_int_equal(cf_test_exec(argv, out, sizeof out, 30), 2);
		assert_non_null(strstr(out, i == 0 ? "real_module: any, ssl, no_ssl, autobaud or roaming"
						   : "real_module goes with profile"));
	}
	unlink(path);
	rmdir(dir);
}

static int setup(void **state)
{
	(void)state;
	snprintf(json, sizeof json, "/tmp/sim800-rm-%ld.json", (long)getpid());
	const char *const argv[] = {"--profile", "sim800-r13.08", "--time-scale", "0",
				    "--power-on", "start", NULL};
	return simproc_start(&module, 1, argv) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(json);
	simproc_stop(&module);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probed_module_chooses_cases),
		cmocka_unit_test(unprobed_module_runs_what_it_can),
		cmocka_unit_test(unidentified_module_is_an_error),
		cmocka_unit_test(real_module_key_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
