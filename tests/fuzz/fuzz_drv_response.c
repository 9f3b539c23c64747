/* fuzz_drv_response.c - libFuzzer target: the driver's response parser (at_client, at_result). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_result.h"
#include "fuzz.h"
#include "sim800.h"

/*
 * The input is what a (broken, hostile or just unusual) module sends. Byte 0 sets the read
 * fragment size (1..16), byte 1 the scenario, bytes 2..5 pick commands; the rest is the
 * module's byte stream in segments split by 0xfe: segment 0 is readable at once and each
 * write of the driver releases the next, so replies line up with commands the way a real
 * module's do. The clock is fake (a wait with nothing to read jumps to its deadline), so
 * every timeout and resync path costs nothing.
 */

#define SEP 0xfe
#define HDR 6

/* The port: the fuzz input as the module, a fake clock, writes only counted. */
struct fport {
	const uint8_t *in;
	size_t n;
	size_t pos;        /* next byte the driver may read */
	size_t released;   /* end of what has been released */
	size_t chunk;
	uint64_t now;
	unsigned writes;
};

static void release_next(struct fport *p)
{
	if (p->released >= p->n)
		return;
	const uint8_t *sep = memchr(p->in + p->released, SEP, p->n - p->released);
	p->released = sep ? (size_t)(sep - p->in) + 1 : p->n;
}

static int fp_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct fport *p = ctx;
	FUZZ_CHECK(buf != NULL && len > 0);
	p->writes++;
	release_next(p);
	return (int)len;
}

static int fp_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct fport *p = ctx;
	size_t avail = p->released - p->pos;
	size_t k = avail < p->chunk ? avail : p->chunk;
	if (k > cap)
		k = cap;
	memcpy(buf, p->in + p->pos, k);
	p->pos += k;
	return (int)k;
}

static uint64_t fp_now(void *ctx)
{
	return ((struct fport *)ctx)->now;
}

static int fp_wait(void *ctx, uint32_t timeout_ms)
{
	struct fport *p = ctx;
	if (p->released > p->pos)
		return 1;
	p->now += timeout_ms ? timeout_ms : 1;
	return 0;
}

/* Callbacks read every byte they are given, so a bad (ptr, len) is an ASan report. */
static unsigned touch(const char *s, size_t len)
{
	unsigned sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)s[i];
	return sum;
}

static void on_log(void *user, enum sim800_log_kind kind, const char *text, size_t len)
{
	(void)kind;
	*(unsigned *)user += touch(text, len);
}

static void on_event(void *user, struct sim800 *m, enum sim800_event ev)
{
	(void)m;
	*(unsigned *)user += (unsigned)ev;
}

static void on_urc(struct sim800 *m, const char *line, size_t len, void *user)
{
	(void)m;
	*(unsigned *)user += touch(line, len);
}

static void on_info(void *user, const char *line, size_t len)
{
	*(unsigned *)user += touch(line, len);
}

static const char *const creg_pfx[] = {"+CREG:", NULL};
static const char *const cipsend_pfx[] = {"DATA ACCEPT:", NULL};
static const uint8_t payload[] = "GET / HTTP/1.0\r\n\r\n";

/* Commands of every shape the driver knows: prefixed info, any info, bare finals, prompts. */
static const struct sim800_cmd cmds[] = {
	{.text = "AT"},
	{.text = "AT+CREG?", .prefixes = creg_pfx},
	{.text = "ATI", .flags = SIM800_CMD_ANY_INFO},
	{.text = "AT+CIFSR", .match = sim800_is_ipv4, .flags = SIM800_CMD_BARE_FINAL},
	{.text = "AT+CGSN", .match = sim800_is_imei, .flags = SIM800_CMD_NEED_INFO},
	{.text = "AT+CIPSEND=18", .prefixes = cipsend_pfx, .flags = SIM800_CMD_PROMPT,
	 .payload = payload, .payload_len = sizeof payload - 1},
	{.text = "AT+HTTPDATA=18,1000", .flags = SIM800_CMD_DOWNLOAD, .payload = payload,
	 .payload_len = sizeof payload - 1},
	{.text = "AT+CIPCLOSE"},
	{.text = "AT+CIPSHUT"},
	{.text = "ATD*99#"},
	{.text = "AT+CMGS=\"+10\"", .flags = SIM800_CMD_PROMPT, .payload = payload,
	 .payload_len = sizeof payload - 1},
	{.text = "AT+CCID", .match = sim800_is_iccid, .flags = SIM800_CMD_NO_RESYNC},
};
#define N_CMDS (sizeof cmds / sizeof cmds[0])

static void check_last(const struct sim800 *m)
{
	const struct sim800_last *l = sim800_last(m);
	FUZZ_CHECK(memchr(l->line, '\0', sizeof l->line) != NULL);
	FUZZ_CHECK(sim800_strerror(l->err) != NULL);
}

