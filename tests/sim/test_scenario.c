/* test_scenario.c - scenario files through the real simulator: timed, triggered, seeded faults. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simproc.h"

#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void timed_and_triggered_events(void **state)
{
	(void)state;
	char dir[] = "/tmp/sim800-scn-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	write_file(path, "events:\n"
			 "  - {at_ms: 300, op: urc, text: \"DST: 1\"}\n"
			 "  - {after: \"+csq\", count: 2, op: network, reg: roaming}\n"
			 "  - {at_ms: 200, every_ms: 100, times: 2, op: urc, text: \"TICK\"}\n");
	/* Scale 1: the timeline runs in real milliseconds, reading the pty is the stepping. */
	const char *const args[] = {"--no-pacing", "--scenario", path, "--profile",
				    SIM800_SOURCE_DIR "/tests/sim/profiles/core-delays.yaml", NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, "\r\nRDY\r\n");
	simproc_write_str(fd, "ATE0;+CREG=1\r");
	EXPECT_TTY(fd, "ATE0;+CREG=1\r\r\nOK\r\n");
	/* "Call Ready" at 100 ms (profile), TICK at 200 and 300, DST at 300. */
	char buf[512];
	size_t n = simproc_read_all(fd, buf, sizeof buf, 3000, 600);
	assert_non_null(strstr(buf, "\r\nCall Ready\r\n"));
	const char *t1 = strstr(buf, "\r\nTICK\r\n");
	assert_non_null(t1);
	const char *t2 = strstr(t1 + 3, "\r\nTICK\r\n");
	assert_non_null(t2);
	assert_null(strstr(t2 + 3, "TICK")); /* times: 2 */
	assert_non_null(strstr(buf, "\r\nDST: 1\r\n"));
	(void)n;
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	/* The second AT+CSQ triggers the event right after its answer. */
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n\r\n+CREG: 5\r\n");
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
	unlink(path);
	rmdir(dir);
}

/* Run the noisy-line scenario once and return everything the host read. */
static size_t noisy_run(const char *seed_flag, char *out, size_t cap)
{
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--seed", seed_flag,
				    "--scenario", SIM800_SOURCE_DIR "/profiles/scenarios/noisy-line.yaml",
				    NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	size_t len = simproc_read_all(fd, out, cap, 2000, 300);
	for (int i = 0; i < 60; i++) {
		simproc_write_str(fd, "ATI;+CGMR;+GSV\r");
		len += simproc_read_all(fd, out + len, cap - len, 2000, 150);
	}
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
	return len;
}

static void seeded_faults_repeat_exactly(void **state)
{
	(void)state;
	size_t cap = 1 << 16;
	char *a = malloc(cap), *b = malloc(cap);
	size_t na = noisy_run("5", a, cap);
	size_t nb = noisy_run("9", b, cap); /* the file's seed wins over --seed */
	/* 60 clean answers would be 60 * 136 bytes and more; with 0.5 % drops some are missing. */
	assert_true(na > 5000);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	const char *clean = "\r\nSIM800 R14.18\r\n\r\nRevision:1418B05SIM800L24\r\n";
	size_t intact = 0;
	for (const char *p = a; (p = memmem(p, na - (size_t)(p - a), clean, strlen(clean))); p++)
		intact++;
	assert_true(intact < 61); /* some answers were damaged */
	free(a);
	free(b);
}

static void bad_scenarios_are_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/sim800-scn-XXXXXX", path[128], out[4096], err[4096];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bad.yaml", dir);
	const char *const args[] = {"--scenario", path, NULL};
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"events:\n  - {at_ms: 10, op: teleport}\n", "bad.yaml:2:21: events[0].op: unknown op"},
		{"events:\n  - {op: urc, text: x}\n", "needs exactly one of at_ms or after"},
		{"events:\n  - {at_ms: -5, op: urc}\n", "events[0].at_ms: expected an integer"},
		{"seed: 1\nwobble: 2\n", "bad.yaml:2:1: wobble: unknown key"},
		{"random: {drop_per_mille: 5000}\n", "random.drop_per_mille"},
		{"random: {delay_ms: [9, 1]}\n", "random.delay_ms"},
		{"events: [1, 2\n", "invalid YAML"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_file(path, cases[i].text);
		assert_int_equal(simproc_run(args, out, sizeof out, err, sizeof err), 2);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" not in: %s", i, cases[i].want, err);
	}
	unlink(path);
	rmdir(dir);
}

/* The same events as the control socket, from a file: SMS, call, voltage, network, PDP. */
static void every_event_family_from_a_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/sim800-scn-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	write_file(path, "events:\n"
			 "  - {after: \"+CMGF\", op: sms, from: \"+4917\", text: \"scn\", "
			 "time: \"26/11/30,12:00:00+04\"}\n"
			 "  - {after: \"+CMGR\", op: voltage, mv: 3480}\n"
			 "  - {after: \"+CBC\", op: call, from: \"+4930\"}\n"
			 "  - {after: \"A\", op: call_hangup}\n"
			 "  - {after: \"+CSQ\", op: network, reg: searching}\n"
			 "  - {after: \"+CIFSR\", op: pdp_deact}\n");
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--scenario", path, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0;+CREG=1\r");
	EXPECT_TTY(fd, "ATE0;+CREG=1\r\r\nOK\r\n");
	simproc_write_str(fd, "AT+CMGF=1\r");
	EXPECT_TTY(fd, "\r\nOK\r\n\r\n+CMTI: \"SM\",1\r\n");
	simproc_write_str(fd, "AT+CMGR=1\r");
	EXPECT_TTY(fd, "\r\n+CMGR: \"REC UNREAD\",\"+4917\",\"\",\"26/11/30,12:00:00+04\"\r\nscn\r\n"
		       "\r\nOK\r\n\r\nUNDER-VOLTAGE WARNNING\r\n");
	simproc_write_str(fd, "AT+CBC\r");
	EXPECT_TTY(fd, "\r\n+CBC: 0,80,3480\r\n\r\nOK\r\n\r\nRING\r\n");
	simproc_write_str(fd, "ATA\r");
	EXPECT_TTY(fd, "\r\nOK\r\n\r\nNO CARRIER\r\n");
	simproc_write_str(fd, "AT+CSTT;+CIICR;+CIFSR\r");
	EXPECT_TTY(fd, "\r\n10.64.0.2\r\n\r\n+PDP: DEACT\r\n");
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n\r\n+CREG: 2\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timed_and_triggered_events),
		cmocka_unit_test(seeded_faults_repeat_exactly),
		cmocka_unit_test(bad_scenarios_are_refused),
		cmocka_unit_test(every_event_family_from_a_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
