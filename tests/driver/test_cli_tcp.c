/* test_cli_tcp.c - the sim800 CLI's tcp command: echo, big sink, remote close, policy, refusal. */
#include "cli_rig.h"

static void test_tcp_echo(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "echo.test", "7", "--send",
				    "hello over CIP\r\n", "--read", "16", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "tcp", "sent"), 16);
	assert_int_equal(cli_rig_jint(o.j, "tcp", "received"), 16);
	char hex[65];
	cli_rig_sha_hex("hello over CIP\r\n", 16, hex);
	assert_string_equal(cli_rig_jstr(o.j, "tcp.sha256"), hex);
	/* CIPSHUT-first bring-up, bare-IP CIFSR. */
	const char *shut = strstr(o.wire, "TX AT+CIPSHUT");
	const char *cstt = strstr(o.wire, "TX AT+CSTT");
	assert_non_null(shut);
	assert_non_null(cstt);
	assert_true(shut < cstt);
	json_decref(o.j);
}

static void test_tcp_sink_big(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	static uint8_t data[4000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	char path[160], at[170], hex[65];
	cli_rig_data_file(r, "sink.bin", data, sizeof data, path, at, hex);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "sink.test", "9", "--send", at, NULL});
	unlink(path);
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "tcp", "sent"), 4000);
	/* The sink's close record: what really arrived (after our CIPCLOSE). */
	json_t *rec = NULL;
	for (int i = 0; i < 50; i++) {
		rec = fxproc_records(&r->fx, "tcp-sink", "close");
		if (json_array_size(rec) > 0)
			break;
		json_decref(rec);
		rec = NULL;
		usleep(100000);
	}
	assert_non_null(rec);
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_int_equal(json_integer_value(json_object_get(last, "bytes_in")), 4000);
	assert_string_equal(json_string_value(json_object_get(last, "sha256_in")), hex);
	json_decref(rec);
	json_decref(o.j);
}

/* Remote close with data pending: everything is read, then EOF (cip-connected-true-after-
 * close-with-buffer, cip-ciprxget-error-loop-after-close). */
static void test_tcp_remote_close(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "close.test", "13", "--read", "1000", NULL});
	const char *bye = "sim800-fixtures tcp-close: bye\r\n";
	assert_int_equal(cli_rig_jint(o.j, "tcp", "received"), (json_int_t)strlen(bye));
	assert_true(json_is_true(json_object_get(json_object_get(o.j, "tcp"), "peer_closed")));
	EXPECT_RC(&o, 6);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "CLOSED");
	json_decref(o.j);
}

static void test_tcp_refused_by_policy(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"tcp", "echo.test", "7", "--send", "x", NULL});
	EXPECT_RC(&o, 5);
	assert_null(strstr(o.wire, "AT+CIPSTART"));
	json_decref(o.j);
}

static void test_tcp_connect_fail(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "nosuch.invalid", "7", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "CONNECT_FAIL");
	assert_non_null(strstr(cli_rig_jstr(o.j, "error.module"), "CONNECT FAIL"));
	json_decref(o.j);
}

/* CIPSTART answers OK and then nothing (a wedged stack): after one unanswered connect the
 * CLI shuts the stack, brings it up again and connects (reg-stuck-connect-needs-shut). */
static void test_tcp_wedged_stack(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	json_decref(cli_rig_control(r, "{\"op\":\"ipstack_wedged\"}\n"));
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "--timeout", "2", "tcp",
				    "echo.test", "7", "--send", "unwedged", "--read", "8", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "tcp", "received"), 8);
	const char *first = strstr(o.wire, "TX AT+CIPSTART");
	assert_non_null(first);
	const char *shut = strstr(first, "TX AT+CIPSHUT");
	assert_non_null(shut);
	const char *again = strstr(shut, "TX AT+CIPSTART");
	assert_non_null(again);
	assert_non_null(strstr(shut, "TX AT+CIICR"));
	assert_true(strstr(shut, "TX AT+CIICR") < again);
	json_decref(o.j);
}

/* tcp --tls: the module's TLS 1.0, never under the secure policy; against a TLS 1.2-only server
 * the handshake fails as such (ssl-cipssl-ok-then-close-ok). */
static void test_tcp_tls(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"tcp", "modern.test", "443", "--tls", NULL}); /* secure */
	EXPECT_RC(&o, 5);
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), "POLICY");
	assert_null(strstr(o.wire, "AT+CIPSTART"));
	json_decref(o.j);
	cli_rig_run(r, &o, (const char *[]){"--policy", "module-tls-ok", "tcp", "modern.test",
					    "443", "--tls", "--send", "x", NULL});
	bool r13 = strcmp(r->profile, "sim800-r13.08") == 0; /* no AT+CIPSSL: nothing tried */
	assert_string_equal(cli_rig_jstr(o.j, "error.code"), r13 ? "TLS_UNSUPPORTED" : "TLS_HANDSHAKE");
	assert_string_equal(cli_rig_jstr(o.j, "transport.chosen"), "module-tls");
	assert_true(!strstr(o.wire, "AT+CIPSSL=1") == r13);
	json_decref(o.j);
}

/* tls-cert: the certificate into flash and set (ssl-client-auth-and-cert-upload). */
static void test_tls_cert(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"tls-cert", "-----BEGIN CERTIFICATE-----", "--name",
					    "c.pem", "--client-auth", NULL});
	if (strcmp(r->profile, "sim800-r13.08") == 0) {
		EXPECT_RC(&o, 5); /* no SSL in this firmware: refused before any flash write */
		assert_null(strstr(o.wire, "AT+FSWRITE"));
	} else {
		EXPECT_RC(&o, 0);
		assert_true(json_is_true(json_object_get(json_object_get(o.j, "tls_cert"), "set")));
		assert_non_null(strstr(o.wire, "AT+FSWRITE=c.pem,0,27,10"));
		assert_non_null(strstr(o.wire, "AT+SSLOPT=1,1"));
	}
	json_decref(o.j);
}

/* mqtt: CONNECT, CONNACK, a ping within the keep-alive, DISCONNECT (cip-mqtt-fails-at-9600). */
static void test_mqtt_session(void **state)
{
	struct cli_rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct cli_rig_result o;
	cli_rig_run(r, &o, (const char *[]){"--policy", "plain-ok", "mqtt", "mqtt.test", "1883",
					    "--keepalive", "2", "--pings", "1", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(cli_rig_jint(o.j, "mqtt", "connack"), 0);
	assert_int_equal(cli_rig_jint(o.j, "mqtt", "pings"), 1);
	assert_non_null(strstr(o.wire, "AT+CIPSEND=2")); /* the PINGREQ */
	json_decref(o.j);
	cli_rig_run(r, &o, (const char *[]){"mqtt", "mqtt.test", "1883", NULL}); /* secure */
	EXPECT_RC(&o, 5);
	json_decref(o.j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_echo),
		cmocka_unit_test(test_tcp_sink_big),
		cmocka_unit_test(test_tcp_remote_close),
		cmocka_unit_test(test_tcp_refused_by_policy),
		cmocka_unit_test(test_tcp_connect_fail),
		cmocka_unit_test(test_tcp_wedged_stack),
		cmocka_unit_test(test_tcp_tls),
		cmocka_unit_test(test_tls_cert),
		cmocka_unit_test(test_mqtt_session),
	};
	return cli_rig_run_tests(tests, sizeof tests / sizeof tests[0]);
}
