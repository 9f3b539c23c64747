/* profile_schema.c - the profile schema: typed fields, ranges, defaults and cross-checks. */
#include "profile_schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>

#define MS_MAX 86400000L /* one day: any longer delay is a typo */

typedef struct profile_tree_node node_t;

/* One conversion: where errors go, and the key path of the node being converted. */
struct schema {
	struct profile_error *err;
	const char *source;
	const node_t *root; /* for errors that have no better node (out of memory) */
	char path[sizeof(((struct profile_error *)0)->path)];
	size_t path_len;
};

#define fail(sc, at, ...) profile_tree_fail((sc)->err, (at), (sc)->path, __VA_ARGS__)

static size_t path_key(struct schema *sc, const char *key)
{
	size_t mark = sc->path_len;
	profile_tree_appendf(sc->path, sizeof(sc->path), &sc->path_len, "%s%s", mark ? "." : "",
			     key);
	return mark;
}

static size_t path_index(struct schema *sc, size_t i)
{
	size_t mark = sc->path_len;
	profile_tree_appendf(sc->path, sizeof(sc->path), &sc->path_len, "[%zu]", i);
	return mark;
}

static void path_pop(struct schema *sc, size_t mark)
{
	sc->path_len = mark;
	sc->path[mark] = '\0';
}

/* ---- typed fields ----------------------------------------------------------------------- */

enum str_class {
	STR_LINE,   /* one line: no control characters (it goes on the wire) */
	STR_TEXT,   /* free text: newlines and tabs allowed */
	STR_DIGITS, /* 0-9 only */
	STR_HEX,    /* 0-9 a-f A-F */
};

struct str_rule {
	enum str_class cls;
	size_t min, max;  /* length in bytes */
	const char *what; /* for messages: "15 decimal digits" */
};

static const struct str_rule rule_line = { STR_LINE, 1, PROFILE_TREE_MAX_STRING,
					   "a non-empty line" };
static const struct str_rule rule_any_line = { STR_LINE, 0, PROFILE_TREE_MAX_STRING, "a line" };
static const struct str_rule rule_text = { STR_TEXT, 0, PROFILE_TREE_MAX_STRING, "text" };
static const struct str_rule rule_imei = { STR_DIGITS, 15, 15, "15 decimal digits" };
static const struct str_rule rule_imsi = { STR_DIGITS, 6, 15, "6 to 15 decimal digits" };
static const struct str_rule rule_iccid = { STR_HEX, 18, 22, "18 to 22 hex digits" };
static const struct str_rule rule_pin = { STR_DIGITS, 4, 8, "4 to 8 decimal digits" };
static const struct str_rule rule_cell = { STR_HEX, 1, 8, "1 to 8 hex digits" };

enum field_type {
	F_STR,	   /* char **: a new copy */
	F_UINT,	   /* unsigned * */
	F_INT,	   /* int * */
	F_BOOL,	   /* bool * */
	F_TRIBOOL, /* int *: 0/1, untouched when absent (callers preset -1) */
	F_WORD,	   /* int *: index into words */
	F_MAP,	   /* checked for kind and presence only; the caller converts it */
	F_SEQ,
	F_LINK, /* extends:, already followed by load_file */
};

struct field {
	const char *key;
	enum field_type type;
	bool required;
	long lo, hi;		     /* F_UINT/F_INT range */
	const long *also;	     /* F_UINT/F_INT: more allowed values, ending in -1 */
	const char *const *words;    /* F_WORD: NULL-terminated; the index is the value */
	const struct str_rule *rule; /* F_STR */
	void *out;
};

static const long rssi_also[] = { 99, -1 };
static const long ipr_also[] = { 1200,	2400,	4800,	9600,	19200, 38400,
				 57600, 115200, 230400, 460800, -1 };

/* Indexed by enum profile_reg / profile_sim / profile_when. */
static const char *const reg_words[] = { "not_searching", "home",    "searching", "denied",
					 "unknown",	  "roaming", NULL };
static const char *const sim_words[] = { "ready", "pin", "puk", "not_inserted", NULL };
static const char *const when_words[] = { "always", "fixed_baud", "autobaud", NULL };

