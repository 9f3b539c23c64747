/* fuzz_at_tok.c - libFuzzer target: at_tok, the argument tokenizer shared by sim/ and driver/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_tok.h"
#include "fuzz.h"

/*
 * Input: byte 0 = n, then n operation bytes (which call, and the caller's buffer size), then
 * the argument text. The operations run in a loop over the text, the way handlers call the
 * iterator in any order on untrusted input. The text is copied to the heap with no NUL after
 * it, so a read past `len` is an ASan report, not a silent success.
 */

#define OPS_MAX 32
#define CALLS_MAX 256

/* The position only moves inside the text, and never backwards. */
static void check_pos(const struct at_tok *t, const char *s, size_t len, size_t *last)
{
	size_t col = at_tok_column(t);
	FUZZ_CHECK(t->p >= s && t->p <= s + len && col <= len);
	FUZZ_CHECK(col >= *last);
	FUZZ_CHECK(t->depth >= 0);
	*last = col;
}

static void check_string(enum at_tok_res r, const char *buf, size_t cap, size_t n)
{
	if (r != AT_TOK_OK)
		return;
	FUZZ_CHECK(n < cap && buf[n] == '\0');
}

static void one_call(struct at_tok *t, uint8_t op, char *buf)
{
	/* Buffer sizes 1..64 from the high bits, so TOOLONG paths are reached. */
	size_t cap = 1 + (op >> 3) * 2;
	size_t n = 0;
	long v = 0;
	enum at_tok_res r;
	switch (op & 7) {
	case 0:
		r = at_tok_next_int(t, &v);
		break;
	case 1:
		r = at_tok_next_int_default(t, &v, -7);
		break;
	case 2:
		r = at_tok_next_string(t, buf, cap, &n);
		check_string(r, buf, cap, n);
		break;
	case 3:
		r = at_tok_next_any(t, buf, cap, &n);
		check_string(r, buf, cap, n);
		break;
	case 4:
		r = at_tok_skip(t);
		break;
	case 5:
		r = at_tok_open_list(t);
		break;
	case 6:
		r = at_tok_close_list(t);
		break;
	default:
		/* The rest (dial strings), but only now and then: it ends the walk. */
		if (op & 0x80) {
			const char *rest = at_tok_rest(t, &n);
			FUZZ_CHECK(rest + n == t->end && at_tok_at_end(t));
		}
		r = at_tok_next_string(t, NULL, 0, NULL);
		break;
	}
	FUZZ_CHECK(r >= AT_TOK_OK && r <= AT_TOK_TOOLONG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n_ops = data[0] % OPS_MAX + 1;
	if (size < 1 + n_ops)
		return 0;
	const uint8_t *ops = data + 1;
	size_t len = size - 1 - n_ops;
	char *s = malloc(len ? len : 1);
	char *buf = malloc(64);
	if (!s || !buf) {
		free(s);
		free(buf);
		return 0;
	}
	memcpy(s, ops + n_ops, len);
	struct at_tok t;
	at_tok_init(&t, s, len);
	size_t last = 0;
	check_pos(&t, s, len, &last);
	for (size_t i = 0; i < CALLS_MAX; i++) {
		one_call(&t, ops[i % n_ops], buf);
		check_pos(&t, s, len, &last);
	}
	free(buf);
	free(s);
	return 0;
}
