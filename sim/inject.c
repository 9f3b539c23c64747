/* inject.c - events and faults injected into a modem (see inject.h). */
#include "inject.h"
#include "inject_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brownout.h"
#include "modem.h"
#include "modem_internal.h"
#include "svc_call.h"
#include "svc_http.h"
#include "svc_ppp.h"
#include "svc_sms.h"
#include "svc_tcp.h"
#include "transcript.h"


bool inject_bad(struct req *r, const char *field, const char *fmt, const char *arg)
{
	snprintf(r->field, r->field_cap, "%s", field);
	snprintf(r->why, r->why_cap, fmt, arg);
	return false;
}

/* An integer field in [lo, hi]; absent gives def (or an error when def < lo). */
bool inject_int_field(struct req *r, const char *name, long lo, long hi, long def, long *out)
{
	const json_t *v = json_object_get(r->j, name);
	if (!v) {
		if (def < lo)
			return inject_bad(r, name, "\"%s\" is required", name);
		*out = def;
		return true;
	}
	if (!json_is_integer(v))
		return inject_bad(r, name, "\"%s\" must be an integer", name);
	long long x = json_integer_value(v);
	if (x < lo || x > hi) {
		char msg[128];
		snprintf(msg, sizeof msg, "\"%%s\" must be from %ld to %ld", lo, hi);
		return inject_bad(r, name, msg, name);
	}
	*out = (long)x;
	return true;
}

bool inject_str_field(struct req *r, const char *name, bool required, const char **out)
{
	const json_t *v = json_object_get(r->j, name);
	if (!v) {
		*out = NULL;
		return required ? inject_bad(r, name, "\"%s\" is required", name) : true;
	}
	if (!json_is_string(v))
		return inject_bad(r, name, "\"%s\" must be a string", name);
	*out = json_string_value(v);
	return true;
}

static const char *const reg_words[] = {"not_searching", "home", "searching", "denied", "unknown",
					"roaming", NULL};

int inject_word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

/* {"op":"network","reg":"roaming","rssi":10,"ber":0}: registration and signal change now. */
static bool op_network(struct sim_modem *m, struct req *r)
{
	const char *reg;
	long rssi, ber;
	if (!inject_str_field(r, "reg", false, &reg) || !inject_int_field(r, "rssi", -1, 99, -1, &rssi) ||
	    !inject_int_field(r, "ber", -1, 99, -1, &ber))
		return false;
	int ri = -1;
	if (reg && (ri = inject_word_index(reg_words, reg)) < 0)
		return inject_bad(r, "reg", "\"reg\" must be one of not_searching, home, searching, denied, "
				     "unknown, roaming (got \"%s\")", reg);
	netstate_set(m, ri, (int)rssi, (int)ber);
	return true;
}

/* VBAT thresholds: sim800-facts.md §3.2 (spelling "WARNNING" as the module prints it).
 * gprs_min_mv: GPRS activation fails below it (field-bugs.md pwr-tcall-lipo-below-3v9, a
 * board whose supply sags under the activation burst; which step fails is UNCERTAIN: we
 * refuse AT+CIICR and AT+SAPBR=1 with ERROR). */
static bool op_voltage(struct sim_modem *m, struct req *r)
{
	long mv, min;
	if (!inject_int_field(r, "mv", 2500, 5000, -1, &mv) ||
	    !inject_int_field(r, "gprs_min_mv", 0, 5000, m->gprs_min_mv, &min))
		return false;
	m->battery_mv = (int)mv;
	m->gprs_min_mv = (int)min;
	if (mv < 3400) {
		modem_urc(m, "UNDER-VOLTAGE POWER DOWN");
		modem_power_off(m);
	} else if (mv <= 3500) {
		modem_urc(m, "UNDER-VOLTAGE WARNNING");
	} else if (mv > 4400) {
		modem_urc(m, "OVER-VOLTAGE POWER DOWN");
		modem_power_off(m);
	} else if (mv >= 4300) {
		modem_urc(m, "OVER-VOLTAGE WARNNING");
	}
	return true;
}