static void scenario(struct sim800 *m, uint8_t which, const uint8_t *sel, unsigned *sum)
{
	char out[64];
	int a, b, c;
	switch (which % 8) {
	case 0: /* four commands in a row, with the URC registry live */
		for (int i = 0; i < 4; i++) {
			struct sim800_cmd cmd = cmds[sel[i] % N_CMDS];
			cmd.on_info = on_info;
			cmd.user = sum;
			cmd.timeout_ms = 1 + sel[i] * 40u;
			*sum += (unsigned)sim800_cmd_run(m, &cmd);
			check_last(m);
		}
		break;
	case 1: {
		struct sim800_info info;
		*sum += (unsigned)sim800_info_read(m, &info);
		FUZZ_CHECK(memchr(info.revision, '\0', sizeof info.revision) &&
			   memchr(info.fw.variant, '\0', sizeof info.fw.variant));
		break;
	}
	case 2: {
		struct sim800_bringup_cfg cfg = {.pin = (sel[0] & 1) ? "1234" : NULL};
		struct sim800_net_status st;
		*sum += (unsigned)sim800_bringup(m, &cfg, &st);
		FUZZ_CHECK(memchr(st.oper, '\0', sizeof st.oper) != NULL);
		break;
	}
	case 3: {
		struct sim800_caps caps;
		*sum += (unsigned)sim800_probe_caps(m, &caps);
		break;
	}
	case 4:
		*sum += (unsigned)sim800_poll(m, 5000);
		*sum += (unsigned)sim800_sync(m, 3000);
		break;
	case 5: {
		enum sim800_sim s;
		enum sim800_reg r;
		*sum += (unsigned)sim800_sim_status(m, &s) + (unsigned)sim800_creg(m, &r);
		*sum += (unsigned)sim800_csq(m, &a, &b);
		*sum += (unsigned)sim800_cops(m, out, sel[1] % sizeof out + 1);
		*sum += (unsigned)sim800_cbc(m, &a, &b, &c);
		break;
	}
	case 6:
		*sum += (unsigned)sim800_read_imei(m, out, sel[0] % sizeof out + 1);
		*sum += (unsigned)sim800_read_imsi(m, out, sizeof out);
		*sum += (unsigned)sim800_read_iccid(m, out, sizeof out);
		*sum += (unsigned)sim800_query(m, "AT+CSQ", "+CSQ:", out, sel[1] % sizeof out + 1,
					       0);
		break;
	default: {
		enum sim800_reg r;
		*sum += (unsigned)sim800_wait_registered(m, 20000, 1000, &r);
		break;
	}
	}
	check_last(m);
}

/* The stateless parsers, on each line of the stream as it stands. */
static void parse_lines(const uint8_t *in, size_t n, const uint8_t *sel, unsigned *sum)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && in[i] != '\n')
			continue;
		size_t len = i - start;
		char *line = malloc(len + 1);
		if (!line)
			return;
		memcpy(line, in + start, len);
		line[len] = '\0';
		struct at_result res;
		const char *cmd = cmds[sel[0] % N_CMDS].text;
		if (at_result_parse(line, len, (sel[1] & 1) ? cmd : NULL, sel[1] & 2, &res))
			*sum += (unsigned)at_result_err(res.final);
		/* No direct sim800_cme_code() here: it scans every code through a linear table
		 * search (sim800_err.c), ~1 ms a line instrumented; the driver's own +CME ERROR
		 * finals reach it through at_result_parse() above. */
		struct sim800_fw fw;
		if (sim800_fw_parse(line, &fw))
			FUZZ_CHECK(memchr(fw.variant, '\0', sizeof fw.variant) != NULL);
		*sum += sim800_is_imei(line, len) + sim800_is_ipv4(line, len);
		free(line);
		start = i + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	/* The module's bytes get their own heap block: reading past them is an ASan report. */
	size_t n = size - HDR;
	uint8_t *in = malloc(n ? n : 1);
	struct sim800 *m = malloc(sizeof *m);
	if (!in || !m) {
		free(in);
		free(m);
		return 0;
	}
	memcpy(in, data + HDR, n);
	unsigned sum = 0;
	struct fport fp = {.in = in, .n = n, .chunk = 1 + data[0] % 16, .now = 1000};
	release_next(&fp);
	struct sim800_port port = {.ctx = &fp, .write = fp_write, .read = fp_read,
				   .now_ms = fp_now, .wait_readable = fp_wait};
	struct sim800_config cfg = {.user = &sum, .on_event = on_event, .log = on_log};
	FUZZ_CHECK(sim800_init(m, &port, &cfg) == SIM800_OK);
	sim800_urc_register(m, "+CREG:", on_urc, &sum);
	sim800_urc_register(m, "RING", on_urc, &sum);
	scenario(m, data[1], data + 2, &sum);
	parse_lines(in, n, data + 2, &sum);
	free(m);
	free(in);
	(void)sum; /* only there so the callbacks read every byte */
	return 0;
}
