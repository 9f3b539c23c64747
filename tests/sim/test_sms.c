/* test_sms.c - SMS commands, the "> " prompt, the message store and +CMTI, wire bytes asserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simtest.h"
#include "svc_sms.h"

#define SCTS "26/11/30,12:00:00+04"

/* A modem past boot (time scale 0: "SMS Ready" is out), echo off, text mode if asked. */
static struct simtest *up(const char *profile, bool text)
{
	struct simtest *t = simtest_new(profile, 4, 0);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	if (text)
		EXPECT_REPLY(t, "AT+CMGF=1\r", "\r\nOK\r\n");
	return t;
}

static void assert_sent(struct simtest *t, size_t i, const char *to, const char *text, int mr)
{
	size_t n;
	const struct sms_sent *s = svc_sms_sent(t->m, &n);
	assert_true(i < n);
	assert_string_equal(s[i].to, to);
	assert_string_equal(s[i].text, text);
	assert_int_equal(s[i].mr, mr);
}

static void error_until_sms_ready(void **state)
{
	(void)state;
	/* SMS Ready at 4.2 s x 0.25 (field-bugs.md boot-sms-cmd-error-before-sms-ready). */
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0.25);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0\r", "ATE0\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CNMI=2,1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSCS=\"GSM\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSCS?\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSMS?\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"+15551234567\"\r", "\r\nERROR\r\n");
	WAIT_FOR(t, "\r\nSMS Ready\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF?\r", "\r\n+CMGF: 1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS=\"GSM\"\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void settings(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", false);
	EXPECT_REPLY(t, "AT+CMGF?\r", "\r\n+CMGF: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF=?\r", "\r\n+CMGF: (0,1)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF=2\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSCS?\r", "\r\n+CSCS: \"IRA\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS=?\r",
		     "\r\n+CSCS: (\"IRA\",\"GSM\",\"UCS2\",\"HEX\",\"PCCP\",\"PCDN\",\"8859-1\")\r\n"
		     "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS=\"8859-1\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS?\r", "\r\n+CSCS: \"8859-1\"\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS=\"EBCDIC\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSMP?\r", "\r\n+CSMP: 17,167,0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMP=17,168,0,8\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMP?\r", "\r\n+CSMP: 17,168,0,8\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMP=256\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CNMI?\r", "\r\n+CNMI: 2,1,0,0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CNMI=?\r", "\r\n+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CNMI=1,2,0,0,0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CNMI?\r", "\r\n+CNMI: 1,2,0,0,0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CNMI=4\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPMS=?\r",
		     "\r\n+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPMS=\"ME\",\"ME\"\r", "\r\n+CPMS: 0,50,0,50,0,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"ME\",0,50,\"ME\",0,50,\"SM\",0,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMEE=1;+CPMS=\"MT\"\r", "\r\n+CMS ERROR: 303\r\n");
	EXPECT_REPLY(t, "AT+CSDH?\r", "\r\n+CSDH: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCA?\r", "\r\n+CSCA: \"+10000000000\",145\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCA=\"447785016005\",145\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCA?\r", "\r\n+CSCA: \"+447785016005\",145\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCA=\"12x\"\r", "\r\nERROR\r\n");
	simtest_free(t);
}

/* Power off and on again; the boot URCs are taken. */
static void power_cycle(struct simtest *t)
{
	modem_power_off(t->m);
	modem_power_on(t->m);
	simtest_settle(t);
	simtest_take(t, NULL);
}

