/* simproc.h - run sim800-sim as a child process and talk to its ptys as a driver would. */
#ifndef SIMPROC_H
#define SIMPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SIMPROC_MAX_MODEMS 32

struct simproc {
	pid_t pid;
	int out_fd;                              /* the child's stdout */
	int err_fd;                              /* the child's stderr */
	int n;                                   /* ready lines seen */
	char path[SIMPROC_MAX_MODEMS][64];       /* pty slave per modem */
	char profile[SIMPROC_MAX_MODEMS][64];
};

/* Start build/bin/sim800-sim with argv (NULL-terminated, without argv[0]) and wait up to
 * 10 s for `modems` ready lines. Returns false (and kills the child) otherwise. */
bool simproc_start(struct simproc *s, int modems, const char *const *argv);
/* SIGTERM, wait; returns the exit status (or -1 if it had to be killed after 10 s). */
int simproc_stop(struct simproc *s);
/* Run the simulator to completion (for CLI errors); captures stdout/stderr (NUL-terminated). */
int simproc_run(const char *const *argv, char *out, size_t out_cap, char *err, size_t err_cap);

/* Open a pty slave as a driver would: raw, 8N1, non-blocking reads. */
int simproc_open_tty(const char *path);
void simproc_write(int fd, const void *buf, size_t n);
void simproc_write_str(int fd, const char *s);
/* Read until exactly `expect` has arrived (or more: fails) within timeout_ms; asserts. */
void simproc_expect(int fd, const char *expect, int timeout_ms, const char *file, int line);
#define EXPECT_TTY(fd, expect) simproc_expect(fd, expect, 5000, __FILE__, __LINE__)
/* Read exactly strlen(expect) bytes and compare; what follows stays unread (PPP after
 * CONNECT belongs to the PPP client). */
void simproc_expect_start(int fd, const char *expect, int timeout_ms, const char *file,
			  int line);
#define EXPECT_TTY_START(fd, expect) simproc_expect_start(fd, expect, 5000, __FILE__, __LINE__)
/* Read whatever arrives within timeout_ms (stops early after `quiet_ms` of silence). */
size_t simproc_read_all(int fd, char *buf, size_t cap, int timeout_ms, int quiet_ms);
/* User + system CPU seconds the child has used so far (/proc). */
double simproc_cpu_seconds(const struct simproc *s);

#endif