static void list_words(char *buf, size_t cap, const char *const *w, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; w[i] && i < n; i++)
		profile_tree_appendf(buf, cap, &len, "%s%s", i ? ", " : "", w[i]);
}

static bool read_long(struct schema *sc, const node_t *n, const struct field *f, long *out)
{
	char what[PROFILE_TREE_SHOW_MAX];
	const char *s = n->kind == PROFILE_TREE_SCALAR ? n->text : NULL;
	bool neg = s && s[0] == '-';
	const char *d = s ? s + neg : NULL;
	/* Decimal only: YAML 1.1 would read 010 as octal and 0x10 as hex; we want neither. */
	bool ok = n->plain && d && d[0] >= '0' && d[0] <= '9' && !(d[0] == '0' && d[1]);
	long v = 0;
	for (size_t i = 0; ok && d[i]; i++) {
		if (d[i] < '0' || d[i] > '9')
			ok = false;
		else if (v > 100000000L)
			v = 1000000000L; /* saturate: already out of every range */
		else
			v = v * 10 + (d[i] - '0');
	}
	if (!ok)
		return fail(sc, n, "expected a decimal integer, got %s",
			    profile_tree_describe(n, what, sizeof(what)));
	v = neg ? -v : v;
	bool in = v >= f->lo && v <= f->hi;
	for (size_t i = 0; !in && f->also && f->also[i] >= 0; i++)
		in = v == f->also[i];
	if (in) {
		*out = v;
		return true;
	}
	char range[160];
	size_t len = 0;
	if (f->lo == f->hi)
		profile_tree_appendf(range, sizeof(range), &len, "%ld", f->lo);
	else
		profile_tree_appendf(range, sizeof(range), &len, "%ld..%ld", f->lo, f->hi);
	for (size_t i = 0; f->also && f->also[i] >= 0; i++)
		profile_tree_appendf(range, sizeof(range), &len, "%s%ld", i ? ", " : " or ",
				     f->also[i]);
	return fail(sc, n, "%s is out of range (%s)", n->text, range);
}

static bool read_string(struct schema *sc, const node_t *n, const struct str_rule *r, char **out)
{
	char what[PROFILE_TREE_SHOW_MAX];
	if (n->kind != PROFILE_TREE_SCALAR)
		return fail(sc, n, "expected %s, got %s", r->what,
			    profile_tree_describe(n, what, sizeof(what)));
	bool ok = n->len >= r->min && n->len <= r->max;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char c = (unsigned char)n->text[i];
		bool digit = c >= '0' && c <= '9';
		switch (r->cls) {
		case STR_LINE:
			ok = c >= 0x20 && c != 0x7f;
			break;
		case STR_TEXT:
			ok = (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t';
			break;
		case STR_DIGITS:
			ok = digit;
			break;
		case STR_HEX:
			ok = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			break;
		}
	}
	if (!ok)
		return fail(sc, n, "expected %s, got %s", r->what,
			    profile_tree_describe(n, what, sizeof(what)));
	*out = malloc(n->len + 1);
	if (!*out)
		return fail(sc, n, "out of memory");
	memcpy(*out, n->text, n->len + 1);
	return true;
}

