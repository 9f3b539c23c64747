/* test_tcp_faults.c - the CIP stack when things go wrong: refusals, slow hosts, faults injected. */
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

#include "netmap.h"
#include "svc_tcp.h"
#include "tcp_testutil.h"
#include "transport_mem.h"

/* The boot URCs of the bundled profiles at --time-scale 0, all at once. */
#define BOOT "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"

/* tcp-echo records, once earlier tests' connections have all been logged: the server writes
 * a close record when it sees the client's FIN, which may come after that test returned.
 * Stable over 100 ms twice in a row, within 3 s. */
static size_t echo_records_settled(void)
{
	size_t last = (size_t)-1, n = 0;
	for (int i = 0, same = 0; i < 30 && same < 2; i++) {
		json_t *r = fxproc_records(tcp_fx(), "tcp-echo", NULL);
		n = json_array_size(r);
		json_decref(r);
		same = n == last ? same + 1 : 0;
		last = n;
		if (same < 2)
			usleep(100000); /* another process's log, not our loop's */
	}
	return n;
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
	snprintf(spec, sizeof spec, "echo.example.com:7=127.0.0.1:%d", tcp_fx()->tcp_echo);
	char why[256];
	assert_true(netmap_host(t->netmap, spec, why, sizeof why));
	simtest_take(t, NULL);
	simtest_send(t, "AT+CIPSTART=\"TCP\",\"echo.example.com\",7\r");
	WAIT_FOR(t, "CONNECT OK");
	EXPECT_REPLY(t, "AT+CIPCLOSE=1\r", "\r\nCLOSE OK\r\n");
	simtest_free(t);
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
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", tcp_fx()->tcp_echo, 0);
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
static void slow_reader_loses_nothing(void **state)
{
	(void)state;
	/* 200 kB from tcp-source while the host reads 1460 bytes at a time with CIPRXGET: far
	 * more than the module buffers (data.rx_buffer), so TCP flow control must hold it. */
	enum { TOTAL = 200000 };
	struct simtest *t = up("sim800-r14.18", 64);
	EXPECT_REPLY(t, "AT+CIPRXGET=1\r", "\r\nOK\r\n");
	bring_up(t);
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", tcp_fx()->tcp_source, 0);
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
	cmdf(t, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", tcp_fx()->tcp_source, 0);
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
	snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", tcp_fx()->tcp_echo);
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
		 "\"http\":true}", tcp_fx()->tcp_echo);
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
		cmocka_unit_test(connect_failures),
		cmocka_unit_test(outside_allow_is_unreachable),
		cmocka_unit_test(slow_reader_loses_nothing),
		cmocka_unit_test(slow_line_push_mode),
		cmocka_unit_test(brownout_on_tx),
		cmocka_unit_test(ipstack_wedged),
		cmocka_unit_test(host_left_state),
	};
	return cmocka_run_group_tests(tests, tcp_fixtures_start, tcp_fixtures_stop);
}
