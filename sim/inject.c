/* inject.c - events and faults injected into a modem (see inject.h). */
#include "inject.h"

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

struct req {
	const json_t *j;
	json_t *reply;
	char *why;
	size_t why_cap;
	char *field;
	size_t field_cap;
};

static bool bad(struct req *r, const char *field, const char *fmt, const char *arg)
{
	snprintf(r->field, r->field_cap, "%s", field);
	snprintf(r->why, r->why_cap, fmt, arg);
	return false;
}

/* An integer field in [lo, hi]; absent gives def (or an error when def < lo). */
static bool int_field(struct req *r, const char *name, long lo, long hi, long def, long *out)
{
	const json_t *v = json_object_get(r->j, name);
	if (!v) {
		if (def < lo)
			return bad(r, name, "\"%s\" is required", name);
		*out = def;
		return true;
	}
	if (!json_is_integer(v))
		return bad(r, name, "\"%s\" must be an integer", name);
	long long x = json_integer_value(v);
	if (x < lo || x > hi) {
		char msg[128];
		snprintf(msg, sizeof msg, "\"%%s\" must be from %ld to %ld", lo, hi);
		return bad(r, name, msg, name);
	}
	*out = (long)x;
	return true;
}

static bool str_field(struct req *r, const char *name, bool required, const char **out)
{
	const json_t *v = json_object_get(r->j, name);
	if (!v) {
		*out = NULL;
		return required ? bad(r, name, "\"%s\" is required", name) : true;
	}
	if (!json_is_string(v))
		return bad(r, name, "\"%s\" must be a string", name);
	*out = json_string_value(v);
	return true;
}

static const char *const reg_words[] = {"not_searching", "home", "searching", "denied", "unknown",
					"roaming", NULL};

static int word_index(const char *const *words, const char *w)
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
	if (!str_field(r, "reg", false, &reg) || !int_field(r, "rssi", -1, 99, -1, &rssi) ||
	    !int_field(r, "ber", -1, 99, -1, &ber))
		return false;
	int ri = -1;
	if (reg && (ri = word_index(reg_words, reg)) < 0)
		return bad(r, "reg", "\"reg\" must be one of not_searching, home, searching, denied, "
				     "unknown, roaming (got \"%s\")", reg);
	netstate_set(m, ri, (int)rssi, (int)ber);
	return true;
}

static bool op_pdp_deact(struct sim_modem *m, struct req *r)
{
	const json_t *silent = json_object_get(r->j, "silent");
	if (silent && !json_is_boolean(silent))
		return bad(r, "silent", "\"%s\" must be true or false", "silent");
	svc_tcp_pdp_deact(m, silent && json_is_true(silent));
	svc_ppp_drop(m, "PDP context deactivated"); /* a PPP call ends with NO CARRIER */
	return true;
}

static bool op_remote_close(struct sim_modem *m, struct req *r)
{
	long conn;
	if (!int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn))
		return false;
	if (!svc_tcp_remote_close(m, (int)conn))
		return bad(r, "conn", "connection %s is not open", conn == 0 ? "0" : "given");
	return true;
}

static bool op_send_fail(struct sim_modem *m, struct req *r)
{
	long conn;
	if (!int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn))
		return false;
	if (!svc_tcp_fail_next_send(m, (int)conn))
		return bad(r, "conn", "connection %s is not open", conn == 0 ? "0" : "given");
	return true;
}

/* CONNECT FAIL for an unreachable host after ms real milliseconds from now on, whatever the
 * time scale: a URC later than the driver's own connect timeout (field-bugs.md
 * cip-connect-fail-late-75s). */
static bool op_connect_fail_ms(struct sim_modem *m, struct req *r)
{
	long ms;
	if (!int_field(r, "ms", 1, 600000, -1, &ms))
		return false;
	m->connect_fail_real_ms = (unsigned long)ms;
	return true;
}

/* A link a previous host opened and never closed (field-bugs.md cip-already-connect): it
 * connects without a word, and the next CIPSTART on it answers ALREADY CONNECT. */
