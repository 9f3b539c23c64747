/* test_runner.c - sim800-conformance itself: broken drivers fail their cases, reports are written. */
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define T SIM800_SOURCE_DIR "/tests/conformance"

static char dir[64];

/* Run the runner with args; returns its exit status; stdout into out. */
static int runner(const char *const *args, char *out, size_t cap, double *secs)
{
	const char *argv[40];
	size_t n = 0;
	argv[n++] = SIM800_BIN_DIR "/sim800-conformance";
	argv[n++] = "--cases";
	argv[n++] = T "/cases";
	for (size_t i = 0; args[i] && n < 38; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		close(p[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	for (;;) {
		ssize_t r = read(p[0], out + len, cap - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	out[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (secs)
		*secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const json_t *case_result(json_t *report, const char *id)
{
	size_t i, k;
	json_t *t, *c;
	json_array_foreach(json_object_get(report, "targets"), i, t)
		json_array_foreach(json_object_get(t, "cases"), k, c)
			if (!strcmp(json_string_value(json_object_get(c, "id")), id))
				return c;
	return NULL;
}

static void plaintext_driver_is_caught(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/plain.json", dir);
	const char *const a[] = {"--adapter", T "/broken-plaintext", "--profile", "sim800-r14.18",
				 "--case", "https-never-plaintext", "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 1);
	json_t *r = json_load_file(json, 0, NULL);
	const json_t *c = case_result(r, "https-never-plaintext");
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "fail");
	assert_non_null(strstr(json_string_value(json_object_get(c, "message")), "must never get"));
	json_decref(r);
	/* The bundled driver passes the same case. */
	const char *const b[] = {"--profile", "sim800-r14.18", "--case", "https-never-plaintext", NULL};
	int rc = runner(b, out, sizeof out, NULL);
	if (rc != 0)
		fail_msg("bundled driver: %s", out);
}

static void urc_ignoring_driver_is_caught(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/urc.json", dir);
	const char *const a[] = {"--adapter", T "/broken-urc", "--profile", T "/profiles/slow-creg.yaml",
				 "--time-scale", "1", "--case", "urc-not-an-answer", "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 1);
	json_t *r = json_load_file(json, 0, NULL);
	const json_t *c = case_result(r, "urc-not-an-answer");
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "fail");
	assert_non_null(strstr(json_string_value(json_object_get(c, "message")), "status.registered"));
	json_decref(r);
	const char *const b[] = {"--profile", T "/profiles/slow-creg.yaml", "--time-scale", "1",
				 "--case", "urc-not-an-answer", NULL};
	int rc = runner(b, out, sizeof out, NULL);
	if (rc != 0)
		fail_msg("bundled driver: %s", out);
}

static void hanging_driver_is_killed(void **state)
{
	(void)state;
	char out[65536], junit[128], html[128];
	snprintf(junit, sizeof junit, "%s/hang.xml", dir);
	snprintf(html, sizeof html, "%s/hang.html", dir);
	double secs;
	const char *const a[] = {"--adapter", T "/broken-hang", "--profile", "sim800-r13.08",
				 "--profile", "sim800-r14.18", "--case", "hangs", "--junit", junit,
				 "--html", html, NULL};
	assert_int_equal(runner(a, out, sizeof out, &secs), 1);
	assert_non_null(strstr(out, "did not finish within 2 s and was killed"));
	assert_true(secs < 30);
	/* JUnit: one testsuite per driver x profile, the failure with its message. */
	FILE *f = fopen(junit, "r");
	assert_non_null(f);
	char x[16384];
	size_t n = fread(x, 1, sizeof x - 1, f);
	fclose(f);
	x[n] = '\0';
	assert_non_null(strstr(x, "<testsuite name=\"" T "/broken-hang x sim800-r13.08\" tests=\"1\" failures=\"1\""));
	assert_non_null(strstr(x, "<testsuite name=\"" T "/broken-hang x sim800-r14.18\""));
	assert_non_null(strstr(x, "<failure message=\"the adapter did not finish"));
	/* HTML: the matrix with a failing cell per target. */
	f = fopen(html, "r");
	assert_non_null(f);
	n = fread(x, 1, sizeof x - 1, f);
	fclose(f);
	x[n] = '\0';
	assert_non_null(strstr(x, "<table id=\"matrix\">"));
	assert_non_null(strstr(x, "<td class=\"fail\""));
	unlink(junit);
	unlink(html);
}

static void usage_and_listing(void **state)
{
	(void)state;
	char out[65536];
	const char *const a[] = {"--list", NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 0);
	assert_non_null(strstr(out, "https-never-plaintext"));
	const char *const b[] = {"--bogus", NULL};
	assert_int_equal(runner(b, out, sizeof out, NULL), 2);
	const char *const c[] = {"--case", "nothing-matches-*", NULL};
	assert_int_equal(runner(c, out, sizeof out, NULL), 2);
	const char *const d[] = {"--device", "/dev/null", "--profile", "x", NULL};
	assert_int_equal(runner(d, out, sizeof out, NULL), 2);
}

/* The verdict and message of case id; message must contain want_msg (NULL: anything). */
static void expect_verdict(json_t *report, const char *id, const char *verdict, const char *want_msg)
{
	const json_t *c = case_result(report, id);
	if (!c)
		fail_msg("%s: not in the report", id);
	const char *v = json_string_value(json_object_get(c, "verdict"));
	const char *m = json_string_value(json_object_get(c, "message"));
	if (strcmp(v, verdict) || (want_msg && (!m || !strstr(m, want_msg))))
		fail_msg("%s: %s (%s), expected %s (%s)", id, v, m ? m : "", verdict,
			 want_msg ? want_msg : "");
}

/* any_of, injected, wire and fixture_received with pattern_length on outcomes the scripted adapter
 * reports (cases/checks.yaml); the request carries the time scale. */
static void check_kinds(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/checks.json", dir);
	const char *const a[] = {"--adapter", T "/scripted", "--profile", "sim800-r14.18",
				 "--time-scale", "0.5", "--case", "any-of-*", "--case", "injected-*",
				 "--case", "pattern-*", "--case", "field-*", "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 1);
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "any-of-second-holds", "pass", NULL);
	expect_verdict(r, "any-of-none-holds", "fail",
		       "any_of: none holds: (1) ok: the driver reported failure: silence (module: "
		       "(none)); (2) fails: error code TIMEOUT, expected one of [\"RESET\"]");
	expect_verdict(r, "injected-seen", "pass", NULL);
	expect_verdict(r, "injected-never", "fail",
		       "injected: the simulator never applied the case's reset event");
	expect_verdict(r, "pattern-claimed-not-sent", "fail",
		       "fixture_received: the fixture server did not receive it");
	expect_verdict(r, "field-array-index", "pass", NULL);
	expect_verdict(r, "field-bounds", "fail",
		       "(1) field: timing.max_wait_ms is 1000, expected at most 999; (2) field: "
		       "timing.nothing is missing, expected at least 0");
	json_decref(r);
	unlink(json);
}

/* The sent checks read the lines the (scripted) adapter wrote to the simulator. */
static void sent_check_kinds(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/wire.json", dir);
	const char *const a[] = {"--adapter", T "/scripted", "--profile", "sim800-r14.18",
				 "--case", "sent-*", "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 1);
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "sent-lines-hold", "pass", NULL);
	expect_verdict(r, "sent-order-broken", "fail",
		       "sent: the driver never sent AT+CIPSHUT after the lines before it in the list");
	expect_verdict(r, "sent-before-broken", "fail",
		       "sent_before: the driver sent AT+CIPSTART=1 before AT+CIPSHUT");
	expect_verdict(r, "sent-count-broken", "fail",
		       "(1) sent_count: the driver sent AT 3 times, at most 2 expected; (2) sent: the "
		       "simulator never noted \"injected: reset\"");
	json_decref(r);
	unlink(json);
}

/* identity_matches_profile, wire_count and wire_next, and needs: [pins] (field-bugs.md urc-dst-taken-as-imsi,
 * ppp-escape-guard-time, urc-late-final-shifts-responses) on scripted outcomes and the
 * simulator's transcript of scenario URCs. */
static void wire_check_kinds(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/wire.json", dir);
	const char *const a[] = {"--adapter", T "/scripted", "--profile", "sim800-r14.18",
				 "--case", "identity-*", "--case", "wire-*", "--case", "pins-*",
				 "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 1);
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "identity-matches", "pass", NULL);
	expect_verdict(r, "identity-urc-as-imsi", "fail",
		       "reported IMSI DST: 1, the module says 234150000000000");
	expect_verdict(r, "wire-count-holds", "pass", NULL);
	expect_verdict(r, "wire-count-too-many", "fail",
		       "wire_count: 2 matching records on the wire, expected 0..1");
	expect_verdict(r, "wire-next-holds", "pass", NULL);
	expect_verdict(r, "wire-next-other", "fail",
		       "wire_next: the next note record is \"injected: urc after");
	expect_verdict(r, "pins-skipped", "skip", "RI/DTR lines");
	expect_verdict(r, "wire-at-most-once", "fail",
		       "wire: +CIPCLOSE 2 times after ERROR, expected at most 1");
	expect_verdict(r, "wire-after-never", "fail",
		       "wire: the wire never had SEND FAIL: the case's fault did not happen");
	json_decref(r);
	unlink(json);
}

/* On a real module one case runs at a time, and what needs injection or servers is skipped
 * with the reason. */
static void device_skips_with_reasons(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/device.json", dir);
	const char *const a[] = {"--adapter", T "/scripted", "--device", "/dev/null", "--no-probe", "--no-proxy",
				 "--case", "any-of-second-holds", "--case", "injected-seen",
				 "--case", "pattern-claimed-not-sent", "--json", json, NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 0);
	assert_non_null(strstr(out, "3 cases, 1 at a time"));
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "any-of-second-holds", "pass", NULL);
	expect_verdict(r, "injected-seen", "skip", "needs fault injection");
	expect_verdict(r, "pattern-claimed-not-sent", "skip", "give --fixtures URL");
	json_decref(r);
	/* The bundled recovery, 1 MB and re-dial cases the same way. */
	const char *const b[] = {"--cases", SIM800_SOURCE_DIR "/conformance/cases", "--adapter",
				 T "/scripted", "--device", "/dev/null", "--no-probe", "--no-proxy", "--case", "rec-reset-mid-tcp",
				 "--case", "tcp-1mb-integrity", "--case", "ppp-redial-after-hangup",
				 "--case", "boot-cfun0-cpin-not-ready-before-ok", "--json", json, NULL};
	assert_int_equal(runner(b, out, sizeof out, NULL), 0);
	r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "rec-reset-mid-tcp", "skip", "needs fault injection");
	expect_verdict(r, "tcp-1mb-integrity", "skip", "give --fixtures URL");
	/* Pinned to one simulated profile (ten sessions cost 40 s) but for any firmware: a real
	 * module runs it, given servers it can reach. */
	expect_verdict(r, "ppp-redial-after-hangup", "skip", "give --fixtures URL");
	/* Pinned because a real module's SIM may lag behind CFUN=1: never on a device. */
	expect_verdict(r, "boot-cfun0-cpin-not-ready-before-ok", "skip",
		       "only on sim800-r14.18: it needs that simulated firmware or module state");
	json_decref(r);
	unlink(json);
}

/* Many cases at once, each with servers of its own: a plaintext GET running next to the
 * cases that check no plaintext arrives is never counted for them, and 1 MB through the
 * bundled driver is hashed at the server. */
static void parallel_cases_keep_their_evidence(void **state)
{
	(void)state;
	char out[65536], json[128];
	snprintf(json, sizeof json, "%s/parallel.json", dir);
	const char *const a[] = {"--cases", SIM800_SOURCE_DIR "/conformance/cases",
				 "--profile", "sim800-r14.18", "--profile", "sim800-r13.08",
				 "--profile", "sim800-roaming", "--case", "http-get-plain",
				 "--case", "http-post-body", "--case", "ssl-tls10-only-modern-server",
				 "--case", "https-secure-policy-never-module-ssl",
				 "--case", "tcp-1mb-integrity", "--jobs", "12", "--json", json, NULL};
	int rc = runner(a, out, sizeof out, NULL);
	if (rc != 0)
		fail_msg("exit %d: %s", rc, out);
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	expect_verdict(r, "tcp-1mb-integrity", "pass", NULL);
	json_decref(r);
	unlink(json);
}

/* A check list naming an unknown check, even inside any_of, is refused at load. */
static void unknown_nested_check_refused(void **state)
{
	(void)state;
	char cases[128], path[192], out[65536];
	snprintf(cases, sizeof cases, "%s/bad", dir);
	assert_int_equal(mkdir(cases, 0755), 0);
	snprintf(path, sizeof path, "%s/bad.yaml", cases);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("cases:\n  - id: x\n    title: x\n    group: err\n    request: {action: status}\n"
	      "    expect:\n      default:\n        - check: any_of\n          of:\n"
	      "            - [{check: ok}]\n            - [{check: okk}]\n", f);
	fclose(f);
	const char *const a[] = {"--cases", cases, "--list", NULL};
	assert_int_equal(runner(a, out, sizeof out, NULL), 2);
	unlink(path);
	rmdir(cases);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sim800-cf-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	snprintf(p, sizeof p, "%s/plain.json", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/urc.json", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_and_listing),
		cmocka_unit_test(hanging_driver_is_killed),
		cmocka_unit_test(urc_ignoring_driver_is_caught),
		cmocka_unit_test(plaintext_driver_is_caught),
		cmocka_unit_test(check_kinds),
		cmocka_unit_test(sent_check_kinds),
		cmocka_unit_test(wire_check_kinds),
		cmocka_unit_test(device_skips_with_reasons),
		cmocka_unit_test(parallel_cases_keep_their_evidence),
		cmocka_unit_test(unknown_nested_check_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
