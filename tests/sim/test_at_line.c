/* test_at_line.c - line assembly and command-line parsing, fed a few bytes at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "at_line.h"
#include "at_parser.h"
#include "transcript.h"
#include "transport_mem.h"

/* Feed s in pieces of `step` bytes; collect events and the lines they carry. */
struct collected {
	int n;
	enum at_line_event ev[16];
	char text[16][64];
};

static void feed(struct at_line *l, const char *s, size_t step, struct collected *c)
{
	size_t n = strlen(s), off = 0;
	while (off < n) {
		size_t piece = n - off < step ? n - off : step;
		while (piece > 0) {
			enum at_line_event ev;
			size_t k = at_line_feed(l, (const uint8_t *)s + off, piece, &ev);
			off += k;
			piece -= k;
			if (ev != AT_LINE_NONE && c->n < 16) {
				c->ev[c->n] = ev;
				size_t len = 0;
				const char *t = at_line_text(l, &len);
				if (ev == AT_LINE_OVERFLOW)
					len = 0;
				memcpy(c->text[c->n], t, len < 63 ? len : 63);
				c->text[c->n][len < 63 ? len : 63] = '\0';
				c->n++;
			}
		}
	}
}

static void lines_in_every_fragmentation(void **state)
{
	(void)state;
	for (size_t step = 1; step <= 8; step++) {
		struct at_line l;
		struct collected c = {0};
		at_line_init(&l, 556, false);
		feed(&l, "junkAT+CSQ\r\nat+cgmi\rA/AT\r", step, &c);
		assert_int_equal(c.n, 4);
		assert_int_equal(c.ev[0], AT_LINE_COMMAND);
		assert_string_equal(c.text[0], "+CSQ");
		assert_string_equal(c.text[1], "+cgmi");
		assert_int_equal(c.ev[2], AT_LINE_REPEAT);
		assert_string_equal(c.text[2], "+cgmi");
		assert_string_equal(c.text[3], "");
	}
}

static void prefix_rules(void **state)
{
	(void)state;
	struct at_line l;
	struct collected c = {0};
	at_line_init(&l, 556, false);
	feed(&l, "At\raT\rAAT1\r", 3, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.text[0], "1");
	struct collected m = {0};
	at_line_init(&l, 556, true);
	feed(&l, "At1\raT2\r", 2, &m);
	assert_int_equal(m.n, 2);
	struct collected e = {0};
	at_line_init(&l, 556, false);
	feed(&l, "A/", 1, &e);
	assert_int_equal(e.ev[0], AT_LINE_EMPTY_REPEAT);
}

static void backspace_and_overflow(void **state)
{
	(void)state;
	struct at_line l;
	struct collected c = {0};
	at_line_init(&l, 8, false);
	feed(&l, "AT+CSX\bQ\rAT\b\bAT1\rAT123456789\rAT12345678\r", 4, &c);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.text[0], "+CSQ");
	assert_string_equal(c.text[1], "1");
	assert_int_equal(c.ev[2], AT_LINE_OVERFLOW);
	assert_int_equal(c.ev[3], AT_LINE_COMMAND);
	assert_string_equal(c.text[3], "12345678");
}

static int parse_all(const char *line, struct at_cmd *out, int max)
{
	struct at_parser p;
	at_parser_init(&p, line, strlen(line));
	int n = 0;
	for (;;) {
		enum at_parse_res r = at_parser_next(&p, &out[n < max ? n : max - 1]);
		if (r == AT_PARSE_END)
			return n;
		if (r == AT_PARSE_ERROR)
			return -1 - (int)p.err_column;
		n++;
	}
}