static bool op_cip_open(struct sim_modem *m, struct req *r)
{
	long conn, port;
	const char *host;
	if (!int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn) ||
	    !int_field(r, "port", 1, 65535, -1, &port) || !str_field(r, "host", true, &host))
		return false;
	struct svc_tcp *t = m->tcp;
	if (!t || t->ip != CIP_IP_STATUS)
		return bad(r, "", "%s", "the CIP stack is not up (AT+CIFSR first)");
	if (svc_tcp_conn_open(&t->conn[conn]))
		return bad(r, "conn", "%s", "the connection is already open");
	svc_tcp_open(t, (int)conn, false, host, (unsigned)port);
	t->conn[conn].quiet_open = t->conn[conn].st == CIP_CONN_CONNECTING;
	return true;
}

/* A previous host left AT+CIPSSL set: it applies to the next CIPSTART, whoever sends it
 * (field-bugs.md ssl-cipssl-sticky-per-socket). */
static bool op_cipssl(struct sim_modem *m, struct req *r)
{
	const json_t *on = json_object_get(r->j, "on");
	if (!json_is_boolean(on))
		return bad(r, "on", "\"%s\" must be true or false", "on");
	if (!m->profile->cap_ssl)
		return bad(r, "", "%s", "this firmware has no AT+CIPSSL");
	struct svc_tcp *t = svc_tcp_get(m);
	if (!t)
		return bad(r, "", "%s", "out of memory");
	t->ssl = json_is_true(on);
	return true;
}

/* A previous host left the HTTP service initialised: AT+HTTPINIT now answers ERROR until
 * AT+HTTPTERM (field-bugs.md http-httpinit-twice-error). */
static bool op_http_inited(struct sim_modem *m, struct req *r)
{
	if (!svc_http_init(m))
		return bad(r, "", "%s", "the HTTP service is already initialised");
	return true;
}

/* {"op":"sms","from":"+491701234567","text":"hi","time":"26/11/30,12:00:00+04"}: time is
 * optional (the host's clock otherwise); scenarios give it so runs repeat exactly. */
static bool op_sms(struct sim_modem *m, struct req *r)
{
	const char *from, *text, *when;
	if (!str_field(r, "from", true, &from) || !str_field(r, "text", true, &text) ||
	    !str_field(r, "time", false, &when))
		return false;
	bool ok = when ? svc_sms_deliver_at(m, from, text, when) : svc_sms_deliver(m, from, text);
	if (!ok)
		return bad(r, "", "%s", "not delivered: a malformed sender or time, a text too long "
				   "for one SMS (160 GSM / 70 UCS2 characters), or the store is full");
	return true;
}

/* The network's delay between Ctrl-Z and +CMGS (field-bugs.md sms-cmgs-slow-final); "real":
 * true makes it real milliseconds whatever --time-scale. */
static bool op_sms_latency(struct sim_modem *m, struct req *r)
{
	long ms;
	const json_t *real = json_object_get(r->j, "real");
	if (!int_field(r, "ms", 0, 600000, -1, &ms))
		return false;
	if (real && !json_is_boolean(real))
		return bad(r, "real", "\"%s\" must be true or false", "real");
	svc_sms_set_latency(m, (unsigned)ms);
	svc_sms_latency_real(m, json_is_true(real));
	return true;
}

static bool op_sms_sent(struct sim_modem *m, struct req *r)
{
	size_t n;
	const struct sms_sent *s = svc_sms_sent(m, &n);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:i}", "to", s[i].to, "text",
						      s[i].text ? s[i].text : "", "mr", s[i].mr));
	json_object_set_new(r->reply, "messages", list);
	return true;
}

static bool op_sms_reject(struct sim_modem *m, struct req *r)
{
	long code;
	const json_t *stray = json_object_get(r->j, "stray_ok");
	if (!int_field(r, "code", 0, 600, -1, &code))
		return false;
	if (stray && !json_is_boolean(stray))
		return bad(r, "stray_ok", "\"%s\" must be true or false", "stray_ok");
	svc_sms_reject_next(m, (int)code);
	if (json_is_true(stray))
		svc_sms_stray_ok_next(m);
	return true;
}

static bool op_call(struct sim_modem *m, struct req *r)
{
	const char *from;
	if (!str_field(r, "from", true, &from))
		return false;
	if (!svc_call_incoming(m, from))
		return bad(r, "", "%s", "no call: one is already in progress, the modem is not "
				   "registered or at AT+CFUN=1, or the number is malformed");
	return true;
}

