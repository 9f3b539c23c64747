/* probe_yaml.c - recorded answers -> a sim800-sim profile, written with libyaml's emitter. */
#include "probe_yaml.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/*
 * What the simulator models comes out as profile keys (identity, defaults, network), so the
 * profile behaves, not just replays; every other answer, chiefly the exact test-form texts that
 * differ between firmwares, becomes a replay entry. Probing the simulator running the result
 * therefore gets the same answers again (tests/sim/test_probe.c checks this round trip).
 */

static const struct probe_answer *find(const struct probe_answer *a, size_t n, const char *cmd)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].command, cmd) == 0)
			return &a[i];
	return NULL;
}

/* The first information line of an OK answer, or NULL. */
static const char *first_line(const struct probe_answer *a)
{
	if (!a || !a->answered || strcmp(a->final, "OK") != 0 || a->n_lines == 0)
		return NULL;
	return a->lines[0];
}

/* After "PREFIX: " in the first line, or NULL. */
static const char *value_after(const struct probe_answer *a, const char *prefix)
{
	const char *l = first_line(a);
	size_t n = strlen(prefix);
	if (!l || strncmp(l, prefix, n) != 0)
		return NULL;
	l += n;
	while (*l == ' ')
		l++;
	return l;
}

/* Replayed: every test form ("=?": fixed texts that differ between firmwares) and the read
 * forms of commands the simulator does not model; a read form of a modelled command shows
 * state, and freezing it would break the model (AT+HTTPSSL=1 then AT+HTTPSSL?). */
static bool replayable(const char *cmd)
{
	size_t n = strlen(cmd);
	if (n > 2 && strcmp(cmd + n - 2, "=?") == 0)
		return true;
	static const char *const reads[] = {"AT+CSPN?", "AT+CIURC?", NULL};
	for (size_t i = 0; reads[i]; i++)
		if (strcmp(reads[i], cmd) == 0)
			return true;
	return false;
}

/* Commands whose answers the profile's modelled keys reproduce: never replayed. */
static bool modelled(const char *cmd)
{
	static const char *const m[] = {"ATI", "AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+GSV", "AT+CGSN",
					"AT+CCID", "AT+CIMI", "AT+CPIN?", "AT+CSQ", "AT+CREG?",
					"AT+CGREG?", "AT+COPS?", "AT+CGATT?", "AT+CBC", "AT+CFUN?",
					"AT+IPR?", "AT+CMEE?", NULL};
	for (size_t i = 0; m[i]; i++)
		if (strcmp(m[i], cmd) == 0)
			return true;
	return false;
}

struct em {
	yaml_emitter_t e;
	bool ok;
};

static void ev(struct em *w, yaml_event_t *e)
{
	if (w->ok && !yaml_emitter_emit(&w->e, e))
		w->ok = false;
}

static void str(struct em *w, const char *s, bool quoted)
{
	yaml_event_t e;
	yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
	ev(w, &e);
}

static void key(struct em *w, const char *k)
{
	str(w, k, false);
}

static void kv(struct em *w, const char *k, const char *v)
{
	key(w, k);
	str(w, v, true);
}

static void kplain(struct em *w, const char *k, const char *v)
{
	key(w, k);
	str(w, v, false);
}

static void kint(struct em *w, const char *k, long v)
{
	char b[32];
	snprintf(b, sizeof b, "%ld", v);
	kplain(w, k, b);
}

