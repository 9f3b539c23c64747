/* test_at_client.c - command execution: echo, V0, URCs mid-response, timeouts, resync, prompts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drv_fixture.h"
#include "at_client.h"

#include <stdio.h>
#include <string.h>

#define N_SEEDS 8

/* Run body for every fragment size 1..8 and a few seeds (urc-fragmented-delivery-byte-loss). */
#define FOR_EACH_FRAGMENTATION(seed, chunk)                                                   \
	for (unsigned chunk = 1; chunk <= 8; chunk++)                                          \
		for (uint32_t seed = 1; seed <= N_SEEDS; seed++)

static void test_echo_off_query(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "20,0");
		assert_string_equal(f->mp.written, "AT+CSQ\r");
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_OK);
		assert_string_equal(sim800_last(&f->m)->line, "OK");
		fx_free(f);
	}
}

static void test_echo_on_then_ate0(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		/* The echo "AT+CSQ\r" is followed by the response's own CRLF (facts §0). */
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 31,99\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "ATE0\r", "\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CGSN\r", "\r\n867010032343809\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "31,99");
		assert_int_equal(sim800_exec(&f->m, "ATE0", 0), SIM800_OK);
		assert_false(f->m.echo);
		assert_int_equal(sim800_read_imei(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "867010032343809");
		assert_true(mock_port_done(&f->mp));
		/* the echo never shows up as an unhandled line */
		assert_false(fx_log_has(f, SIM800_LOG_UNHANDLED, "AT+CSQ"));
		assert_false(fx_log_has(f, SIM800_LOG_UNHANDLED, "ATE0"));
		fx_free(f);
	}
}

static void test_v0_numeric_finals(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* ATV0: info "<text>\r\n", final "<code>\r" only (MAN §2.2.25). */
		mock_port_expect(&f->mp, "ATV0\r", "0\r");
		mock_port_expect(&f->mp, "AT+CSQ\r", "+CSQ: 5,0\r\n0\r");
		mock_port_expect(&f->mp, "AT+FOO\r", "4\r");
		mock_port_expect(&f->mp, "AT+CGSN\r", "867010032343809\r\n0\r");
		mock_port_expect(&f->mp, "ATV1\r", "\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_exec(&f->m, "ATV0", 0), SIM800_OK);
		assert_true(f->m.v0);
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "5,0");
		assert_int_equal(sim800_exec(&f->m, "AT+FOO", 0), SIM800_ERR_ERROR);
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_ERROR);
		assert_int_equal(sim800_read_imei(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "867010032343809");
		assert_int_equal(sim800_exec(&f->m, "ATV1", 0), SIM800_OK);
		assert_false(f->m.v0);
		fx_free(f);
	}
}

struct urc_capture {
	char lines[8][64];
	int n;
	struct sim800 *busy_probe; /* if set, the handler tries a command (must be BUSY) */
	enum sim800_err busy_result;
};

static void capture_urc(struct sim800 *m, const char *line, size_t len, void *user)
{
	struct urc_capture *c = user;
	if (c->n < 8)
		snprintf(c->lines[c->n++], 64, "%.*s", (int)len, line);
	if (c->busy_probe)
		c->busy_result = sim800_exec(m, "AT", 0);
}

static void test_lone_digit_in_v1_is_not_a_final(void **state)
{
	(void)state;
	struct fx *f = fx_new(6, 2);
	/* An SMS body "4" in V1 must not end AT+CMGR as ERROR. */
	mock_port_expect(&f->mp, "AT+CMGR=1\r",
			 "\r\n+CMGR: \"REC READ\",\"+391234\",\"\",\"24/05/01,12:00:00+08\"\r\n4\r\n"
			 "\r\nOK\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CMGR=1", 0), SIM800_OK);
	assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "4"));
	fx_free(f);
}

static void test_sync_finds_module_in_v0(void **state)
{
	(void)state;
	struct fx *f = fx_new(6, 2);
	/* pwr-host-reset-modem-keeps-state: a previous host left the module in ATV0. */
	mock_port_expect(&f->mp, "AT\r", "0\r");
	mock_port_expect(&f->mp, "AT+CMEE?\r", "+CMEE: 1\r\n0\r");
	mock_port_expect(&f->mp, "AT+CSQ\r", "+CSQ: 12,0\r\n0\r");
	assert_int_equal(sim800_sync(&f->m, 2000), SIM800_OK);
	assert_true(f->m.v0);
	assert_int_equal(f->m.cmee, 1);
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "12,0");
	fx_free(f);
}