static bool op_call_hangup(struct sim_modem *m, struct req *r)
{
	(void)r;
	svc_call_remote_hangup(m);
	return true;
}

static bool op_call_outcome(struct sim_modem *m, struct req *r)
{
	const char *o;
	if (!str_field(r, "outcome", true, &o))
		return false;
	if (!svc_call_set_outcome(m, o))
		return bad(r, "outcome", "\"outcome\" must be connect, busy, no answer or no carrier "
					 "(got \"%s\")", o);
	return true;
}

/* VBAT thresholds: sim800-facts.md §3.2 (spelling "WARNNING" as the module prints it).
 * gprs_min_mv: GPRS activation fails below it (field-bugs.md pwr-tcall-lipo-below-3v9, a
 * board whose supply sags under the activation burst; which step fails is UNCERTAIN: we
 * refuse AT+CIICR and AT+SAPBR=1 with ERROR). */
static bool op_voltage(struct sim_modem *m, struct req *r)
{
	long mv, min;
	if (!int_field(r, "mv", 2500, 5000, -1, &mv) ||
	    !int_field(r, "gprs_min_mv", 0, 5000, m->gprs_min_mv, &min))
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
		return bad(r, "", "%s", "the modem is already on");
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
	if (!int_field(r, "deaf_ms", 0, 60000, 0, &deaf))
		return false;
	if (bs && (!json_is_number(bs) || json_number_value(bs) <= 0 || json_number_value(bs) > 10))
		return bad(r, "boot_scale", "\"%s\" must be a number above 0, at most 10",
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
	if (!str_field(r, "on", true, &on) || !int_field(r, "off_ms", 0, 60000, 1500, &off))
		return false;
	int at = word_index(at_words, on);
	if (at <= 0)
		return bad(r, "on", "\"on\" must be attach or tx (got \"%s\")", on);
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
	if (!str_field(r, "command", true, &cmd) || !int_field(r, "ms", 0, 300000, -1, &ms))
		return false;
	if (!cmd[0] || strlen(cmd) >= sizeof m->slow_cmd)
		return bad(r, "command", "\"%s\" must be a command name such as \"+CIICR\"", "command");
	snprintf(m->slow_cmd, sizeof m->slow_cmd, "%s", ms ? cmd : "");
	m->slow_ms = (unsigned)ms;
	return true;
}

/* {"op":"apns","allow":["web.vodafone.de"]}: GPRS activation with any other APN is refused
 * (field-bugs.md reg-cgdcont-apn-pdp-deact); [] allows every APN again. */
static bool op_apns(struct sim_modem *m, struct req *r)
{
	const json_t *a = json_object_get(r->j, "allow");
	size_t i, max = sizeof m->apn_allow / sizeof m->apn_allow[0];
	json_t *v;
	if (!json_is_array(a) || json_array_size(a) > max)
		return bad(r, "allow", "\"%s\" must be a list of at most 4 APNs", "allow");
	json_array_foreach(a, i, v)
		if (!json_is_string(v) || !json_string_value(v)[0] ||
		    strlen(json_string_value(v)) >= sizeof m->apn_allow[0])
			return bad(r, "allow", "\"%s\" must hold APNs of 1 to 64 characters", "allow");
	memset(m->apn_allow, 0, sizeof m->apn_allow);
	json_array_foreach(a, i, v)
		snprintf(m->apn_allow[i], sizeof m->apn_allow[i], "%s", json_string_value(v));
	return true;
}

/* "SMS Ready" now, and SMS commands answer from now on (field-bugs.md
 * boot-sms-cmd-error-before-sms-ready: a case ties it to the driver's first SMS command). */
static bool op_sms_ready(struct sim_modem *m, struct req *r)
{
	(void)r;
	modem_urc(m, "SMS Ready");
	svc_sms_ready(m);
	return true;
}

static bool op_ipstack_wedged(struct sim_modem *m, struct req *r)
{
	(void)r;
	svc_tcp_wedge(m);
	return true;
}

/* {"op":"host_left","cip":true,"to":"HOST:PORT","bearer":true,"http":true}: the state a host
 * left when it reset (field-bugs.md pwr-host-reset-modem-keeps-state); each part optional. */
static bool op_host_left(struct sim_modem *m, struct req *r)
{
	const char *to;
	bool parts[3];
	static const char *const names[] = {"cip", "bearer", "http"};
	for (int i = 0; i < 3; i++) {
		const json_t *v = json_object_get(r->j, names[i]);
		if (v && !json_is_boolean(v))
			return bad(r, names[i], "\"%s\" must be true or false", names[i]);
		parts[i] = v && json_is_true(v);
	}
	if (!str_field(r, "to", false, &to))
		return false;
	char host[256] = "";
	long port = 0;
	if (to) {
		const char *colon = strrchr(to, ':');
		char *end;
		port = colon ? strtol(colon + 1, &end, 10) : 0;
		if (!colon || colon == to || (size_t)(colon - to) >= sizeof host || *end || port < 1 ||
		    port > 65535)
			return bad(r, "to", "\"%s\" must be HOST:PORT", "to");
		memcpy(host, to, (size_t)(colon - to));
		host[colon - to] = '\0';
	}
	if ((parts[0] || to) && !svc_tcp_preset(m, to ? host : NULL, (unsigned)port))
		return bad(r, "cip", "%s", "the CIP stack cannot be set up: GPRS is not attached "
				   "or the stack is not in IP INITIAL");
	if (!svc_http_preset(m, parts[1], parts[2]))
		return bad(r, "bearer", "%s", "the bearer cannot be open: GPRS is not attached");
	return true;
}

static bool op_drop(struct sim_modem *m, struct req *r)
{
	long n;
	if (!int_field(r, "bytes", 1, 1 << 30, -1, &n))
		return false;
	m->drop_bytes += (unsigned long)n;
	return true;
}

static bool op_corrupt(struct sim_modem *m, struct req *r)
{
	long n;
	if (!int_field(r, "bytes", 1, 1 << 30, -1, &n))
		return false;
	m->corrupt_bytes += (unsigned long)n;
	return true;
}

/* Stop answering for a while (field-bugs.md cip-cipstatus-wait-unbounded); real seconds. */
static bool op_mute(struct sim_modem *m, struct req *r)
{
	const json_t *v = json_object_get(r->j, "seconds");
	if (!v || !json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 86400)
		return bad(r, "seconds", "\"%s\" must be a number of seconds from 0 to 86400", "seconds");
	m->mute_until = ev_now(m->loop) + json_number_value(v);
	return true;
}

/* A command name as the parser gives it ("+CIMI", "I", "D"): upper case, no "AT". */
static bool cmd_name_field(struct req *r, const char *name, const char **out)
{
	if (!str_field(r, name, false, out))
		return false;
	const char *v = *out;
	if (v && (!*v || strlen(v) >= sizeof((struct urc_before *)0)->cmd ||
		  strspn(v, "+&ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(v) || !strncmp(v, "AT", 2)))
		return bad(r, name, "\"%s\" must be a command name as parsed, e.g. \"+CIMI\"", name);
	return true;
}

/* Any URC line, e.g. "DST: 1" or "*PSUTTZ: ..." (field-bugs.md urc-dst-taken-as-imsi). With
 * before_answer ("+CIMI") it waits and goes out right before that command's nth (default
 * next) answer, between the echo and the answer, as a real module may send it. */
static bool op_urc(struct sim_modem *m, struct req *r)
{
	const char *text, *before;
	long nth;
	if (!str_field(r, "text", true, &text) || !cmd_name_field(r, "before_answer", &before) ||
	    !int_field(r, "nth", 1, 1000, 1, &nth))
		return false;
	size_t cap = before ? sizeof m->urc_before[0].text : 401;
	if (strlen(text) >= cap || strpbrk(text, "\r\n"))
		return bad(r, "text", "\"%s\" must be one line (400 characters, 127 with before_answer)",
			   "text");
	if (!before) {
		modem_urc(m, "%s", text);
		return true;
	}
	if (m->n_urc_before == URC_BEFORE_MAX)
		return bad(r, "before_answer", "at most %s URCs may wait for an answer", "8");
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
	if (!cmd_name_field(r, "command", &cmd) || !int_field(r, "ms", 1, 600000, -1, &ms))
		return false;
	if (!cmd)
		return bad(r, "command", "\"%s\" is required", "command");
	snprintf(m->disp.late_cmd, sizeof m->disp.late_cmd, "%s", cmd);
	m->disp.late_s = ms / 1000.0;
	return true;
}

/* {"op":"escape_guard","ms":1000}: the "+++" guard time in real milliseconds whatever
 * --time-scale, from the next data mode on (ppp-escape-guard-time). */
static bool op_escape_guard(struct sim_modem *m, struct req *r)
{
	long ms;
	if (!int_field(r, "ms", 1, 10000, -1, &ms))
		return false;
	m->escape_guard = ms / 1000.0;
	return true;
}

/* {"op":"ppp_online","cid":1}: the module is in a PPP call's data mode, as after a dial by a
 * host that has since reset (ppp-host-reboot-in-data-mode): AT is PPP garbage until "+++". */
static bool op_ppp_online(struct sim_modem *m, struct req *r)
{
	long cid;
	if (!int_field(r, "cid", 1, SVC_PPP_MAX_CID, 1, &cid))
		return false;
	if (!svc_ppp_online_now(m, (int)cid))
		return bad(r, "", "%s", "no call: not attached, no PPP on this firmware, or a call "
				   "is already up");
	return true;
}

/* {"op":"ppp_leftover","frames":3}: the next "+++" escape is answered after that many PPP
 * frames still queued for the host (ppp-leftover-frames-after-exit). */
static bool op_ppp_leftover(struct sim_modem *m, struct req *r)
{
	long n;
	if (!int_field(r, "frames", 1, 3, -1, &n))
		return false;
	if (!svc_ppp_leftover_frames(m, (unsigned)n))
		return bad(r, "", "%s", "no memory");
	return true;
}

/* {"op":"fragment","max_bytes":8,"max_gap_ms":20}: output in random fragments of 1..max_bytes
 * with 0..max_gap_ms real milliseconds between them, seeded by --seed
 * (urc-fragmented-delivery-byte-loss); max_bytes 0 turns it off. */
static bool op_fragment(struct sim_modem *m, struct req *r)
{
	long max, gap;
	if (!int_field(r, "max_bytes", 0, 4096, -1, &max) ||
	    !int_field(r, "max_gap_ms", 0, 1000, 0, &gap))
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
	{"network", op_network},         {"pdp_deact", op_pdp_deact}, {"remote_close", op_remote_close},
	{"send_fail", op_send_fail},     {"sms_latency", op_sms_latency},
	{"sms", op_sms},                 {"sms_sent", op_sms_sent},   {"sms_reject", op_sms_reject},
	{"call", op_call},               {"call_hangup", op_call_hangup},
	{"call_outcome", op_call_outcome}, {"voltage", op_voltage},   {"power_down", op_power_down},
	{"power_on", op_power_on},       {"reset", op_reset},         {"drop", op_drop},
	{"corrupt", op_corrupt},         {"mute", op_mute},           {"urc", op_urc},
	{"state", op_state},             {"late_final", op_late_final},
	{"escape_guard", op_escape_guard}, {"fragment", op_fragment},
	{"ppp_online", op_ppp_online},   {"ppp_leftover", op_ppp_leftover},
	{"brownout", op_brownout},
	{"ipstack_wedged", op_ipstack_wedged},
	{"host_left", op_host_left},
	{"slow", op_slow},
	{"apns", op_apns},
	{"sms_ready", op_sms_ready},
	{"connect_fail_ms", op_connect_fail_ms},
	{"http_inited", op_http_inited}, {"cipssl", op_cipssl},
	{"cip_open", op_cip_open},
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
		return bad(&r, "op", "\"%s\" is required: a string naming the event", "op");
	const char *name = json_string_value(op);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(ops[i].name, name) != 0)
			continue;
		bool off_ok = strcmp(name, "power_on") == 0 || strcmp(name, "state") == 0;
		if (m->power != SIM_POWER_ON && !off_ok)
			return bad(&r, "op", "the modem is powered off (\"%s\" needs it on)", name);
		bool ok = ops[i].fn(m, &r);
		if (ok)
			transcript_note(m->log, m->index, "injected: %s", name);
		return ok;
	}
	return bad(&r, "op", "unknown op \"%s\"", name);
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
