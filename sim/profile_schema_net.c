/* profile_schema_net.c - profile sections boot, network (and its timeline), replay and hosts. */
#include "profile_schema_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const long rssi_also[] = { 99, -1 };

/* Indexed by enum profile_reg / profile_sim / profile_when. */
static const char *const reg_words[] = { "not_searching", "home",    "searching", "denied",
					 "unknown",	  "roaming", NULL };
static const char *const sim_words[] = { "ready", "pin", "puk", "not_inserted", NULL };
static const char *const when_words[] = { "always", "fixed_baud", "autobaud", NULL };

static bool conv_urc(struct schema *sc, const node_t *m, struct profile_urc *u)
{
	int when = PROFILE_WHEN_ALWAYS;
	const struct field f[] = {
		{ "after_ms", F_UINT, .required = true, .lo = 0, .hi = MS_MAX,
		  .out = &u->after_ms },
		{ "text", F_STR, .required = true, .rule = &schema_rule_line, .out = &u->text },
		{ "when", F_WORD, .words = when_words, .out = &when },
	};
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	u->when = (enum profile_when)when;
	return true;
}

bool schema_conv_boot(struct schema *sc, const node_t *m, struct profile *p)
{
	const struct field f[] = {
		{ "deaf_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &p->boot_deaf_ms },
		{ "noise_bytes", F_UINT, .lo = 0, .hi = 64, .out = &p->boot_noise_bytes },
		{ "urcs", F_SEQ, .required = false },
	};
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *urcs = schema_value_of(m, "urcs");
	if (!urcs || urcs->n_kids == 0)
		return true;
	p->boot_urcs = calloc(urcs->n_kids, sizeof(*p->boot_urcs));
	if (!p->boot_urcs)
		return fail(sc, urcs, "out of memory");
	p->n_boot_urcs = urcs->n_kids;
	schema_path_key(sc, "urcs");
	for (size_t i = 0; i < urcs->n_kids; i++) {
		size_t mark = schema_path_index(sc, i);
		const node_t *item = urcs->kids[i];
		if (!schema_item_map(sc, item) || !conv_urc(sc, item, &p->boot_urcs[i]))
			return false;
		if (i &&
		    !schema_check_order(sc, item, p->boot_urcs[i - 1].after_ms, p->boot_urcs[i].after_ms))
			return false;
		schema_path_pop(sc, mark);
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
		{ "lac", F_STR, .rule = &schema_rule_cell, .out = &s->lac },
		{ "ci", F_STR, .rule = &schema_rule_cell, .out = &s->ci },
	};
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
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
	size_t top = schema_path_key(sc, "timeline");
	for (size_t i = 0; i < n; i++) {
		size_t mark = schema_path_index(sc, i);
		const node_t *item = seq->kids[i];
		if (!schema_item_map(sc, item) || !conv_step(sc, item, &p->net[i]))
			return false;
		if (i && !schema_check_order(sc, item, p->net[i - 1].after_ms, p->net[i].after_ms))
			return false;
		schema_path_pop(sc, mark);
	}
	schema_path_pop(sc, top);
	return true;
}

bool schema_conv_network(struct schema *sc, const node_t *m, struct profile *p)
{
	int sim = PROFILE_SIM_READY;
	const struct field f[] = {
		{ "sim", F_WORD, .words = sim_words, .out = &sim },
		{ "pin", F_STR, .rule = &schema_rule_pin, .out = &p->sim_pin },
		{ "operator", F_STR, .rule = &schema_rule_line, .out = &p->operator_name },
		{ "battery", F_MAP, .required = false },
		{ "timeline", F_SEQ, .required = false },
	};
	if (m && !schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	p->sim = (enum profile_sim)sim;
	const node_t *bat = m ? schema_value_of(m, "battery") : NULL;
	if (bat) {
		size_t mark = schema_path_key(sc, "battery");
		const struct field b[] = {
			{ "bcs", F_INT, .lo = 0, .hi = 2, .out = &p->battery_bcs },
			{ "bcl", F_INT, .lo = 0, .hi = 100, .out = &p->battery_bcl },
			{ "mv", F_INT, .lo = 0, .hi = 10000, .out = &p->battery_mv },
		};
		if (!schema_read_fields(sc, bat, b, N_FIELDS(b)))
			return false;
		schema_path_pop(sc, mark);
	}
	return conv_timeline(sc, m ? schema_value_of(m, "timeline") : NULL, p);
}

static bool conv_replay_entry(struct schema *sc, const node_t *m, struct profile *p, size_t i)
{
	struct profile_replay *r = &p->replay[i];
	const struct field f[] = {
		{ "command", F_STR, .required = true, .rule = &schema_rule_line, .out = &r->command },
		{ "response", F_SEQ, .required = true },
		{ "delay_ms", F_UINT, .lo = 0, .hi = MS_MAX, .out = &r->delay_ms },
	};
	if (!schema_read_fields(sc, m, f, N_FIELDS(f)))
		return false;
	const node_t *cmd = schema_value_of(m, "command");
	size_t mark = schema_path_key(sc, "command");
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
	schema_path_pop(sc, mark);
	mark = schema_path_key(sc, "response");
	if (!schema_read_lines(sc, schema_value_of(m, "response"), &schema_rule_any_line, &r->lines, &r->n_lines))
		return false;
	schema_path_pop(sc, mark);
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
bool schema_conv_hosts(struct schema *sc, const node_t *m, struct profile *p)
{
	if (!m || m->n_kids == 0)
		return true;
	if (m->kind != PROFILE_TREE_MAP)
		return fail(sc, m, "expected a mapping of NAME[:PORT] to IP[:PORT]");
	size_t n = m->n_kids / 2;
	p->hosts = calloc(n, sizeof(*p->hosts));
	if (!p->hosts)
		return fail(sc, m, "out of memory");
	size_t top = schema_path_key(sc, "hosts");
	for (size_t i = 0; i < n; i++) {
		const node_t *key = m->kids[2 * i], *val = m->kids[2 * i + 1];
		size_t mark = schema_path_key(sc, key->text);
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
		schema_path_pop(sc, mark);
	}
	schema_path_pop(sc, top);
	return true;
}

bool schema_conv_replay(struct schema *sc, const node_t *seq, struct profile *p)
{
	if (!seq || seq->n_kids == 0)
		return true;
	p->replay = calloc(seq->n_kids, sizeof(*p->replay));
	if (!p->replay)
		return fail(sc, seq, "out of memory");
	p->n_replay = seq->n_kids;
	size_t top = schema_path_key(sc, "replay");
	for (size_t i = 0; i < seq->n_kids; i++) {
		size_t mark = schema_path_index(sc, i);
		if (!schema_item_map(sc, seq->kids[i]) || !conv_replay_entry(sc, seq->kids[i], p, i))
			return false;
		schema_path_pop(sc, mark);
	}
	schema_path_pop(sc, top);
	return true;
}