static void test_urcs_mid_response(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		struct urc_capture cap = {0};
		assert_int_equal(sim800_urc_register(&f->m, "+CREG:", capture_urc, &cap), SIM800_OK);
		/* "+CREG: 1" between echo and info line, a voltage warning between lines. */
		mock_port_expect(&f->mp, "AT+CSQ\r",
				 "\r\n+CREG: 1\r\n\r\n+CSQ: 20,0\r\n\r\nUNDER-VOLTAGE WARNNING\r\n"
				 "\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "20,0");
		assert_int_equal(cap.n, 1);
		assert_string_equal(cap.lines[0], "+CREG: 1");
		assert_true(fx_has_event(f, SIM800_EV_VOLTAGE_WARNING));
		fx_free(f);
	}
}

static void test_boot_urcs_during_creg(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		struct urc_capture cap = {0};
		sim800_urc_register(&f->m, "+CREG:", capture_urc, &cap);
		/* boot-call-ready-sms-ready-as-response; plus a "+CREG: 2" URC (n=1 form) that has
		 * the answer's prefix but not its shape. */
		mock_port_expect(&f->mp, "AT+CREG?\r",
				 "\r\nCall Ready\r\n\r\nSMS Ready\r\n\r\n+CREG: 2\r\n"
				 "\r\n+CREG: 0,5\r\n\r\nOK\r\n");
		enum sim800_reg reg = SIM800_REG_UNKNOWN;
		assert_int_equal(sim800_creg(&f->m, &reg), SIM800_OK);
		assert_int_equal(reg, SIM800_REG_ROAMING);
		assert_true(fx_has_event(f, SIM800_EV_CALL_READY));
		assert_true(fx_has_event(f, SIM800_EV_SMS_READY));
		assert_true(f->m.sms_ready);
		assert_int_equal(cap.n, 1);
		assert_string_equal(cap.lines[0], "+CREG: 2");
		fx_free(f);
	}
}

static void test_dst_before_imsi(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* urc-dst-taken-as-imsi */
		mock_port_expect(&f->mp, "AT+CIMI\r",
				 "\r\n*PSUTTZ: 2024,5,1,12,0,0,\"+8\",1\r\n\r\nDST: 1\r\n"
				 "\r\n001010123456789\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_OK);
		assert_string_equal(v, "001010123456789");
		/* not handled by anyone: logged, not dropped silently */
		assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "DST: 1"));
		fx_free(f);
	}
}

static void test_cme_cms_decoding(void **state)
{
	(void)state;
	struct fx *f = fx_new(3, 4);
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CME ERROR: 10\r\n");
	mock_port_expect(&f->mp, "AT+CPIN?\r", "\r\n+CME ERROR: SIM not inserted\r\n");
	mock_port_expect(&f->mp, "AT+CMGS=\"1\"\r", "\r\n+CMS ERROR: 500\r\n");
	mock_port_expect(&f->mp, "AT+X\r", "\r\n+CME ERROR: something new\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CPIN?", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, 10);
	assert_int_equal(sim800_exec(&f->m, "AT+CPIN?", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, 10);
	assert_string_equal(sim800_last(&f->m)->line, "+CME ERROR: SIM not inserted");
	assert_int_equal(sim800_exec(&f->m, "AT+CMGS=\"1\"", 0), SIM800_ERR_CMS);
	assert_int_equal(sim800_last(&f->m)->code, 500);
	assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_CMS_ERROR);
	/* unknown verbose text: code -1, text kept */
	assert_int_equal(sim800_exec(&f->m, "AT+X", 0), SIM800_ERR_CME);
	assert_int_equal(sim800_last(&f->m)->code, -1);
	assert_string_equal(sim800_last(&f->m)->line, "+CME ERROR: something new");
	fx_free(f);
}

