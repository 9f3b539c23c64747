/* test_pty.c - sim800-sim as a process: ptys, boot, hang-ups, links, transcript, signals. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simproc.h"

#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

static const char *const fast[] = {"--no-pacing", "--time-scale", "0", NULL};

static void tmpdir(char *out, size_t cap)
{
	snprintf(out, cap, "/tmp/sim800-test-XXXXXX");
	assert_non_null(mkdtemp(out));
}

static void ready_line_and_boot_urcs(void **state)
{
	(void)state;
	struct simproc s;
	assert_true(simproc_start(&s, 1, fast));
	assert_string_equal(s.profile[0], "sim800-r14.18");
	assert_memory_equal(s.path[0], "/dev/pts/", 9);
	int fd = simproc_open_tty(s.path[0]);
	assert_true(fd >= 0);
	/* Powered on by the first open: the whole boot sequence arrives (MAN §19.3). */
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "AT\r");
	EXPECT_TTY(fd, "AT\r\r\nOK\r\n");
	simproc_write_str(fd, "ATI\r");
	EXPECT_TTY(fd, "ATI\r\r\nSIM800 R14.18\r\n\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void profile_by_name_and_path(void **state)
{
	(void)state;
	struct simproc s;
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--profile",
				    SIM800_SOURCE_DIR "/profiles/sim800-r13.08.yaml", NULL};
	assert_true(simproc_start(&s, 1, args));
	assert_string_equal(s.profile[0], "sim800-r13.08");
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0;+CGMR;+CIPSSL=?\r");
	EXPECT_TTY(fd, "ATE0;+CGMR;+CIPSSL=?\r\r\nRevision:1308B08SIM800L16\r\n\r\nERROR\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void state_survives_reopen(void **state)
{
	(void)state;
	struct simproc s;
	assert_true(simproc_start(&s, 1, fast));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	/* Hang up in the middle of a long response, then come back. */
	simproc_write_str(fd, "AT&V\r");
	close(fd);
	fd = simproc_open_tty(s.path[0]);
	assert_true(fd >= 0);
	/* Nothing stale is delivered to the new opener (a UART loses what nobody read)... */
	char junk[4096];
	simproc_read_all(fd, junk, sizeof junk, 300, 300);
	/* ...and the modem kept its state: echo is still off, no new boot. */
	simproc_write_str(fd, "AT\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void rapid_open_close_cycles(void **state)
{
	(void)state;
	struct simproc s;
	assert_true(simproc_start(&s, 1, fast));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	close(fd);
	for (int i = 0; i < 1000; i++) {
		int f = open(s.path[0], O_RDWR | O_NOCTTY | O_NONBLOCK);
		assert_true(f >= 0);
		if (i % 7 == 0)
			simproc_write_str(f, "AT\r");
		close(f);
	}
	/* Nobody has the line open: the simulator must idle, not spin on EIO/POLLHUP. */
	double cpu0 = simproc_cpu_seconds(&s);
	struct timespec half = {.tv_sec = 0, .tv_nsec = 500 * 1000 * 1000};
	nanosleep(&half, NULL);
	double cpu1 = simproc_cpu_seconds(&s);
	assert_true(cpu1 - cpu0 < 0.2);
	fd = simproc_open_tty(s.path[0]);
	char junk[4096];
	simproc_read_all(fd, junk, sizeof junk, 200, 200);
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void garbage_and_long_lines_over_pty(void **state)
{
	(void)state;
	struct simproc s;
	assert_true(simproc_start(&s, 1, fast));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0\r");
	EXPECT_TTY(fd, "ATE0\r\r\nOK\r\n");
	char *big = malloc(10 * 1024 + 8);
	memcpy(big, "AT+", 3);
	for (int i = 3; i < 10 * 1024 + 3; i++)
		big[i] = (char)('B' + i % 20);
	memcpy(big + 10 * 1024 + 3, "\r", 2);
	simproc_write_str(fd, big);
	free(big);
	EXPECT_TTY(fd, "\r\nERROR\r\n");
	uint8_t bin[2048];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (uint8_t)(i * 37 + 11) | 0x80; /* high bytes: never an "AT" */
	bin[100] = 0;
	simproc_write(fd, bin, sizeof bin);
	simproc_write_str(fd, "\rAT\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void many_modems_links_and_clean_exit(void **state)
{
	(void)state;
	char dir[64], link[128], fmt[128];
	tmpdir(dir, sizeof dir);
	snprintf(fmt, sizeof fmt, "%s/modem%%d", dir);
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--modems", "4",
				    "--link", fmt, "--profile", "sim800-r13.08", NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 4, args));
	for (int i = 0; i < 4; i++) {
		snprintf(link, sizeof link, "%s/modem%d", dir, i);
		char target[PATH_MAX];
		ssize_t n = readlink(link, target, sizeof target - 1);
		assert_true(n > 0);
		target[n] = '\0';
		assert_string_equal(target, s.path[i]);
		int fd = simproc_open_tty(link);
		EXPECT_TTY(fd, BOOT);
		simproc_write_str(fd, "ATI\r");
		EXPECT_TTY(fd, "ATI\r\r\nSIM800 R13.08\r\n\r\nOK\r\n");
		close(fd);
	}
	assert_int_equal(simproc_stop(&s), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(link, sizeof link, "%s/modem%d", dir, i);
		struct stat st;
		assert_int_equal(lstat(link, &st), -1); /* links removed on SIGTERM */
	}
	rmdir(dir);
}

/* The "host opened/closed the line" notes of one modem, in order, as a string of 'o' and 'c'
 * (what the transcript has flushed so far). */
static void presence_notes(const char *path, int modem, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof line, f) && n + 1 < cap) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		if (!o)
			continue; /* a line the simulator is still writing */
		const char *dir_s = json_string_value(json_object_get(o, "dir"));
		const char *data = json_string_value(json_object_get(o, "data"));
		if (json_integer_value(json_object_get(o, "modem")) == modem && dir_s && data &&
		    strcmp(dir_s, "note") == 0) {
			if (strcmp(data, "host opened the line") == 0)
				out[n++] = 'o';
			else if (strcmp(data, "host closed the line") == 0)
				out[n++] = 'c';
		}
		json_decref(o);
	}
	out[n] = '\0';
	fclose(f);
}

/* inotify instances the process holds (/proc/PID/fd links to "anon_inode:inotify"). */
static int inotify_fds(pid_t pid)
{
	char dpath[64], lpath[320], target[128];
	snprintf(dpath, sizeof dpath, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dpath);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		snprintf(lpath, sizeof lpath, "%s/%s", dpath, de->d_name);
		ssize_t k = readlink(lpath, target, sizeof target - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		if (strcmp(target, "anon_inode:inotify") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Issue 9: more modems than the per-user inotify limit (128 by default) in one process. All
 * ptys share one inotify instance, and each one's host open and close is still seen. */
static void two_hundred_modems_share_one_inotify(void **state)
{
	(void)state;
	char dir[64], fmt[128], tpath[128], link[128], notes[64];
	tmpdir(dir, sizeof dir);
	snprintf(fmt, sizeof fmt, "%s/m%%d", dir);
	snprintf(tpath, sizeof tpath, "%s/t.jsonl", dir);
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--modems", "200",
				    "--link", fmt, "--transcript", tpath, NULL};
	struct simproc s;
	/* simproc keeps the first 32 ready lines; ready lines come only after every pty exists. */
	assert_true(simproc_start(&s, SIMPROC_MAX_MODEMS, args));
	assert_int_equal(inotify_fds(s.pid), 1);
	static const int probe[] = {0, 77, 128, 199};
	enum { N_PROBE = sizeof probe / sizeof probe[0] };
	for (int k = 0; k < N_PROBE; k++) {
		snprintf(link, sizeof link, "%s/m%d", dir, probe[k]);
		int fd = simproc_open_tty(link);
		assert_true(fd >= 0);
		EXPECT_TTY(fd, BOOT); /* the open was seen: powered on */
		close(fd);
	}
	/* Each close is seen: wait (bounded) until the transcript, flushed every second, says so. */
	for (int k = 0; k < N_PROBE; k++) {
		for (int tries = 0; tries < 100; tries++) {
			presence_notes(tpath, probe[k], notes, sizeof notes);
			if (strcmp(notes, "oc") == 0)
				break;
			struct timespec t = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
			nanosleep(&t, NULL);
		}
		assert_string_equal(notes, "oc");
	}
	for (int k = 0; k < N_PROBE; k++) {
		snprintf(link, sizeof link, "%s/m%d", dir, probe[k]);
		int fd = simproc_open_tty(link);
		simproc_write_str(fd, "AT\r"); /* no second boot: the modem kept running */
		EXPECT_TTY(fd, "AT\r\r\nOK\r\n");
		close(fd);
	}
	assert_int_equal(simproc_stop(&s), 0);
	for (int k = 0; k < N_PROBE; k++) {
		presence_notes(tpath, probe[k], notes, sizeof notes);
		assert_memory_equal(notes, "oco", 3);
	}
	presence_notes(tpath, 1, notes, sizeof notes);
	assert_string_equal(notes, ""); /* nobody opened modem 1: no event reached it */
	for (int i = 0; i < 200; i++) {
		snprintf(link, sizeof link, "%s/m%d", dir, i);
		struct stat st;
		assert_int_equal(lstat(link, &st), -1);
	}
	unlink(tpath);
	rmdir(dir);
}

static void transcript_records_every_byte(void **state)
{
	(void)state;
	char dir[64], path[128];
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/t.jsonl", dir);
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--transcript", path, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "AT+CSQ\r");
	EXPECT_TTY(fd, "AT+CSQ\r\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);

	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	bool saw_rx = false, saw_cmd = false, saw_tx = false;
	while (fgets(line, sizeof line, f)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		assert_non_null(o);
		assert_true(json_is_real(json_object_get(o, "t")));
		assert_int_equal(json_integer_value(json_object_get(o, "modem")), 0);
		const char *dir_s = json_string_value(json_object_get(o, "dir"));
		const char *data = json_string_value(json_object_get(o, "data"));
		assert_non_null(dir_s);
		assert_non_null(data);
		if (strcmp(dir_s, "cmd") == 0 && strcmp(data, "+CSQ") == 0)
			saw_cmd = true;
		if (strcmp(dir_s, "rx") == 0 && strstr(data, "AT+CSQ\\r"))
			saw_rx = true;
		if (strcmp(dir_s, "tx") == 0 && strstr(data, "+CSQ: 20,0"))
			saw_tx = true;
		json_decref(o);
	}
	fclose(f);
	assert_true(saw_rx);
	assert_true(saw_cmd);
	assert_true(saw_tx);
	unlink(path);
	rmdir(dir);
}

static void autobaud_profile_has_no_rdy(void **state)
{
	(void)state;
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--profile",
				    "sim800-r14.18-autobaud", NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	char boot[4096];
	simproc_read_all(fd, boot, sizeof boot, 300, 300);
	assert_null(strstr(boot, "RDY")); /* MAN §19.3: no RDY under autobaud */
	/* Before the rate is detected nothing is echoed; "AT" locks it. */
	simproc_write_str(fd, "xx\rAT\r");
	EXPECT_TTY(fd, "AT\r\r\nOK\r\n");
	/* The detected rate holds until power-down: at another rate the bytes are garbage and
	 * get no answer (boot-autobaud-unstable); back at the locked rate it answers again. */
	struct termios tio;
	assert_int_equal(tcgetattr(fd, &tio), 0);
	speed_t locked = cfgetospeed(&tio);
	cfsetspeed(&tio, B9600);
	assert_int_equal(tcsetattr(fd, TCSANOW, &tio), 0);
	simproc_write_str(fd, "AT\r");
	char none[64];
	assert_int_equal(simproc_read_all(fd, none, sizeof none, 300, 300), 0);
	cfsetspeed(&tio, locked);
	assert_int_equal(tcsetattr(fd, TCSANOW, &tio), 0);
	simproc_write_str(fd, "AT\r");
	EXPECT_TTY(fd, "AT\r\r\nOK\r\n");
	/* AT+IPR=9600 fixes the rate: then 9600 is the rate the module hears. */
	simproc_write_str(fd, "AT+IPR=9600\r");
	EXPECT_TTY(fd, "AT+IPR=9600\r\r\nOK\r\n");
	cfsetspeed(&tio, B9600);
	assert_int_equal(tcsetattr(fd, TCSANOW, &tio), 0);
	simproc_write_str(fd, "AT\r");
	EXPECT_TTY(fd, "AT\r\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void pacing_limits_the_rate(void **state)
{
	(void)state;
	/* 2400 baud 8N1 is 240 bytes/s: the boot sequence (about 80 bytes) plus AT&V's answer
	 * cannot arrive in less than their byte time. Only a lower bound: machines are noisy. */
	const char *const args[] = {"--baud", "2400", "--time-scale", "0", NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_TTY(fd, BOOT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs >= (strlen(BOOT) - 1) / 240.0 * 0.9);
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void cli_errors(void **state)
{
	(void)state;
	char out[8192], err[8192];
	const char *const a1[] = {"--modems", "2", "--link", "/tmp/x", NULL};
	assert_int_equal(simproc_run(a1, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "must contain %d"));
	const char *const a2[] = {"--bogus", NULL};
	assert_int_equal(simproc_run(a2, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "unknown option --bogus"));
	const char *const a3[] = {"--modems", "0", NULL};
	assert_int_equal(simproc_run(a3, out, sizeof out, err, sizeof err), 2);
	const char *const a4[] = {"--profile", "no-such-profile", NULL};
	assert_int_equal(simproc_run(a4, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "no-such-profile"));
	const char *const a5[] = {"--baud", "9600", "--no-pacing", NULL};
	assert_int_equal(simproc_run(a5, out, sizeof out, err, sizeof err), 2);
	const char *const a6[] = {"--time-scale", "fast", NULL};
	assert_int_equal(simproc_run(a6, out, sizeof out, err, sizeof err), 2);
	const char *const h[] = {"--help", NULL};
	assert_int_equal(simproc_run(h, out, sizeof out, err, sizeof err), 0);
	assert_non_null(strstr(out, "Usage: sim800-sim"));
	const char *const v[] = {"--version", NULL};
	assert_int_equal(simproc_run(v, out, sizeof out, err, sizeof err), 0);
	assert_non_null(strstr(out, "sim800-sim "));
	const char *const l[] = {"--list-profiles", NULL};
	assert_int_equal(simproc_run(l, out, sizeof out, err, sizeof err), 0);
	assert_non_null(strstr(out, "sim800-r13.08"));
	assert_non_null(strstr(out, "sim800-r14.18"));
}

static void broken_profile_refused_with_location(void **state)
{
	(void)state;
	char dir[64], path[128], out[4096], err[4096];
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/bad.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs("name: bad\nextends: sim800-r14.18\nidentity:\n  atii: \"x\"\n", f);
	fclose(f);
	const char *const a[] = {"--profile", path, NULL};
	assert_int_equal(simproc_run(a, out, sizeof out, err, sizeof err), 2);
	char want[256];
	snprintf(want, sizeof want, "%s:4:3", path);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "atii"));
	assert_string_equal(out, ""); /* refused before any modem was ready */
	unlink(path);
	rmdir(dir);
	const char *const b[] = {"--profile", SIM800_SOURCE_DIR "/tests/sim/profiles/bad-hosts.yaml", NULL};
	assert_int_equal(simproc_run(b, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "bad-hosts.yaml:5:20: hosts.bad.example.com"));
	const char *const c[] = {"--host", "nonsense", NULL};
	assert_int_equal(simproc_run(c, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "--host nonsense"));
	const char *const d[] = {"--allow", "10.0.0.0/33", NULL};
	assert_int_equal(simproc_run(d, out, sizeof out, err, sizeof err), 2);
	assert_non_null(strstr(err, "prefix length"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_line_and_boot_urcs),
		cmocka_unit_test(profile_by_name_and_path),
		cmocka_unit_test(state_survives_reopen),
		cmocka_unit_test(rapid_open_close_cycles),
		cmocka_unit_test(garbage_and_long_lines_over_pty),
		cmocka_unit_test(many_modems_links_and_clean_exit),
		cmocka_unit_test(two_hundred_modems_share_one_inotify),
		cmocka_unit_test(transcript_records_every_byte),
		cmocka_unit_test(autobaud_profile_has_no_rdy),
		cmocka_unit_test(pacing_limits_the_rate),
		cmocka_unit_test(cli_errors),
		cmocka_unit_test(broken_profile_refused_with_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
