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
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cf.h"
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
	char html[80];
	snprintf(html, sizeof html, "%s.html", json);
	const char *const a[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", module.path[0], "--json", json, "--html", html, NULL};
	assert_int_equal(cf_test_runner(a, out, sizeof out), 1); /* wrong identities, the wire */
	/* The report says what the module is, as the probe found it. */
	FILE *f = fopen(html, "r");
	assert_non_null(f);
	static char page[1 << 20];
	page[fread(page, 1, sizeof page - 1, f)] = '\0';
	fclose(f);
	unlink(html);
	assert_non_null(strstr(page, "<td>SIM800 R13.08, Revision:1308B08SIM800L16, no TLS in the "
				     "module</td>"));
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
	verdict(r, target, "revision-only", "pass", NULL);
	verdict(r, target, "expect-by-state", "pass", NULL);
	verdict(r, target, "version-wrong", "fail",
		"reported version 14.18, the module's ATI says SIM800 R13.08");
	verdict(r, target, "revision-wrong", "fail",
		"reported revision Revision:1418B05SIM800L24, the module says "
		"Revision:1308B08SIM800L16");
	/* The wire, through sim800-proxy: what was sent is judged, the simulator's notes are not
	 * there to judge. */
	verdict(r, target, "wire-sent", "pass", NULL);
	verdict(r, target, "wire-sent-too-often", "fail",
		"the driver sent AT+CSQ 1 times, at most 0 expected");
	verdict(r, target, "wire-notes-unseen", "pass", NULL);
	json_decref(r);
}

/* A module without a SIM: the state-keyed expectation applies, and a case pinned to a profile
 * with a network is skipped rather than failed for want of one. */
static void module_without_network(void **state)
{
	(void)state;
	const char *const argv[] = {"--profile", "sim800-no-sim", "--time-scale", "0",
				    "--power-on", "start", NULL};
	struct simproc nosim;
	assert_true(simproc_start(&nosim, 1, argv));
	char out[65536], target[128];
	const char *const a[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", nosim.path[0], "--case", "pinned-any", "--case",
				 "expect-by-state", "--json", json, NULL};
	int rc = cf_test_runner(a, out, sizeof out);
	simproc_stop(&nosim);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "TLS in the module, no SIM\n"));
	snprintf(target, sizeof target, "%s (SIM800 R14.18)", nosim.path[0]);
	json_t *r = json_load_file(json, 0, NULL);
	verdict(r, target, "pinned-any", "skip",
		"only on sim800-r14.18, or on a real module with a network: this one has none (no "
		"SIM ready)");
	verdict(r, target, "expect-by-state", "fail", NULL);
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
	verdict(r, target, "wire-sent-too-often", "fail", "at most 0 expected");
	json_decref(r);
	/* --no-proxy: the adapter gets the device itself; no wire, so the wire checks hold. */
	const char *const b[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", module.path[0], "--no-probe", "--no-proxy", "--case",
				 "wire-*", "--json", json, NULL};
	assert_int_equal(cf_test_runner(b, out, sizeof out), 0);
	r = json_load_file(json, 0, NULL);
	verdict(r, target, "wire-sent-too-often", "pass", NULL);
	json_decref(r);
	/* A device the proxy cannot open: the case fails and says why. */
	const char *const c[] = {"--cases", T "/module-cases", "--adapter", T "/scripted",
				 "--device", "/dev/null", "--no-probe", "--case", "pinned-any",
				 "--json", json, NULL};
	assert_int_equal(cf_test_runner(c, out, sizeof out), 1);
	r = json_load_file(json, 0, NULL);
	verdict(r, "/dev/null", "pinned-any", "fail",
		"sim800-proxy did not start on /dev/null: sim800-proxy: /dev/null: ");
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