static void test_silent_module_times_out(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_TIMEOUT);
	uint64_t spent = f->mp.now - t0;
	assert_true(spent >= 3000);       /* the default */
	assert_true(spent <= 3000 + 1000); /* within one wait slice of the deadline */
	assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_NONE);
	assert_int_equal(sim800_last(&f->m)->err, SIM800_ERR_TIMEOUT);
	assert_true(f->m.need_resync);
	/* explicit timeout honoured; CIICR default is the manual's 85 s */
	t0 = f->mp.now;
	struct sim800_cmd c = {.text = "AT+CIICR", .timeout_ms = 0, .flags = SIM800_CMD_NO_RESYNC};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_TIMEOUT);
	assert_true(f->mp.now - t0 >= 85000 && f->mp.now - t0 <= 86000);
	assert_int_equal(sim800_default_timeout(&f->m, "AT+CIMI"), 20000);
	assert_int_equal(sim800_default_timeout(&f->m, "at+cops=?"), 45000);
	assert_int_equal(sim800_default_timeout(&f->m, "AT+CCID"), 3000);
	fx_free(f);
}

static void test_late_final_does_not_shift(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		uint64_t t0 = f->mp.now;
		/* urc-late-final-shifts-responses: CSQ's answer comes 500 ms after our timeout. */
		mock_port_push_at(&f->mp, t0 + 3500, "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		mock_port_expect_delay(&f->mp, "AT\r", "\r\nOK\r\n", 600);
		mock_port_expect_delay(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n", 700);
		mock_port_expect(&f->mp, "AT+CGMI\r", "\r\nSIMCOM_Ltd\r\n\r\nOK\r\n");
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 21,0\r\n\r\nOK\r\n");
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0),
				 SIM800_ERR_TIMEOUT);
		struct sim800_cmd c = {.text = "AT+CGMI", .flags = SIM800_CMD_ANY_INFO};
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "21,0");
		assert_true(mock_port_done(&f->mp));
		assert_int_equal(f->m.cmee, 2);
		assert_false(f->m.need_resync);
		assert_true(f->n_log[SIM800_LOG_STALE] >= 1);
		fx_free(f);
	}
}

static void test_resync_fails_bounded(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_TIMEOUT);
	uint64_t t0 = f->mp.now;
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_NO_RESPONSE);
	assert_true(f->mp.now - t0 <= 3000 + 1000);
	/* it tried AT several times (every ~400 ms) */
	assert_non_null(strstr(f->mp.written, "AT+CSQ\rAT\rAT\rAT\r"));
	fx_free(f);
}

static void test_garbage_ignored(void **state)
{
	(void)state;
	static const uint8_t noisy[] = "\xff\xfe\x00\x80\r\n~\x7d\x23\xc0\x21\x7d\x21\x7d\x20\x7d"
				       "\x20\x7d\x24\x7d\x25\x06~~\x7d\x23\x01\x02~\r\n\r\nOK\r\n";
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect_n(&f->mp, "AT\r", noisy, sizeof(noisy) - 1);
		static const char csq[] = "\r\n\xff+CSQ: 9,0\x00\r\n\r\nOK\r\n";
		mock_port_expect_n(&f->mp, "AT+CSQ\r", csq, sizeof(csq) - 1);
		assert_int_equal(sim800_exec(&f->m, "AT", 0), SIM800_OK);
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		assert_string_equal(v, "9,0");
		assert_true(f->m.dropped_bytes > 0);
		assert_true(f->n_log[SIM800_LOG_DROPPED] >= 1);
		fx_free(f);
	}
}

static void test_overlong_line_dropped(void **state)
{
	(void)state;
	struct fx *f = fx_new(5, 8);
	static char big[SIM800_LINE_MAX * 2 + 64];
	memset(big, 'A', sizeof(big));
	memcpy(big, "\r\n+CSQ: ", 8);
	memcpy(big + sizeof(big) - 24, "\r\n+CSQ: 7,0\r\n\r\nOK\r\n", 20);
	big[sizeof(big) - 4] = '\0';
	mock_port_expect(&f->mp, "AT+CSQ\r", big);
	char v[32];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "7,0");
	assert_true(f->n_log[SIM800_LOG_DROPPED] >= 1);
	fx_free(f);
}

