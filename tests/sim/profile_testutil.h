/* profile_testutil.h - helpers of the profile tests: load or expect an error, scratch files. */
#ifndef PROFILE_TESTUTIL_H
#define PROFILE_TESTUTIL_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile.h"
#include "profile_yaml.h"

#define BUNDLED_DIR SIM800_SOURCE_DIR "/profiles"
#define FIXTURES    SIM800_SOURCE_DIR "/tests/sim/profiles/"

/* Load or fail the test, printing the loader's error so a broken profile is easy to find. */
struct profile *prof_load_ok(const char *name_or_path);
/* Load a profile that must fail, and check where and why. message is a substring. */
void prof_expect_error(const char *name_or_path, const char *file, unsigned line,
		       unsigned column, const char *path, const char *message);

/* A scratch directory for generated files; removed with everything in it by tmp_clean. */
struct prof_tmpdir {
	char path[64];
	char files[32][128];
	size_t n;
};

void prof_tmp_make(struct prof_tmpdir *t);
/* Write len bytes to dir/name and return the path (owned by t). */
const char *prof_tmp_write(struct prof_tmpdir *t, const char *name, const char *data,
			   size_t len);
const char *prof_tmp_write_str(struct prof_tmpdir *t, const char *name, const char *text);
/* Write text to a scratch file and expect loading it to fail in that file, at line:column. */
void prof_expect_text_error(struct prof_tmpdir *t, const char *name, const char *text,
			    unsigned line, unsigned column, const char *path,
			    const char *message);
void prof_tmp_clean(struct prof_tmpdir *t);

/* The identity: section every generated profile needs. */
extern const char prof_minimal_identity[];

#endif
