/* sim800_info.c - identification (ATI, +CGMI/+CGMM/+CGMR, IMEI/IMSI/ICCID) and capability probes. */
#include "sim800.h"

#include "at_client.h"
#include "at_result.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Revision strings (sim800-facts.md §1.2)                                                   */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool set_variant(struct sim800_fw *fw, const char *s, size_t n)
{
	if (n == 0 || n >= sizeof(fw->variant))
		return false;
	memcpy(fw->variant, s, n);
	fw->variant[n] = '\0';
	return true;
}

/* "1418B05SIM800L24": <RRrr>B<build><variant>. */
static bool parse_revision(const char *s, size_t n, struct sim800_fw *fw)
{
	if (n < 7 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
	    s[4] != 'B' || !is_digit(s[5]))
		return false;
	size_t i = 5;
	int build = 0;
	while (i < n && is_digit(s[i]) && i < 8)
		build = build * 10 + (s[i++] - '0');
	for (size_t k = i; k < n; k++)
		if (!is_word(s[k]))
			return false;
	if (!set_variant(fw, s + i, n - i))
		return false;
	fw->major = two_digits(s);
	fw->minor = two_digits(s + 2);
	fw->build = build;
	fw->format = SIM800_FW_REVISION;
	return true;
}

/* "SIM800L16_20141031_1027": <variant>_<yyyymmdd>_<hhmm>. */
static bool parse_dated(const char *s, size_t n, struct sim800_fw *fw)
{
	const char *us = memchr(s, '_', n);
	if (!us)
		return false;
	size_t vlen = (size_t)(us - s);
	const char *d = us + 1;
	size_t rest = n - vlen - 1;
	if (rest < 8)
		return false;
	long date = 0;
	for (size_t i = 0; i < 8; i++) {
		if (!is_digit(d[i]))
			return false;
		date = date * 10 + (d[i] - '0');
	}
	if (rest > 8) {
		if (d[8] != '_')
			return false;
		for (size_t i = 9; i < rest; i++)
			if (!is_digit(d[i]))
				return false;
	}
	for (size_t i = 0; i < vlen; i++)
		if (!is_word(s[i]))
			return false;
	if (!set_variant(fw, s, vlen))
		return false;
	fw->date = date;
	fw->format = SIM800_FW_DATED;
	return true;
}

