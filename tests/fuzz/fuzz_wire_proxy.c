/* fuzz_wire_proxy.c - libFuzzer target: a real module's proxied wire rebuilt into command lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "fuzz.h"
#include "transcript.h"

/*
 * Input: records, each a header byte (low 2 bits: 0 rx, 1 tx, 2 note, 3 rx again; a real
 * module sends anything, in any cut), a length byte, then that many bytes of data. What the
 * rebuild returns is checked: only the simulator's record kinds, every rx record passed
 * through as it was, every data field a valid escape.
 */

static const char *const dirs[] = {"rx", "tx", "note", "rx"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *recs = json_array();
	size_t rx = 0;
	char esc[255 * 4 + 1];
	for (size_t i = 0; i + 2 <= size;) {
		const char *dir = dirs[data[i] & 3];
		size_t n = data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		transcript_escape(data + i, n, esc, sizeof esc);
		json_array_append_new(recs, json_pack("{s:f,s:s,s:s}", "t", (double)i, "dir", dir,
						      "data", esc));
		rx += !strcmp(dir, "rx");
		i += n;
	}
	json_t *out = cf_wire_from_proxy(recs, NULL);
	FUZZ_CHECK(out != NULL);
	size_t rx_out = 0, k;
	json_t *r;
	json_array_foreach(out, k, r) {
		const char *dir = json_string_value(json_object_get(r, "dir"));
		const char *d = json_string_value(json_object_get(r, "data"));
		FUZZ_CHECK(dir && d);
		FUZZ_CHECK(!strcmp(dir, "rx") || !strcmp(dir, "tx") || !strcmp(dir, "cmd") ||
			   !strcmp(dir, "note"));
		rx_out += !strcmp(dir, "rx");
		uint8_t *buf = malloc(strlen(d) + 1);
		FUZZ_CHECK(buf && transcript_unescape(d, buf, strlen(d) + 1) >= 0);
		free(buf);
	}
	FUZZ_CHECK(rx_out == rx);
	json_decref(out);
	json_decref(recs);
	return 0;
}
