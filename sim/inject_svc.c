/* inject_svc.c - control/scenario ops for the services: CIP, HTTP, PPP, SMS, calls, GPRS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brownout.h"
#include "inject_int.h"
#include "modem_internal.h"
#include "svc_call.h"
#include "svc_http.h"
#include "svc_ppp.h"
#include "svc_sms.h"
#include "svc_tcp.h"
#include "transcript.h"

bool inject_pdp_deact(struct sim_modem *m, struct req *r)
{
	const json_t *silent = json_object_get(r->j, "silent");
	if (silent && !json_is_boolean(silent))
		return inject_bad(r, "silent", "\"%s\" must be true or false", "silent");
	svc_tcp_pdp_deact(m, silent && json_is_true(silent));
	svc_ppp_drop(m, "PDP context deactivated"); /* a PPP call ends with NO CARRIER */
	return true;
}

bool inject_remote_close(struct sim_modem *m, struct req *r)
{
	long conn;
	if (!inject_int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn))
		return false;
	if (!svc_tcp_remote_close(m, (int)conn))
		return inject_bad(r, "conn", "connection %s is not open", conn == 0 ? "0" : "given");
	return true;
}

bool inject_send_fail(struct sim_modem *m, struct req *r)
{
	long conn;
	if (!inject_int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn))
		return false;
	if (!svc_tcp_fail_next_send(m, (int)conn))
		return inject_bad(r, "conn", "connection %s is not open", conn == 0 ? "0" : "given");
	return true;
}

/* CONNECT FAIL for an unreachable host after ms real milliseconds from now on, whatever the
 * time scale: a URC later than the driver's own connect timeout (field-bugs.md
 * cip-connect-fail-late-75s). */
bool inject_connect_fail_ms(struct sim_modem *m, struct req *r)
{
	long ms;
	if (!inject_int_field(r, "ms", 1, 600000, -1, &ms))
		return false;
	m->connect_fail_real_ms = (unsigned long)ms;
	return true;
}

/* A link a previous host opened and never closed (field-bugs.md cip-already-connect): it
 * connects without a word, and the next CIPSTART on it answers ALREADY CONNECT. */
bool inject_cip_open(struct sim_modem *m, struct req *r)
{
	long conn, port;
	const char *host;
	if (!inject_int_field(r, "conn", 0, CIP_MAX_CONN - 1, 0, &conn) ||
	    !inject_int_field(r, "port", 1, 65535, -1, &port) || !inject_str_field(r, "host", true, &host))
		return false;
	struct svc_tcp *t = m->tcp;
	if (!t || t->ip != CIP_IP_STATUS)
		return inject_bad(r, "", "%s", "the CIP stack is not up (AT+CIFSR first)");
	if (svc_tcp_conn_open(&t->conn[conn]))
		return inject_bad(r, "conn", "%s", "the connection is already open");
	svc_tcp_open(t, (int)conn, false, host, (unsigned)port);
	t->conn[conn].quiet_open = t->conn[conn].st == CIP_CONN_CONNECTING;
	return true;
}

/* A previous host left AT+CIPSSL set: it applies to the next CIPSTART, whoever sends it
 * (field-bugs.md ssl-cipssl-sticky-per-socket). */
bool inject_cipssl(struct sim_modem *m, struct req *r)
{
	const json_t *on = json_object_get(r->j, "on");
	if (!json_is_boolean(on))
		return inject_bad(r, "on", "\"%s\" must be true or false", "on");
	if (!m->profile->cap_ssl)
		return inject_bad(r, "", "%s", "this firmware has no AT+CIPSSL");
	struct svc_tcp *t = svc_tcp_get(m);
	if (!t)
		return inject_bad(r, "", "%s", "out of memory");
	t->ssl = json_is_true(on);
	return true;
}

/* A previous host left the HTTP service initialised: AT+HTTPINIT now answers ERROR until
 * AT+HTTPTERM (field-bugs.md http-httpinit-twice-error). */