/* The "cmd" records of a transcript, in order, as one JSON array of strings. */
static json_t *commands(const json_t *recs)
{
	json_t *out = json_array();
	size_t i;
	const json_t *r;
	json_array_foreach(recs, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "dir")), "cmd"))
			json_array_append(out, json_object_get(r, "data"));
	return out;
}

/* The one file under dir/<target>/ (the runner's --transcripts for a single case). */
static void only_transcript(const char *dir, char *path, size_t cap)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	char sub[512] = "";
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
	closedir(d);
	d = opendir(sub);
	assert_non_null(d);
	path[0] = '\0';
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(path, cap, "%s/%s", sub, e->d_name);
	closedir(d);
	assert_true(path[0] != '\0');
}

/*
 * Through sim800-proxy the runner sees a real module's wire as chunks; the command lines it
 * rebuilds from them (payloads after "> " and "DOWNLOAD", PPP data after CONNECT, echo on) are
 * the very lines the module parsed: here the module is a simulator, whose own transcript says
 * which those were.
 */
static void proxied_wire_is_the_modules(void **state)
{
	(void)state;
	static const char *const ids[] = {
		"tcp-echo", "tcp-1mb-integrity", "http-post-body", "ppp-dial-connect",
		"ppp-https-modern-through-host-tls", "ssl-client-auth-and-cert-upload",
		"boot-echo-on-default", "sms-send-before-registration",
	};
	pid_t fx = -1;
	int base = 0;
	for (int i = 0; i < 8 && fx < 0; i++) {
		base = 20000 + (int)((getpid() * 13 + i * 991) % 30000);
		fx = fixtures_at(base);
	}
	assert_true(fx > 0);
	char url[64], out[65536];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", base);
	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		char dir[] = "/tmp/sim800-rm-wire-XXXXXX", simwire[96], trs[96], got[700];
		assert_non_null(mkdtemp(dir));
		snprintf(simwire, sizeof simwire, "%s/sim.jsonl", dir);
		snprintf(trs, sizeof trs, "%s/tr", dir);
		const char *const argv[] = {"--profile", "sim800-r14.18", "--time-scale", "0",
					    "--power-on", "start", "--transcript", simwire, NULL};
		struct simproc sim;
		assert_true(simproc_start(&sim, 1, argv));
		const char *const a[] = {"--cases", SIM800_SOURCE_DIR "/conformance/cases",
					 "--device", sim.path[0], "--no-probe", "--fixtures", url,
					 "--case", ids[k], "--transcripts", trs, NULL};
		int rc = cf_test_runner(a, out, sizeof out);
		simproc_stop(&sim);
		if (rc != 0)
			fail_msg("%s through the proxy, exit %d: %s", ids[k], rc, out);
		json_t *mod = cf_jsonl_load(simwire, 0);
		only_transcript(trs, got, sizeof got);
		json_t *raw = cf_jsonl_load(got, 0);
		json_t *rebuilt = cf_wire_from_proxy(raw, NULL);
		json_t *want = commands(mod), *have = commands(rebuilt);
		assert_true(json_array_size(want) > 2);
		if (!json_equal(want, have)) {
			char *w = json_dumps(want, 0), *h = json_dumps(have, 0);
			fail_msg("%s: the module parsed %.1500s\nrebuilt from the proxy: %.1500s", ids[k],
				 w, h);
		}
		json_decref(want);
		json_decref(have);
		json_decref(rebuilt);
		json_decref(raw);
		json_decref(mod);
		unlink(got);
		*strrchr(got, '/') = '\0';
		rmdir(got);
		rmdir(trs);
		unlink(simwire);
		rmdir(dir);
	}
	kill(fx, SIGTERM);
	waitpid(fx, NULL, 0);
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
		cmocka_unit_test(module_without_network),
		cmocka_unit_test(unidentified_module_is_an_error),
		cmocka_unit_test(remote_fixtures_are_read),
		cmocka_unit_test(proxied_wire_is_the_modules),
		cmocka_unit_test(real_module_key_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
