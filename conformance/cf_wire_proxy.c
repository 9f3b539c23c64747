/* cf_wire_proxy.c - a real module's wire as sim800-proxy saw it, turned into the simulator's records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "at_line.h"
#include "cf.h"
#include "transcript.h"

/*
 * The proxy records chunks as they crossed it: "rx" from the driver, "tx" from the module,
 * cut anywhere. The wire checks read the simulator's records instead: "cmd" for each command
 * line the module parsed, "tx" per line of its answers. This rebuilds them. Command lines come
 * from the simulator's own line assembler (at_line.c); what is not a command line is told apart
 * by what the module answered: the payload after "> " (CIPSEND, CMGS, FSWRITE) or "DOWNLOAD"
 * (HTTPDATA), and data mode from a bare "CONNECT" until "NO CARRIER" or the answer to "+++".
 */

enum mode {
	M_CMD,          /* rx is command lines */
	M_WAIT_PROMPT,  /* a command that takes data: its prompt (or a final) comes next */
	M_PAYLOAD_LEN,  /* rx is `left` bytes of payload */
	M_PAYLOAD_CTRLZ, /* rx is payload up to Ctrl-Z or ESC */
	M_DATA,         /* online: rx is data, up to the guarded "+++" */
};

struct rebuild {
	json_t *out;
	struct at_line line;
	enum mode mode;
	size_t expect_len;   /* M_WAIT_PROMPT: the payload length (0: to Ctrl-Z) */
	size_t left;         /* M_PAYLOAD_LEN */
	bool escaped;        /* M_DATA: "+++" sent, its OK / NO CARRIER ends data mode */
	bool dialing;        /* ATD or ATO sent: after ATV0 its CONNECT is the digit "1" */
	char tx[600];        /* the module's line being assembled */
	size_t tx_len;
	double t;            /* time of the record being read */
};

static void emit(struct rebuild *b, const char *dir, const void *data, size_t n)
{
	char esc[4096 * 4 + 1];
	transcript_escape(data, n, esc, sizeof esc);
	json_array_append_new(b->out, json_pack("{s:f,s:s,s:s}", "t", b->t, "dir", dir, "data", esc));
}

/* The last number of "+CIPSEND=<n>" / "=<id>,<n>", "+FSWRITE=<f>,<m>,<size>,<t>"'s third,
 * "+HTTPDATA=<size>,<t>"'s first: how many payload bytes follow the prompt (0: to Ctrl-Z). */
