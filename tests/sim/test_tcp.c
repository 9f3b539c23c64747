/* test_tcp.c - the CIP stack against real loopback servers (sim800-fixtures), byte for byte. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fxproc.h"
#include "netmap.h"
#include "svc_tcp.h"
#include "simtest.h"
#include "transport_mem.h"

static struct fxproc fx;

static int start_fixtures(void **state)
{
	(void)state;
	return fxproc_start(&fx) ? 0 : -1;
}

static int stop_fixtures(void **state)
{
	(void)state;
	return fxproc_stop(&fx) == 0 ? 0 : -1;
}

static struct simtest *up(const char *profile, size_t limit)
{
	struct simtest *t = simtest_new(profile, limit, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	return t;
}

static void bring_up(struct simtest *t)
{
	EXPECT_REPLY(t, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIFSR\r", "\r\n10.64.0.2\r\n");
}

static void cmdf(struct simtest *t, const char *fmt, int a, int b)
{
	char buf[256];
	snprintf(buf, sizeof buf, fmt, a, b);
	simtest_take(t, NULL);
	simtest_send(t, buf);
}

static void state_machine_single(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	/* OK first, then the state (facts §10 item 2). */
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP INITIAL\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIFSR\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"internet\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSTT?\r", "\r\n+CSTT: \"internet\",\"\",\"\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP START\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"x\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIICR\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP GPRSACT\r\n");
	/* CIPSTART before CIFSR is refused (field-bugs.md reg-cifsr-has-no-ok). */
	EXPECT_REPLY(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",\"80\"\r", "\r\nERROR\r\n");
	/* The bare address and no OK; TinyGSM's ";E0" gets one. */
	EXPECT_REPLY(t, "AT+CIFSR\r", "\r\n10.64.0.2\r\n");
	EXPECT_REPLY(t, "AT+CIFSR;E0\r", "\r\n10.64.0.2\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP STATUS\r\n");
	EXPECT_REPLY(t, "AT+CIPMUX=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP INITIAL\r\n");
	EXPECT_REPLY(t, "AT+CIPMUX=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPMUX?\r", "\r\n+CIPMUX: 1\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void tcp_echo_single(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nCONNECT OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: CONNECT OK\r\n");
	/* "> " without a line end, then exactly 5 bytes. */
	EXPECT_REPLY(t, "AT+CIPSEND=5\r", "\r\n> ");
	simtest_send(t, "hello");
	WAIT_FOR(t, "hello");
	/* SEND OK, then the echo pushed raw (AT+CIPHEAD=0). */
	EXPECT_OUT(t, "\r\nSEND OK\r\nhello");
	/* AT+CIPSRIP=1: the sender before the data (MAN §8.2.20). */
	EXPECT_REPLY(t, "AT+CIPSRIP=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=2\r", "\r\n> ");
	simtest_send(t, "ip");
	char from[128];
	snprintf(from, sizeof from, "\r\nSEND OK\r\n\r\nRECV FROM:127.0.0.1:%d\r\nip", fx.tcp_echo);
	WAIT_FOR(t, from);
	EXPECT_OUT(t, from);
	EXPECT_REPLY(t, "AT+CIPSRIP=0;+CIPHEAD=1\r", "\r\nOK\r\n");
	/* Ctrl-Z form, binary-safe bytes included. */
	EXPECT_REPLY(t, "AT+CIPSEND\r", "\r\n> ");
	simtest_send(t, "ab\r\ncd\x1a");
	WAIT_FOR(t, "+IPD,6:ab\r\ncd");
	EXPECT_OUT(t, "\r\nSEND OK\r\n\r\n+IPD,6:ab\r\ncd");
	/* ESC cancels: nothing reaches the server. */
	EXPECT_REPLY(t, "AT+CIPSEND\r", "\r\n> ");
	EXPECT_REPLY(t, "zzz\x1b", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=0\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=1461\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND?\r", "\r\n+CIPSEND:1460\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPQSEND=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=3\r", "\r\n> ");
	simtest_send(t, "xyz");
	WAIT_FOR(t, "+IPD,3:xyz");
	EXPECT_OUT(t, "\r\nDATA ACCEPT:3\r\n\r\n+IPD,3:xyz");
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "ALREADY CONNECT");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nALREADY CONNECT\r\n");
	EXPECT_REPLY(t, "AT+CIPCLOSE\r", "\r\nCLOSE OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: IP CLOSE\r\n");
	EXPECT_REPLY(t, "AT+CIPCLOSE\r", "\r\nERROR\r\n");
	/* Not connected: ERROR with CMEE=0, operation not allowed with CMEE=2. */
	EXPECT_REPLY(t, "AT+CIPSEND=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2;+CIPSEND=1\r", "\r\n+CME ERROR: operation not allowed\r\n");
	simtest_free(t);
}

