/* cli_rig.h - the CLI tests' rig: sim800-sim + sim800-fixtures per profile, the CLI as a child. */
#ifndef CLI_RIG_H
#define CLI_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fxproc.h"
#include "simproc.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every command of build/bin/sim800 runs as a child process on the simulator's pty, with
 * --json; the test checks the one JSON object, the exit code, the wire log and what the
 * fixture servers logged (bodies and hashes that really arrived). Names resolve through the
 * simulator's --host map: web.test (http), legacy.test (TLS 1.0), modern.test (TLS 1.2+),
 * echo.test, sink.test. Skipped when the binaries are not built.
 */
struct cli_rig {
	struct fxproc fx;
	struct simproc sp;
	const char *profile;
	char wirelog[128];
	char cafile[128]; /* the test-made CA for host TLS over PPP */
	char control[128]; /* the simulator's control socket: what the network received */
};

struct cli_rig_result {
	json_t *j;
	int rc;
	char wire[65536]; /* the --log file */
};

/* One control-socket request (README "Control socket"); the parsed reply. */
json_t *cli_rig_control(const struct cli_rig *r, const char *line);
/* Run the CLI with --device, --json, --log and args; at most 120 s. */
void cli_rig_run(struct cli_rig *r, struct cli_rig_result *out, const char *const *args);
/* A string member by "a.b" path; NULL if absent. */
const char *cli_rig_jstr(json_t *j, const char *path);
json_int_t cli_rig_jint(json_t *j, const char *a, const char *b);
void cli_rig_sha_hex(const void *buf, size_t n, char out[65]);
/* Write n bytes to name in the rig's directory: its path, "@<path>" (the CLI's file argument)
 * and the bytes' SHA-256. The caller unlinks path. */
void cli_rig_data_file(const struct cli_rig *r, const char *name, const void *data, size_t n,
		       char path[160], char at[170], char hex[65]);
/* Requests the fixture service logged so far. */
size_t cli_rig_count(const struct fxproc *fx, const char *service);
/* The exit code, with the JSON and the end of the wire log shown when it is not the one. */
void cli_rig_expect_rc(const struct cli_rig_result *o, int rc, const char *file, int line);
#define EXPECT_RC(o, rc) cli_rig_expect_rc(o, rc, __FILE__, __LINE__)

/* The binaries are build dependencies of this test: missing ones are a failure, not a skip. */
#define SKIP_IF_NO_RIG(r)                                                                   \
	do {                                                                                \
		if (!(r))                                                                   \
			fail_msg("sim800, sim800-sim or sim800-fixtures is not built");     \
	} while (0)

/* Run tests twice, each time against a fresh rig: sim800-r14.18, then sim800-r13.08. Returns
 * the number of failures. */
int cli_rig_run_tests(const struct CMUnitTest *tests, size_t n);

#endif