static void test_reset_midsession(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		/* idle: reported through the event and sim800_take_reset() */
		mock_port_push(&f->mp, "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
		assert_int_equal(sim800_poll(&f->m, 10), SIM800_OK);
		assert_true(fx_has_event(f, SIM800_EV_RESET));
		assert_int_equal(f->n_events, 1); /* RDY + +CFUN: 1 is one reboot */
		assert_true(sim800_take_reset(&f->m));
		assert_false(sim800_take_reset(&f->m));
		/* during a command: it ends at once with SIM800_ERR_RESET, not after 20 s */
		uint64_t t0 = f->mp.now;
		mock_port_expect(&f->mp, "AT+CIMI\r", "\r\nRDY\r\n");
		char v[32];
		assert_int_equal(sim800_read_imsi(&f->m, v, sizeof(v)), SIM800_ERR_RESET);
		assert_true(f->mp.now - t0 < 1000);
		assert_true(sim800_take_reset(&f->m));
		fx_free(f);
	}
}

static void test_cfun_answer_is_not_reset(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 3);
	mock_port_expect(&f->mp, "AT+CFUN=1\r", "\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CFUN=1", 0), SIM800_OK);
	assert_false(sim800_take_reset(&f->m));
	fx_free(f);
}

static void test_power_down_ends_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 3);
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\nUNDER-VOLTAGE POWER DOWN\r\n");
	assert_int_equal(sim800_exec(&f->m, "AT+CSQ", 0), SIM800_ERR_POWERED_DOWN);
	assert_true(fx_has_event(f, SIM800_EV_POWER_DOWN));
	assert_true(f->m.powered_down);
	fx_free(f);
}

static void test_cifsr_bare_final(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		f->mp.echo = true;
		/* reg-cifsr-has-no-ok: the IP line is the final */
		mock_port_expect(&f->mp, "AT+CIFSR\r", "\r\n10.179.170.111\r\n");
		mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
		char ip[20] = "";
		struct sim800_cmd c = {
			.text = "AT+CIFSR", .match = sim800_is_ipv4, .flags = SIM800_CMD_BARE_FINAL,
		};
		uint64_t t0 = f->mp.now;
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_true(f->mp.now - t0 < 1000);
		assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_BARE);
		assert_string_equal(sim800_last(&f->m)->line, "10.179.170.111");
		(void)ip;
		char v[32];
		assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
		fx_free(f);
	}
}

static void test_prompt_without_newline(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		for (int echo = 0; echo <= 1; echo++) {
			struct fx *f = fx_new(seed, chunk);
			f->mp.echo = echo;
			mock_port_expect(&f->mp, "AT+CIPSEND=5\r", "\r\n> ");
			mock_port_expect(&f->mp, "hello", "\r\nSEND OK\r\n");
			struct sim800_cmd c = {
				.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT,
				.payload = (const uint8_t *)"hello", .payload_len = 5,
			};
			assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
			assert_int_equal(sim800_last(&f->m)->final, SIM800_FINAL_SEND_OK);
			assert_string_equal(f->mp.written, "AT+CIPSEND=5\rhello");
			assert_int_equal(f->n_log[SIM800_LOG_UNHANDLED], 0);
			fx_free(f);
		}
	}
}

static void test_prompt_error_sends_nothing(void **state)
{
	(void)state;
	struct fx *f = fx_new(4, 2);
	mock_port_expect(&f->mp, "AT+CIPSEND=5\r", "\r\nERROR\r\n");
	struct sim800_cmd c = {
		.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT,
		.payload = (const uint8_t *)"hello", .payload_len = 5,
	};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_ERROR);
	assert_string_equal(f->mp.written, "AT+CIPSEND=5\r");
	/* multi-connection SEND FAIL form */
	mock_port_expect(&f->mp, "AT+CIPSEND=0,5\r", "\r\n> ");
	mock_port_expect(&f->mp, "hello", "\r\n0, SEND FAIL\r\n");
	c.text = "AT+CIPSEND=0,5";
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_SEND_FAIL);
	fx_free(f);
}

static void test_prompt_timeout_sends_esc(void **state)
{
	(void)state;
	struct fx *f = fx_new(3, 3);
	struct sim800_cmd c = {
		.text = "AT+CIPSEND=5", .flags = SIM800_CMD_PROMPT, .timeout_ms = 1000,
		.payload = (const uint8_t *)"hello", .payload_len = 5,
	};
	assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_ERR_TIMEOUT);
	/* The module may sit at "> ": ESC leaves it without sending, then the usual resync. */
	mock_port_expect(&f->mp, "\x1b" "AT\r", "\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CMEE?\r", "\r\n+CMEE: 2\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\n+CSQ: 4,0\r\n\r\nOK\r\n");
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(f->mp.written, "AT+CIPSEND=5\r\x1b" "AT\rAT+CMEE?\rAT+CSQ\r");
	assert_true(fx_log_has(f, SIM800_LOG_TX, "AT+CSQ"));
	fx_free(f);
}