static bool op_power_down(struct sim_modem *m, struct req *r)
{
	(void)r;
	modem_urc(m, "NORMAL POWER DOWN");
	modem_power_off(m);
	return true;
}

static bool op_power_on(struct sim_modem *m, struct req *r)
{
	if (m->power == SIM_POWER_ON)
		return inject_bad(r, "", "%s", "the modem is already on");
	modem_power_on(m);
	return true;
}

/* A module reset: everything but AT&W settings is lost, and it boots again (RDY ...).
 * deaf_ms: after it the UART ignores input this long, in real time (field-bugs.md
 * boot-first-at-ignored: the first AT after a reset goes unanswered). boot_scale: this boot's
 * URCs come at the profile's times times boot_scale in real time, whatever --time-scale, so
 * that a driver meets a module that is still booting (boot-sms-cmd-error-before-sms-ready). */
static bool op_reset(struct sim_modem *m, struct req *r)
{
	long deaf;
	const json_t *bs = json_object_get(r->j, "boot_scale");
	if (!inject_int_field(r, "deaf_ms", 0, 60000, 0, &deaf))
		return false;
	if (bs && (!json_is_number(bs) || json_number_value(bs) <= 0 || json_number_value(bs) > 10))
		return inject_bad(r, "boot_scale", "\"%s\" must be a number above 0, at most 10",
			   "boot_scale");
	modem_power_off(m);
	m->boot_scale = bs ? json_number_value(bs) : 0;
	modem_power_on(m);
	m->deaf_until = deaf ? ev_now(m->loop) + deaf / 1000.0 : 0;
	return true;
}

/* {"op":"brownout","on":"attach"|"tx","off_ms":1500}: armed; see brownout.h. */
static bool op_brownout(struct sim_modem *m, struct req *r)
{
	static const char *const at_words[] = {"none", "attach", "tx", NULL};
	const char *on;
	long off;
	if (!inject_str_field(r, "on", true, &on) || !inject_int_field(r, "off_ms", 0, 60000, 1500, &off))
		return false;
	int at = inject_word_index(at_words, on);
	if (at <= 0)
		return inject_bad(r, "on", "\"on\" must be attach or tx (got \"%s\")", on);
	brownout_arm(m, (enum brownout_at)at, (unsigned)off);
	return true;
}

/* {"op":"slow","command":"+CIICR","ms":12000}: commands that begin with that text (after
 * "AT": "+CIICR", "+SAPBR=1,") answer ms later, in real time (field-bugs.md tim-cgact-slow);
 * ms 0 ends it. */
static bool op_slow(struct sim_modem *m, struct req *r)
{
	const char *cmd;
	long ms;
	if (!inject_str_field(r, "command", true, &cmd) || !inject_int_field(r, "ms", 0, 300000, -1, &ms))
		return false;
	if (!cmd[0] || strlen(cmd) >= sizeof m->slow_cmd)
		return inject_bad(r, "command", "\"%s\" must be a command name such as \"+CIICR\"", "command");
	snprintf(m->slow_cmd, sizeof m->slow_cmd, "%s", ms ? cmd : "");
	m->slow_ms = (unsigned)ms;
	return true;
}

static bool op_drop(struct sim_modem *m, struct req *r)
{
	long n;
	if (!inject_int_field(r, "bytes", 1, 1 << 30, -1, &n))
		return false;
	m->drop_bytes += (unsigned long)n;
	return true;
}

static bool op_corrupt(struct sim_modem *m, struct req *r)
{
	long n;
	if (!inject_int_field(r, "bytes", 1, 1 << 30, -1, &n))
		return false;
	m->corrupt_bytes += (unsigned long)n;
	return true;
}

/* Stop answering for a while (field-bugs.md cip-cipstatus-wait-unbounded); real seconds. */
static bool op_mute(struct sim_modem *m, struct req *r)
{
	const json_t *v = json_object_get(r->j, "seconds");
	if (!v || !json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 86400)
		return inject_bad(r, "seconds", "\"%s\" must be a number of seconds from 0 to 86400", "seconds");
	m->mute_until = ev_now(m->loop) + json_number_value(v);
	return true;
}

