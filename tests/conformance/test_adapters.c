/* test_adapters.c - the bundled adapters for third-party AT software, each against the simulator.
 *
 * Each adapter runs on the cases it supports, and every verdict is pinned here with the note
 * that explains a failure: a failure of third-party software is a finding (which side deviated
 * from the facts file), recorded below rather than hidden. A verdict that changes (the
 * simulator or the tool fixed) fails this test until the table is updated. A tool that is not
 * installed skips its test (tools/setup installs them all).
 */
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

#define A SIM800_SOURCE_DIR "/conformance/adapters/"

struct pin {
	const char *profile, *id;
	const char *verdict; /* pass, fail, skip */
	const char *message; /* a substring of the verdict's message (NULL: none required) */
};

static char dir[64];

/* Run adapter on profiles x cases (NULL-terminated lists); check every pinned verdict. */
static void check(const char *adapter, const char *const *profiles, const char *const *cases,
		  const struct pin *pins, size_t n)
{
	char json[128], out[1 << 16];
	snprintf(json, sizeof json, "%s/report.json", dir);
	const char *args[64];
	size_t a = 0;
	args[a++] = "--adapter";
	args[a++] = adapter;
	args[a++] = "--jobs";
	args[a++] = "4";
	args[a++] = "--json";
	args[a++] = json;
	for (size_t i = 0; profiles[i]; i++) {
		args[a++] = "--profile";
		args[a++] = profiles[i];
	}
	for (size_t i = 0; cases[i]; i++) {
		args[a++] = "--case";
		args[a++] = cases[i];
	}
	args[a] = NULL;
	int rc = cf_test_runner(args, out, sizeof out);
	json_t *r = json_load_file(json, 0, NULL);
	if (!r)
		fail_msg("no report (exit %d): %s", rc, out);
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		const json_t *c = cf_test_result(r, pins[i].profile, pins[i].id);
		const char *v = c ? json_string_value(json_object_get(c, "verdict")) : "(missing)";
		const char *m = c ? json_string_value(json_object_get(c, "message")) : NULL;
		if (strcmp(v, pins[i].verdict) ||
		    (pins[i].message && (!m || !strstr(m, pins[i].message)))) {
			fprintf(stderr, "%s on %s: %s (%s), pinned %s (%s)\n", pins[i].id,
				pins[i].profile, v, m ? m : "", pins[i].verdict,
				pins[i].message ? pins[i].message : "");
			bad = true;
		}
	}
	json_decref(r);
	unlink(json);
	if (bad)
		fail_msg("%s: verdicts differ from the pinned ones (above); runner output:\n%s", adapter, out);
}

#define NEED(prog)                                                                                 \
	do {                                                                                       \
		if (!cf_test_have(prog)) {                                                         \
			fprintf(stderr, "skipped: %s is not installed (tools/setup)\n", prog);     \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void unsupported_is_skipped_and_notes_shown(void **state)
{
	(void)state;
	char json[128], out[1 << 16];
	snprintf(json, sizeof json, "%s/u.json", dir);
	const char *const a[] = {"--cases", SIM800_SOURCE_DIR "/tests/conformance/cases", "--adapter",
				 SIM800_SOURCE_DIR "/tests/conformance/broken-unsupported", "--profile",
				 "sim800-r14.18", "--case", "https-never-plaintext", "--case",
				 "urc-not-an-answer", "--json", json, NULL};
	assert_int_equal(cf_test_runner(a, out, sizeof out), 1);
	json_t *r = json_load_file(json, 0, NULL);
	const json_t *c = cf_test_result(r, "sim800-r14.18", "https-never-plaintext");
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "skip");
	assert_non_null(strstr(json_string_value(json_object_get(c, "message")), "this adapter has no HTTP"));
	c = cf_test_result(r, "sim800-r14.18", "urc-not-an-answer");
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "fail");
	assert_non_null(strstr(json_string_value(json_object_get(c, "message")),
			       "adapter note: module side: AT+XYZ? -> ERROR"));
	json_decref(r);
	unlink(json);
}

static void gammu(void **state)
{
	(void)state;
	NEED("gammu");
	const char *const profiles[] = {"sim800-r14.18", "sim800-no-sim", NULL};
	const char *const cases[] = {"id-revision-cgmr", "reg-status-per-profile", "sms-send-*",
				     "sms-list-*", "err-sms-rejected-cms", "tcp-echo", NULL};
	static const struct pin pins[] = {
		{"sim800-r14.18", "id-revision-cgmr", "pass", NULL},
		{"sim800-r14.18", "sms-send-received-by-network", "pass", NULL},
		{"sim800-r14.18", "sms-list-received", "pass", NULL},
		{"sim800-r14.18", "err-sms-rejected-cms", "pass", NULL},
		{"sim800-r14.18", "tcp-echo", "skip", "gammu has no way to do 'tcp'"},
		/* Was a finding: AT+COPS? after AT+COPS=3,2 answered mode 3, and gammu then printed
		 * "Network state: unknown"; the simulator keeps mode 0 now (27.007 §7.3). */
		{"sim800-r14.18", "reg-status-per-profile", "pass", NULL},
		{"sim800-no-sim", "reg-status-per-profile", "pass", NULL},
		/* Finding: gammu identify needs the IMSI, a module without SIM cannot give it. */
		{"sim800-no-sim", "id-revision-cgmr", "fail", "gammu side"},
		{"sim800-no-sim", "sms-send-received-by-network", "pass", NULL},
	};
	check(A "gammu", profiles, cases, pins, sizeof pins / sizeof pins[0]);
}

