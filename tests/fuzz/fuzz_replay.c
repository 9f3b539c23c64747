/* fuzz_replay.c - cmocka test: every corpus and regression input of one fuzz target, replayed. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz.h"

/*
 * Built for each target without libFuzzer (gcc, the normal and the ASan build): the seed
 * corpus and every input that once crashed (regress/) run through the same entry point, so a
 * fixed crash stays fixed. FUZZ_TARGET names the target.
 */

/* Read a whole file; the caller frees. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Replays every regular file in dir; returns how many. A missing dir counts as empty. */
static size_t replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		int w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		assert_true(w > 0 && (size_t)w < sizeof path);
		size_t len = 0;
		uint8_t *buf = slurp(path, &len);
		assert_non_null(buf);
		/* Named on stderr first, so a sanitizer report says which input it was. */
		fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		count++;
	}
	closedir(d);
	return count;
}

static void test_corpus(void **state)
{
	(void)state;
	size_t n = replay_dir(SIM800_SOURCE_DIR "/tests/fuzz/corpus/" FUZZ_TARGET);
	assert_true(n > 0); /* a target without seeds is a packaging mistake */
}

static void test_regressions(void **state)
{
	(void)state;
	replay_dir(SIM800_SOURCE_DIR "/tests/fuzz/regress/" FUZZ_TARGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_regressions),
	};
	return cmocka_run_group_tests_name(FUZZ_TARGET, tests, NULL, NULL);
}
