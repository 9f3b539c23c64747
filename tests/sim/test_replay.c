/* test_replay.c - record a session, replay it (lenient and strict), turn it into a profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "simproc.h"

#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

static char dir[64], rec[128];

/* A recorded session with the simulator itself as the "module". */
static int record(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sim800-replay-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(rec, sizeof rec, "%s/session.jsonl", dir);
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--transcript", rec,
				    "--profile", "sim800-r13.08", NULL};
	struct simproc s;
	if (!simproc_start(&s, 1, args))
		return -1;
	int fd = simproc_open_tty(s.path[0]);
	char buf[512];
	simproc_read_all(fd, buf, sizeof buf, 2000, 300);
	static const char *const cmds[] = {"ATI\r", "AT+CGMR\r", "AT+CSPN?\r", "AT+CSQ\r",
					   "AT+CIPSSL=?\r"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		simproc_write_str(fd, cmds[i]);
		simproc_read_all(fd, buf, sizeof buf, 2000, 200);
	}
	close(fd);
	return simproc_stop(&s) == 0 ? 0 : -1;
}

static int cleanup(void **state)
{
	(void)state;
	unlink(rec);
	char p[160];
	snprintf(p, sizeof p, "%s/replayed.yaml", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void lenient_replay(void **state)
{
	(void)state;
	/* The replaying "module" is R14.18 by profile, yet answers as the recorded R13.08 did. */
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--replay", rec, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATI\r");
	EXPECT_TTY(fd, "ATI\r\r\nSIM800 R13.08\r\n\r\nOK\r\n");
	/* A recorded command skipped by the driver is passed over; order is kept. */
	simproc_write_str(fd, "AT+CSPN?\r\n");
	EXPECT_TTY(fd, "AT+CSPN?\r\r\n+CSPN: \"SIM800-SIM\",0\r\n\r\nOK\r\n");
	simproc_write_str(fd, "AT+CIPSSL=?\r");
	EXPECT_TTY(fd, "AT+CIPSSL=?\r\r\nERROR\r\n");
	/* Never recorded: ERROR. */
	simproc_write_str(fd, "AT+CBC\r");
	EXPECT_TTY(fd, "\r\nERROR\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

static void strict_replay_reports_divergence(void **state)
{
	(void)state;
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--replay", rec, "--strict",
				    NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATI\r");
	EXPECT_TTY(fd, "ATI\r\r\nSIM800 R13.08\r\n\r\nOK\r\n");
	/* "AT+CGMR\r" was recorded; "AT+CGMM\r" differs at its offset 6 (host byte 10, from 0). */
	simproc_write_str(fd, "AT+CGMM\r");
	char buf[256];
	assert_int_equal(simproc_read_all(fd, buf, sizeof buf, 500, 300), 0);
	close(fd);
	char err[1024];
	size_t n = simproc_read_all(s.err_fd, err, sizeof err, 2000, 300);
	assert_true(n > 0);
	if (!strstr(err, "input diverges at byte 10"))
		fail_msg("stderr: %s", err);
	assert_non_null(strstr(err, "expected 0x52, got 0x4d")); /* 'R' vs 'M' */
	assert_int_equal(simproc_stop(&s), 0);
}

static void transcript_to_profile(void **state)
{
	(void)state;
	char out[160];
	snprintf(out, sizeof out, "%s/replayed.yaml", dir);
	pid_t pid = fork();
	if (pid == 0) {
		execl(SIM800_SOURCE_DIR "/tools/transcript2profile", "transcript2profile", rec, "--name",
		      "field-bug-42", "--only", "+CSPN?", "--only", "+CGMR", "--out", out, (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The profile loads and replays the recorded answers on top of R14.18. */
	const char *const args[] = {"--no-pacing", "--time-scale", "0", "--profile", out, NULL};
	struct simproc s;
	assert_true(simproc_start(&s, 1, args));
	assert_string_equal(s.profile[0], "field-bug-42");
	int fd = simproc_open_tty(s.path[0]);
	EXPECT_TTY(fd, BOOT);
	simproc_write_str(fd, "ATE0;+CGMR\r");
	EXPECT_TTY(fd, "ATE0;+CGMR\r\r\nRevision:1308B08SIM800L16\r\n\r\nOK\r\n");
	simproc_write_str(fd, "ATI\r");
	EXPECT_TTY(fd, "\r\nSIM800 R14.18\r\n\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lenient_replay),
		cmocka_unit_test(strict_replay_reports_divergence),
		cmocka_unit_test(transcript_to_profile),
	};
	return cmocka_run_group_tests(tests, record, cleanup);
}
