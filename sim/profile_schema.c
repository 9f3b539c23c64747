/* profile_schema.c - the profile schema: top-level keys, defaults and the device sections. */
#include "profile_schema.h"

#include <stdlib.h>
#include <string.h>

#include "profile_schema_int.h"

static const long ipr_also[] = { 1200,	2400,	4800,	9600,	19200, 38400,
				 57600, 115200, 230400, 460800, -1 };

static bool conv_identity(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "ati", F_STR, .required = true, .rule = &schema_rule_line, .out = &p->ati },
		{ "manufacturer", F_STR, .required = true, .rule = &schema_rule_line,
		  .out = &p->manufacturer },
		{ "model", F_STR, .required = true, .rule = &schema_rule_line, .out = &p->model },
		{ "revision", F_STR, .required = true, .rule = &schema_rule_line, .out = &p->revision },
		{ "gsv", F_SEQ, .required = false },
		{ "imei", F_STR, .required = true, .rule = &schema_rule_imei, .out = &p->imei },
		{ "iccid", F_STR, .required = true, .rule = &schema_rule_iccid, .out = &p->iccid },
		{ "imsi", F_STR, .required = true, .rule = &schema_rule_imsi, .out = &p->imsi },
	};
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *gsv = schema_value_of(m, "gsv");
	if (!gsv)
		return true;
	size_t mark = schema_path_key(sc, "gsv");
	if (!schema_read_lines(sc, gsv, &schema_rule_line, &p->gsv, &p->n_gsv))
		return false;
	schema_path_pop(sc, mark);
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
	if (m && !schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	/* Without ssl there is no TLS at all, whatever a parent profile said. */
	int min = PROFILE_TLS_SSL3, max = PROFILE_TLS_1_0;
	const char *tls_words[PROFILE_TLS_1_3 + 2]; /* profile.c owns the names */
	for (int v = PROFILE_TLS_NONE; v <= PROFILE_TLS_1_3; v++)
		tls_words[v] = profile_tls_name((enum profile_tls)v);
	tls_words[PROFILE_TLS_1_3 + 1] = NULL;
	const node_t *tls = m ? schema_value_of(m, "tls") : NULL;
	if (tls) {
		size_t mark = schema_path_key(sc, "tls");
		const struct field t[] = {
			{ "min", F_WORD, .words = tls_words, .out = &min },
			{ "max", F_WORD, .words = tls_words, .out = &max },
		};
		if (!schema_read_fields(sc, tls, t, N_FIELDS(t)))
			return false;
		if (p->cap_ssl && min > max)
			return fail(sc, tls, "min %s is above max %s", tls_words[min],
				    tls_words[max]);
		if (p->cap_ssl && max == PROFILE_TLS_NONE)
			return fail(sc, tls, "max must not be none when ssl is true");
		schema_path_pop(sc, mark);
	}
	p->tls_min = p->cap_ssl ? (enum profile_tls)min : PROFILE_TLS_NONE;
	p->tls_max = p->cap_ssl ? (enum profile_tls)max : PROFILE_TLS_NONE;
	p->cap_httpssl = httpssl < 0 ? p->cap_ssl : httpssl == 1;
	if (p->cap_httpssl && !p->cap_ssl) {
		schema_path_key(sc, "httpssl");
		return fail(sc, schema_value_of(m, "httpssl"), "httpssl: true needs ssl: true");
	}
	return true;
}

static bool conv_command_line(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "max_length", F_UINT, .lo = 16, .hi = 4096, .out = &p->line_max },
		{ "mixed_case_prefix", F_BOOL, .out = &p->mixed_case_prefix },
		{ "unknown_answer", F_STR, .rule = &schema_rule_line, .out = &p->unknown_answer },
	};
	return schema_read_fields(sc, m, f, N_FIELDS(f));
}

static bool conv_defaults(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "echo", F_BOOL, .out = &p->echo },
		{ "cmee", F_INT, .lo = 0, .hi = 2, .out = &p->cmee },
		{ "ipr", F_UINT, .lo = 0, .hi = 0, .also = ipr_also, .out = &p->ipr },
	};
	return schema_read_fields(sc, m, f, N_FIELDS(f));
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
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *cmds = schema_value_of(m, "commands");
	if (!cmds || cmds->n_kids == 0)
		return true;
	size_t n = cmds->n_kids / 2;
	p->delays = calloc(n, sizeof(*p->delays));
	if (!p->delays)
		return fail(sc, cmds, "out of memory");
	p->n_delays = n;
	schema_path_key(sc, "commands");
	for (size_t i = 0; i < n; i++) {
		const node_t *key = cmds->kids[2 * i];
		const node_t *val = cmds->kids[2 * i + 1];
		size_t mark = schema_path_key(sc, key->text);
		if (!valid_command_key(key->text))
			return fail(sc, key,
				    "\"%s\" is not an upper-case command name with an "
				    "optional \"?\", \"=?\" or \"=\"",
				    key->text);
		const struct field ms = { key->text, F_UINT, .lo = 0, .hi = MS_MAX,
					  .out = &p->delays[i].ms };
		if (!schema_read_string(sc, key, &schema_rule_line, &p->delays[i].command) ||
		    !schema_read_value(sc, val, &ms))
			return false;
		schema_path_pop(sc, mark);
	}
	return true;
}