static void gsm_utils(void **state)
{
	(void)state;
	NEED("gsmctl");
	const char *const profiles[] = {"sim800-r14.18", NULL};
	const char *const cases[] = {"id-revision-cgmr", "reg-status-per-profile", "sms-send-*", NULL};
	/* gsmlib starts with AT+CSMS? (27.005 §3.2.1), which the simulator answers now.
	 * Finding, undecided: gsmsendsms sends "AT+CMGS=35\0\r", a NUL inside the line; the
	 * simulator answers ERROR, V.250 §5.2.1 has a modem ignore control characters, and the
	 * facts file does not say what a SIM800 does. */
	static const struct pin pins[] = {
		{"sim800-r14.18", "id-revision-cgmr", "pass", NULL},
		{"sim800-r14.18", "reg-status-per-profile", "pass", NULL},
		{"sim800-r14.18", "sms-send-received-by-network", "fail",
		 "undecided: gsmsendsms sent AT+CMGS=35\\x00 -> ERROR"},
	};
	check(A "gsm-utils", profiles, cases, pins, sizeof pins / sizeof pins[0]);
}

static void comgt(void **state)
{
	(void)state;
	NEED("comgt");
	const char *const profiles[] = {"sim800-r14.18", "sim800-no-sim", "sim800-roaming", NULL};
	const char *const cases[] = {"id-revision-cgmr", "reg-status-per-profile", NULL};
	static const struct pin pins[] = {
		{"sim800-r14.18", "reg-status-per-profile", "pass", NULL},
		{"sim800-no-sim", "reg-status-per-profile", "pass", NULL},
		{"sim800-roaming", "reg-status-per-profile", "pass", NULL},
		/* Finding: comgt info keeps a fixed number of characters of the AT+CGMR line. */
		{"sim800-r14.18", "id-revision-cgmr", "fail", "comgt side: the module answered 'Revision:1418B05SIM800L24'"},
	};
	check(A "comgt", profiles, cases, pins, sizeof pins / sizeof pins[0]);
}

static void chat(void **state)
{
	(void)state;
	NEED("chat");
	const char *const profiles[] = {"sim800-r14.18", "sim800-r13.08", "sim800-no-sim", NULL};
	const char *const cases[] = {"ppp-dial-connect", "ppp-pppd-ipcp", NULL};
	bool ppp = access("/dev/ppp", R_OK | W_OK) == 0;
	const struct pin pins[] = {
		{"sim800-r14.18", "ppp-dial-connect", "pass", NULL},
		{"sim800-r13.08", "ppp-dial-connect", "pass", NULL},
		{"sim800-no-sim", "ppp-dial-connect", "pass", NULL},
		{"sim800-r14.18", "ppp-pppd-ipcp", ppp ? "pass" : "skip",
		 ppp ? NULL : "needs /dev/ppp, which cannot be opened here"},
	};
	check(A "dialup --tool chat", profiles, cases, pins, sizeof pins / sizeof pins[0]);
}

static void wvdial(void **state)
{
	(void)state;
	NEED("wvdial");
	const char *const profiles[] = {"sim800-r14.18", NULL};
	const char *const cases[] = {"ppp-dial-connect", NULL};
	/* wvdial dials ATDT*99#: a GSM module ignores the T modifier (V.250 §6.3.1) and gives
	 * CONNECT. (An earlier simulator answered NO CARRIER: fixed in cmd_dial.c.) */
	static const struct pin pins[] = {
		{"sim800-r14.18", "ppp-dial-connect", "pass", NULL},
	};
	check(A "dialup --tool wvdial", profiles, cases, pins, sizeof pins / sizeof pins[0]);
}

static void python_uart(void **state)
{
	(void)state;
	if (system("/usr/bin/python3 -c 'import serial' 2>/dev/null") != 0) {
		fprintf(stderr, "skipped: python3-serial is not installed (tools/setup)\n");
		skip();
	}
	const char *const profiles[] = {"sim800-r14.18", "sim800-r13.08", "sim800-no-sim",
					"sim800-denied", "sim800-r14.18-autobaud", NULL};
	const char *const cases[] = {"id-firmware-and-capabilities", "reg-status-per-profile",
				     "boot-*", "urc-*", "tcp-echo", NULL};
	struct pin pins[64];
	size_t n = 0;
	const char *const ok_ids[] = {"id-firmware-and-capabilities", "reg-status-per-profile",
				      "boot-echo-on-default", "boot-call-ready-sms-ready-as-response",
				      "boot-garbage-before-sync", "urc-ciprxget-during-info",
				      "urc-dst-during-status", "urc-under-voltage-during-info"};
	for (size_t p = 0; profiles[p]; p++) {
		for (size_t i = 0; i < sizeof ok_ids / sizeof ok_ids[0]; i++)
			pins[n++] = (struct pin){profiles[p], ok_ids[i], "pass", NULL};
		pins[n++] = (struct pin){profiles[p], "tcp-echo", "skip", "the UART driver has no 'tcp'"};
	}
	check(A "python-uart", profiles, cases, pins, n);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sim800-cf-adapters-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unsupported_is_skipped_and_notes_shown),
		cmocka_unit_test(python_uart),
		cmocka_unit_test(chat),
		cmocka_unit_test(wvdial),
		cmocka_unit_test(gammu),
		cmocka_unit_test(gsm_utils),
		cmocka_unit_test(comgt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
