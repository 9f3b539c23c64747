/* fuzz_at_parse.c - libFuzzer target: bytes -> at_line assembler -> at_parser, with invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_line.h"
#include "at_parser.h"
#include "fuzz.h"

/*
 * Input: byte 0 configures the assembler (line limit, mixed case) and the fragment size of the
 * second pass; the rest is what a host sends. The same bytes are fed twice, whole and in
 * fragments, and must give the same events and lines: a pty delivers whatever chunks it likes,
 * so an assembler whose result depends on them is wrong (style.md: fragmented reads).
 */

/* FNV-1a over the events and lines of one pass; equal digests = equal behaviour. */
struct digest {
	uint64_t h;
	size_t lines;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		d->h ^= b[i];
		d->h *= 1099511628211ull;
	}
}

/* Parse one complete line and check what the parser hands out stays inside it. */
static void parse_line(const char *text, size_t len, struct digest *d)
{
	struct at_parser p;
	struct at_cmd cmd;
	at_parser_init(&p, text, len);
	/* Every command consumes at least one character, so len + 1 calls must reach the end. */
	for (size_t k = 0; k <= len + 1; k++) {
		enum at_parse_res r = at_parser_next(&p, &cmd);
		mix(d, &r, sizeof r);
		if (r == AT_PARSE_ERROR) {
			FUZZ_CHECK(p.err_column <= len && p.err != NULL);
			return;
		}
		if (r == AT_PARSE_END)
			return;
		FUZZ_CHECK(memchr(cmd.name, '\0', sizeof cmd.name) != NULL);
		FUZZ_CHECK(cmd.column <= len);
		FUZZ_CHECK(cmd.text >= text && cmd.text + cmd.text_len <= text + len);
		if (cmd.args_len)
			FUZZ_CHECK(cmd.args >= text && cmd.args + cmd.args_len <= text + len);
		mix(d, cmd.name, strlen(cmd.name));
		mix(d, &cmd.op, sizeof cmd.op);
		(void)at_op_suffix(cmd.op);
	}
	FUZZ_CHECK(!"at_parser_next made no progress");
}

static void run(const uint8_t *in, size_t n, unsigned max, bool mixed, size_t chunk,
		struct digest *d)
{
	struct at_line *l = malloc(sizeof *l); /* heap, so ASan sees overruns of its buffers */
	if (!l)
		return;
	at_line_init(l, max, mixed);
	size_t off = 0, budget = 2 * n + 16;
	while (off < n) {
		FUZZ_CHECK(budget-- > 0); /* events without progress would spin the modem */
		size_t avail = n - off < chunk ? n - off : chunk;
		enum at_line_event ev = AT_LINE_NONE;
		size_t used = at_line_feed(l, in + off, avail, &ev);
		FUZZ_CHECK(used <= avail);
		FUZZ_CHECK(used > 0 || ev != AT_LINE_NONE);
		off += used;
		if (ev == AT_LINE_NONE)
			continue;
		mix(d, &ev, sizeof ev);
		if (ev == AT_LINE_COMMAND || ev == AT_LINE_REPEAT) {
			size_t len;
			const char *text = at_line_text(l, &len);
			FUZZ_CHECK(len <= max && len <= AT_LINE_CAP);
			mix(d, text, len);
			d->lines++;
			parse_line(text, len, d);
		}
	}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* Limits from 1 to 1024 around the module's 556 (sim800-facts.md §0). */
	unsigned max = 1 + (unsigned)(data[0] & 0x3f) * 16;
	bool mixed = data[0] & 0x40;
	size_t chunk = 1 + (data[0] >> 5);
	struct digest whole = {14695981039346656037ull, 0};
	struct digest frag = whole;
	run(data + 1, size - 1, max, mixed, SIZE_MAX, &whole);
	run(data + 1, size - 1, max, mixed, chunk, &frag);
	FUZZ_CHECK(whole.h == frag.h && whole.lines == frag.lines);
	return 0;
}
