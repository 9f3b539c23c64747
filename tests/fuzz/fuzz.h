/* fuzz.h - shared by the libFuzzer targets: the entry point and a check that always aborts. */
#ifndef SIM800_FUZZ_H
#define SIM800_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point; tests/fuzz/fuzz_replay.c calls it too, for the regression tests. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test; assert() would vanish under NDEBUG, this must not. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