/* ATI "SIM800 R14.18": <model> R<major>.<minor>. */
static bool parse_ati(const char *s, size_t n, struct sim800_fw *fw)
{
	size_t i = 0;
	while (i < n && is_word(s[i]))
		i++;
	size_t vlen = i;
	if (vlen == 0 || i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	if (n - i != 6 || s[i] != 'R' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
	    s[i + 3] != '.' || !is_digit(s[i + 4]) || !is_digit(s[i + 5]))
		return false;
	if (!set_variant(fw, s, vlen))
		return false;
	fw->major = two_digits(s + i + 1);
	fw->minor = two_digits(s + i + 4);
	fw->format = SIM800_FW_ATI;
	return true;
}

bool sim800_fw_parse(const char *s, struct sim800_fw *out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	out->major = out->minor = out->build = -1;
	if (!s)
		return false;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	/* Real modules print "Revision:" with no space, the manual "Revision: " (facts §10.5). */
	if (at_result_has_prefix(s, n, "Revision:")) {
		s += 9;
		n -= 9;
		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
	}
	struct sim800_fw fw = *out;
	if (parse_revision(s, n, &fw) || parse_dated(s, n, &fw) || parse_ati(s, n, &fw)) {
		*out = fw;
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

static enum sim800_err query_line(struct sim800 *m, const char *text, sim800_match_fn match,
				  unsigned flags, char *out, size_t cap)
{
	return at_client_query(m, text, NULL, match, flags, 0, out, cap);
}

enum sim800_err sim800_read_imei(struct sim800 *m, char *out, size_t cap)
{
	return query_line(m, "AT+CGSN", sim800_is_imei, 0, out, cap);
}

/* Bare digits only: a URC such as "DST: 1" never passes (urc-dst-taken-as-imsi). */
enum sim800_err sim800_read_imsi(struct sim800 *m, char *out, size_t cap)
{
	return query_line(m, "AT+CIMI", sim800_is_imsi, 0, out, cap);
}

/* No "+CCID:" prefix on SIM800 (facts §1.1, §10.6). */
enum sim800_err sim800_read_iccid(struct sim800 *m, char *out, size_t cap)
{
	return query_line(m, "AT+CCID", sim800_is_iccid, 0, out, cap);
}

/* Errors that say the module or the port is gone, as opposed to ERROR to one query. */
static bool is_link_error(enum sim800_err e)
{
	return e == SIM800_ERR_TIMEOUT || e == SIM800_ERR_IO || e == SIM800_ERR_NO_RESPONSE ||
	       e == SIM800_ERR_RESET || e == SIM800_ERR_POWERED_DOWN || e == SIM800_ERR_BUSY ||
	       e == SIM800_ERR_INVAL;
}

enum sim800_err sim800_info_read(struct sim800 *m, struct sim800_info *out)
{
	if (!m || !out)
		return SIM800_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	static const struct {
		const char *text;
		size_t off;
		size_t cap;
	} q[] = {
		{"ATI", offsetof(struct sim800_info, ati), sizeof(out->ati)},
		{"AT+CGMI", offsetof(struct sim800_info, manufacturer), sizeof(out->manufacturer)},
		{"AT+CGMM", offsetof(struct sim800_info, model), sizeof(out->model)},
		{"AT+CGMR", offsetof(struct sim800_info, revision), sizeof(out->revision)},
	};
	enum sim800_err first = SIM800_OK;
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char *dst = (char *)out + q[i].off;
		enum sim800_err e = query_line(m, q[i].text, NULL, SIM800_CMD_ANY_INFO, dst, q[i].cap);
		if (is_link_error(e)) {
			first = e;
			break;
		}
	}
	if (first == SIM800_OK) {
		enum sim800_err e = sim800_read_imei(m, out->imei, sizeof(out->imei));
		if (is_link_error(e))
			first = e;
	}
	/* Version from AT+CGMR when it has one, else from ATI; an unknown format stays UNKNOWN
	 * and callers must probe (id-ati-vs-cgmr-format). */
	struct sim800_fw ati;
	sim800_fw_parse(out->ati, &ati);
	if (!sim800_fw_parse(out->revision, &out->fw)) {
		out->fw = ati;
	} else if (out->fw.major < 0 && ati.major >= 0) {
		out->fw.major = ati.major;
		out->fw.minor = ati.minor;
	}
	return first;
}

/* ---------------------------------------------------------------------------------------- */
/* Capabilities: from what the module answers, never from the version (pythings PR #16)     */

/* OK with a "<prefix>" line -> LISTED; ERROR/+CME -> NO; otherwise UNKNOWN. */
/* OK with a "<prefix>" line -> LISTED; ERROR/+CME -> NO; otherwise UNKNOWN. */
static enum sim800_err probe(struct sim800 *m, const char *text, const char *prefix,
			     enum sim800_cap *cap)
{
	char buf[32];
	enum sim800_err e = at_client_query(m, text, prefix, NULL, 0, 0, buf, sizeof(buf));
	if (e == SIM800_OK || e == SIM800_ERR_TOOLONG)
		*cap = SIM800_CAP_LISTED;
	else if (e == SIM800_ERR_ERROR || e == SIM800_ERR_CME)
		*cap = SIM800_CAP_NO;
	else
		*cap = SIM800_CAP_UNKNOWN;
	return is_link_error(e) ? e : SIM800_OK;
}

enum sim800_err sim800_probe_caps(struct sim800 *m, struct sim800_caps *out)
{
	if (!m)
		return SIM800_ERR_INVAL;
	struct sim800_caps caps = {SIM800_CAP_UNKNOWN, SIM800_CAP_UNKNOWN};
	/* R13.08: ERROR; R14.18: +CIPSSL: (0-1) (TinyGSM #235, pythings). */
	enum sim800_err e = probe(m, "AT+CIPSSL=?", "+CIPSSL:", &caps.cipssl);
	/* The HTTP application's SSL is separate from TCP's (id-cipssl-ok-httpssl-error): probe
	 * it on its own, with the read form as a second chance. */
	if (e == SIM800_OK)
		e = probe(m, "AT+HTTPSSL=?", "+HTTPSSL:", &caps.httpssl);
	if (e == SIM800_OK && caps.httpssl != SIM800_CAP_LISTED) {
		enum sim800_cap second = SIM800_CAP_UNKNOWN;
		e = probe(m, "AT+HTTPSSL?", "+HTTPSSL:", &second);
		if (second == SIM800_CAP_LISTED ||
		    (second == SIM800_CAP_NO && caps.httpssl == SIM800_CAP_NO))
			caps.httpssl = second;
		else if (caps.httpssl == SIM800_CAP_UNKNOWN)
			caps.httpssl = second;
	}
	m->caps = caps;
	if (out)
		*out = caps;
	return e;
}