static bool read_value(struct schema *sc, const node_t *v, const struct field *f)
{
	char what[PROFILE_TREE_SHOW_MAX], words[160];
	long num;
	switch (f->type) {
	case F_STR:
		return read_string(sc, v, f->rule, f->out);
	case F_UINT:
		if (!read_long(sc, v, f, &num))
			return false;
		*(unsigned *)f->out = (unsigned)num;
		return true;
	case F_INT:
		if (!read_long(sc, v, f, &num))
			return false;
		*(int *)f->out = (int)num;
		return true;
	case F_BOOL:
	case F_TRIBOOL: {
		bool t = v->kind == PROFILE_TREE_SCALAR && v->plain && strcmp(v->text, "true") == 0;
		bool fa =
			v->kind == PROFILE_TREE_SCALAR && v->plain && strcmp(v->text, "false") == 0;
		if (!t && !fa)
			return fail(sc, v, "expected true or false, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		if (f->type == F_BOOL)
			*(bool *)f->out = t;
		else
			*(int *)f->out = t;
		return true;
	}
	case F_WORD:
		for (int i = 0; v->kind == PROFILE_TREE_SCALAR && f->words[i]; i++) {
			if (strcmp(v->text, f->words[i]) == 0) {
				*(int *)f->out = i;
				return true;
			}
		}
		list_words(words, sizeof(words), f->words, 64);
		if (v->kind != PROFILE_TREE_SCALAR)
			return fail(sc, v, "expected one of: %s, got %s", words,
				    profile_tree_describe(v, what, sizeof(what)));
		return fail(sc, v, "unknown value %s (expected one of: %s)",
			    profile_tree_quote(v, what, sizeof(what)), words);
	case F_MAP:
		if (v->kind != PROFILE_TREE_MAP)
			return fail(sc, v, "expected a mapping, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		return true;
	case F_SEQ:
		if (v->kind != PROFILE_TREE_SEQ)
			return fail(sc, v, "expected a sequence, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		return true;
	case F_LINK:
		return true;
	}
	return true;
}

/*
 * Check map's keys against the field table and read every present field; absent and null
 * fields keep what *out holds (the default). Unknown keys and missing required ones fail.
 */
static bool read_fields(struct schema *sc, const node_t *map, const struct field *f, size_t n)
{
	for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
		const node_t *key = map->kids[i];
		size_t j = 0;
		while (j < n && strcmp(f[j].key, key->text) != 0)
			j++;
		if (j < n)
			continue;
		char expected[sizeof(sc->err->message) / 2];
		size_t len = 0;
		expected[0] = '\0';
		for (j = 0; j < n; j++)
			profile_tree_appendf(expected, sizeof(expected), &len, "%s%s",
					     j ? ", " : "", f[j].key);
		char what[PROFILE_TREE_SHOW_MAX];
		path_key(sc, key->text);
		return fail(sc, key, "unknown key %s (expected one of: %s)",
			    profile_tree_quote(key, what, sizeof(what)), expected);
	}
	for (size_t j = 0; j < n; j++) {
		const node_t *v = profile_tree_get(map, f[j].key);
		size_t mark = path_key(sc, f[j].key);
		if ((!v || profile_tree_is_null(v)) && f[j].required)
			return fail(sc, map, "missing required key \"%s\"", f[j].key);
		if (v && !profile_tree_is_null(v) && !read_value(sc, v, &f[j]))
			return false;
		path_pop(sc, mark);
	}
	return true;
}

/* A present, non-null value of a key that read_fields has already type-checked. */
static const node_t *value_of(const node_t *map, const char *key)
{
	const node_t *v = profile_tree_get(map, key);
	return v && !profile_tree_is_null(v) ? v : NULL;
}

#define N_FIELDS(f) (sizeof(f) / sizeof((f)[0]))

/* ---- sections --------------------------------------------------------------------------- */

static bool read_lines(struct schema *sc, const node_t *seq, const struct str_rule *r, char ***out,
		       size_t *n_out)
{
	if (seq->n_kids == 0)
		return true;
	*out = calloc(seq->n_kids, sizeof(**out));
	if (!*out)
		return fail(sc, seq, "out of memory");
	*n_out = seq->n_kids;
	for (size_t i = 0; i < seq->n_kids; i++) {
		size_t mark = path_index(sc, i);
		if (!read_string(sc, seq->kids[i], r, &(*out)[i]))
			return false;
		path_pop(sc, mark);
	}
	return true;
}

static bool conv_identity(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "ati", F_STR, .required = true, .rule = &rule_line, .out = &p->ati },
		{ "manufacturer", F_STR, .required = true, .rule = &rule_line,
		  .out = &p->manufacturer },
		{ "model", F_STR, .required = true, .rule = &rule_line, .out = &p->model },
		{ "revision", F_STR, .required = true, .rule = &rule_line, .out = &p->revision },
		{ "gsv", F_SEQ, .required = false },
		{ "imei", F_STR, .required = true, .rule = &rule_imei, .out = &p->imei },
		{ "iccid", F_STR, .required = true, .rule = &rule_iccid, .out = &p->iccid },
		{ "imsi", F_STR, .required = true, .rule = &rule_imsi, .out = &p->imsi },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *gsv = value_of(m, "gsv");
	if (!gsv)
		return true;
	size_t mark = path_key(sc, "gsv");
	if (!read_lines(sc, gsv, &rule_line, &p->gsv, &p->n_gsv))
		return false;
	path_pop(sc, mark);
	return true;
}

static bool conv_capabilities(struct schema *sc, const node_t *m, struct profile *p)
{
	int httpssl = -1;
	const struct field f[] = {
		{ "ssl", F_BOOL, .out = &p->cap_ssl },	 { "httpssl", F_TRIBOOL, .out = &httpssl },
		{ "tls", F_MAP, .required = false },	 { "http", F_BOOL, .out = &p->cap_http },
		{ "ppp", F_BOOL, .out = &p->cap_ppp },	 { "sms", F_BOOL, .out = &p->cap_sms },
		{ "cmux", F_BOOL, .out = &p->cap_cmux },
	};
	if (m && !read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	/* Without ssl there is no TLS at all, whatever a parent profile said. */
	int min = PROFILE_TLS_SSL3, max = PROFILE_TLS_1_0;
	const char *tls_words[PROFILE_TLS_1_3 + 2]; /* profile.c owns the names */
	for (int v = PROFILE_TLS_NONE; v <= PROFILE_TLS_1_3; v++)
		tls_words[v] = profile_tls_name((enum profile_tls)v);
	tls_words[PROFILE_TLS_1_3 + 1] = NULL;
	const node_t *tls = m ? value_of(m, "tls") : NULL;
	if (tls) {
		size_t mark = path_key(sc, "tls");
		const struct field t[] = {
			{ "min", F_WORD, .words = tls_words, .out = &min },
			{ "max", F_WORD, .words = tls_words, .out = &max },
		};
		if (!read_fields(sc, tls, t, N_FIELDS(t)))
			return false;
		if (p->cap_ssl && min > max)
			return fail(sc, tls, "min %s is above max %s", tls_words[min],
				    tls_words[max]);
		if (p->cap_ssl && max == PROFILE_TLS_NONE)
			return fail(sc, tls, "max must not be none when ssl is true");
		path_pop(sc, mark);
	}
	p->tls_min = p->cap_ssl ? (enum profile_tls)min : PROFILE_TLS_NONE;
	p->tls_max = p->cap_ssl ? (enum profile_tls)max : PROFILE_TLS_NONE;
	p->cap_httpssl = httpssl < 0 ? p->cap_ssl : httpssl == 1;
	if (p->cap_httpssl && !p->cap_ssl) {
		path_key(sc, "httpssl");
		return fail(sc, value_of(m, "httpssl"), "httpssl: true needs ssl: true");
	}
	return true;
}

static bool conv_command_line(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "max_length", F_UINT, .lo = 16, .hi = 4096, .out = &p->line_max },
		{ "mixed_case_prefix", F_BOOL, .out = &p->mixed_case_prefix },
		{ "unknown_answer", F_STR, .rule = &rule_line, .out = &p->unknown_answer },
	};
	return read_fields(sc, m, f, N_FIELDS(f));
}