static void multi_connections(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	EXPECT_REPLY(t, "AT+CIPMUX=1\r", "\r\nOK\r\n");
	/* Multi mode needs IP STATUS: no automatic bring-up. */
	EXPECT_REPLY(t, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",\"80\"\r", "\r\nERROR\r\n");
	bring_up(t);
	cmdf(t, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",\"%d\"\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "0, CONNECT OK");
	EXPECT_OUT(t, "\r\nOK\r\n\r\n0, CONNECT OK\r\n");
	cmdf(t, "AT+CIPSTART=3,\"UDP\",\"127.0.0.1\",%d\r", fx.udp_echo, 0);
	WAIT_FOR(t, "3, CONNECT OK");
	EXPECT_OUT(t, "\r\nOK\r\n\r\n3, CONNECT OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=3,4\r", "\r\n> ");
	simtest_send(t, "ping");
	WAIT_FOR(t, "+RECEIVE,3,4:ping");
	EXPECT_OUT(t, "\r\n3, SEND OK\r\n\r\n+RECEIVE,3,4:ping");
	EXPECT_REPLY(t, "AT+CIPSEND=0,2\r", "\r\n> ");
	simtest_send(t, "hi");
	WAIT_FOR(t, "+RECEIVE,0,2:hi");
	EXPECT_OUT(t, "\r\n0, SEND OK\r\n\r\n+RECEIVE,0,2:hi");
	char want[512];
	snprintf(want, sizeof want,
		 "\r\nOK\r\n\r\nSTATE: IP PROCESSING\r\n"
		 "\r\nC: 0,0,\"TCP\",\"127.0.0.1\",\"%d\",\"CONNECTED\"\r\n"
		 "\r\nC: 1,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		 "\r\nC: 2,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		 "\r\nC: 3,0,\"UDP\",\"127.0.0.1\",\"%d\",\"CONNECTED\"\r\n"
		 "\r\nC: 4,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		 "\r\nC: 5,,\"\",\"\",\"\",\"INITIAL\"\r\n",
		 fx.tcp_echo, fx.udp_echo);
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", want);
	cmdf(t, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "0, ALREADY CONNECT");
	EXPECT_OUT(t, "\r\nOK\r\n\r\n0, ALREADY CONNECT\r\n");
	EXPECT_REPLY(t, "AT+CIPCLOSE=0,1\r", "\r\n0, CLOSE OK\r\n");
	/* Closing it again: operation not allowed (field-bugs.md cip-close-unopened-...). */
	EXPECT_REPLY(t, "AT+CIPCLOSE=0,1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=1;+CIPCLOSE=0,1\r", "\r\n+CME ERROR: 3\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2;+CIPCLOSE=0,1\r", "\r\n+CME ERROR: operation not allowed\r\n");
	EXPECT_REPLY(t, "AT+CIPQSEND=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=3,5\r", "\r\n> ");
	simtest_send(t, "12345");
	WAIT_FOR(t, "+RECEIVE,3,5:12345");
	EXPECT_OUT(t, "\r\nDATA ACCEPT:3,5\r\n\r\n+RECEIVE,3,5:12345");
	/* A send that fails under the data (field-bugs.md cip-send-fail-unhandled). */
	assert_true(svc_tcp_fail_next_send(t->m, 3));
	EXPECT_REPLY(t, "AT+CIPQSEND=0;+CIPSEND=3,2\r", "\r\n> ");
	EXPECT_REPLY(t, "zz", "\r\n3, SEND FAIL\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=3,2\r", "\r\n+CME ERROR: operation not allowed\r\n");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	simtest_free(t);
}

static void manual_read_and_remote_close(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 8);
	EXPECT_REPLY(t, "AT+CIPMUX=1;+CIPRXGET=1\r", "\r\nOK\r\n");
	bring_up(t);
	cmdf(t, "AT+CIPSTART=1,\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "1, CONNECT OK");
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT+CIPSEND=1,10\r", "\r\n> ");
	simtest_send(t, "0123456789");
	WAIT_FOR(t, "+CIPRXGET: 1,1");
	EXPECT_OUT(t, "\r\n1, SEND OK\r\n\r\n+CIPRXGET: 1,1\r\n");
	EXPECT_REPLY(t, "AT+CIPRXGET=4,1\r", "\r\n+CIPRXGET: 4,1,10\r\n\r\nOK\r\n");
	/* Third field: bytes returned; fourth: bytes still buffered (facts §10 item 10). */
	EXPECT_REPLY(t, "AT+CIPRXGET=2,1,4\r", "\r\n+CIPRXGET: 2,1,4,6\r\n0123\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPRXGET=3,1,2\r", "\r\n+CIPRXGET: 3,1,2,4\r\n3435\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPRXGET=2,1,100\r", "\r\n+CIPRXGET: 2,1,4,0\r\n6789\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPRXGET?\r", "\r\n+CIPRXGET: 1\r\n\r\nOK\r\n");

	/* tcp-close sends a banner and closes: CLOSED comes at once, the bytes stay readable,
	 * then reading a closed, empty link is ERROR (field-bugs.md cip-ciprxget-error-loop...). */
	cmdf(t, "AT+CIPSTART=2,\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_close, 0);
	WAIT_FOR(t, "2, CLOSED");
	size_t n;
	const char *out = simtest_take(t, &n);
	assert_non_null(strstr(out, "\r\n2, CONNECT OK\r\n"));
	assert_non_null(strstr(out, "\r\n+CIPRXGET: 1,2\r\n"));
	simtest_take(t, NULL);
	simtest_send(t, "AT+CIPRXGET=2,2,1460\r");
	simtest_settle(t);
	out = simtest_take(t, &n);
	assert_memory_equal(out, "\r\n+CIPRXGET: 2,2,", 17);
	assert_non_null(strstr(out, ",0\r\n"));
	assert_memory_equal(out + n - 6, "\r\nOK\r\n", 6);
	EXPECT_REPLY(t, "AT+CIPRXGET=2,2,10\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void push_mode_remote_close(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r13.08", 4);
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_close, 0);
	WAIT_FOR(t, "\r\nCLOSED\r\n");
	size_t n;
	const char *out = simtest_take(t, &n);
	/* CONNECT OK, the banner, then CLOSED after the last byte. */
	assert_memory_equal(out, "\r\nOK\r\n\r\nCONNECT OK\r\n", 20);
	assert_memory_equal(out + n - 10, "\r\nCLOSED\r\n", 10);
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n");
	simtest_free(t);
}

static void connect_failures(void **state)
{
	(void)state;
	/* A refused port fails at once. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(s, (struct sockaddr *)&a, &alen);
	int closed_port = ntohs(a.sin_port);
	close(s);
	struct simtest *t = up("sim800-r14.18", 4);
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", closed_port, 0);
	WAIT_FOR(t, "CONNECT FAIL");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nCONNECT FAIL\r\n");
	/* An unknown name is a DNS failure: CONNECT FAIL too. */
	EXPECT_REPLY(t, "AT+CIPSTART=\"TCP\",\"no.such.host\",80\r", "\r\nOK\r\n\r\nCONNECT FAIL\r\n");
	/* A mapped name reaches the fixture. */
	char spec[128];
	snprintf(spec, sizeof spec, "echo.example.com:7=127.0.0.1:%d", fx.tcp_echo);
	char why[256];
	assert_true(netmap_host(t->netmap, spec, why, sizeof why));
	simtest_take(t, NULL);
	simtest_send(t, "AT+CIPSTART=\"TCP\",\"echo.example.com\",7\r");
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_REPLY(t, "AT+CIPCLOSE=1\r", "\r\nCLOSE OK\r\n");
	simtest_free(t);
}

/* tcp-echo records, once earlier tests' connections have all been logged: the server writes
 * a close record when it sees the client's FIN, which may come after that test returned.
 * Stable over 100 ms twice in a row, within 3 s. */
static size_t echo_records_settled(void)
{
	size_t last = (size_t)-1, n = 0;
	for (int i = 0, same = 0; i < 30 && same < 2; i++) {
		json_t *r = fxproc_records(&fx, "tcp-echo", NULL);
		n = json_array_size(r);
		json_decref(r);
		same = n == last ? same + 1 : 0;
		last = n;
		if (same < 2)
			usleep(100000); /* another process's log, not our loop's */
	}
	return n;
}

static void outside_allow_is_unreachable(void **state)
{
	(void)state;
	size_t n0 = echo_records_settled();
	/* connect_fail_ms (75 s) scaled by 0.001. */
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0.001);
	simtest_run_for(t, 0.02);
	simtest_take(t, NULL);
	char why[256];
	assert_true(netmap_allow(t->netmap, "127.0.0.2/32", why, sizeof why));
	EXPECT_REPLY(t, "ATE0;+CSTT\r", "ATE0;+CSTT\r\r\nOK\r\n");
	/* AT+CIICR takes the profile's 1500 ms (scaled): wait for it. */
	simtest_send(t, "AT+CIICR;+CIFSR\r");
	WAIT_FOR(t, "\r\n10.64.0.2\r\n");
	simtest_take(t, NULL);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\nOK\r\n");
	/* Waiting for an answer that will not come: TCP CONNECTING. */
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: TCP CONNECTING\r\n");
	WAIT_FOR(t, "CONNECT FAIL");
	EXPECT_OUT(t, "\r\nCONNECT FAIL\r\n");
	simtest_free(t);
	/* Nothing reached the server. */
	assert_int_equal(echo_records_settled(), n0);
}