static void parser_basic_and_extended(void **state)
{
	(void)state;
	struct at_cmd c[16];
	/* MAN §1.4.4's own example. */
	int n = parse_all("E1Q0S0=1S3=13V1X4;+IFC=0,0;+IPR=115200;&W", c, 16);
	assert_int_equal(n, 9);
	assert_string_equal(c[0].name, "E");
	assert_int_equal(c[0].op, AT_OP_SET);
	assert_memory_equal(c[0].args, "1", 1);
	assert_string_equal(c[2].name, "S");
	assert_int_equal(c[2].sreg, 0);
	assert_memory_equal(c[2].args, "1", 1);
	assert_int_equal(c[3].sreg, 3);
	assert_string_equal(c[6].name, "+IFC");
	assert_int_equal(c[6].args_len, 3);
	assert_string_equal(c[7].name, "+IPR");
	assert_string_equal(c[8].name, "&W");
	assert_int_equal(c[8].op, AT_OP_EXEC);

	n = parse_all("+creg=?;+CREG?;+csq;+CSTT=\"a;b\",\"\",\"\"", c, 16);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].name, "+CREG");
	assert_int_equal(c[0].op, AT_OP_TEST);
	assert_int_equal(c[1].op, AT_OP_READ);
	assert_int_equal(c[2].op, AT_OP_EXEC);
	assert_int_equal(c[3].op, AT_OP_SET);
	assert_int_equal(c[3].args_len, strlen("\"a;b\",\"\",\"\""));
	assert_memory_equal(c[1].text, "+CREG?", 6);

	n = parse_all("D*99***1#", c, 16);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].name, "D");
	assert_int_equal(c[0].args_len, 8);
	n = parse_all("+CIFSR;E0", c, 16);
	assert_int_equal(n, 2);
	n = parse_all("S3?", c, 16);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].op, AT_OP_READ);
}

static void parser_errors_have_columns(void **state)
{
	(void)state;
	struct at_cmd c[16];
	assert_int_equal(parse_all("+CSQ?X", c, 16), -1 - 5);
	assert_int_equal(parse_all("#X", c, 16), -1 - 0);
	assert_int_equal(parse_all("E0+", c, 16), -1 - 2);
	assert_int_equal(parse_all("+CSTT=\"open", c, 16), -1 - 6);
	assert_int_equal(parse_all("S", c, 16), -1 - 1);
	assert_int_equal(parse_all("&", c, 16), -1 - 0);
	char nul[] = {'E', '0', '\0', 'V'};
	struct at_parser p;
	at_parser_init(&p, nul, sizeof nul);
	assert_int_equal(at_parser_next(&p, &c[0]), AT_PARSE_CMD);
	assert_int_equal(at_parser_next(&p, &c[0]), AT_PARSE_ERROR);
}

static void transcript_escape_round_trip(void **state)
{
	(void)state;
	uint8_t all[256], back[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	char esc[2048];
	transcript_escape(all, sizeof all, esc, sizeof esc);
	assert_int_equal(transcript_unescape(esc, back, sizeof back), 256);
	assert_memory_equal(all, back, 256);
	transcript_escape("AT\r\n\\\x1a", 6, esc, sizeof esc);
	assert_string_equal(esc, "AT\\r\\n\\\\\\x1a");
	assert_int_equal(transcript_unescape("\\q", back, sizeof back), -1);
	assert_int_equal(transcript_unescape("\\x4", back, sizeof back), -1);
}

/* Empty reads and writes on a fresh in-memory transport (found by fuzzing: NULL + 0). */
static void mem_transport_empty_edges(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct transport *t = transport_mem_new(loop, 4);
	char buf[8] = "junk";
	assert_int_equal(transport_mem_take(t, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	transport_mem_host_write(t, "", 0);
	assert_int_equal(transport_mem_undelivered(t), 0);
	transport_destroy(t);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_in_every_fragmentation),
		cmocka_unit_test(prefix_rules),
		cmocka_unit_test(backspace_and_overflow),
		cmocka_unit_test(parser_basic_and_extended),
		cmocka_unit_test(parser_errors_have_columns),
		cmocka_unit_test(transcript_escape_round_trip),
		cmocka_unit_test(mem_transport_empty_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