static bool conv_defaults(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "echo", F_BOOL, .out = &p->echo },
		{ "cmee", F_INT, .lo = 0, .hi = 2, .out = &p->cmee },
		{ "ipr", F_UINT, .lo = 0, .hi = 0, .also = ipr_also, .out = &p->ipr },
	};
	return read_fields(sc, m, f, N_FIELDS(f));
}

/* The previous after_ms of a timeline, for the "in time order" rule. */
static bool check_order(struct schema *sc, const node_t *item, unsigned prev, unsigned cur)
{
	if (cur >= prev)
		return true;
	size_t mark = path_key(sc, "after_ms");
	fail(sc, profile_tree_get(item, "after_ms"),
	     "after_ms %u is before the previous entry's %u (entries must be in time order)", cur,
	     prev);
	path_pop(sc, mark);
	return false;
}

static bool conv_urc(struct schema *sc, const node_t *m, struct profile_urc *u)
{
	int when = PROFILE_WHEN_ALWAYS;
	const struct field f[] = {
		{ "after_ms", F_UINT, .required = true, .lo = 0, .hi = MS_MAX,
		  .out = &u->after_ms },
		{ "text", F_STR, .required = true, .rule = &rule_line, .out = &u->text },
		{ "when", F_WORD, .words = when_words, .out = &when },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	u->when = (enum profile_when)when;
	return true;
}

/* Check a sequence item is a mapping, with the item's index in the path. */
static bool item_map(struct schema *sc, const node_t *item)
{
	char what[PROFILE_TREE_SHOW_MAX];
	if (item->kind == PROFILE_TREE_MAP)
		return true;
	return fail(sc, item, "expected a mapping, got %s",
		    profile_tree_describe(item, what, sizeof(what)));
}

static bool conv_boot(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "deaf_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &p->boot_deaf_ms },
		{ "noise_bytes", F_UINT, .lo = 0, .hi = 64, .out = &p->boot_noise_bytes },
		{ "urcs", F_SEQ, .required = false },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *urcs = value_of(m, "urcs");
	if (!urcs || urcs->n_kids == 0)
		return true;
	p->boot_urcs = calloc(urcs->n_kids, sizeof(*p->boot_urcs));
	if (!p->boot_urcs)
		return fail(sc, urcs, "out of memory");
	p->n_boot_urcs = urcs->n_kids;
	path_key(sc, "urcs");
	for (size_t i = 0; i < urcs->n_kids; i++) {
		size_t mark = path_index(sc, i);
		const node_t *item = urcs->kids[i];
		if (!item_map(sc, item) || !conv_urc(sc, item, &p->boot_urcs[i]))
			return false;
		if (i &&
		    !check_order(sc, item, p->boot_urcs[i - 1].after_ms, p->boot_urcs[i].after_ms))
			return false;
		path_pop(sc, mark);
	}
	return true;
}

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("+&%*#$^_!/", c);
}

