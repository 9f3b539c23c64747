/* cf_testutil.h - running sim800-conformance and other programs from the conformance tests. */
#ifndef CF_TESTUTIL_H
#define CF_TESTUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Run argv (argv[0] a path) with stdout into out (NUL-terminated, truncated at cap) and stderr
 * discarded; killed after timeout_s. Returns the exit status, -1 if it did not exit. */
int cf_test_exec(const char *const *argv, char *out, size_t cap, int timeout_s);
/* sim800-conformance with args (NULL-terminated); stdout into out. */
int cf_test_runner(const char *const *args, char *out, size_t cap);
/* The result of case id on target in a --json report, or NULL. */
const json_t *cf_test_result(const json_t *report, const char *target, const char *id);
/* A program on PATH (or an absolute path) that can be run. */
bool cf_test_have(const char *prog);

#endif