/* AT+CSMS (27.005 §3.2.1): gsmlib starts every tool with AT+CSMS? (test_adapters.c). */
static void message_service(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", false);
	EXPECT_REPLY(t, "AT+CSMS?\r", "\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMS=?\r", "\r\n+CSMS: (0,1)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMS=1\r", "\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMS?\r", "\r\n+CSMS: 1,1,1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMS=2\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSMS\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CSMS=0;+CSMS?\r",
		     "\r\n+CSMS: 1,1,1\r\n\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMS=1\r", "\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n");
	/* Not kept over a power cycle, like the other SMS settings here. */
	power_cycle(t);
	EXPECT_REPLY(t, "ATE0;+CSMS?\r", "ATE0;+CSMS?\r\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void send_text_mode(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	EXPECT_REPLY(t, "AT+CMGS=\"+15551234567\"\r", "\r\n> ");
	EXPECT_REPLY(t, "Hello", ""); /* ATE0: not echoed */
	EXPECT_REPLY(t, "\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	assert_sent(t, 0, "+15551234567", "Hello", 1);
	/* Fragmented, and a national number with an explicit type. */
	EXPECT_REPLY(t, "AT+CMGS=\"5551234\",129\r", "\r\n> ");
	EXPECT_REPLY(t, "Second message\x1a", "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	assert_sent(t, 1, "5551234", "Second message", 2);
	/* Echo on: the text comes back as typed, then the result. */
	EXPECT_REPLY(t, "ATE1\r", "\r\nOK\r\n"); /* echo starts with the next line */
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "AT+CMGS=\"+1555\"\r\r\n> ");
	EXPECT_REPLY(t, "abc\x1a", "abc\r\n+CMGS: 3\r\n\r\nOK\r\n");
	size_t n;
	svc_sms_sent(t->m, &n);
	assert_int_equal(n, 3);
	EXPECT_REPLY(t, "AT+CMGS=?\r", "AT+CMGS=?\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS\r", "AT+CMGS\r\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"12ab\"\r", "AT+CMGS=\"12ab\"\r\r\nERROR\r\n");
	simtest_free(t);
}

static void escape_cancels(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	EXPECT_REPLY(t, "AT+CMGS=\"+15551234567\"\r", "\r\n> ");
	EXPECT_REPLY(t, "never sent\x1b", "\r\nOK\r\n");
	size_t n;
	svc_sms_sent(t->m, &n);
	assert_int_equal(n, 0);
	/* The line is back in command state. */
	EXPECT_REPLY(t, "AT\r", "\r\nOK\r\n");
	simtest_free(t);
}

static void send_latency_and_held_urc(void **state)
{
	(void)state;
	/* Time scale 0.01: the default 2 s round trip is 20 ms. */
	struct simtest *t = simtest_new("sim800-r14.18", 4, 0.01);
	WAIT_FOR(t, "SMS Ready");
	simtest_run_for(t, 0.05); /* registered at 3 s x 0.01 */
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "ATE0;+CMGF=1\r", "ATE0;+CMGF=1\r\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"+15551234567\"\r", "\r\n> ");
	/* A message arriving during the prompt: +CMTI waits for the prompt to end. */
	assert_true(svc_sms_deliver_at(t->m, "+15550001111", "in", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "");
	EXPECT_REPLY(t, "slow\x1a", "\r\n+CMTI: \"SM\",1\r\n");
	WAIT_FOR(t, "OK\r\n");
	EXPECT_OUT(t, "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	/* A longer round trip set from outside (field bug sms-cmgs-slow-final). */
	svc_sms_set_latency(t->m, 20000);
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "x\x1a", "");
	simtest_run_for(t, 0.1);
	EXPECT_OUT(t, "");
	WAIT_FOR(t, "OK\r\n");
	EXPECT_OUT(t, "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void receive_read_list_delete(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	assert_true(svc_sms_deliver_at(t->m, "+15550001111", "Hi there", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",1\r\n");
	assert_true(svc_sms_deliver_at(t->m, "5552222", "Second", "26/12/01,08:30:15-08"));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",2\r\n");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",2,50,\"SM\",2,50,\"SM\",2,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=\"REC UNREAD\",1\r",
		     "\r\n+CMGL: 1,\"REC UNREAD\",\"+15550001111\",\"\",\"" SCTS "\"\r\nHi there\r\n"
		     "+CMGL: 2,\"REC UNREAD\",\"5552222\",\"\",\"26/12/01,08:30:15-08\"\r\nSecond\r\n"
		     "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"+15550001111\",\"\",\"" SCTS "\"\r\nHi there\r\n"
		     "\r\nOK\r\n");
	/* Read once: now REC READ. */
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC READ\",\"+15550001111\",\"\",\"" SCTS "\"\r\nHi there\r\n"
		     "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL\r",
		     "\r\n+CMGL: 2,\"REC UNREAD\",\"5552222\",\"\",\"26/12/01,08:30:15-08\"\r\n"
		     "Second\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=\"REC UNREAD\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSDH=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=2\r",
		     "\r\n+CMGR: \"REC READ\",\"5552222\",\"\",\"26/12/01,08:30:15-08\",129,4,0,0,"
		     "\"+10000000000\",145,6\r\nSecond\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=\"ALL\"\r",
		     "\r\n+CMGL: 1,\"REC READ\",\"+15550001111\",\"\",\"" SCTS "\",145,8\r\n"
		     "Hi there\r\n+CMGL: 2,\"REC READ\",\"5552222\",\"\",\"26/12/01,08:30:15-08\","
		     "129,6\r\nSecond\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=?\r", "\r\n+CMGD: (1,2),(0-4)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r", "\r\nOK\r\n"); /* an empty slot */
	EXPECT_REPLY(t, "AT+CMGD=1,0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=?\r", "\r\n+CMGD: (2),(0-4)\r\n\r\nOK\r\n");
	/* The freed slot is reused. */
	assert_true(svc_sms_deliver_at(t->m, "+1", "again", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",1\r\n");
	EXPECT_REPLY(t, "AT+CMGD=1,4\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n\r\nOK\r\n");
	/* Deliver with the host's clock: "yy/MM/dd,hh:mm:ss+00". */
	assert_true(svc_sms_deliver(t->m, "+1", "now"));
	simtest_settle(t);
	simtest_take(t, NULL);
	EXPECT_REPLY(t, "AT+CSDH=0\r", "\r\nOK\r\n");
	simtest_send(t, "AT+CMGR=1\r");
	simtest_settle(t);
	static const char head[] = "\r\n+CMGR: \"REC UNREAD\",\"+1\",\"\",\"";
	static const char tail[] = "+00\"\r\nnow\r\n\r\nOK\r\n";
	const char *out = simtest_take(t, NULL);
	assert_memory_equal(out, head, sizeof head - 1);
	assert_non_null(strstr(out, tail));
	/* "yy/MM/dd,hh:mm:ss" is 17 characters. */
	assert_int_equal(strlen(out), sizeof head - 1 + 17 + sizeof tail - 1);
	/* Bad injections. */
	assert_false(svc_sms_deliver_at(t->m, "abc", "x", SCTS));
	assert_false(svc_sms_deliver_at(t->m, "+1", "x", "26/11/30 12:00:00+04"));
	char longtext[200];
	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_false(svc_sms_deliver_at(t->m, "+1", longtext, SCTS));
	simtest_free(t);
}