static size_t nth_number(const char *args, int nth)
{
	const char *p = args;
	for (int i = 0; i < nth && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return p ? strtoul(p, NULL, 10) : 0;
}

/* A command the module answers with a prompt and then reads data for. */
static void command(struct rebuild *b, const char *text, size_t n)
{
	emit(b, "cmd", text, n);
	b->dialing = n > 0 && strchr("DdOo", text[0]);
	char c[AT_LINE_CAP + 1]; /* whole: FSWRITE's size comes after the file name */
	snprintf(c, sizeof c, "%.*s", (int)(n < sizeof c ? n : sizeof c - 1), text);
	const char *eq = strchr(c, '=');
	if (!strncasecmp(c, "+CIPSEND", 8) && (!eq || eq[1] != '?')) {
		b->mode = M_WAIT_PROMPT;
		b->expect_len = eq ? nth_number(eq + 1, strchr(eq, ',') ? 1 : 0) : 0;
	} else if ((!strncasecmp(c, "+CMGS=", 6) || !strncasecmp(c, "+CMGW", 5)) &&
		   (!eq || eq[1] != '?')) {
		b->mode = M_WAIT_PROMPT;
		b->expect_len = 0;
	} else if (!strncasecmp(c, "+FSWRITE=", 9) && eq[1] != '?') {
		b->mode = M_WAIT_PROMPT;
		b->expect_len = nth_number(eq + 1, 2);
	} else if (!strncasecmp(c, "+HTTPDATA=", 10) && eq[1] != '?') {
		b->mode = M_WAIT_PROMPT;
		b->expect_len = nth_number(eq + 1, 0);
	}
}

static void rx_byte_payload(struct rebuild *b, uint8_t c)
{
	if (b->mode == M_PAYLOAD_LEN && --b->left == 0)
		b->mode = M_CMD;
	else if (b->mode == M_PAYLOAD_CTRLZ && (c == 0x1a || c == 0x1b))
		b->mode = M_CMD;
}

static void rx_bytes(struct rebuild *b, const uint8_t *p, size_t n)
{
	if (b->mode == M_DATA) {
		/* The escape is "+++" alone between guard times: one chunk of its own. */
		if (n == 3 && !memcmp(p, "+++", 3))
			b->escaped = true;
		return;
	}
	size_t i = 0;
	while (i < n) {
		if (b->mode == M_PAYLOAD_LEN || b->mode == M_PAYLOAD_CTRLZ) {
			rx_byte_payload(b, p[i++]);
			continue;
		}
		enum at_line_event ev;
		i += at_line_feed(&b->line, p + i, n - i, &ev);
		if (ev == AT_LINE_COMMAND || ev == AT_LINE_REPEAT) {
			size_t len;
			const char *text = at_line_text(&b->line, &len);
			command(b, text, len);
		}
	}
}

/* A whole line from the module: what it means for the mode. After ATV0 the finals are digits
 * ("0" OK, "3" NO CARRIER, "4" ERROR); a lone digit is taken for one only where a final is
 * due, as PPP data after LCP may carry CRs and digits. */
static void tx_line(struct rebuild *b, const char *line)
{
	bool final = !strcmp(line, "OK") || !strcmp(line, "ERROR") || !strcmp(line, "0") ||
		     !strcmp(line, "4") || !strncmp(line, "+CME ERROR", 10) ||
		     !strncmp(line, "+CMS ERROR", 10);
	if (b->mode == M_DATA) {
		/* A PPP frame flushed before the answer (ppp-leftover-frames-after-exit) runs into a
		 * V0 code, which has no CRLF before it: the answer is what follows its last flag. */
		const char *flag = strrchr(line, 0x7e);
		if (b->escaped && flag)
			line = flag + 1;
		if (!strcmp(line, "NO CARRIER") ||
		    (b->escaped && (!strcmp(line, "OK") || !strcmp(line, "0") || !strcmp(line, "3")))) {
			b->mode = M_CMD;
			b->escaped = false;
			at_line_reset(&b->line);
		}
		return;
	}
	if (b->mode == M_WAIT_PROMPT && !strcmp(line, "DOWNLOAD")) {
		b->left = b->expect_len;
		b->mode = b->left ? M_PAYLOAD_LEN : M_CMD;
	} else if (b->mode == M_WAIT_PROMPT && final) {
		b->mode = M_CMD; /* refused: no prompt, no payload */
	} else if (!strcmp(line, "CONNECT") || (b->dialing && !strcmp(line, "1")) ||
		   (!strncmp(line, "CONNECT ", 8) && strcmp(line, "CONNECT OK") &&
		    strcmp(line, "CONNECT FAIL"))) {
		b->mode = M_DATA; /* ATD*99#, ATO, a transparent CIPSTART */
		b->escaped = false;
		b->dialing = false;
	} else if (final) {
		b->dialing = false;
	}
}

static void tx_bytes(struct rebuild *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (b->tx_len) {
				b->tx[b->tx_len] = '\0';
				if (b->mode != M_DATA)
					emit(b, "tx", b->tx, b->tx_len);
				tx_line(b, b->tx);
			}
			b->tx_len = 0;
		} else if (b->tx_len + 1 < sizeof b->tx) {
			b->tx[b->tx_len++] = (char)p[i];
		}
		/* "> " has no line end: it is the prompt while a command waits for one. */
		if (b->tx_len == 2 && !memcmp(b->tx, "> ", 2) && b->mode == M_WAIT_PROMPT) {
			emit(b, "tx", "> ", 2);
			b->tx_len = 0;
			b->left = b->expect_len;
			b->mode = b->left ? M_PAYLOAD_LEN : M_PAYLOAD_CTRLZ;
		}
	}
}

json_t *cf_wire_from_proxy(const json_t *recs, const struct profile *p)
{
	struct rebuild *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->out = json_array();
	at_line_init(&b->line, p && p->line_max ? p->line_max : 556, p && p->mixed_case_prefix);
	size_t i;
	const json_t *r;
	json_array_foreach(recs, i, r) {
		const char *dir = json_string_value(json_object_get(r, "dir"));
		const char *data = json_string_value(json_object_get(r, "data"));
		b->t = json_number_value(json_object_get(r, "t"));
		if (!dir || !data)
			continue;
		if (!strcmp(dir, "note")) {
			json_array_append(b->out, (json_t *)r);
			continue;
		}
		size_t cap = strlen(data) + 1; /* an escape is never shorter than its byte */
		uint8_t *buf = malloc(cap);
		long n = buf ? transcript_unescape(data, buf, cap) : -1;
		if (n < 0) {
			free(buf);
			continue;
		}
		if (!strcmp(dir, "rx")) {
			json_array_append(b->out, (json_t *)r); /* raw, for checks of what was sent */
			rx_bytes(b, buf, (size_t)n);
		} else if (!strcmp(dir, "tx")) {
			if (b->mode == M_DATA)
				json_array_append(b->out, (json_t *)r); /* PPP or transparent data */
			tx_bytes(b, buf, (size_t)n);
		}
		free(buf);
	}
	json_t *out = b->out;
	free(b);
	return out;
}
