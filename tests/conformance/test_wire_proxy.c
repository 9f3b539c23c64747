/* test_wire_proxy.c - rebuilding a real module's command lines from sim800-proxy chunks, case by case. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cf.h"
#include "transcript.h"

/* A proxy transcript from alternating chunks: "<rx>..." or "<tx>..." (NULL-terminated). */
static json_t *chunks(const char *const *list)
{
	json_t *recs = json_array();
	for (size_t i = 0; list[i]; i++) {
		const char *dir = !strncmp(list[i], "<rx>", 4) ? "rx" : "tx";
		const char *data = list[i] + 4;
		char esc[4096];
		transcript_escape(data, strlen(data), esc, sizeof esc);
		json_array_append_new(recs, json_pack("{s:f,s:s,s:s}", "t", (double)i, "dir", dir,
						      "data", esc));
	}
	return recs;
}

/* The rebuilt "cmd" records, joined with '|'. */
static void commands(const char *const *list, char *out, size_t cap)
{
	json_t *recs = chunks(list);
	json_t *got = cf_wire_from_proxy(recs, NULL);
	assert_non_null(got);
	out[0] = '\0';
	size_t i;
	json_t *r;
	json_array_foreach(got, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "dir")), "cmd"))
			continue;
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s", l ? "|" : "", json_string_value(json_object_get(r, "data")));
	}
	json_decref(got);
	json_decref(recs);
}

#define EXPECT_COMMANDS(want, ...)                                                             \
	do {                                                                                   \
		const char *const list_[] = {__VA_ARGS__, NULL};                               \
		char got_[1024];                                                               \
		commands(list_, got_, sizeof got_);                                            \
		assert_string_equal(got_, want);                                               \
	} while (0)

/* CIPSEND with a length: exactly that many bytes are payload, "AT\r" inside included; cut
 * anywhere, the lines come out the same. */
static void cipsend_payload_is_not_a_line(void **state)
{
	(void)state;
	EXPECT_COMMANDS("+CIPSEND=6|+CSQ", "<rx>AT+CIPSEND=6\r", "<tx>\r\n> ", "<rx>AT\rAT\r",
			"<tx>\r\nDATA ACCEPT:6\r\n", "<rx>AT+CSQ\r", "<tx>\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	EXPECT_COMMANDS("+CIPSEND=0,6|+CSQ", "<rx>AT+CIPSEND=0,", "<rx>6\r", "<tx>\r\n", "<tx>> ",
			"<rx>AT\r", "<rx>AT\r", "<tx>\r\nSEND OK\r\n", "<rx>AT+CSQ\r");
	/* No length: to Ctrl-Z. */
	EXPECT_COMMANDS("+CIPSEND|+CSQ", "<rx>AT+CIPSEND\r", "<tx>\r\n> ", "<rx>AT+CIPCLOSE\r\x1a",
			"<tx>\r\nSEND OK\r\n", "<rx>AT+CSQ\r");
	/* Refused: no prompt, so the next line is a command. */
	EXPECT_COMMANDS("+CIPSEND=5|+CIPSTATUS", "<rx>AT+CIPSEND=5\r", "<tx>\r\nERROR\r\n",
			"<rx>AT+CIPSTATUS\r", "<tx>\r\nOK\r\n");
	/* The test form prompts for nothing. */
	EXPECT_COMMANDS("+CIPSEND=?|+CSQ", "<rx>AT+CIPSEND=?\r",
			"<tx>\r\n+CIPSEND: (0-1460)\r\n\r\nOK\r\n", "<rx>AT+CSQ\r");
}