static void delete_all_forms(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	for (int i = 0; i < 3; i++)
		assert_true(svc_sms_deliver_at(t->m, "+1", "m", SCTS));
	simtest_settle(t);
	EXPECT_REPLY(t, "AT+CMGR=2\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"+1\",\"\",\"" SCTS "\"\r\nm\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=\"DEL READ\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=?\r", "\r\n+CMGD: (1,3),(0-4)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=\"DEL BOGUS\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=?\r",
		     "\r\n+CMGDA: (\"DEL READ\",\"DEL UNREAD\",\"DEL SENT\",\"DEL UNSENT\","
		     "\"DEL INBOX\",\"DEL ALL\")\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=\"DEL ALL\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=?\r", "\r\n+CMGD: (),(0-4)\r\n\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+1", "m", SCTS));
	simtest_settle(t);
	EXPECT_REPLY(t, "AT+CMGF=0;+CMGDA=?\r", "\r\n+CMGDA: (1-6)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=6\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGD=?\r", "\r\n+CMGD: (),(0-4)\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGDA=7\r", "\r\nERROR\r\n");
	simtest_free(t);
}

static void store_full(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	EXPECT_REPLY(t, "AT+CMEE=1;+CNMI=2,1\r", "\r\nOK\r\n");
	for (int i = 0; i < SMS_SLOTS; i++)
		assert_true(svc_sms_deliver_at(t->m, "+1", "fill", SCTS));
	assert_false(svc_sms_deliver_at(t->m, "+1", "one too many", SCTS));
	simtest_settle(t);
	size_t n;
	const char *out = simtest_take(t, &n);
	assert_non_null(strstr(out, "\r\n+CMTI: \"SM\",50\r\n"));
	assert_null(strstr(out, "\"SM\",51"));
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",50,50,\"SM\",50,50,\"SM\",50,50\r\n\r\nOK\r\n");
	/* Writing to the full store: 322 after the prompt. */
	EXPECT_REPLY(t, "AT+CMGW=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "draft\x1a", "\r\n+CMS ERROR: 322\r\n");
	/* The other storage still has room. */
	EXPECT_REPLY(t, "AT+CPMS=\"ME\",\"ME\",\"ME\"\r", "\r\n+CPMS: 0,50,0,50,0,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGW=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "draft\x1a", "\r\n+CMGW: 1\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r", "\r\n+CMGR: \"STO UNSENT\",\"+1555\",\"\"\r\ndraft\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=\"ALL\"\r",
		     "\r\n+CMGL: 1,\"STO UNSENT\",\"+1555\",\"\",\r\ndraft\r\n\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+1", "to ME", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"ME\",2\r\n");
	simtest_free(t);
}

