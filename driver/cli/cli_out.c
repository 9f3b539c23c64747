/* cli_out.c - the CLI's output: JSON object or human lines, error objects, wire log, body hash. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static void vput(struct cli *c, const char *tag, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (c->json) {
		if (tag[0] == 'w')
			json_array_append_new(c->warnings, json_string(buf));
	} else {
		fprintf(stderr, "sim800: %s%s\n", tag[0] == 'w' ? "warning: " : "", buf);
	}
	if (c->log) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(c->log, "%lld.%03ld # %s: %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
			tag, buf);
	}
}

void cli_warn(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vput(c, "warning", fmt, ap);
	va_end(ap);
}

void cli_note(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vput(c, "note", fmt, ap);
	va_end(ap);
}

void cli_body_begin(struct cli *c)
{
	if (!c->sha)
		c->sha = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c->sha, EVP_sha256(), NULL);
	c->body_len = 0;
	c->body_head_len = 0;
}

void cli_body_feed(struct cli *c, const uint8_t *buf, size_t n)
{
	EVP_DigestUpdate(c->sha, buf, n);
	c->body_len += n;
	size_t room = sizeof c->body_head - 1 - c->body_head_len;
	size_t k = n < room ? n : room;
	memcpy(c->body_head + c->body_head_len, buf, k);
	c->body_head_len += k;
	if (c->body_out)
		fwrite(buf, 1, n, c->body_out);
}

void cli_body_end(struct cli *c, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex(c->sha, md, &n);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	if (c->body_out)
		fflush(c->body_out);
}

int cli_exit_code(enum sim800_err err)
{
	switch (err) {
	case SIM800_OK: return CLI_EXIT_OK;
	case SIM800_ERR_TIMEOUT: return CLI_EXIT_TIMEOUT;
	case SIM800_ERR_IO:
	case SIM800_ERR_NO_RESPONSE:
	case SIM800_ERR_POWERED_DOWN: return CLI_EXIT_DEVICE;
	case SIM800_ERR_INVAL: return CLI_EXIT_USAGE;
	case SIM800_ERR_POLICY:
	case SIM800_ERR_TLS_UNSUPPORTED: return CLI_EXIT_POLICY;
	case SIM800_ERR_GPRS:
	case SIM800_ERR_CONNECT_FAIL:
	case SIM800_ERR_CLOSED:
	case SIM800_ERR_TLS_HANDSHAKE:
	case SIM800_ERR_HTTP_PDU:
	case SIM800_ERR_HTTP_NETWORK:
	case SIM800_ERR_HTTP_NOMEM:
	case SIM800_ERR_HTTP_DNS:
	case SIM800_ERR_HTTP_BUSY:
	case SIM800_ERR_SEND_FAIL:
	case SIM800_ERR_HOST:
	case SIM800_ERR_NOT_REGISTERED:
	case SIM800_ERR_REG_DENIED: return CLI_EXIT_NETWORK;
	case SIM800_ERR_PPP_UNAVAILABLE:
	case SIM800_ERR_PPP: return CLI_EXIT_PPP;
	default: return CLI_EXIT_FAIL;
	}
}

int cli_fail(struct cli *c, enum sim800_err err)
{
	const struct sim800_last *l = sim800_last(&c->m);
	/* A refusal decided on the host: the module's last answer (a probe's OK) is not it. */
	bool host_side = err == SIM800_ERR_POLICY || err == SIM800_ERR_PPP_UNAVAILABLE ||
			 err == SIM800_ERR_INVAL;
	if (host_side)
		c->m.last.line[0] = '\0';
	if (c->json) {
		json_t *e = json_object();
		json_object_set_new(e, "code", json_string(sim800_err_name(err)));
		json_object_set_new(e, "text", json_string(sim800_strerror(err)));
		json_object_set_new(e, "module", l->line[0] ? json_string(l->line) : json_null());
		json_object_set_new(e, "cme", l->code >= 0 ? json_integer(l->code) : json_null());
		if (c->detail[0])
			json_object_set_new(e, "detail", json_string(c->detail));
		json_object_set_new(c->out, "error", e);
		json_object_set_new(c->out, "ok", json_false());
	} else {
		fprintf(stderr, "sim800: error: %s (%s)", sim800_strerror(err), sim800_err_name(err));
		if (l->line[0])
			fprintf(stderr, "; module said \"%s\"", l->line);
		if (c->detail[0])
			fprintf(stderr, "; %s", c->detail);
		fputc('\n', stderr);
	}
	return cli_exit_code(err);
}

static const char *const kind_tag[] = {"TX", "RX", "UNHANDLED", "DROPPED", "STALE", "NOTE"};

void cli_log_cb(void *user, enum sim800_log_kind kind, const char *text, size_t len)
{
	struct cli *c = user;
	if (!c->log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(c->log, "%lld.%03ld %s ", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
		(unsigned)kind < 6 ? kind_tag[kind] : "?");
	/* Payloads may be binary: escape what is not printable so the log stays one line each. */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, c->log);
		else
			fprintf(c->log, "\\x%02x", ch);
	}
	fputc('\n', c->log);
	fflush(c->log);
}
