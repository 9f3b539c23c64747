/* simproc.c - run sim800-sim as a child process and talk to its ptys (see simproc.h). */
#include "simproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "transcript.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t spawn(const char *const *argv, int *out_fd, int *err_fd)
{
	int out[2], err[2];
	if (pipe(out) || pipe(err))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* A failed assertion longjmps past the test's cleanup: never outlive the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		const char *args[64];
		size_t n = 0;
		args[n++] = SIM800_BIN_DIR "/sim800-sim";
		for (size_t i = 0; argv && argv[i] && n < 63; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return pid;
}

bool simproc_start(struct simproc *s, int modems, const char *const *argv)
{
	memset(s, 0, sizeof *s);
	s->pid = spawn(argv, &s->out_fd, &s->err_fd);
	if (s->pid < 0)
		return false;
	char buf[8192];
	size_t len = 0;
	long long deadline = now_ms() + 10000;
	while (s->n < modems) {
		int left = (int)(deadline - now_ms());
		struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t r = read(s->out_fd, buf + len, sizeof buf - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			int idx;
			char path[64], prof[64];
			if (sscanf(buf, "ready %d %63s %63s", &idx, path, prof) == 3 &&
			    idx < SIMPROC_MAX_MODEMS) {
				strcpy(s->path[idx], path);
				strcpy(s->profile[idx], prof);
				s->n++;
			}
			size_t used = (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len - used + 1);
			len -= used;
		}
	}
	if (s->n < modems) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		return false;
	}
	return true;
}

int simproc_stop(struct simproc *s)
{
	int status;
	kill(s->pid, SIGTERM);
	long long deadline = now_ms() + 10000;
	for (;;) {
		pid_t r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid)
			break;
		if (now_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
			break;
		}
		struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
		poll(&p, 1, 10);
		char junk[256];
		if (p.revents & POLLIN)
			(void)!read(s->out_fd, junk, sizeof junk);
	}
	close(s->out_fd);
	close(s->err_fd);
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static size_t drain(int fd, char *buf, size_t cap, size_t len)
{
	for (;;) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len + 1 >= cap)
			break;
	}
	buf[len] = '\0';
	return len;
}

int simproc_run(const char *const *argv, char *out, size_t out_cap, char *err, size_t err_cap)
{
	int ofd, efd, status;
	pid_t pid = spawn(argv, &ofd, &efd);
	if (pid < 0)
		return -1;
	size_t ol = 0, el = 0;
	struct pollfd p[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
	long long deadline = now_ms() + 10000;
	int open_fds = 2;
	while (open_fds > 0 && now_ms() < deadline) {
		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			char *b = i ? err : out;
			size_t cap = i ? err_cap : out_cap;
			size_t *l = i ? &el : &ol;
			ssize_t r = read(p[i].fd, b + *l, cap - 1 - *l);
			if (r <= 0) {
				p[i].fd = -1;
				open_fds--;
			} else {
				*l += (size_t)r;
			}
		}
	}
	out[ol] = '\0';
	err[el] = '\0';
	close(ofd);
	close(efd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int simproc_open_tty(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetispeed(&tio, B115200);
		cfsetospeed(&tio, B115200);
		tcsetattr(fd, TCSANOW, &tio);
	}
	return fd;
}

void simproc_write(int fd, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	long long deadline = now_ms() + 5000;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			fail_msg("write to tty: %s", strerror(errno));
		if (now_ms() > deadline)
			fail_msg("write to tty: timed out");
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		poll(&p, 1, 50);
	}
}

void simproc_write_str(int fd, const char *s)
{
	simproc_write(fd, s, strlen(s));
}

size_t simproc_read_all(int fd, char *buf, size_t cap, int timeout_ms, int quiet_ms)
{
	size_t len = 0;
	long long deadline = now_ms() + timeout_ms;
	while (len + 1 < cap) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait = (int)(left < quiet_ms ? left : quiet_ms);
		if (poll(&p, 1, wait) <= 0)
			break;
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r > 0)
			len += (size_t)r;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	buf[len] = '\0';
	return len;
}

/* Reads until want bytes arrived; with exact, never more than want (the rest stays queued). */
static size_t read_want(int fd, char *buf, size_t want, bool exact, int timeout_ms)
{
	size_t len = 0;
	long long deadline = now_ms() + timeout_ms;
	while (len < want) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t r = read(fd, buf + len, (exact ? want : want + 4095) - len);
		if (r > 0)
			len += (size_t)r;
	}
	return len;
}

static void expect_bytes(int fd, const char *expect, bool prefix, int timeout_ms,
			 const char *file, int line)
{
	size_t want = strlen(expect);
	char *buf = malloc(want + 4096);
	assert_non_null(buf);
	size_t len = read_want(fd, buf, want, prefix, timeout_ms);
	/* Anything more that is already on its way is part of the answer too. */
	if (!prefix)
		len = drain(fd, buf, want + 4096, len);
	if (len != want || memcmp(buf, expect, want) != 0) {
		char *eg = malloc(len * 4 + 1), *ee = malloc(want * 4 + 1);
		transcript_escape(buf, len, eg, len * 4 + 1);
		transcript_escape(expect, want, ee, want * 4 + 1);
		print_error("%s:%d: tty gave\n  \"%s\"\nexpected\n  \"%s\"\n", file, line, eg, ee);
		free(eg);
		free(ee);
		free(buf);
		fail();
	}
	free(buf);
}

void simproc_expect(int fd, const char *expect, int timeout_ms, const char *file, int line)
{
	expect_bytes(fd, expect, false, timeout_ms, file, line);
}

void simproc_expect_start(int fd, const char *expect, int timeout_ms, const char *file,
			  int line)
{
	expect_bytes(fd, expect, true, timeout_ms, file, line);
}

double simproc_cpu_seconds(const struct simproc *s)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)s->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long utime = 0, stime = 0;
	/* Fields after the command name: state is 3rd; utime 14th, stime 15th. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}