bool inject_http_inited(struct sim_modem *m, struct req *r)
{
	if (!svc_http_init(m))
		return inject_bad(r, "", "%s", "the HTTP service is already initialised");
	return true;
}

/* {"op":"sms","from":"+491701234567","text":"hi","time":"26/11/30,12:00:00+04"}: time is
 * optional (the host's clock otherwise); scenarios give it so runs repeat exactly. */
bool inject_sms(struct sim_modem *m, struct req *r)
{
	const char *from, *text, *when;
	if (!inject_str_field(r, "from", true, &from) || !inject_str_field(r, "text", true, &text) ||
	    !inject_str_field(r, "time", false, &when))
		return false;
	bool ok = when ? svc_sms_deliver_at(m, from, text, when) : svc_sms_deliver(m, from, text);
	if (!ok)
		return inject_bad(r, "", "%s", "not delivered: a malformed sender or time, a text too long "
				   "for one SMS (160 GSM / 70 UCS2 characters), or the store is full");
	return true;
}

/* The network's delay between Ctrl-Z and +CMGS (field-bugs.md sms-cmgs-slow-final); "real":
 * true makes it real milliseconds whatever --time-scale. */
bool inject_sms_latency(struct sim_modem *m, struct req *r)
{
	long ms;
	const json_t *real = json_object_get(r->j, "real");
	if (!inject_int_field(r, "ms", 0, 600000, -1, &ms))
		return false;
	if (real && !json_is_boolean(real))
		return inject_bad(r, "real", "\"%s\" must be true or false", "real");
	svc_sms_set_latency(m, (unsigned)ms);
	svc_sms_latency_real(m, json_is_true(real));
	return true;
}

bool inject_sms_sent(struct sim_modem *m, struct req *r)
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

bool inject_sms_reject(struct sim_modem *m, struct req *r)
{
	long code;
	const json_t *stray = json_object_get(r->j, "stray_ok");
	if (!inject_int_field(r, "code", 0, 600, -1, &code))
		return false;
	if (stray && !json_is_boolean(stray))
		return inject_bad(r, "stray_ok", "\"%s\" must be true or false", "stray_ok");
	svc_sms_reject_next(m, (int)code);
	if (json_is_true(stray))
		svc_sms_stray_ok_next(m);
	return true;
}

bool inject_call(struct sim_modem *m, struct req *r)
{
	const char *from;
	if (!inject_str_field(r, "from", true, &from))
		return false;
	if (!svc_call_incoming(m, from))
		return inject_bad(r, "", "%s", "no call: one is already in progress, the modem is not "
				   "registered or at AT+CFUN=1, or the number is malformed");
	return true;
}

bool inject_call_hangup(struct sim_modem *m, struct req *r)
{
	(void)r;
	svc_call_remote_hangup(m);
	return true;
}

bool inject_call_outcome(struct sim_modem *m, struct req *r)
{
	const char *o;
	if (!inject_str_field(r, "outcome", true, &o))
		return false;
	if (!svc_call_set_outcome(m, o))
		return inject_bad(r, "outcome", "\"outcome\" must be connect, busy, no answer or no carrier "
					 "(got \"%s\")", o);
	return true;
}

/* "SMS Ready" now, and SMS commands answer from now on (field-bugs.md
 * boot-sms-cmd-error-before-sms-ready: a case ties it to the driver's first SMS command). */
bool inject_sms_ready(struct sim_modem *m, struct req *r)
{
	(void)r;
	modem_urc(m, "SMS Ready");
	svc_sms_ready(m);
	return true;
}

bool inject_ipstack_wedged(struct sim_modem *m, struct req *r)
{
	(void)r;
	svc_tcp_wedge(m);
	return true;
}

/* {"op":"host_left","cip":true,"to":"HOST:PORT","bearer":true,"http":true}: the state a host
 * left when it reset (field-bugs.md pwr-host-reset-modem-keeps-state); each part optional. */
