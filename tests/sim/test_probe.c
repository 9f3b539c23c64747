/* test_probe.c - sim800-probe against the simulator: round trip per profile; sim800-proxy tap. */
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "simproc.h"

static int run(const char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The profile text without comments and the description (which names the device and time). */
static char *normalised(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap), line[4096];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || strncmp(line, "description:", 12) == 0)
			continue;
		size_t n = strlen(line);
		assert_true(len + n < cap);
		memcpy(out + len, line, n);
		len += n;
	}
	fclose(f);
	return out;
}

static void probe_sim(const char *profile, const char *out)
{
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--profile", profile, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	const char *const probe[] = {SIM800_BIN_DIR "/sim800-probe", "--device", s.path[0],
				     "--baud", "0", "--out", out, NULL};
	assert_int_equal(run(probe), 0);
	assert_int_equal(simproc_stop(&s), 0);
}

static void round_trip_every_bundled_profile(void **state)
{
	(void)state;
	static const char *const profiles[] = {
		"sim800-r13.08", "sim800-r14.18", "sim800-r14.18-nohttpssl", "sim800l16-2014",
		"sim800-r14.18-autobaud", "sim800-roaming", "sim800-no-sim", "sim800-denied",
	};
	char dir[] = "/tmp/sim800-probe-XXXXXX", p1[128], p2[128];
	assert_non_null(mkdtemp(dir));
	snprintf(p1, sizeof p1, "%s/first.yaml", dir);
	snprintf(p2, sizeof p2, "%s/second.yaml", dir);
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
		probe_sim(profiles[i], p1);
		/* The probed profile loads as it is, and answers the probe identically. */
		probe_sim(p1, p2);
		char *a = normalised(p1), *b = normalised(p2);
		if (strcmp(a, b) != 0)
			fail_msg("%s: probing the probed profile differs:\n%s\n---\n%s", profiles[i], a, b);
		free(a);
		free(b);
	}
	/* What the probe found out, for two firmwares that differ. */
	probe_sim("sim800-r13.08", p1);
	char *r13 = normalised(p1);
	assert_non_null(strstr(r13, "ati: \"SIM800 R13.08\""));
	assert_non_null(strstr(r13, "revision: \"Revision:1308B08SIM800L16\""));
	assert_non_null(strstr(r13, "ssl: false"));
	assert_null(strstr(r13, "+CIPSSL=?"));
	free(r13);
	probe_sim("sim800-r14.18", p1);
	char *r14 = normalised(p1);
	assert_non_null(strstr(r14, "ssl: true"));
	assert_non_null(strstr(r14, "response: [\"+CIPSSL: (0-1)\", \"OK\"]"));
	free(r14);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
}

/* A module a previous host left in a PPP call answers no AT: the probe escapes, hangs up and
 * then probes it (ppp-host-reboot-in-data-mode). */
static void probe_escapes_a_data_call(void **state)
{
	(void)state;
	char dir[] = "/tmp/sim800-probe-XXXXXX", out[64], wire[64];
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof out, "%s/p.yaml", dir);
	snprintf(wire, sizeof wire, "%s/wire.jsonl", dir);
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--power-on", "start",
				    "--transcript", wire, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	simproc_write_str(fd, "AT+CGDCONT=1,\"IP\",\"internet\"\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	simproc_write_str(fd, "ATD*99***1#\r");
	EXPECT_TTY_START(fd, "\r\nCONNECT\r\n");
	/* The host is gone, the call is up: the line stays open (closing it would drop the call,
	 * as DTR does), and the next host is the probe. */
	const char *const probe[] = {SIM800_BIN_DIR "/sim800-probe", "--device", s.path[0],
				     "--baud", "0", "--out", out, NULL};
	assert_int_equal(run(probe), 0);
	assert_int_equal(access(out, R_OK), 0);
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
	/* Escaped, not waited out until the host's silence broke the PPP link. */
	FILE *f = fopen(wire, "r");
	assert_non_null(f);
	char line[4096];
	bool escaped = false;
	while (fgets(line, sizeof line, f))
		escaped = escaped || strstr(line, "\"ppp: escape");
	fclose(f);
	assert_true(escaped);
	unlink(wire);
	unlink(out);
	rmdir(dir);
}

/* No SIM, whatever the error form the previous host left (CMEE=2: "+CME ERROR: SIM not
 * inserted"; CMEE=0: "ERROR"): the profile says sim: not_inserted. */
static void probe_no_sim_any_cmee(void **state)
{
	(void)state;
	for (int cmee = 0; cmee <= 2; cmee++) {
		const char *const args[] = {"--no-pacing", "--time-scale", "0", "--power-on", "start",
					    "--profile", "sim800-no-sim", NULL};
		struct simproc s;
		assert_true(simproc_start(&s, 1, args));
		int fd = simproc_open_tty(s.path[0]);
		char cmd[32], want[48];
		snprintf(cmd, sizeof cmd, "ATE0+CMEE=%d\r", cmee);
		snprintf(want, sizeof want, "ATE0+CMEE=%d\r\r\nOK\r\n", cmee);
		simproc_write_str(fd, cmd);
		EXPECT_TTY(fd, want);
		close(fd);
		char dir[] = "/tmp/sim800-probe-XXXXXX", out[64];
		assert_non_null(mkdtemp(dir));
		snprintf(out, sizeof out, "%s/p.yaml", dir);
		const char *const probe[] = {SIM800_BIN_DIR "/sim800-probe", "--device", s.path[0],
					     "--baud", "0", "--out", out, NULL};
		assert_int_equal(run(probe), 0);
		char *text = normalised(out);
		if (!strstr(text, "sim: not_inserted"))
			fail_msg("CMEE=%d: no \"sim: not_inserted\" in\n%s", cmee, text);
		free(text);
		assert_int_equal(simproc_stop(&s), 0);
		unlink(out);
		rmdir(dir);
	}
}