static void sha256_hex(const uint8_t *d, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_Digest(d, n, md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void one_megabyte_arrives_intact(void **state)
{
	(void)state;
	enum { TOTAL = 1 << 20 };
	uint8_t *data = malloc(TOTAL);
	uint32_t x = 7;
	for (size_t i = 0; i < TOTAL; i++) {
		x = x * 1664525u + 1013904223u;
		data[i] = (uint8_t)(x >> 24);
	}
	struct simtest *t = up("sim800-r14.18", 2048);
	EXPECT_REPLY(t, "AT+CIPMUX=1\r", "\r\nOK\r\n");
	bring_up(t);
	cmdf(t, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_sink, 0);
	WAIT_FOR(t, "0, CONNECT OK");
	for (size_t off = 0; off < TOTAL; off += 1460) {
		size_t n = TOTAL - off < 1460 ? TOTAL - off : 1460;
		cmdf(t, "AT+CIPSEND=0,%d\r", (int)n, 0);
		assert_true(simtest_wait_for(t, "\r\n> ", 10));
		simtest_take(t, NULL);
		simtest_send_n(t, data + off, n);
		assert_true(simtest_wait_for(t, "0, SEND OK", 10));
	}
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT+CIPCLOSE=0\r", "\r\n0, CLOSE OK\r\n");
	simtest_free(t);
	char want[65];
	sha256_hex(data, TOTAL, want);
	free(data);
	/* The sink logs its record when it sees the close; give the loopback a moment. */
	json_t *recs = NULL;
	for (int i = 0; i < 200; i++) {
		json_decref(recs);
		recs = fxproc_records(&fx, "tcp-sink", "close");
		bool found = false;
		for (size_t k = 0; k < json_array_size(recs); k++) {
			json_t *r = json_array_get(recs, k);
			if (json_integer_value(json_object_get(r, "bytes_in")) == TOTAL) {
				assert_string_equal(json_string_value(json_object_get(r, "sha256_in")), want);
				found = true;
			}
		}
		if (found)
			break;
		struct timespec ms = {0, 10 * 1000 * 1000};
		nanosleep(&ms, NULL);
	}
	json_decref(recs);
}

static void ssl_per_profile(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r13.08", 4);
	EXPECT_REPLY(t, "AT+CIPSSL=?\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPSSL=1\r", "\r\nERROR\r\n");
	simtest_free(t);

	t = up("sim800-r14.18", 4);
	EXPECT_REPLY(t, "AT+CIPSSL=?\r", "\r\n+CIPSSL: (0-1)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPMUX=1;+CIPSSL=1\r", "\r\nOK\r\n");
	bring_up(t);
	/* A legacy TLS 1.0 server with a self-signed (even expired) certificate: accepted. */
	cmdf(t, "AT+CIPSTART=0,\"TCP\",\"127.0.0.1\",%d\r", fx.https_expired, 0);
	WAIT_FOR(t, "0, CONNECT OK");
	const char req[] = "GET /bytes/10 HTTP/1.0\r\n\r\n";
	cmdf(t, "AT+CIPSEND=0,%d\r", (int)strlen(req), 0);
	assert_true(simtest_wait_for(t, "> ", 5));
	simtest_send(t, req);
	WAIT_FOR(t, "0123456789");
	size_t n;
	const char *out = simtest_take(t, &n);
	assert_non_null(strstr(out, "+RECEIVE,0,"));
	assert_non_null(strstr(out, "HTTP/1.1 200"));
	/* A TLS 1.2-only server: the handshake fails, "CLOSE OK" (facts §5.2, TinyGSM #425). */
	cmdf(t, "AT+CIPSTART=1,\"TCP\",\"127.0.0.1\",%d\r", fx.https_modern, 0);
	WAIT_FOR(t, "1, CLOSE OK");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	simtest_free(t);
}

static void profile_hosts(void **state)
{
	(void)state;
	struct simtest *t = up(SIM800_SOURCE_DIR "/tests/sim/profiles/core-hosts.yaml", 4);
	bring_up(t);
	EXPECT_REPLY(t, "AT+CDNSGIP=\"API.example.com\"\r",
		     "\r\nOK\r\n\r\n+CDNSGIP: 1,\"API.example.com\",\"127.0.0.1\"\r\n");
	cmdf(t, "AT+CIPSTART=\"TCP\",\"api.example.com\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "CONNECT OK");
	simtest_free(t);
}

static void dns_queries(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	EXPECT_REPLY(t, "AT+CDNSGIP=\"example.com\"\r", "\r\nERROR\r\n");
	bring_up(t);
	char why[128];
	assert_true(netmap_host(t->netmap, "example.com=127.0.0.1", why, sizeof why));
	EXPECT_REPLY(t, "AT+CDNSGIP=\"example.com\"\r",
		     "\r\nOK\r\n\r\n+CDNSGIP: 1,\"example.com\",\"127.0.0.1\"\r\n");
	EXPECT_REPLY(t, "AT+CDNSGIP=\"nowhere.invalid\"\r", "\r\nOK\r\n\r\n+CDNSGIP: 0,8\r\n");
	EXPECT_REPLY(t, "AT+CDNSCFG=\"8.8.8.8\",\"8.8.4.4\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CDNSCFG?\r", "\r\nPrimaryDns: 8.8.8.8\r\n\r\nSecondaryDns: 8.8.4.4\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void transparent_mode(void **state)
{
	(void)state;
	/* Scale 0.05: the 1 s escape guard is 50 ms, AT+CIICR's 1500 ms is 75 ms. */
	struct simtest *t = simtest_new("sim800-r14.18", 16, 0.05);
	simtest_run_for(t, 0.3);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPMODE=?\r", "\r\n+CIPMODE: (0-NORMAL MODE,1-TRANSPARENT MODE)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPMODE=1;+CSTT\r", "\r\nOK\r\n");
	simtest_send(t, "AT+CIICR;+CIFSR\r");
	WAIT_FOR(t, "10.64.0.2");
	simtest_take(t, NULL);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo, 0);
	WAIT_FOR(t, "\r\nCONNECT\r\n");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nCONNECT\r\n");
	/* Data mode: bytes both ways, no headers; pluses inside data are data. */
	simtest_send(t, "hello a+++b");
	WAIT_FOR(t, "hello a+++b");
	EXPECT_OUT(t, "hello a+++b");
	/* Two pluses after silence and then a byte: data after all, in order. */
	simtest_run_for(t, 0.1);
	simtest_send(t, "++");
	simtest_run_for(t, 0.1);
	simtest_send(t, "z");
	WAIT_FOR(t, "++z");
	EXPECT_OUT(t, "++z");
	/* The escape: silence, "+++", silence -> OK in command mode. */
	simtest_run_for(t, 0.1);
	simtest_send(t, "+++");
	WAIT_FOR(t, "\r\nOK\r\n");
	EXPECT_OUT(t, "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: CONNECT OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSEND=1\r", "\r\nERROR\r\n");
	/* ATO resumes: CONNECT, then data again. */
	EXPECT_REPLY(t, "ATO\r", "\r\nCONNECT\r\n");
	simtest_send(t, "again");
	WAIT_FOR(t, "again");
	EXPECT_OUT(t, "again");
	simtest_run_for(t, 0.1);
	simtest_send(t, "+++");
	WAIT_FOR(t, "\r\nOK\r\n");
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT+CIPCLOSE\r", "\r\nCLOSE OK\r\n");
	EXPECT_REPLY(t, "ATO\r", "\r\nERROR\r\n");
	/* A peer that closes ends data mode with CLOSED. */
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_close, 0);
	WAIT_FOR(t, "\r\nCLOSED\r\n");
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void slow_reader_loses_nothing(void **state)
{
	(void)state;
	/* 200 kB from tcp-source while the host reads 1460 bytes at a time with CIPRXGET: far
	 * more than the module buffers (data.rx_buffer), so TCP flow control must hold it. */
	enum { TOTAL = 200000 };
	struct simtest *t = up("sim800-r14.18", 64);
	EXPECT_REPLY(t, "AT+CIPRXGET=1\r", "\r\nOK\r\n");
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_source, 0);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_REPLY(t, "AT+CIPSEND=7\r", "\r\n> ");
	simtest_send(t, "200000\n");
	WAIT_FOR(t, "+CIPRXGET: 1\r\n");
	simtest_take(t, NULL);
	static const char pattern[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t got = 0;
	while (got < TOTAL) {
		simtest_send(t, "AT+CIPRXGET=2,1460\r");
		assert_true(simtest_wait_for(t, "\r\nOK\r\n", 10));
		size_t n;
		const char *out = simtest_take(t, &n);
		unsigned long k, left;
		assert_int_equal(sscanf(out, "\r\n+CIPRXGET: 2,%lu,%lu\r\n", &k, &left), 2);
		const char *data = strstr(out + 2, "\r\n") + 2;
		for (unsigned long i = 0; i < k; i++)
			assert_int_equal(data[i], pattern[(got + i) % 62]);
		got += k;
		if (k == 0) {
			/* The buffer is empty: wait for the next notice (or the close). */
			simtest_run_for(t, 0.01);
			simtest_take(t, NULL);
		}
	}
	assert_int_equal(got, TOTAL);
	simtest_free(t);
}

static void slow_line_push_mode(void **state)
{
	(void)state;
	/* Push mode while the host reads its tty slowly: the output queue fills, the socket stops
	 * being read, and every byte still arrives, in order. */
	enum { TOTAL = 100000 };
	struct simtest *t = up("sim800-r14.18", 64);
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_source, 0);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_REPLY(t, "AT+CIPSEND=7\r", "\r\n> ");
	transport_mem_set_write_room(t->tr, 0);
	simtest_send(t, "100000\n");
	simtest_run_for(t, 0.05);
	static const char pattern[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char *all = malloc(TOTAL + 4096);
	size_t have = 0;
	for (int round = 0; round < 20000 && have < TOTAL + 12; round++) {
		transport_mem_set_write_room(t->tr, 1000);
		simtest_run_for(t, 0.001);
		size_t n;
		const char *out = simtest_take(t, &n);
		assert_true(have + n <= TOTAL + 4096);
		memcpy(all + have, out, n);
		have += n;
	}
	/* "\r\nSEND OK\r\n", then the data, then "\r\nCLOSED\r\n". */
	assert_memory_equal(all, "\r\nSEND OK\r\n", 11);
	for (size_t i = 0; i < TOTAL; i++)
		if (all[11 + i] != pattern[i % 62])
			fail_msg("byte %zu differs", i);
	free(all);
	simtest_free(t);
}

static void start_echo(struct simtest *t)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo);
	simtest_send(t, cmd);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_OUT(t, "\r\nOK\r\n\r\nCONNECT OK\r\n");
}

/* The boot URCs of the bundled profiles at --time-scale 0, all at once. */
#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

/* The payload is taken after "> ", then silence: no SEND OK, nothing reaches the server. */
static void brownout_on_tx(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	bring_up(t);
	start_echo(t);
	simtest_inject(t, "{\"op\":\"brownout\",\"on\":\"tx\",\"off_ms\":200}", true);
	EXPECT_REPLY(t, "AT+CIPSEND=5\r", "\r\n> ");
	simtest_send(t, "hello");
	simtest_run_for(t, 0.1);
	EXPECT_OUT(t, "");
	simtest_run_for(t, 0.2);
	EXPECT_OUT(t, BOOT);
	simtest_free(t);
}

/* CIPSTART: OK and nothing else, the link stays connecting, until AT+CIPSHUT. */
static void ipstack_wedged(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	simtest_inject(t, "{\"op\":\"ipstack_wedged\"}", true);
	/* Armed: a CIPSHUT before the next CIPSTART does not clear it. */
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	bring_up(t);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", fx.tcp_echo);
	EXPECT_REPLY(t, cmd, "\r\nOK\r\n");
	simtest_run_for(t, 0.2);
	EXPECT_OUT(t, "");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: TCP CONNECTING\r\n");
	EXPECT_REPLY(t, cmd, "\r\nOK\r\n\r\nALREADY CONNECT\r\n");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	bring_up(t);
	start_echo(t);
	simtest_free(t);
}

/* What a host that reset left behind: the context up with a connection, the bearer open,
 * HTTP initialised. The next host meets refusals until it cleans up. */
static void host_left_state(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", 4);
	char req[160];
	snprintf(req, sizeof req,
		 "{\"op\":\"host_left\",\"cip\":true,\"to\":\"127.0.0.1:%d\",\"bearer\":true,"
		 "\"http\":true}", fx.tcp_echo);
	simtest_inject(t, req, true);
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_OUT(t, "\r\nCONNECT OK\r\n");
	EXPECT_REPLY(t, "AT+CIPSTATUS\r", "\r\nOK\r\n\r\nSTATE: CONNECT OK\r\n");
	EXPECT_REPLY(t, "AT+CSTT=\"internet\",\"\",\"\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CIPMUX=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=1,1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+HTTPINIT\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+HTTPTERM\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+SAPBR=0,1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CIPSHUT\r", "\r\nSHUT OK\r\n");
	/* Only from IP INITIAL; the address must be HOST:PORT. */
	simtest_inject(t, "{\"op\":\"host_left\",\"cip\":true}", true);
	simtest_inject(t, "{\"op\":\"host_left\",\"cip\":true}", false);
	simtest_inject(t, "{\"op\":\"host_left\",\"to\":\"nohost\"}", false);
	simtest_inject(t, "{\"op\":\"host_left\",\"bearer\":1}", false);
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_machine_single),
		cmocka_unit_test(tcp_echo_single),
		cmocka_unit_test(multi_connections),
		cmocka_unit_test(manual_read_and_remote_close),
		cmocka_unit_test(push_mode_remote_close),
		cmocka_unit_test(connect_failures),
		cmocka_unit_test(outside_allow_is_unreachable),
		cmocka_unit_test(one_megabyte_arrives_intact),
		cmocka_unit_test(ssl_per_profile),
		cmocka_unit_test(dns_queries),
		cmocka_unit_test(profile_hosts),
		cmocka_unit_test(transparent_mode),
		cmocka_unit_test(slow_reader_loses_nothing),
		cmocka_unit_test(slow_line_push_mode),
		cmocka_unit_test(brownout_on_tx),
		cmocka_unit_test(ipstack_wedged),
		cmocka_unit_test(host_left_state),
	};
	return cmocka_run_group_tests(tests, start_fixtures, stop_fixtures);
}
