/* cf_testutil.c - running sim800-conformance and other programs from the conformance tests. */
#include "cf_testutil.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

int cf_test_exec(const char *const *argv, char *out, size_t cap, int timeout_s)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(p[1], 1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		close(p[0]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	time_t end = time(NULL) + timeout_s;
	bool killed = false;
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int left = (int)(end - time(NULL));
		if (left <= 0) {
			kill(-pid, SIGKILL);
			killed = true;
			break;
		}
		if (poll(&pf, 1, 1000) <= 0)
			continue;
		char scratch[4096];
		bool full = len + 1 >= cap; /* keep reading so the child never blocks on a full pipe */
		ssize_t r = full ? read(p[0], scratch, sizeof scratch) : read(p[0], out + len, cap - 1 - len);
		if (r <= 0)
			break;
		if (!full)
			len += (size_t)r;
	}
	out[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return !killed && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cf_test_runner(const char *const *args, char *out, size_t cap)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = SIM800_BIN_DIR "/sim800-conformance";
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return cf_test_exec(argv, out, cap, 900);
}

const json_t *cf_test_result(const json_t *report, const char *target, const char *id)
{
	size_t i, k;
	json_t *t, *c;
	json_array_foreach(json_object_get(report, "targets"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "target")), target))
			continue;
		json_array_foreach(json_object_get(t, "cases"), k, c)
			if (!strcmp(json_string_value(json_object_get(c, "id")), id))
				return c;
	}
	return NULL;
}

bool cf_test_have(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	char buf[4096], p[4200];
	snprintf(buf, sizeof buf, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(p, sizeof p, "%s/%s", d, prog);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}