/* CMGS to Ctrl-Z (or ESC), HTTPDATA after DOWNLOAD, FSWRITE's third number. */
static void other_payloads(void **state)
{
	(void)state;
	EXPECT_COMMANDS("+CMGS=\"+441234\"|+CMGF?", "<rx>AT+CMGS=\"+441234\"\r", "<tx>\r\n> ",
			"<rx>at last\rAT\x1b", "<tx>\r\nOK\r\n", "<rx>AT+CMGF?\r");
	EXPECT_COMMANDS("+HTTPDATA=4,1000|+HTTPACTION=1", "<rx>AT+HTTPDATA=4,1000\r",
			"<tx>\r\nDOWNLOAD\r\n", "<rx>AT\r\r", "<tx>\r\nOK\r\n", "<rx>AT+HTTPACTION=1\r");
	EXPECT_COMMANDS("+FSWRITE=C:/User/a-certificate-with-a-rather-long-name.pem,0,3,10|+CSQ",
			"<rx>AT+FSWRITE=C:/User/a-certificate-with-a-rather-long-name.pem,0,3,10\r",
			"<tx>\r\n> ", "<rx>AT\r", "<tx>\r\nOK\r\n", "<rx>AT+CSQ\r");
	EXPECT_COMMANDS("+FSWRITE=c.pem,0,3,10|+SSLSETCERT=\"c.pem\"",
			"<rx>AT+FSWRITE=c.pem,0,3,10\r", "<tx>\r\n> ", "<rx>AT\r", "<tx>\r\nOK\r\n",
			"<rx>AT+SSLSETCERT=\"c.pem\"\r");
}

/* Online after CONNECT (V1) or "1" (V0) until NO CARRIER or the answer to the escape. */
static void data_mode(void **state)
{
	(void)state;
	EXPECT_COMMANDS("D*99#|H", "<rx>ATD*99#\r", "<tx>\r\nCONNECT\r\n", "<rx>~AT\r~",
			"<tx>~\x7d\x23\r\nOK\r\n~", "<rx>+++", "<tx>\r\nOK\r\n", "<rx>ATH\r",
			"<tx>\r\nOK\r\n");
	EXPECT_COMMANDS("V0|D*99#|H", "<rx>ATV0\r", "<tx>0\r", "<rx>ATD*99#\r", "<tx>1\r",
			"<rx>AT\r", "<tx>0\r~~", "<rx>+++", "<tx>0\r", "<rx>ATH\r", "<tx>0\r");
	/* The network ends it: NO CARRIER without an escape. */
	EXPECT_COMMANDS("D*99#|+CSQ", "<rx>ATD*99#\r", "<tx>\r\nCONNECT 115200\r\n", "<rx>AT\r",
			"<tx>\r\nNO CARRIER\r\n", "<rx>AT+CSQ\r");
	/* CONNECT OK (non-transparent CIPSTART) is not data mode. */
	EXPECT_COMMANDS("+CIPSTART=\"TCP\",\"a\",1|+CSQ", "<rx>AT+CIPSTART=\"TCP\",\"a\",1\r",
			"<tx>\r\nOK\r\n\r\nCONNECT OK\r\n", "<rx>AT+CSQ\r");
}

/* The simulator's line assembler: garbage before "AT", "A/", backspace, lowercase. */
static void line_assembly(void **state)
{
	(void)state;
	EXPECT_COMMANDS("+CSQ|+CSQ|+CREG?|+cops?", "<rx>\x01\xffxyAT+CSQ\r", "<rx>A/",
			"<rx>AT+CREX\b", "<rx>G?\r", "<rx>at+cops?\r");
}

/* The module's lines come out one per record, the prompt as "> ", rx passes through. */
static void module_lines(void **state)
{
	(void)state;
	const char *const list[] = {"<rx>AT+CIPSEND=1\r", "<tx>\r\n> ", "<rx>x",
				    "<tx>\r\nDATA AC", "<tx>CEPT:1\r\n\r\nCLO", "<tx>SED\r\n", NULL};
	json_t *recs = chunks(list);
	json_t *got = cf_wire_from_proxy(recs, NULL);
	char seq[512] = "";
	size_t i;
	json_t *r;
	json_array_foreach(got, i, r) {
		size_t l = strlen(seq);
		snprintf(seq + l, sizeof seq - l, "%s:%s;", json_string_value(json_object_get(r, "dir")),
			 json_string_value(json_object_get(r, "data")));
	}
	assert_string_equal(seq, "rx:AT+CIPSEND=1\\r;cmd:+CIPSEND=1;tx:> ;rx:x;tx:DATA ACCEPT:1;"
				 "tx:CLOSED;");
	json_decref(got);
	json_decref(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cipsend_payload_is_not_a_line),
		cmocka_unit_test(other_payloads),
		cmocka_unit_test(data_mode),
		cmocka_unit_test(line_assembly),
		cmocka_unit_test(module_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
