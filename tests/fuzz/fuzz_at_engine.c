/* fuzz_at_engine.c - libFuzzer target: host bytes into a whole simulated modem (the AT engine). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_modem.h"
#include "profile_yaml.h"

/*
 * Input: byte 0 picks the bundled profile and the bytes per delivery (1..8, so fragmented
 * reads are always covered), byte 1 the fuzz_modem flags; the rest is what a host types,
 * segments split by FUZZ_MODEM_SEP. This runs line assembly, parsing, dispatch, every command
 * table, prompts/data mode, URCs and the data services up to their (refused) connects.
 */

/* Bundled profiles with distinct behaviour: old firmware, autobaud, PIN, no SIM, a slow net. */
static const char *const profiles[] = {
	"sim800-r14.18", "sim800-r13.08", "sim800-r14.18-autobaud", "sim800-no-sim",
	"sim800-denied", "sim800l16-2014", "sim800-r14.18-nohttpssl", "sim800-roaming",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const char *name = profiles[data[0] % (sizeof profiles / sizeof profiles[0])];
	size_t limit = 1 + (data[0] >> 5);
	/* No state may be kept between runs, so the profile is loaded each time (~0.2 ms). */
	struct profile_error err;
	struct profile *p = profile_yaml_load(name, SIM800_SOURCE_DIR "/profiles", &err);
	FUZZ_CHECK(p != NULL);
	fuzz_modem_run(p, NULL, data + 2, size - 2, limit, data[1]);
	profile_free(p);
	return 0;
}