/* A command name as the parser gives it ("+CIMI", "I", "D"): upper case, no "AT". */
static bool cmd_name_field(struct req *r, const char *name, const char **out)
{
	if (!inject_str_field(r, name, false, out))
		return false;
	const char *v = *out;
	if (v && (!*v || strlen(v) >= sizeof((struct urc_before *)0)->cmd ||
		  strspn(v, "+&ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(v) || !strncmp(v, "AT", 2)))
		return inject_bad(r, name, "\"%s\" must be a command name as parsed, e.g. \"+CIMI\"", name);
	return true;
}

/* Any URC line, e.g. "DST: 1" or "*PSUTTZ: ..." (field-bugs.md urc-dst-taken-as-imsi). With
 * before_answer ("+CIMI") it waits and goes out right before that command's nth (default
 * next) answer, between the echo and the answer, as a real module may send it. */
static bool op_urc(struct sim_modem *m, struct req *r)
{
	const char *text, *before;
	long nth;
	if (!inject_str_field(r, "text", true, &text) || !cmd_name_field(r, "before_answer", &before) ||
	    !inject_int_field(r, "nth", 1, 1000, 1, &nth))
		return false;
	size_t cap = before ? sizeof m->urc_before[0].text : 401;
	if (strlen(text) >= cap || strpbrk(text, "\r\n"))
		return inject_bad(r, "text", "\"%s\" must be one line (400 characters, 127 with before_answer)",
			   "text");
	if (!before) {
		modem_urc(m, "%s", text);
		return true;
	}
	if (m->n_urc_before == URC_BEFORE_MAX)
		return inject_bad(r, "before_answer", "at most %s URCs may wait for an answer", "8");
	struct urc_before *u = &m->urc_before[m->n_urc_before++];
	snprintf(u->cmd, sizeof u->cmd, "%s", before);
	snprintf(u->text, sizeof u->text, "%s", text);
	u->skip = (unsigned)nth - 1;
	return true;
}

/* {"op":"late_final","command":"+CGMR","ms":4000}: that command's next final result goes out
 * ms real milliseconds late, past a driver's timeout (urc-late-final-shifts-responses). */
static bool op_late_final(struct sim_modem *m, struct req *r)
{
	const char *cmd;
	long ms;
	if (!cmd_name_field(r, "command", &cmd) || !inject_int_field(r, "ms", 1, 600000, -1, &ms))
		return false;
	if (!cmd)
		return inject_bad(r, "command", "\"%s\" is required", "command");
	snprintf(m->disp.late_cmd, sizeof m->disp.late_cmd, "%s", cmd);
	m->disp.late_s = ms / 1000.0;
	return true;
}

/* {"op":"fragment","max_bytes":8,"max_gap_ms":20}: output in random fragments of 1..max_bytes
 * with 0..max_gap_ms real milliseconds between them, seeded by --seed
 * (urc-fragmented-delivery-byte-loss); max_bytes 0 turns it off. */
static bool op_fragment(struct sim_modem *m, struct req *r)
{
	long max, gap;
	if (!inject_int_field(r, "max_bytes", 0, 4096, -1, &max) ||
	    !inject_int_field(r, "max_gap_ms", 0, 1000, 0, &gap))
		return false;
	pacing_set_fragments(&m->out, (unsigned)max, (unsigned)gap, modem_random(m));
	return true;
}

static bool op_state(struct sim_modem *m, struct req *r)
{
	json_object_set_new(r->reply, "state", inject_state(m));
	return true;
}

struct op {
	const char *name;
	bool (*fn)(struct sim_modem *m, struct req *r);
};

static const struct op ops[] = {
	{"network", op_network},         {"pdp_deact", inject_pdp_deact}, {"remote_close", inject_remote_close},
	{"send_fail", inject_send_fail},     {"sms_latency", inject_sms_latency},
	{"sms", inject_sms},                 {"sms_sent", inject_sms_sent},   {"sms_reject", inject_sms_reject},
	{"call", inject_call},               {"call_hangup", inject_call_hangup},
	{"call_outcome", inject_call_outcome}, {"voltage", op_voltage},   {"power_down", op_power_down},
	{"power_on", op_power_on},       {"reset", op_reset},         {"drop", op_drop},
	{"corrupt", op_corrupt},         {"mute", op_mute},           {"urc", op_urc},
	{"state", op_state},             {"late_final", op_late_final},
	{"escape_guard", inject_escape_guard}, {"fragment", op_fragment},
	{"ppp_online", inject_ppp_online},   {"ppp_leftover", inject_ppp_leftover},
	{"brownout", op_brownout},
	{"ipstack_wedged", inject_ipstack_wedged},
	{"host_left", inject_host_left},
	{"slow", op_slow},
	{"apns", inject_apns},
	{"sms_ready", inject_sms_ready},
	{"connect_fail_ms", inject_connect_fail_ms},
	{"http_inited", inject_http_inited}, {"cipssl", inject_cipssl},
	{"cip_open", inject_cip_open},
};

const char *inject_op_name(size_t i)
{
	return i < sizeof ops / sizeof ops[0] ? ops[i].name : NULL;
}

bool inject_apply(struct sim_modem *m, const json_t *req, json_t *reply, char *why, size_t why_cap,
		  char *field, size_t field_cap)
{
	struct req r = {req, reply, why, why_cap, field, field_cap};
	field[0] = '\0';
	const json_t *op = json_object_get(req, "op");
	if (!op || !json_is_string(op))
		return inject_bad(&r, "op", "\"%s\" is required: a string naming the event", "op");
	const char *name = json_string_value(op);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(ops[i].name, name) != 0)
			continue;
		bool off_ok = strcmp(name, "power_on") == 0 || strcmp(name, "state") == 0;
		if (m->power != SIM_POWER_ON && !off_ok)
			return inject_bad(&r, "op", "the modem is powered off (\"%s\" needs it on)", name);
		bool ok = ops[i].fn(m, &r);
		if (ok)
			transcript_note(m->log, m->index, "injected: %s", name);
		return ok;
	}
	return inject_bad(&r, "op", "unknown op \"%s\"", name);
}

json_t *inject_state(const struct sim_modem *m)
{
	static const char *const reg_names[] = {"not_searching", "home", "searching", "denied",
						"unknown", "roaming"};
	json_t *s = json_pack("{s:b,s:s,s:b,s:b,s:b,s:i,s:s,s:i,s:i,s:b,s:i,s:i}",
			      "power", m->power == SIM_POWER_ON, "profile", m->profile->name,
			      "echo", m->v.echo, "verbose", m->v.verbose, "quiet", m->v.quiet,
			      "cmee", m->v.cmee, "reg", reg_names[m->net.reg], "rssi", m->net.rssi,
			      "cfun", m->net.cfun, "attached", netstate_attached(m), "ipr", (int)m->v.ipr,
			      "battery_mv", m->battery_mv);
	if (!s)
		return json_object();
	json_object_set_new(s, "host_present", json_boolean(m->tr->present));
	json_object_set_new(s, "busy", json_boolean(m->disp.busy));
	if (m->tcp) {
		const struct svc_tcp *t = m->tcp;
		json_t *conns = json_array();
		for (int i = 0; i < CIP_MAX_CONN; i++) {
			const struct cip_conn *c = &t->conn[i];
			if (c->st == CIP_CONN_INITIAL)
				continue;
			json_array_append_new(conns, json_pack("{s:i,s:s,s:s,s:i,s:s,s:I}", "id", i,
							       "proto", c->udp ? "UDP" : "TCP", "host",
							       c->host, "port", (int)c->port, "state",
							       svc_tcp_conn_state_name(c), "buffered",
							       (json_int_t)c->rx_len));
		}
		json_object_set_new(s, "cip", json_pack("{s:s,s:b,s:o}", "state",
							svc_tcp_state_name(t), "mux", t->mux,
							"connections", conns));
	}
	return s;
}