bool inject_host_left(struct sim_modem *m, struct req *r)
{
	const char *to;
	bool parts[3];
	static const char *const names[] = {"cip", "bearer", "http"};
	for (int i = 0; i < 3; i++) {
		const json_t *v = json_object_get(r->j, names[i]);
		if (v && !json_is_boolean(v))
			return inject_bad(r, names[i], "\"%s\" must be true or false", names[i]);
		parts[i] = v && json_is_true(v);
	}
	if (!inject_str_field(r, "to", false, &to))
		return false;
	char host[256] = "";
	long port = 0;
	if (to) {
		const char *colon = strrchr(to, ':');
		char *end;
		port = colon ? strtol(colon + 1, &end, 10) : 0;
		if (!colon || colon == to || (size_t)(colon - to) >= sizeof host || *end || port < 1 ||
		    port > 65535)
			return inject_bad(r, "to", "\"%s\" must be HOST:PORT", "to");
		memcpy(host, to, (size_t)(colon - to));
		host[colon - to] = '\0';
	}
	if ((parts[0] || to) && !svc_tcp_preset(m, to ? host : NULL, (unsigned)port))
		return inject_bad(r, "cip", "%s", "the CIP stack cannot be set up: GPRS is not attached "
				   "or the stack is not in IP INITIAL");
	if (!svc_http_preset(m, parts[1], parts[2]))
		return inject_bad(r, "bearer", "%s", "the bearer cannot be open: GPRS is not attached");
	return true;
}

/* {"op":"ppp_online","cid":1}: the module is in a PPP call's data mode, as after a dial by a
 * host that has since reset (ppp-host-reboot-in-data-mode): AT is PPP garbage until "+++". */
bool inject_ppp_online(struct sim_modem *m, struct req *r)
{
	long cid;
	if (!inject_int_field(r, "cid", 1, SVC_PPP_MAX_CID, 1, &cid))
		return false;
	if (!svc_ppp_online_now(m, (int)cid))
		return inject_bad(r, "", "%s", "no call: not attached, no PPP on this firmware, or a call "
				   "is already up");
	return true;
}

/* {"op":"ppp_leftover","frames":3}: the next "+++" escape is answered after that many PPP
 * frames still queued for the host (ppp-leftover-frames-after-exit). */
bool inject_ppp_leftover(struct sim_modem *m, struct req *r)
{
	long n;
	if (!inject_int_field(r, "frames", 1, 3, -1, &n))
		return false;
	if (!svc_ppp_leftover_frames(m, (unsigned)n))
		return inject_bad(r, "", "%s", "no memory");
	return true;
}

/* {"op":"escape_guard","ms":1000}: the "+++" guard time in real milliseconds whatever
 * --time-scale, from the next data mode on (ppp-escape-guard-time). */
bool inject_escape_guard(struct sim_modem *m, struct req *r)
{
	long ms;
	if (!inject_int_field(r, "ms", 1, 10000, -1, &ms))
		return false;
	m->escape_guard = ms / 1000.0;
	return true;
}

/* {"op":"apns","allow":["web.vodafone.de"]}: GPRS activation with any other APN is refused
 * (field-bugs.md reg-cgdcont-apn-pdp-deact); [] allows every APN again. */
bool inject_apns(struct sim_modem *m, struct req *r)
{
	const json_t *a = json_object_get(r->j, "allow");
	size_t i, max = sizeof m->apn_allow / sizeof m->apn_allow[0];
	json_t *v;
	if (!json_is_array(a) || json_array_size(a) > max)
		return inject_bad(r, "allow", "\"%s\" must be a list of at most 4 APNs", "allow");
	json_array_foreach(a, i, v)
		if (!json_is_string(v) || !json_string_value(v)[0] ||
		    strlen(json_string_value(v)) >= sizeof m->apn_allow[0])
			return inject_bad(r, "allow", "\"%s\" must hold APNs of 1 to 64 characters", "allow");
	memset(m->apn_allow, 0, sizeof m->apn_allow);
	json_array_foreach(a, i, v)
		snprintf(m->apn_allow[i], sizeof m->apn_allow[i], "%s", json_string_value(v));
	return true;
}
