/* sim800_loc.c - the serving cell's location (AT+CIPGSMLOC) over the open bearer. */
#include "sim800.h"

#include "at_client.h"
#include "at_tok.h"

#include <stdlib.h>
#include <string.h>

struct loc_q {
	struct sim800_location *out;
	bool got;
};

/* "+CIPGSMLOC: <code>[,<lon>,<lat>,<date>,<time>]": a code other than 0 has no fields. */
static void loc_line(void *user, const char *line, size_t len)
{
	struct loc_q *q = user;
	struct at_tok t;
	at_tok_init(&t, line + 11, len - 11);
	long code;
	if (at_tok_next_int(&t, &code) != AT_TOK_OK)
		return;
	q->got = true;
	q->out->code = (int)code;
	char lon[24], lat[24];
	if (code != 0 || at_tok_next_any(&t, lon, sizeof lon, NULL) != AT_TOK_OK ||
	    at_tok_next_any(&t, lat, sizeof lat, NULL) != AT_TOK_OK ||
	    at_tok_next_any(&t, q->out->date, sizeof q->out->date, NULL) != AT_TOK_OK ||
	    at_tok_next_any(&t, q->out->time, sizeof q->out->time, NULL) != AT_TOK_OK)
		return;
	q->out->lon = strtod(lon, NULL);
	q->out->lat = strtod(lat, NULL);
}

enum sim800_err sim800_gsm_location(struct sim800 *m, struct sim800_location *out)
{
	if (!m || !out)
		return SIM800_ERR_INVAL;
	memset(out, 0, sizeof *out);
	out->code = -1;
	const char *const prefixes[] = {"+CIPGSMLOC:", NULL};
	struct loc_q q = {out, false};
	/* A network query: the default timeout is the manual's 60 s, not 1 s
	 * (tim-cipgsmloc-needs-10s). */
	struct sim800_cmd c = {.text = "AT+CIPGSMLOC=1,1", .prefixes = prefixes,
			       .on_info = loc_line, .user = &q};
	enum sim800_err e = sim800_cmd_run(m, &c);
	if (e != SIM800_OK)
		return e;
	if (!q.got)
		return SIM800_ERR_NO_INFO;
	return out->code == 0 ? SIM800_OK : SIM800_ERR_GPRS;
}
