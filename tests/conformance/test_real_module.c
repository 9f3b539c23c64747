/* test_real_module.c - sim800-conformance --device: the module is probed, and its answers choose the cases. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

/* sim800-fixtures on fixed ports, as on a public host (ports base..base+10); its pid, or -1. */
static pid_t fixtures_at(int base)
{
	char arg[16];
	snprintf(arg, sizeof arg, "%d", base);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		close(p[0]);
		execl(SIM800_BIN_DIR "/sim800-fixtures", "sim800-fixtures", "--port-base", arg,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[512] = "";
	size_t n = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	while (n + 1 < sizeof line && poll(&pf, 1, 10000) == 1 && read(p[0], line + n, 1) == 1 &&
	       line[n] != '\n')
		n++;
	close(p[0]);
	if (strncmp(line, "ready ", 6)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* --fixtures: the servers are elsewhere, so what they received comes from their records
 * service. Real evidence, both ways: a request the driver made is found, one it only claimed
 * is not, and plaintext sent instead of TLS is caught, as on simulated modules. */
static void remote_fixtures_are_read(void **state)
{
	(void)state;
	pid_t fx = -1;
	int base = 0;
	for (int i = 0; i < 8 && fx < 0; i++) {
		base = 20000 + (int)((getpid() * 11 + i * 997) % 30000);
		fx = fixtures_at(base);
	}
	assert_true(fx > 0);
	char url[64], out[65536];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", base);
	const char *target = module.path[0];
	char name[128];
	snprintf(name, sizeof name, "%s (SIM800 R13.08)", target);
	/* The bundled driver really fetches. */
	const char *const a[] = {"--cases", T "/module-cases", "--device", target, "--fixtures", url,
				 "--case", "remote-*", "--json", json, NULL};
	int rc = cf_test_runner(a, out, sizeof out);
	if (rc != 0)
		fail_msg("bundled driver, exit %d: %s", rc, out);
	/* An adapter that only says it did is caught. */
	const char *const b[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", target, "--fixtures", url, "--case", "remote-received",
				 "--json", json, NULL};
	assert_int_equal(cf_test_runner(b, out, sizeof out), 1);
	json_t *r = json_load_file(json, 0, NULL);
	verdict(r, name, "remote-received", "fail", "the fixture server did not receive it");
	json_decref(r);
	/* Plaintext instead of TLS reaches the remote http server: caught. */
	const char *const c[] = {"--cases", T "/module-cases", "--adapter", T "/broken-plaintext",
				 "--device", target, "--fixtures", url, "--case",
				 "remote-never-plaintext", "--json", json, NULL};
	assert_int_equal(cf_test_runner(c, out, sizeof out), 1);
	r = json_load_file(json, 0, NULL);
	verdict(r, name, "remote-never-plaintext", "fail",
		"the http server received a request it must never get");
	json_decref(r);
	kill(fx, SIGTERM);
	waitpid(fx, NULL, 0);
	/* No records service there: the check fails and says why, it does not pass unseen. */
	const char *const d[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", target, "--fixtures", url, "--case", "remote-received",
				 "--json", json, NULL};
	assert_int_equal(cf_test_runner(d, out, sizeof out), 1);
	r = json_load_file(json, 0, NULL);
	verdict(r, name, "remote-received", "fail", "cannot tell what the fixture server received: "
		"fixture records: unreadable when the case started");
	json_decref(r);
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
		cmocka_unit_test(remote_fixtures_are_read),
		cmocka_unit_test(real_module_key_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