static void charsets(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	/* UCS2 both ways (MAN §20 example shape): number and text in hex, <dcs> 8. */
	EXPECT_REPLY(t, "AT+CMEE=1;+CSCS=\"UCS2\";+CSMP=17,167,0,8\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"002B0031003500350035\"\r", "\r\n> ");
	EXPECT_REPLY(t, "041F04400438043204350442D83DDE00\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	assert_sent(t, 0, "+1555", "Привет\xF0\x9F\x98\x80", 1);
	EXPECT_REPLY(t, "AT+CMGS=\"002B0031\"\r", "\r\n> ");
	EXPECT_REPLY(t, "041\x1a", "\r\n+CMS ERROR: 305\r\n"); /* not whole UCS2 units */
	assert_true(svc_sms_deliver_at(t->m, "+7912", "Привет", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",1\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"002B0037003900310032\",\"\",\"" SCTS "\"\r\n"
		     "041F04400438043204350442\r\n\r\nOK\r\n");
	/* GSM text shown in UCS2 as well (27.005: TE charset conversion). */
	assert_true(svc_sms_deliver_at(t->m, "+1", "A€", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",2\r\n");
	EXPECT_REPLY(t, "AT+CMGR=2\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"002B0031\",\"\",\"" SCTS "\"\r\n004120AC\r\n"
		     "\r\nOK\r\n");
	/* HEX: each GSM character as two hex digits; '€' is escape 0x1B + 0x65. */
	EXPECT_REPLY(t, "AT+CSCS=\"HEX\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=2\r",
		     "\r\n+CMGR: \"REC READ\",\"2B31\",\"\",\"" SCTS "\"\r\n411B65\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSMP=17,167,0,0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"2B3435\"\r", "\r\n> ");
	EXPECT_REPLY(t, "00481B65\x1a", "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	assert_sent(t, 1, "+45", "@H€", 2);
	/* GSM: raw septets; '@' is 0x00 and 'è' 0x04. */
	EXPECT_REPLY(t, "AT+CSCS=\"GSM\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"+45\"\r", "\r\n> ");
	simtest_send_n(t, "a\x00\x04\x1a", 4);
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMGS: 3\r\n\r\nOK\r\n");
	assert_sent(t, 2, "+45", "a@è", 3);
	assert_true(svc_sms_deliver_at(t->m, "+1", "x@y", SCTS));
	simtest_settle(t);
	simtest_take(t, NULL);
	simtest_send(t, "AT+CMGR=3\r");
	simtest_settle(t);
	static const char want[] = "\r\n+CMGR: \"REC UNREAD\",\"+1\",\"\",\"" SCTS "\"\r\nx\0y\r\n"
				   "\r\nOK\r\n";
	size_t n;
	const char *out = simtest_take(t, &n);
	assert_int_equal(n, sizeof want - 1);
	assert_memory_equal(out, want, n);
	/* IRA: what the alphabet lacks becomes '?'; 8859-1 keeps Latin-1. */
	EXPECT_REPLY(t, "AT+CSCS=\"IRA\";+CMGD=1,4\r", "\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+1", "Café", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",1\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"+1\",\"\",\"" SCTS "\"\r\nCaf?\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CSCS=\"8859-1\"\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC READ\",\"+1\",\"\",\"" SCTS "\"\r\nCaf\xE9\r\n\r\nOK\r\n");
	simtest_free(t);
}

/* The classic SMS-SUBMIT example: "hellohello" to +46708251358, relative validity. */
#define SUBMIT_PDU "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"

static void pdu_mode(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", false);
	EXPECT_REPLY(t, "AT+CMGS=23\r", "\r\n> ");
	EXPECT_REPLY(t, SUBMIT_PDU "\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	assert_sent(t, 0, "+46708251358", "hellohello", 1);
	/* <length> that does not match the PDU: 304. */
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=22\r", "\r\n> ");
	EXPECT_REPLY(t, SUBMIT_PDU "\x1a", "\r\n+CMS ERROR: 304\r\n");
	EXPECT_REPLY(t, "AT+CMGS=23\r", "\r\n> ");
	EXPECT_REPLY(t, "zz\x1a", "\r\n+CMS ERROR: 304\r\n");
	/* UCS2 SMS-SUBMIT without validity period: "Hi" in UCS2 to 12345 (14 octets). */
	EXPECT_REPLY(t, "AT+CMGS=14\r", "\r\n> ");
	EXPECT_REPLY(t, "00010005812143F5000804004800690\x1a", "\r\n+CMS ERROR: 304\r\n");
	EXPECT_REPLY(t, "AT+CMGS=15\r", "\r\n> ");
	EXPECT_REPLY(t, "00010005812143F500080400480069\x1a", "\r\n+CMS ERROR: 304\r\n");
	EXPECT_REPLY(t, "AT+CMGS=14\r", "\r\n> ");
	EXPECT_REPLY(t, "00010005812143F500080400480069\x1a", "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	assert_sent(t, 1, "12345", "Hi", 2);
	/* Reading in PDU mode: SMSC from AT+CSCA, then SMS-DELIVER. */
	assert_true(svc_sms_deliver_at(t->m, "+46708251358", "hellohello", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMTI: \"SM\",1\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: 0,\"\",28\r\n07910100000000F0040B916407281553F80000621103210000"
		     "400AE8329BFD4697D9EC37\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=4\r",
		     "\r\n+CMGL: 1,1,\"\",28\r\n07910100000000F0040B916407281553F80000621103210000"
		     "400AE8329BFD4697D9EC37\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGL=\"ALL\"\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMGL=?\r", "\r\n+CMGL: (0-4)\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void cms_errors_per_cmee(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	EXPECT_REPLY(t, "AT+CMGR=0\r", "\r\nERROR\r\n");
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=0\r", "\r\n+CMS ERROR: 321\r\n");
	EXPECT_REPLY(t, "AT+CMGR=51\r", "\r\n+CMS ERROR: 321\r\n");
	EXPECT_REPLY(t, "AT+CMGD=51\r", "\r\n+CMS ERROR: 321\r\n");
	EXPECT_REPLY(t, "AT+CMEE=2\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=0\r", "\r\n+CMS ERROR: invalid memory index\r\n");
	/* Injected rejection, after the prompt and the network round trip. */
	svc_sms_reject_next(t->m, 500);
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "x\x1a", "\r\n+CMS ERROR: Unknown\r\n");
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	svc_sms_reject_next(t->m, 38);
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "x\x1a", "\r\n+CMS ERROR: 38\r\n");
	/* Only the next send: this one goes, and the refused ones used no reference. */
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, "y\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n");
	size_t n;
	svc_sms_sent(t->m, &n);
	assert_int_equal(n, 1);
	/* Too long for one message (161 GSM characters): 305. */
	char line[200];
	memset(line, 'a', 161);
	line[161] = '\x1a';
	line[162] = '\0';
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, line, "\r\n+CMS ERROR: 305\r\n");
	EXPECT_REPLY(t, "AT+CMEE=0\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	EXPECT_REPLY(t, line, "\r\nERROR\r\n");
	simtest_free(t);
}

static void send_before_registration(void **state)
{
	(void)state;
	/* SMS Ready comes, the network never does (field bug sms-send-before-registration). */
	struct simtest *t = up("sim800-searching", true);
	EXPECT_REPLY(t, "AT+CMEE=1\r", "\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGS=\"+15551234567\"\r", "\r\n> ");
	EXPECT_REPLY(t, "hello\x1a", "\r\n+CMS ERROR: 331\r\n");
	size_t n;
	svc_sms_sent(t->m, &n);
	assert_int_equal(n, 0);
	simtest_free(t);
}

static void direct_delivery_cmt(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	EXPECT_REPLY(t, "AT+CNMI=2,2,0,0,0\r", "\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+15550001111", "direct", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMT: \"+15550001111\",\"\",\"" SCTS "\"\r\ndirect\r\n");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF=0\r", "\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+46708251358", "hellohello", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "\r\n+CMT: \"\",28\r\n07910100000000F0040B916407281553F80000621103210000"
		      "400AE8329BFD4697D9EC37\r\n");
	/* <mt> 0: stored silently. */
	EXPECT_REPLY(t, "AT+CNMI=2,0\r", "\r\nOK\r\n");
	assert_true(svc_sms_deliver_at(t->m, "+1", "quiet", SCTS));
	simtest_settle(t);
	EXPECT_OUT(t, "");
	EXPECT_REPLY(t, "AT+CPMS?\r",
		     "\r\n+CPMS: \"SM\",1,50,\"SM\",1,50,\"SM\",1,50\r\n\r\nOK\r\n");
	simtest_free(t);
}

static void power_cycle_resets(void **state)
{
	(void)state;
	struct simtest *t = up("sim800-r14.18", true);
	assert_true(svc_sms_deliver_at(t->m, "+1", "m", SCTS));
	svc_sms_reject_next(t->m, 500);
	simtest_settle(t);
	EXPECT_REPLY(t, "AT+CMGS=\"+1555\"\r", "\r\n> ");
	/* Power lost in the middle of the prompt: nothing leaks, settings are back to default,
	 * and the SIM still holds its message (a SIM's "SM" store is not volatile). */
	power_cycle(t);
	EXPECT_REPLY(t, "ATE0;+CMGF?\r", "ATE0;+CMGF?\r\r\n+CMGF: 0\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGF=1;+CPMS?\r",
		     "\r\n+CPMS: \"SM\",1,50,\"SM\",1,50,\"SM\",1,50\r\n\r\nOK\r\n");
	EXPECT_REPLY(t, "AT+CMGR=1\r",
		     "\r\n+CMGR: \"REC UNREAD\",\"+1\",\"\",\"" SCTS "\"\r\nm\r\n\r\nOK\r\n");
	/* The send that was cut off never reached the network. */
	size_t n;
	svc_sms_sent(t->m, &n);
	assert_int_equal(n, 0);
	simtest_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_until_sms_ready),
		cmocka_unit_test(settings),
		cmocka_unit_test(message_service),
		cmocka_unit_test(send_text_mode),
		cmocka_unit_test(escape_cancels),
		cmocka_unit_test(send_latency_and_held_urc),
		cmocka_unit_test(receive_read_list_delete),
		cmocka_unit_test(delete_all_forms),
		cmocka_unit_test(store_full),
		cmocka_unit_test(charsets),
		cmocka_unit_test(pdu_mode),
		cmocka_unit_test(cms_errors_per_cmee),
		cmocka_unit_test(send_before_registration),
		cmocka_unit_test(direct_delivery_cmt),
		cmocka_unit_test(power_cycle_resets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