static void probe_usage_errors(void **state)
{
	(void)state;
	const char *const a[] = {SIM800_BIN_DIR "/sim800-probe", NULL};
	assert_int_equal(run(a), 2);
	const char *const b[] = {SIM800_BIN_DIR "/sim800-probe", "--device", "/nonexistent/tty", NULL};
	assert_int_equal(run(b), 1);
	/* Rates are the driver port's: the module's AT+IPR list stops at 460800. */
	const char *const c[] = {SIM800_BIN_DIR "/sim800-probe", "--device", "/dev/null", "--baud",
				 "921600", NULL};
	assert_int_equal(run(c), 2);
	const char *const d[] = {SIM800_BIN_DIR "/sim800-proxy", "--device", "/dev/null", "--baud",
				 "921600", "--transcript", "/tmp/sim800-never-written", NULL};
	assert_int_equal(run(d), 2);
	const char *const e[] = {SIM800_BIN_DIR "/sim800-proxy", "--device", "/nonexistent/tty",
				 "--baud", "460800", "--transcript", "/tmp/sim800-never-written",
				 NULL};
	assert_int_equal(run(e), 1);
	assert_int_equal(access("/tmp/sim800-never-written", F_OK), -1);
}

static void proxy_records_both_directions(void **state)
{
	(void)state;
	const char *const args[] = {"--no-pacing", "--time-scale", "0", NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	char dir[] = "/tmp/sim800-proxy-XXXXXX", tpath[128], link[128];
	assert_non_null(mkdtemp(dir));
	snprintf(tpath, sizeof tpath, "%s/t.jsonl", dir);
	snprintf(link, sizeof link, "%s/tap", dir);
	int out[2];
	assert_int_equal(pipe(out), 0);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		close(out[0]);
		execl(SIM800_BIN_DIR "/sim800-proxy", "sim800-proxy", "--device", s.path[0], "--baud",
		      "0", "--link", link, "--transcript", tpath, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char ready[256];
	size_t n = simproc_read_all(out[0], ready, sizeof ready, 5000, 5000);
	assert_true(n > 6 && strncmp(ready, "ready ", 6) == 0);
	/* The driver talks to the proxy's pty; the simulator behind it answers, byte for byte.
	 * (The simulator booted when the proxy opened it; nobody had the tap open yet, so those
	 * URCs are only in the transcript, as on a real line.) */
	int fd = simproc_open_tty(link);
	assert_true(fd >= 0);
	simproc_write_str(fd, "ATI\r");
	EXPECT_TTY(fd, "ATI\r\r\nSIM800 R14.18\r\n\r\nOK\r\n");
	/* PPP through the tap: dial, then HDLC frames pass untouched both ways. */
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	simproc_write_str(fd, "ATD*99#\r");
	EXPECT_TTY_START(fd, "\r\nCONNECT\r\n");
	/* An LCP Configure-Request, no options, with its FCS (RFC 1662 framing and escapes). */
	static const uint8_t lcp[] = {0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21,
				      0x7d, 0x20, 0x7d, 0x24, 0xd1, 0xb5, 0x7e};
	simproc_write(fd, lcp, sizeof lcp);
	char frames[2048];
	size_t fn = simproc_read_all(fd, frames, sizeof frames, 5000, 1500);
	assert_true(fn > 0);
	assert_int_equal((unsigned char)frames[0], 0x7e); /* the simulator's own LCP frames */
	close(fd);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(out[0]);
	assert_int_equal(simproc_stop(&s), 0);
	FILE *f = fopen(tpath, "r");
	assert_non_null(f);
	char line[4096];
	bool rx = false, tx = false, boot = false, ppp_rx = false, ppp_tx = false;
	while (fgets(line, sizeof line, f)) {
		json_t *o = json_loads(line, 0, NULL);
		assert_non_null(o);
		const char *d = json_string_value(json_object_get(o, "dir"));
		const char *data = json_string_value(json_object_get(o, "data"));
		if (d && !strcmp(d, "rx") && strstr(data, "ATI\\r"))
			rx = true;
		if (d && !strcmp(d, "tx") && strstr(data, "SIM800 R14.18"))
			tx = true;
		if (d && !strcmp(d, "tx") && strstr(data, "RDY"))
			boot = true;
		if (d && !strcmp(d, "rx") && strstr(data, "~\\xff}#\\xc0!"))
			ppp_rx = true;
		if (d && !strcmp(d, "tx") && strstr(data, "~\\xff}#\\xc0!"))
			ppp_tx = true;
		json_decref(o);
	}
	fclose(f);
	assert_true(rx);
	assert_true(tx);
	assert_true(boot);
	assert_true(ppp_rx); /* recorded byte for byte: 7e ff 7d 23 c0 21 ("~" and "}" are printable) */
	assert_true(ppp_tx);
	unlink(tpath);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_every_bundled_profile),
		cmocka_unit_test(probe_usage_errors),
		cmocka_unit_test(probe_no_sim_any_cmee),
		cmocka_unit_test(probe_escapes_a_data_call),
		cmocka_unit_test(proxy_records_both_directions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
