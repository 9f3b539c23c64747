/* at_result.c - final result table (OK, ERROR, +CME/+CMS, NO CARRIER...) -> enum sim800_final. */
#include "at_result.h"

#include <string.h>

enum match_kind {
	MATCH_EXACT,   /* the whole line */
	MATCH_WORD,    /* the line, or the line followed by " <text>" (CONNECT 115200) */
	MATCH_PREFIX,  /* the line starts with it (DATA ACCEPT:<n>,<len>) */
	MATCH_CODE,    /* +CME ERROR[:] <n>|<text> */
};

struct final_entry {
	const char *text;
	enum sim800_final final;
	enum match_kind kind;
	const char *const *only_for; /* commands (prefixes) it is a final for; NULL = any */
	bool mux;             /* may be preceded by "<n>, " in CIPMUX=1 mode (sim800-facts §10.4) */
};

/* Call/data results are finals only for the commands that set up a call or data mode; at any
 * other time NO CARRIER, BUSY... are URCs (a call or PPP link dropped) and must not end, say,
 * AT+CSQ (whose OK would then shift onto the next command). */
static const char *const call_cmds[] = {"ATD", "ATA", "ATO", "AT+CIPSTART", NULL};
static const char *const cipsend_cmds[] = {"AT+CIPSEND", NULL};
static const char *const cipclose_cmds[] = {"AT+CIPCLOSE", NULL};
static const char *const cipshut_cmds[] = {"AT+CIPSHUT", NULL};

/* ModemManager-style pattern list; V1 texts from MAN §2.2.25 and the CIP chapter. */
static const struct final_entry final_table[] = {
	{"OK", SIM800_FINAL_OK, MATCH_EXACT, NULL, false},
	{"ERROR", SIM800_FINAL_ERROR, MATCH_EXACT, NULL, false},
	/* The manual also prints "+CME ERROR <err>" without the colon (CIP chapter). */
	{"+CME ERROR", SIM800_FINAL_CME_ERROR, MATCH_CODE, NULL, false},
	{"+CMS ERROR", SIM800_FINAL_CMS_ERROR, MATCH_CODE, NULL, false},
	{"NO CARRIER", SIM800_FINAL_NO_CARRIER, MATCH_EXACT, call_cmds, false},
	{"NO DIALTONE", SIM800_FINAL_NO_DIALTONE, MATCH_EXACT, call_cmds, false},
	{"BUSY", SIM800_FINAL_BUSY, MATCH_EXACT, call_cmds, false},
	{"NO ANSWER", SIM800_FINAL_NO_ANSWER, MATCH_EXACT, call_cmds, false},
	{"CONNECT", SIM800_FINAL_CONNECT, MATCH_WORD, call_cmds, false},
	{"SEND OK", SIM800_FINAL_SEND_OK, MATCH_EXACT, cipsend_cmds, true},
	{"SEND FAIL", SIM800_FINAL_SEND_FAIL, MATCH_EXACT, cipsend_cmds, true},
	{"DATA ACCEPT:", SIM800_FINAL_DATA_ACCEPT, MATCH_PREFIX, cipsend_cmds, false},
	{"CLOSE OK", SIM800_FINAL_CLOSE_OK, MATCH_EXACT, cipclose_cmds, true},
	{"SHUT OK", SIM800_FINAL_SHUT_OK, MATCH_EXACT, cipshut_cmds, false},
};

/* ATV0 numeric codes (MAN §2.2.25; no 5 on SIM800; 2 RING and 9 PROCEEDING are not finals). */
static const struct {
	char digit;
	enum sim800_final final;
	const char *const *only_for;
} numeric_table[] = {
	{'0', SIM800_FINAL_OK, NULL},
	{'1', SIM800_FINAL_CONNECT, call_cmds},
	{'3', SIM800_FINAL_NO_CARRIER, call_cmds},
	{'4', SIM800_FINAL_ERROR, NULL},
	{'6', SIM800_FINAL_NO_DIALTONE, call_cmds},
	{'7', SIM800_FINAL_BUSY, call_cmds},
	{'8', SIM800_FINAL_NO_ANSWER, call_cmds},
};