/* data: the CIP stack's limits and timing (svc_tcp.c), PPP's CONNECT text and rate (svc_ppp.c). */
static bool conv_data(struct schema *sc, const node_t *m, struct profile *p)
{
	char *esc = NULL; /* ppp_escape_answer */
	const struct field f[] = {
		{ "send_max", F_UINT, .lo = 1, .hi = 1460, .out = &p->cip_send_max },
		{ "rx_buffer", F_UINT, .lo = 64, .hi = 1048576, .out = &p->cip_rx_buffer },
		{ "connect_fail_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &p->connect_fail_ms },
		{ "ppp_connect", F_STR, .rule = &schema_rule_line, .out = &p->ppp_connect },
		{ "ppp_rate", F_UINT, .lo = 0, .hi = 10000000, .out = &p->ppp_rate },
		{ "ppp_escape_answer", F_STR, .rule = &schema_rule_line, .out = &esc },
	};
	bool ok = schema_read_fields(sc, m, f, N_FIELDS(f));
	if (ok && esc && strcmp(esc, "OK") != 0 && strcmp(esc, "NO CARRIER") != 0) {
		size_t mark = schema_path_key(sc, "ppp_escape_answer");
		fail(sc, schema_value_of(m, "ppp_escape_answer"),
		     "expected OK or \"NO CARRIER\", got \"%s\"", esc);
		schema_path_pop(sc, mark);
		ok = false;
	}
	if (ok && esc)
		p->ppp_escape_no_carrier = strcmp(esc, "NO CARRIER") == 0;
	free(esc);
	if (!ok)
		return false;
	/* A driver matches the word (facts §7: strstr(line, "CONNECT")); anything else would be a
	 * different result code, not CONNECT's text. */
	const char *c = p->ppp_connect;
	if (c && (strncmp(c, "CONNECT", 7) != 0 || (c[7] != '\0' && c[7] != ' '))) {
		size_t mark = schema_path_key(sc, "ppp_connect");
		fail(sc, schema_value_of(m, "ppp_connect"),
		     "expected CONNECT or \"CONNECT <text>\", got \"%s\"", c);
		schema_path_pop(sc, mark);
		return false;
	}
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
	const node_t *m = schema_value_of(root, key);
	if (!m)
		return true;
	size_t mark = schema_path_key(sc, key);
	if (!conv(sc, m, p))
		return false;
	schema_path_pop(sc, mark);
	return true;
}

static bool conv_profile(struct schema *sc, const node_t *root, struct profile *p)
{
	const struct field f[] = {
		{ "name", F_STR, .required = true, .rule = &schema_rule_line, .out = &p->name },
		{ "description", F_STR, .rule = &schema_rule_text, .out = &p->description },
		{ "extends", F_LINK, .required = false },
		{ "identity", F_MAP, .required = true },
		{ "capabilities", F_MAP, .required = false },
		{ "command_line", F_MAP, .required = false },
		{ "defaults", F_MAP, .required = false },
		{ "boot", F_MAP, .required = false },
		{ "timing", F_MAP, .required = false },
		{ "data", F_MAP, .required = false },
		{ "hosts", F_MAP, .required = false },
		{ "scenario", F_STR, .rule = &schema_rule_line, .out = &p->scenario },
		{ "network", F_MAP, .required = false },
		{ "replay", F_SEQ, .required = false },
	};
	/* Defaults first: schema_read_fields only overwrites what the file sets. */
	p->cap_http = p->cap_ppp = p->cap_sms = true;
	p->line_max = 556; /* MAN §1.4.4 */
	p->echo = true;	   /* ATE1 at factory state: sim800-facts.md §0 */
	p->battery_bcl = 80;
	p->battery_mv = 4000;
	p->cip_send_max = 1460;      /* AT+CIPCCFG SendSz 1-1460 (MAN §8.2.23) */
	p->cip_rx_buffer = 8192;     /* UNCERTAIN: the manual gives no buffer size */
	p->connect_fail_ms = 75000;  /* MAN §8.2.2: max response 75 s */
	if (!schema_read_fields(sc, root, f, N_FIELDS(f)) ||
	    !section(sc, root, "identity", p, conv_identity))
		return false;
	/* capabilities and network derive values even when absent, so always run them. */
	size_t mark = schema_path_key(sc, "capabilities");
	if (!conv_capabilities(sc, schema_value_of(root, "capabilities"), p))
		return false;
	schema_path_pop(sc, mark);
	if (!section(sc, root, "command_line", p, conv_command_line) ||
	    !section(sc, root, "defaults", p, conv_defaults) ||
	    !section(sc, root, "boot", p, schema_conv_boot) ||
	    !section(sc, root, "timing", p, conv_timing) ||
	    !section(sc, root, "data", p, conv_data))
		return false;
	mark = schema_path_key(sc, "network");
	if (!schema_conv_network(sc, schema_value_of(root, "network"), p))
		return false;
	schema_path_pop(sc, mark);
	if (!schema_conv_replay(sc, schema_value_of(root, "replay"), p) ||
	    !schema_conv_hosts(sc, schema_value_of(root, "hosts"), p))
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