static void test_httpdata_download(void **state)
{
	(void)state;
	FOR_EACH_FRAGMENTATION(seed, chunk) {
		struct fx *f = fx_new(seed, chunk);
		mock_port_expect(&f->mp, "AT+HTTPDATA=4,10000\r", "\r\nDOWNLOAD\r\n");
		mock_port_expect(&f->mp, "{\"a\"", "\r\nOK\r\n");
		struct sim800_cmd c = {
			.text = "AT+HTTPDATA=4,10000", .flags = SIM800_CMD_DOWNLOAD,
			.payload = (const uint8_t *)"{\"a\"", .payload_len = 4,
		};
		assert_int_equal(sim800_cmd_run(&f->m, &c), SIM800_OK);
		assert_string_equal(f->mp.written, "AT+HTTPDATA=4,10000\r{\"a\"");
		fx_free(f);
	}
}

static void test_specific_final_only_for_its_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(9, 5);
	/* A late "SEND OK" / "CLOSE OK" must not end AT+CSQ (cip-send-fail-unhandled). */
	mock_port_expect(&f->mp, "AT+CSQ\r",
			 "\r\nSEND OK\r\n\r\n0, CLOSE OK\r\n\r\n+CSQ: 3,0\r\n\r\nOK\r\n");
	char v[32];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "3,0");
	fx_free(f);
}

static void test_no_carrier_urc_does_not_end_other_command(void **state)
{
	(void)state;
	struct fx *f = fx_new(10, 4);
	struct urc_capture cap = {0};
	sim800_urc_register(&f->m, "NO CARRIER", capture_urc, &cap);
	mock_port_expect(&f->mp, "AT+CSQ\r", "\r\nNO CARRIER\r\n\r\n+CSQ: 8,0\r\n\r\nOK\r\n");
	mock_port_expect(&f->mp, "ATD*99#\r", "\r\nNO CARRIER\r\n");
	char v[16];
	assert_int_equal(sim800_query(&f->m, "AT+CSQ", "+CSQ:", v, sizeof(v), 0), SIM800_OK);
	assert_string_equal(v, "8,0");
	assert_int_equal(cap.n, 1);
	assert_int_equal(sim800_exec(&f->m, "ATD*99#", 0), SIM800_ERR_NO_CARRIER);
	assert_int_equal(cap.n, 1);
	fx_free(f);
}

static void test_unhandled_urc_logged_then_handled(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 1);
	mock_port_push(&f->mp, "\r\n+CMTI: \"SM\",3\r\n\r\nOK\r\n");
	assert_int_equal(sim800_poll(&f->m, 0), SIM800_OK);
	assert_true(fx_log_has(f, SIM800_LOG_UNHANDLED, "+CMTI: \"SM\",3"));
	assert_true(fx_log_has(f, SIM800_LOG_STALE, "OK"));
	struct urc_capture cap = {0};
	assert_int_equal(sim800_urc_register(&f->m, "+CMTI:", capture_urc, &cap), SIM800_OK);
	mock_port_push(&f->mp, "\r\n+CMTI: \"ME\",42\r\n");
	assert_int_equal(sim800_poll(&f->m, 100), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_string_equal(cap.lines[0], "+CMTI: \"ME\",42");
	assert_int_equal(sim800_urc_unregister(&f->m, "+CMTI:", capture_urc), SIM800_OK);
	assert_int_equal(sim800_urc_unregister(&f->m, "+CMTI:", capture_urc), SIM800_ERR_INVAL);
	fx_free(f);
}

/* A wait on a URC-set condition sees the URC when it comes, not when a 1 s slice ends (every
 * CONNECT OK and +HTTPACTION used to cost a second); sim800_poll keeps its full time. */