/* A timing key: an upper-case command name, then "", "?", "=?" or "=" (profile_delay_for). */
static bool valid_command_key(const char *s)
{
	size_t i = 0;
	while (s[i] && is_name_char(s[i]))
		i++;
	if (i == 0)
		return false;
	return !s[i] || !strcmp(s + i, "?") || !strcmp(s + i, "=?") || !strcmp(s + i, "=");
}

static bool conv_timing(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "default_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &p->delay_default_ms },
		{ "commands", F_MAP, .required = false },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *cmds = value_of(m, "commands");
	if (!cmds || cmds->n_kids == 0)
		return true;
	size_t n = cmds->n_kids / 2;
	p->delays = calloc(n, sizeof(*p->delays));
	if (!p->delays)
		return fail(sc, cmds, "out of memory");
	p->n_delays = n;
	path_key(sc, "commands");
	for (size_t i = 0; i < n; i++) {
		const node_t *key = cmds->kids[2 * i];
		const node_t *val = cmds->kids[2 * i + 1];
		size_t mark = path_key(sc, key->text);
		if (!valid_command_key(key->text))
			return fail(sc, key,
				    "\"%s\" is not an upper-case command name with an "
				    "optional \"?\", \"=?\" or \"=\"",
				    key->text);
		const struct field ms = { key->text, F_UINT, .lo = 0, .hi = MS_MAX,
					  .out = &p->delays[i].ms };
		if (!read_string(sc, key, &rule_line, &p->delays[i].command) ||
		    !read_value(sc, val, &ms))
			return false;
		path_pop(sc, mark);
	}
	return true;
}

/* data: the CIP stack's limits and timing (svc_tcp.c), PPP's CONNECT text and rate (svc_ppp.c). */
static bool conv_data(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "send_max", F_UINT, .lo = 1, .hi = 1460, .out = &p->cip_send_max },
		{ "rx_buffer", F_UINT, .lo = 64, .hi = 1048576, .out = &p->cip_rx_buffer },
		{ "connect_fail_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &p->connect_fail_ms },
		{ "ppp_connect", F_STR, .rule = &rule_line, .out = &p->ppp_connect },
		{ "ppp_rate", F_UINT, .lo = 0, .hi = 10000000, .out = &p->ppp_rate },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	/* A driver matches the word (facts §7: strstr(line, "CONNECT")); anything else would be a
	 * different result code, not CONNECT's text. */
	const char *c = p->ppp_connect;
	if (c && (strncmp(c, "CONNECT", 7) != 0 || (c[7] != '\0' && c[7] != ' '))) {
		size_t mark = path_key(sc, "ppp_connect");
		fail(sc, value_of(m, "ppp_connect"),
		     "expected CONNECT or \"CONNECT <text>\", got \"%s\"", c);
		path_pop(sc, mark);
		return false;
	}
	return true;
}