static void map_start(struct em *w, bool flow)
{
	yaml_event_t e;
	yaml_mapping_start_event_initialize(&e, NULL, NULL, 1,
					    flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	ev(w, &e);
}

static void map_end(struct em *w)
{
	yaml_event_t e;
	yaml_mapping_end_event_initialize(&e);
	ev(w, &e);
}

static void seq_start(struct em *w, bool flow)
{
	yaml_event_t e;
	yaml_sequence_start_event_initialize(&e, NULL, NULL, 1,
					     flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	ev(w, &e);
}

static void seq_end(struct em *w)
{
	yaml_event_t e;
	yaml_sequence_end_event_initialize(&e);
	ev(w, &e);
}

/* "+CREG: 0,1,\"1A2B\",\"0F3C\"" -> stat and optional lac/ci. */
static void parse_creg(const char *v, int *stat, char *lac, char *ci)
{
	int n = 0;
	*stat = 0;
	lac[0] = ci[0] = '\0';
	if (sscanf(v, "%d,%d,\"%8[0-9A-Fa-f]\",\"%8[0-9A-Fa-f]\"", &n, stat, lac, ci) < 2)
		*stat = 0;
}

static const char *const reg_words[] = {"not_searching", "home", "searching", "denied",
					"unknown", "roaming"};

static void make_name(const struct probe_meta *meta, const struct probe_answer *a, size_t n,
		      char *out, size_t cap)
{
	if (meta->name) {
		snprintf(out, cap, "%s", meta->name);
		return;
	}
	const char *ati = first_line(find(a, n, "ATI"));
	snprintf(out, cap, "probed-%.48s", ati ? ati : "module");
	for (char *p = out; *p; p++)
		*p = isalnum((unsigned char)*p) || *p == '.' || *p == '-' ? (char)tolower((unsigned char)*p) : '-';
}

static void write_header(FILE *f, const struct probe_meta *meta, const struct probe_answer *a,
			 size_t n)
{
	fprintf(f, "# Profile written by sim800-probe from %s at %ld baud, %s.\n", meta->device,
		meta->baud, meta->when);
	fprintf(f, "# Measured (command, time to the final result, final result):\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "#   %-16s %6u ms  %s\n", a[i].command, a[i].ms,
			a[i].answered ? a[i].final : "(no answer)");
	fprintf(f, "# Not measurable read-only (UNCERTAIN): the TLS versions behind AT+CIPSSL (set to\n"
		   "#   the R14.18 facts, ssl3..tls1.0), PPP support (default true), the boot URCs (not\n"
		   "#   recorded: take them from a sim800-proxy transcript), and the network timeline\n"
		   "#   (one step: what the module said when probed).\n");
}

bool probe_yaml_write(const char *path, const struct probe_meta *meta,
		      const struct probe_answer *a, size_t n, char *why, size_t why_cap)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	if (!f) {
		snprintf(why, why_cap, "%s: %s", path, strerror(errno));
		return false;
	}
	write_header(f, meta, a, n);
	struct em w = {.ok = true};
	yaml_emitter_initialize(&w.e);
	yaml_emitter_set_output_file(&w.e, f);
	yaml_emitter_set_width(&w.e, 100);
	yaml_emitter_set_unicode(&w.e, 1);
	yaml_event_t e;
	yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
	ev(&w, &e);
	yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1);
	ev(&w, &e);
	map_start(&w, false);

	char name[96];
	make_name(meta, a, n, name, sizeof name);
	kv(&w, "name", name);
	char desc[256];
	snprintf(desc, sizeof desc, "Probed from %s on %s", meta->device, meta->when);
	kv(&w, "description", desc);

	/* identity */
	const char *ati = first_line(find(a, n, "ATI"));
	const char *imsi = first_line(find(a, n, "AT+CIMI"));
	const char *iccid = first_line(find(a, n, "AT+CCID"));
	key(&w, "identity");
	map_start(&w, false);
	kv(&w, "ati", ati ? ati : "SIM800");
	const char *mfr = first_line(find(a, n, "AT+CGMI")), *model = first_line(find(a, n, "AT+CGMM"));
	const char *rev = first_line(find(a, n, "AT+CGMR")), *imei = first_line(find(a, n, "AT+CGSN"));
	kv(&w, "manufacturer", mfr ? mfr : "SIMCOM_Ltd");
	kv(&w, "model", model ? model : "SIMCOM_SIM800");
	kv(&w, "revision", rev ? rev : "Revision:unknown");
	const struct probe_answer *gsv = find(a, n, "AT+GSV");
	if (gsv && first_line(gsv)) {
		key(&w, "gsv");
		seq_start(&w, false);
		for (size_t i = 0; i < gsv->n_lines; i++)
			str(&w, gsv->lines[i], true);
		seq_end(&w);
	}
	/* Without a SIM there is no IMSI/ICCID to read; the profile needs placeholders. */
	kv(&w, "imei", imei ? imei : "000000000000000");
	kv(&w, "iccid", iccid ? iccid : "8900000000000000000");
	kv(&w, "imsi", imsi ? imsi : "001010000000000");
	map_end(&w);

	/* capabilities: from what the module answered, not from its version */
	const char *cipssl = value_after(find(a, n, "AT+CIPSSL=?"), "+CIPSSL:");
	const struct probe_answer *hs_test = find(a, n, "AT+HTTPSSL=?");
	bool httpssl = value_after(hs_test, "+HTTPSSL:") != NULL;
	key(&w, "capabilities");
	map_start(&w, false);
	kplain(&w, "ssl", cipssl ? "true" : "false");
	kplain(&w, "httpssl", cipssl && httpssl ? "true" : "false");
	if (cipssl) {
		key(&w, "tls");
		map_start(&w, true);
		kplain(&w, "min", "ssl3");
		kplain(&w, "max", "tls1.0");
		map_end(&w);
	}
	const struct probe_answer *sapbr = find(a, n, "AT+SAPBR=?"), *cmgf = find(a, n, "AT+CMGF=?");
	const struct probe_answer *cmux = find(a, n, "AT+CMUX=?");
	kplain(&w, "http", sapbr && strcmp(sapbr->final, "OK") == 0 ? "true" : "false");
	kplain(&w, "sms", cmgf && strcmp(cmgf->final, "OK") == 0 ? "true" : "false");
	kplain(&w, "cmux", cmux && strcmp(cmux->final, "OK") == 0 ? "true" : "false");
	map_end(&w);

	/* defaults */
	key(&w, "defaults");
	map_start(&w, false);
	kplain(&w, "echo", meta->echo ? "true" : "false");
	const char *cmee = value_after(find(a, n, "AT+CMEE?"), "+CMEE:");
	kint(&w, "cmee", cmee ? atol(cmee) : 0);
	const char *ipr = value_after(find(a, n, "AT+IPR?"), "+IPR:");
	kint(&w, "ipr", ipr ? atol(ipr) : 0);
	map_end(&w);

	/* network: the state it reported, as the one step of the timeline */
	key(&w, "network");
	map_start(&w, false);
	const struct probe_answer *cpin = find(a, n, "AT+CPIN?");
	const char *pin = value_after(cpin, "+CPIN:");
	const char *sim = "ready";
	if (!pin) /* refused in any form (+CME ERROR: 10, ...: SIM not inserted, plain ERROR
		   * under CMEE=0): no SIM that can be used; unanswered: unknown, kept ready */
		sim = cpin && cpin->answered && strstr(cpin->final, "ERROR") ? "not_inserted" : "ready";
	else if (!strncmp(pin, "SIM PIN", 7))
		sim = "pin";
	else if (!strncmp(pin, "SIM PUK", 7))
		sim = "puk";
	else if (!strncmp(pin, "NOT INSERTED", 12))
		sim = "not_inserted";
	kplain(&w, "sim", sim);
	const char *cops = value_after(find(a, n, "AT+COPS?"), "+COPS:");
	const char *q = cops ? strchr(cops, '"') : NULL;
	if (q && strchr(q + 1, '"')) {
		char oper[64];
		size_t len = (size_t)(strchr(q + 1, '"') - q - 1);
		snprintf(oper, sizeof oper, "%.*s", (int)len, q + 1);
		kv(&w, "operator", oper);
	}
	const char *cbc = value_after(find(a, n, "AT+CBC"), "+CBC:");
	int bcs = 0, bcl = 80, mv = 4000;
	if (cbc)
		sscanf(cbc, "%d,%d,%d", &bcs, &bcl, &mv);
	key(&w, "battery");
	map_start(&w, true);
	kint(&w, "bcs", bcs);
	kint(&w, "bcl", bcl);
	kint(&w, "mv", mv);
	map_end(&w);
	int stat = 0, rssi = 99, ber = 99;
	char lac[16], ci[16];
	const char *creg = value_after(find(a, n, "AT+CREG?"), "+CREG:");
	if (creg)
		parse_creg(creg, &stat, lac, ci);
	else
		lac[0] = ci[0] = '\0';
	const char *csq = value_after(find(a, n, "AT+CSQ"), "+CSQ:");
	if (csq)
		sscanf(csq, "%d,%d", &rssi, &ber);
	key(&w, "timeline");
	seq_start(&w, false);
	map_start(&w, true);
	kint(&w, "after_ms", 0);
	kplain(&w, "reg", reg_words[stat >= 0 && stat <= 5 ? stat : 0]);
	kint(&w, "rssi", rssi);
	kint(&w, "ber", ber);
	if (lac[0] && ci[0]) {
		kv(&w, "lac", lac);
		kv(&w, "ci", ci);
	}
	map_end(&w);
	seq_end(&w);
	map_end(&w);

	/* replay: every other answer, exactly as given */
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		const struct probe_answer *x = &a[i];
		if (modelled(x->command) || !replayable(x->command) || !x->answered ||
		    strncmp(x->command, "AT", 2) != 0)
			continue;
		/* Plain ERROR is what the simulator answers for anything it does not know. */
		if (strcmp(x->final, "ERROR") == 0 && x->n_lines == 0)
			continue;
		if (!any) {
			key(&w, "replay");
			seq_start(&w, false);
			any = true;
		}
		map_start(&w, false);
		kv(&w, "command", x->command + 2);
		key(&w, "response");
		seq_start(&w, true);
		for (size_t l = 0; l < x->n_lines; l++)
			str(&w, x->lines[l], true);
		str(&w, x->final, true);
		seq_end(&w);
		map_end(&w);
	}
	if (any)
		seq_end(&w);
	map_end(&w);
	yaml_document_end_event_initialize(&e, 1);
	ev(&w, &e);
	yaml_stream_end_event_initialize(&e);
	ev(&w, &e);
	if (!w.ok)
		snprintf(why, why_cap, "cannot write YAML: %s", w.e.problem ? w.e.problem : "emitter error");
	yaml_emitter_delete(&w.e);
	if (path && fclose(f) != 0 && w.ok) {
		snprintf(why, why_cap, "%s: %s", path, strerror(errno));
		return false;
	}
	return w.ok;
}
