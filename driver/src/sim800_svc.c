/* sim800_svc.c - the services' URCs: CIP link results, data notices, PDP/bearer loss, HTTPACTION. */
#include "at_urc.h"

#include "at_tok.h"

#include <string.h>

static bool starts(const char *line, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(line, p, n) == 0;
}

static bool equals(const char *line, size_t len, const char *p)
{
	return len == strlen(p) && memcmp(line, p, len) == 0;
}

/* "+CIPRXGET: 1[,<id>]": data is waiting (urc-ciprxget-notify-during-command: any link, any
 * time). */
static void rx_notice(struct sim800 *m, const char *line, size_t len)
{
	struct at_tok t;
	at_tok_init(&t, line + 10, len - 10);
	long mode = -1, id = 0;
	if (at_tok_next_int(&t, &mode) != AT_TOK_OK || mode != 1)
		return;
	if (!at_tok_at_end(&t) && at_tok_next_int(&t, &id) != AT_TOK_OK)
		return;
	if (id >= 0 && id < SIM800_CIP_CONNS)
		m->svc.link[id].rx_ready = true;
}

static void http_action(struct sim800 *m, const char *line, size_t len)
{
	struct at_tok t;
	at_tok_init(&t, line + 12, len - 12);
	long meth, st, dl = 0;
	if (at_tok_next_int(&t, &meth) != AT_TOK_OK || at_tok_next_int(&t, &st) != AT_TOK_OK)
		return;
	if (at_tok_next_int(&t, &dl) != AT_TOK_OK)
		dl = 0;
	m->svc.http_method = (int)meth;
	m->svc.http_status = (int)st;
	m->svc.http_len = dl;
	m->svc.http_done = true;
}

/* "[<n>, ]CONNECT OK" and friends (sim800-facts §5.2, §10 item 4: a space after the comma). */
static bool link_result(struct sim800 *m, const char *line, size_t len)
{
	int id = 0;
	size_t i = 0;
	if (len > 3 && line[0] >= '0' && line[0] <= '9' && line[1] == ',') {
		id = line[0] - '0';
		i = 2;
		while (i < len && line[i] == ' ')
			i++;
	}
	if (id >= SIM800_CIP_CONNS)
		return false;
	const char *s = line + i;
	size_t n = len - i;
	struct sim800_cip_link *l = &m->svc.link[id];
	if (equals(s, n, "CONNECT OK")) {
		l->state = SIM800_LINK_CONNECTED;
		l->opened = true;
	}
	else if (equals(s, n, "CONNECT FAIL"))
		l->state = SIM800_LINK_FAILED;
	else if (equals(s, n, "ALREADY CONNECT"))
		l->state = SIM800_LINK_ALREADY;
	else if (equals(s, n, "CLOSED"))
		l->state = l->state == SIM800_LINK_CONNECTING && !l->opened ? SIM800_LINK_TLS_FAILED
									     : SIM800_LINK_CLOSED;
	else if (equals(s, n, "CLOSE OK"))
		/* Unasked: the module gave up a TLS handshake (ssl-cipssl-ok-then-close-ok). */
		l->state = l->state == SIM800_LINK_CONNECTING ? SIM800_LINK_TLS_FAILED
							       : SIM800_LINK_CLOSED;
	else if (equals(s, n, "SEND FAIL")) {
		l->send_fail = true;
		l->state = SIM800_LINK_CLOSED;
	} else
		return false;
	return true;
}

bool at_svc_urc(struct sim800 *m, const char *line, size_t len)
{
	if (starts(line, len, "+CIPRXGET: 1")) {
		rx_notice(m, line, len);
		return true;
	}
	if (starts(line, len, "+HTTPACTION:")) {
		http_action(m, line, len);
		return true;
	}
	if (equals(line, len, "+PDP: DEACT")) {
		/* Every link is gone; CIPSHUT is required before the next CIPSTART (facts §10.12). */
		m->svc.pdp_deact = true;
		m->svc.cip_up = false;
		for (int i = 0; i < SIM800_CIP_CONNS; i++)
			if (m->svc.link[i].state != SIM800_LINK_IDLE)
				m->svc.link[i].state = SIM800_LINK_CLOSED;
		return true;
	}
	if (starts(line, len, "+SAPBR") && len >= 5 && memcmp(line + len - 5, "DEACT", 5) == 0) {
		m->svc.bearer_deact = true;
		return true;
	}
	if (starts(line, len, "+CMTI:")) {
		m->svc.cmti = true;
		return false; /* the user may want it too: left to their handlers / the log */
	}
	if (starts(line, len, "STATE: "))
		return true; /* printed before a single-mode CONNECT FAIL: the result follows */
	return link_result(m, line, len);
}