static bool conv_step(struct schema *sc, const node_t *m, struct profile_net_step *s)
{
	int reg = 0;
	s->gprs_reg = -1;
	s->rssi = 99;
	s->ber = 99;
	s->attached = -1;
	const struct field f[] = {
		{ "after_ms", F_UINT, .required = true, .lo = 0, .hi = MS_MAX,
		  .out = &s->after_ms },
		{ "reg", F_WORD, .required = true, .words = reg_words, .out = &reg },
		{ "gprs_reg", F_WORD, .words = reg_words, .out = &s->gprs_reg },
		{ "rssi", F_INT, .lo = 0, .hi = 31, .also = rssi_also, .out = &s->rssi },
		{ "ber", F_INT, .lo = 0, .hi = 7, .also = rssi_also, .out = &s->ber },
		{ "attached", F_TRIBOOL, .out = &s->attached },
		{ "lac", F_STR, .rule = &rule_cell, .out = &s->lac },
		{ "ci", F_STR, .rule = &rule_cell, .out = &s->ci },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	s->reg = (enum profile_reg)reg;
	return true;
}

static bool conv_timeline(struct schema *sc, const node_t *seq, struct profile *p)
{
	size_t n = seq ? seq->n_kids : 0;
	p->net = calloc(n ? n : 1, sizeof(*p->net));
	if (!p->net)
		return fail(sc, seq ? seq : sc->root, "out of memory");
	p->n_net = n ? n : 1;
	if (n == 0) {
		/* No timeline: registered at home from power-on (profiles/README.md). */
		p->net[0] = (struct profile_net_step){ .reg = PROFILE_REG_HOME,
						       .gprs_reg = -1,
						       .rssi = 20,
						       .ber = 0,
						       .attached = -1 };
		return true;
	}
	size_t top = path_key(sc, "timeline");
	for (size_t i = 0; i < n; i++) {
		size_t mark = path_index(sc, i);
		const node_t *item = seq->kids[i];
		if (!item_map(sc, item) || !conv_step(sc, item, &p->net[i]))
			return false;
		if (i && !check_order(sc, item, p->net[i - 1].after_ms, p->net[i].after_ms))
			return false;
		path_pop(sc, mark);
	}
	path_pop(sc, top);
	return true;
}

static bool conv_network(struct schema *sc, const node_t *m, struct profile *p)
{
	int sim = PROFILE_SIM_READY;
	const struct field f[] = {
		{ "sim", F_WORD, .words = sim_words, .out = &sim },
		{ "pin", F_STR, .rule = &rule_pin, .out = &p->sim_pin },
		{ "operator", F_STR, .rule = &rule_line, .out = &p->operator_name },
		{ "battery", F_MAP, .required = false },
		{ "timeline", F_SEQ, .required = false },
	};
	if (m && !read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	p->sim = (enum profile_sim)sim;
	const node_t *bat = m ? value_of(m, "battery") : NULL;
	if (bat) {
		size_t mark = path_key(sc, "battery");
		const struct field b[] = {
			{ "bcs", F_INT, .lo = 0, .hi = 2, .out = &p->battery_bcs },
			{ "bcl", F_INT, .lo = 0, .hi = 100, .out = &p->battery_bcl },
			{ "mv", F_INT, .lo = 0, .hi = 10000, .out = &p->battery_mv },
		};
		if (!read_fields(sc, bat, b, N_FIELDS(b)))
			return false;
		path_pop(sc, mark);
	}
	return conv_timeline(sc, m ? value_of(m, "timeline") : NULL, p);
}

static bool conv_replay_entry(struct schema *sc, const node_t *m, struct profile *p, size_t i)
{
	struct profile_replay *r = &p->replay[i];
	const struct field f[] = {
		{ "command", F_STR, .required = true, .rule = &rule_line, .out = &r->command },
		{ "response", F_SEQ, .required = true },
		{ "delay_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &r->delay_ms },
	};
	if (!read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *cmd = value_of(m, "command");
	size_t mark = path_key(sc, "command");
	size_t len = strlen(r->command);
	/* Entries hold the text after "AT"; "AT+CSPN?" here would never match anything. */
	if (len >= 2 && (r->command[0] == 'A' || r->command[0] == 'a') &&
	    (r->command[1] == 'T' || r->command[1] == 't'))
		return fail(sc, cmd, "write the command without its \"AT\" prefix");
	struct profile before = *p; /* a read-only view of the entries so far */
	before.n_replay = i;
	const struct profile_replay *dup = profile_replay_find(&before, r->command, len);
	if (dup)
		return fail(sc, cmd, "\"%s\" is already replayed by entry %zu", r->command,
			    (size_t)(dup - p->replay));
	path_pop(sc, mark);
	mark = path_key(sc, "response");
	if (!read_lines(sc, value_of(m, "response"), &rule_any_line, &r->lines, &r->n_lines))
		return false;
	path_pop(sc, mark);
	return true;
}

/* "IP" or "IP:PORT" ("[v6]:PORT"), the right side of a hosts entry (netmap_host syntax). */
static bool valid_host_target(const char *v)
{
	char ip[64];
	const char *port = NULL;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (!close || (size_t)(close - v - 1) >= sizeof ip || (close[1] && close[1] != ':'))
			return false;
		memcpy(ip, v + 1, (size_t)(close - v - 1));
		ip[close - v - 1] = '\0';
		port = close[1] ? close + 2 : NULL;
	} else {
		const char *colon = strchr(v, ':');
		size_t n = colon && !strchr(colon + 1, ':') ? (size_t)(colon - v) : strlen(v);
		if (n >= sizeof ip)
			return false;
		memcpy(ip, v, n);
		ip[n] = '\0';
		port = n < strlen(v) ? v + n + 1 : NULL;
	}
	unsigned char buf[16];
	if (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
		return false;
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*end || end == port || p < 1 || p > 65535)
			return false;
	}
	return true;
}

/* hosts: NAME or NAME:PORT -> IP or IP:PORT, kept as "key=value" for netmap_host(). */
static bool conv_hosts(struct schema *sc, const node_t *m, struct profile *p)
{
	if (!m || m->n_kids == 0)
		return true;
	if (m->kind != PROFILE_TREE_MAP)
		return fail(sc, m, "expected a mapping of NAME[:PORT] to IP[:PORT]");
	size_t n = m->n_kids / 2;
	p->hosts = calloc(n, sizeof(*p->hosts));
	if (!p->hosts)
		return fail(sc, m, "out of memory");
	size_t top = path_key(sc, "hosts");
	for (size_t i = 0; i < n; i++) {
		const node_t *key = m->kids[2 * i], *val = m->kids[2 * i + 1];
		size_t mark = path_key(sc, key->text);
		if (val->kind != PROFILE_TREE_SCALAR || !valid_host_target(val->text))
			return fail(sc, val, "expected an IPv4/IPv6 address with an optional :PORT");
		if (!key->text[0] || strchr(key->text, '=') || strchr(key->text, ' '))
			return fail(sc, key, "\"%s\" is not a host name", key->text);
		size_t len = strlen(key->text) + strlen(val->text) + 2;
		p->hosts[i] = malloc(len);
		if (!p->hosts[i])
			return fail(sc, key, "out of memory");
		snprintf(p->hosts[i], len, "%s=%s", key->text, val->text);
		p->n_hosts = i + 1;
		path_pop(sc, mark);
	}
	path_pop(sc, top);
	return true;
}

static bool conv_replay(struct schema *sc, const node_t *seq, struct profile *p)
{
	if (!seq || seq->n_kids == 0)
		return true;
	p->replay = calloc(seq->n_kids, sizeof(*p->replay));
	if (!p->replay)
		return fail(sc, seq, "out of memory");
	p->n_replay = seq->n_kids;
	size_t top = path_key(sc, "replay");
	for (size_t i = 0; i < seq->n_kids; i++) {
		size_t mark = path_index(sc, i);
		if (!item_map(sc, seq->kids[i]) || !conv_replay_entry(sc, seq->kids[i], p, i))
			return false;
		path_pop(sc, mark);
	}
	path_pop(sc, top);
	return true;
}

static char *copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);
	return c ? memcpy(c, s, n) : NULL;
}