/* Indexed by enum sim800_final. */
static const enum sim800_err final_err[] = {
	[SIM800_FINAL_NONE] = SIM800_ERR_TIMEOUT,
	[SIM800_FINAL_OK] = SIM800_OK,
	[SIM800_FINAL_CONNECT] = SIM800_OK,
	[SIM800_FINAL_NO_CARRIER] = SIM800_ERR_NO_CARRIER,
	[SIM800_FINAL_ERROR] = SIM800_ERR_ERROR,
	[SIM800_FINAL_NO_DIALTONE] = SIM800_ERR_NO_DIALTONE,
	[SIM800_FINAL_BUSY] = SIM800_ERR_BUSY_LINE,
	[SIM800_FINAL_NO_ANSWER] = SIM800_ERR_NO_ANSWER,
	[SIM800_FINAL_CME_ERROR] = SIM800_ERR_CME,
	[SIM800_FINAL_CMS_ERROR] = SIM800_ERR_CMS,
	[SIM800_FINAL_SEND_OK] = SIM800_OK,
	[SIM800_FINAL_SEND_FAIL] = SIM800_ERR_SEND_FAIL,
	[SIM800_FINAL_DATA_ACCEPT] = SIM800_OK,
	[SIM800_FINAL_CLOSE_OK] = SIM800_OK,
	[SIM800_FINAL_SHUT_OK] = SIM800_OK,
	[SIM800_FINAL_BARE] = SIM800_OK,
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static int upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

bool at_result_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n > len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (upper((unsigned char)s[i]) != upper((unsigned char)prefix[i]))
			return false;
	return true;
}

/* Does the final belong to cmd? (NULL list: to every command.) */
static bool applies(const char *const *only_for, const char *cmd)
{
	if (!only_for)
		return true;
	if (!cmd)
		return false;
	size_t n = strlen(cmd);
	for (const char *const *p = only_for; *p; p++)
		if (at_result_has_prefix(cmd, n, *p))
			return true;
	return false;
}

/* "+CME ERROR: 10" or "+CME ERROR: SIM not inserted" -> 10; unknown text -> -1. */
static int parse_code(const char *s, size_t len, bool cms)
{
	while (len > 0 && (*s == ' ' || *s == ':')) {
		s++;
		len--;
	}
	if (len > 0 && *s >= '0' && *s <= '9') {
		long v = 0;
		size_t i = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && v < 100000)
			v = v * 10 + (s[i++] - '0');
		while (i < len && s[i] == ' ')
			i++;
		return i == len ? (int)v : -1;
	}
	return cms ? sim800_cms_code(s, len) : sim800_cme_code(s, len);
}

static bool match_entry(const struct final_entry *e, const char *line, size_t len, int *code)
{
	size_t n = strlen(e->text);
	if (len < n || memcmp(line, e->text, n) != 0)
		return false;
	switch (e->kind) {
	case MATCH_EXACT:
		return len == n;
	case MATCH_WORD:
		/* "CONNECT OK"/"CONNECT FAIL" are CIPSTART's late URCs, not a V.250 CONNECT. */
		if (len == n)
			return true;
		if (line[n] != ' ')
			return false;
		return !(len - n - 1 == 2 && memcmp(line + n + 1, "OK", 2) == 0) &&
		       !(len - n - 1 == 4 && memcmp(line + n + 1, "FAIL", 4) == 0);
	case MATCH_PREFIX:
		return true;
	case MATCH_CODE:
		if (len > n && line[n] != ':' && line[n] != ' ')
			return false;
		*code = parse_code(line + n, len - n, e->final == SIM800_FINAL_CMS_ERROR);
		return true;
	}
	return false;
}

/* "0, SEND OK" -> "SEND OK" (multi-connection form with the space, sim800-facts §10.4). */
static size_t skip_mux(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == 0 || i >= len || line[i] != ',')
		return 0;
	i++;
	while (i < len && line[i] == ' ')
		i++;
	return i;
}

bool at_result_parse(const char *line, size_t len, const char *cmd, bool numeric,
		     struct at_result *out)
{
	out->code = -1;
	out->final = SIM800_FINAL_NONE;
	if (numeric && len == 1) {
		for (size_t i = 0; i < N_ELEM(numeric_table); i++) {
			if (line[0] == numeric_table[i].digit &&
			    applies(numeric_table[i].only_for, cmd)) {
				out->final = numeric_table[i].final;
				return true;
			}
		}
	}
	size_t mux = skip_mux(line, len);
	for (size_t i = 0; i < N_ELEM(final_table); i++) {
		const struct final_entry *e = &final_table[i];
		if (!applies(e->only_for, cmd))
			continue;
		int code = -1;
		if (match_entry(e, line, len, &code) ||
		    (e->mux && mux && match_entry(e, line + mux, len - mux, &code))) {
			out->final = e->final;
			out->code = code;
			return true;
		}
	}
	return false;
}

enum sim800_err at_result_err(enum sim800_final f)
{
	if ((unsigned)f >= N_ELEM(final_err))
		return SIM800_ERR_ERROR;
	return final_err[f];
}
