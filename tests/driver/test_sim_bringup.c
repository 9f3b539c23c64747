/* test_sim_bringup.c - libsim800 against the real simulator on a pty, one case per profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim800.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Runs bin/sim800-sim with --time-scale 0 --no-pacing (no real waiting) and drives it through
 * the POSIX port. Skipped when the simulator was not built. Real time, but bounded: every
 * driver call has a deadline and the simulator is killed (by its pid) in teardown.
 */
struct simproc {
	pid_t pid;
	FILE *out;
	char pty[256];
	struct sim800_port_posix pp;
	struct sim800 m;
	char log[16384];
	size_t log_len;
};

static void sp_log(void *user, enum sim800_log_kind kind, const char *text, size_t len)
{
	struct simproc *s = user;
	if (s->log_len + len + 8 < sizeof(s->log))
		s->log_len += (size_t)snprintf(s->log + s->log_len, sizeof(s->log) - s->log_len,
					       "%d:%.*s\n", (int)kind, (int)len, text);
}

static bool sim_start(struct simproc *s, const char *profile)
{
	memset(s, 0, sizeof(*s));
	s->pp.fd = -1;
	s->pid = -1;
	char bin[512];
	snprintf(bin, sizeof(bin), "%s/sim800-sim", SIM800_BIN_DIR);
	if (access(bin, X_OK) != 0)
		return false;
	int fds[2];
	if (pipe(fds) != 0)
		return false;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		freopen("/dev/null", "w", stderr);
		close(fds[0]);
		close(fds[1]);
		execl(bin, bin, "--profile", profile, "--time-scale", "0", "--no-pacing", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	s->out = fdopen(fds[0], "r");
	char line[512];
	if (!s->out || !fgets(line, sizeof(line), s->out))
		return false;
	int idx;
	if (sscanf(line, "ready %d %255s", &idx, s->pty) != 2)
		return false;
	struct sim800_port port;
	if (sim800_port_posix_open(&s->pp, s->pty, 115200, &port) != SIM800_OK)
		return false;
	struct sim800_config cfg = {.user = s, .log = sp_log};
	return sim800_init(&s->m, &port, &cfg) == SIM800_OK;
}

static void sim_stop(struct simproc *s)
{
	sim800_port_posix_close(&s->pp);
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
	}
	if (s->out)
		fclose(s->out);
	s->out = NULL;
}

struct pcase {
	const char *profile;
	enum sim800_err bringup;
	enum sim800_reg reg;
	int major, minor;
	enum sim800_fw_format format;
	enum sim800_cap cipssl, httpssl;
};

static const struct pcase cases[] = {
	{"sim800-r14.18", SIM800_OK, SIM800_REG_HOME, 14, 18, SIM800_FW_REVISION,
	 SIM800_CAP_LISTED, SIM800_CAP_LISTED},
	{"sim800-r13.08", SIM800_OK, SIM800_REG_HOME, 13, 8, SIM800_FW_REVISION, SIM800_CAP_NO,
	 SIM800_CAP_NO},
	{"sim800-r14.18-nohttpssl", SIM800_OK, SIM800_REG_HOME, 14, 18, SIM800_FW_REVISION,
	 SIM800_CAP_LISTED, SIM800_CAP_LISTED},
	{"sim800-r14.18-autobaud", SIM800_OK, SIM800_REG_HOME, 14, 18, SIM800_FW_REVISION,
	 SIM800_CAP_LISTED, SIM800_CAP_LISTED},
	{"sim800l16-2014", SIM800_OK, SIM800_REG_HOME, -2, -2, SIM800_FW_DATED, SIM800_CAP_NO,
	 SIM800_CAP_NO},
	{"sim800-roaming", SIM800_OK, SIM800_REG_ROAMING, -2, -2, 0, -1, -1},
	{"sim800-slow-reg", SIM800_OK, SIM800_REG_HOME, -2, -2, 0, -1, -1},
	{"sim800-denied", SIM800_ERR_REG_DENIED, SIM800_REG_DENIED, -2, -2, 0, -1, -1},
	{"sim800-searching", SIM800_ERR_NOT_REGISTERED, SIM800_REG_SEARCHING, -2, -2, 0, -1, -1},
	{"sim800-no-sim", SIM800_ERR_SIM_NOT_INSERTED, SIM800_REG_UNKNOWN, -2, -2, 0, -1, -1},
};

struct tstate {
	const struct pcase *c;
	struct simproc s;
};

static int setup(void **state)
{
	struct tstate *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->c = *state;
	*state = t;
	return 0;
}

/* Runs even when an assertion failed: the simulator never outlives the test. */
static int teardown(void **state)
{
	struct tstate *t = *state;
	sim_stop(&t->s);
	free(t);
	return 0;
}

static void test_profile(void **state)
{
	struct tstate *t = *state;
	const struct pcase *c = t->c;
	struct simproc *s = &t->s;
	if (!sim_start(s, c->profile))
		skip();
	struct sim800_bringup_cfg cfg = {.reg_timeout_ms = 3000, .reg_poll_ms = 500};
	struct sim800_net_status st;
	enum sim800_err e = sim800_bringup(&s->m, &cfg, &st);
	if (e != c->bringup)
		fprintf(stderr, "%s: bringup %s (last '%s')\n%s", c->profile, sim800_strerror(e),
			sim800_last(&s->m)->line, s->log);
	assert_int_equal(e, c->bringup);
	if (c->bringup == SIM800_OK || c->bringup == SIM800_ERR_REG_DENIED)
		assert_int_equal(st.reg, c->reg);
	if (c->major != -2 || c->format) {
		struct sim800_info info;
		assert_int_equal(sim800_info_read(&s->m, &info), SIM800_OK);
		if (c->format)
			assert_int_equal(info.fw.format, c->format);
		if (c->major != -2) {
			assert_int_equal(info.fw.major, c->major);
			assert_int_equal(info.fw.minor, c->minor);
		}
	}
	if ((int)c->cipssl >= 0) {
		struct sim800_caps caps;
		assert_int_equal(sim800_probe_caps(&s->m, &caps), SIM800_OK);
		assert_int_equal(caps.cipssl, c->cipssl);
		assert_int_equal(caps.httpssl, c->httpssl);
	}
}

/* Named after the profile so a failure says which firmware. */
#define CASE(i) {cases[i].profile, test_profile, setup, teardown, (void *)&cases[i]}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		CASE(0), CASE(1), CASE(2), CASE(3), CASE(4), CASE(5), CASE(6), CASE(7), CASE(8),
		CASE(9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