/* Convert one section if present; sections that must exist are required in the table. */
static bool section(struct schema *sc, const node_t *root, const char *key, struct profile *p,
		    bool (*conv)(struct schema *, const node_t *, struct profile *))
{
	const node_t *m = value_of(root, key);
	if (!m)
		return true;
	size_t mark = path_key(sc, key);
	if (!conv(sc, m, p))
		return false;
	path_pop(sc, mark);
	return true;
}

static bool conv_profile(struct schema *sc, const node_t *root, struct profile *p)
{
	const struct field f[] = {
		{ "name", F_STR, .required = true, .rule = &rule_line, .out = &p->name },
		{ "description", F_STR, .rule = &rule_text, .out = &p->description },
		{ "extends", F_LINK, .required = false },
		{ "identity", F_MAP, .required = true },
		{ "capabilities", F_MAP, .required = false },
		{ "command_line", F_MAP, .required = false },
		{ "defaults", F_MAP, .required = false },
		{ "boot", F_MAP, .required = false },
		{ "timing", F_MAP, .required = false },
		{ "data", F_MAP, .required = false },
		{ "hosts", F_MAP, .required = false },
		{ "scenario", F_STR, .rule = &rule_line, .out = &p->scenario },
		{ "network", F_MAP, .required = false },
		{ "replay", F_SEQ, .required = false },
	};
	/* Defaults first: read_fields only overwrites what the file sets. */
	p->cap_http = p->cap_ppp = p->cap_sms = true;
	p->line_max = 556; /* MAN §1.4.4 */
	p->echo = true;	   /* ATE1 at factory state: sim800-facts.md §0 */
	p->battery_bcl = 80;
	p->battery_mv = 4000;
	p->cip_send_max = 1460;      /* AT+CIPCCFG SendSz 1-1460 (MAN §8.2.23) */
	p->cip_rx_buffer = 8192;     /* UNCERTAIN: the manual gives no buffer size */
	p->connect_fail_ms = 75000;  /* MAN §8.2.2: max response 75 s */
	if (!read_fields(sc, root, f, N_FIELDS(f)) ||
	    !section(sc, root, "identity", p, conv_identity))
		return false;
	/* capabilities and network derive values even when absent, so always run them. */
	size_t mark = path_key(sc, "capabilities");
	if (!conv_capabilities(sc, value_of(root, "capabilities"), p))
		return false;
	path_pop(sc, mark);
	if (!section(sc, root, "command_line", p, conv_command_line) ||
	    !section(sc, root, "defaults", p, conv_defaults) ||
	    !section(sc, root, "boot", p, conv_boot) ||
	    !section(sc, root, "timing", p, conv_timing) ||
	    !section(sc, root, "data", p, conv_data))
		return false;
	mark = path_key(sc, "network");
	if (!conv_network(sc, value_of(root, "network"), p))
		return false;
	path_pop(sc, mark);
	if (!conv_replay(sc, value_of(root, "replay"), p) ||
	    !conv_hosts(sc, value_of(root, "hosts"), p))
		return false;
	if ((!p->description && !(p->description = copy(""))) ||
	    (!p->unknown_answer && !(p->unknown_answer = copy("ERROR"))) ||
	    (!p->ppp_connect && !(p->ppp_connect = copy("CONNECT"))) ||
	    (!p->operator_name && !(p->operator_name = copy("SIM800-SIM"))) ||
	    !(p->source_path = copy(sc->source)))
		return fail(sc, root, "out of memory");
	return true;
}

struct profile *profile_schema_build(const struct profile_tree_node *root, const char *source,
				     struct profile_error *err)
{
	struct schema sc = { .err = err, .source = source, .root = root };
	struct profile *p = calloc(1, sizeof(*p));
	if (!p) {
		profile_tree_fail(err, root, "", "out of memory");
		return NULL;
	}
	if (!conv_profile(&sc, root, p)) {
		profile_free(p);
		return NULL;
	}
	return p;
}