static void test_wait_urcs_returns_on_input(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 1);
	struct urc_capture cap = {0};
	sim800_urc_register(&f->m, "+HTTPACTION:", capture_urc, &cap);
	mock_port_push_at(&f->mp, f->mp.now + 30, "\r\n+HTTPACTION: 0,200,5\r\n");
	uint64_t t0 = f->mp.now;
	assert_int_equal(at_client_wait_urcs(&f->m, 1000), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_true(f->mp.now - t0 < 100);
	t0 = f->mp.now;
	assert_int_equal(at_client_wait_urcs(&f->m, 200), SIM800_OK); /* nothing: the full time */
	assert_true(f->mp.now - t0 >= 200);
	mock_port_push(&f->mp, "\r\nRING\r\n");
	t0 = f->mp.now;
	assert_int_equal(sim800_poll(&f->m, 500), SIM800_OK);
	assert_true(f->mp.now - t0 >= 500);
	fx_free(f);
}

static void test_command_from_callback_is_busy(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct urc_capture cap = {0};
	cap.busy_probe = &f->m;
	cap.busy_result = SIM800_OK;
	sim800_urc_register(&f->m, "RING", capture_urc, &cap);
	mock_port_push(&f->mp, "\r\nRING\r\n");
	assert_int_equal(sim800_poll(&f->m, 0), SIM800_OK);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.busy_result, SIM800_ERR_BUSY);
	assert_string_equal(f->mp.written, "");
	fx_free(f);
}

static void test_registry_full(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	struct urc_capture cap = {0};
	for (int i = 0; i < SIM800_URC_MAX; i++)
		assert_int_equal(sim800_urc_register(&f->m, "X", capture_urc, &cap), SIM800_OK);
	assert_int_equal(sim800_urc_register(&f->m, "X", capture_urc, &cap), SIM800_ERR_TOOLONG);
	assert_int_equal(sim800_urc_register(&f->m, "", capture_urc, &cap), SIM800_ERR_INVAL);
	fx_free(f);
}

static void test_io_error(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 8);
	f->mp.fail_read = true;
	assert_int_equal(sim800_exec(&f->m, "AT", 0), SIM800_ERR_IO);
	assert_int_equal(sim800_exec(&f->m, "bogus", 0), SIM800_ERR_INVAL);
	fx_free(f);
}

static void test_predicates(void **state)
{
	(void)state;
	assert_true(sim800_is_ipv4("10.179.170.111", 14));
	assert_false(sim800_is_ipv4("10.179.170", 10));
	assert_false(sim800_is_ipv4("10.179.170.256", 14));
	assert_false(sim800_is_ipv4("OK", 2));
	assert_true(sim800_is_iccid("8942001450338567978f", 20));
	assert_true(sim800_is_iccid("898600810906F8048812", 20));
	assert_false(sim800_is_iccid("Call Ready", 10));
	assert_true(sim800_is_imsi("001010123456789", 15));
	assert_false(sim800_is_imsi("DST: 1", 6));
	assert_false(sim800_is_imei("0", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_off_query),
		cmocka_unit_test(test_echo_on_then_ate0),
		cmocka_unit_test(test_v0_numeric_finals),
		cmocka_unit_test(test_lone_digit_in_v1_is_not_a_final),
		cmocka_unit_test(test_sync_finds_module_in_v0),
		cmocka_unit_test(test_urcs_mid_response),
		cmocka_unit_test(test_boot_urcs_during_creg),
		cmocka_unit_test(test_dst_before_imsi),
		cmocka_unit_test(test_cme_cms_decoding),
		cmocka_unit_test(test_silent_module_times_out),
		cmocka_unit_test(test_late_final_does_not_shift),
		cmocka_unit_test(test_resync_fails_bounded),
		cmocka_unit_test(test_garbage_ignored),
		cmocka_unit_test(test_overlong_line_dropped),
		cmocka_unit_test(test_reset_midsession),
		cmocka_unit_test(test_cfun_answer_is_not_reset),
		cmocka_unit_test(test_power_down_ends_command),
		cmocka_unit_test(test_cifsr_bare_final),
		cmocka_unit_test(test_prompt_without_newline),
		cmocka_unit_test(test_prompt_error_sends_nothing),
		cmocka_unit_test(test_prompt_timeout_sends_esc),
		cmocka_unit_test(test_httpdata_download),
		cmocka_unit_test(test_specific_final_only_for_its_command),
		cmocka_unit_test(test_no_carrier_urc_does_not_end_other_command),
		cmocka_unit_test(test_unhandled_urc_logged_then_handled),
		cmocka_unit_test(test_wait_urcs_returns_on_input),
		cmocka_unit_test(test_command_from_callback_is_busy),
		cmocka_unit_test(test_registry_full),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_predicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
