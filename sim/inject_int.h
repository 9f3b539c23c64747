/* inject_int.h - shared by the op files: a request being applied and its field readers. */
#ifndef SIM_INJECT_INT_H
#define SIM_INJECT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "modem.h"

struct req {
	const json_t *j;
	json_t *reply;
	char *why;
	size_t why_cap;
	char *field;
	size_t field_cap;
};

/* Name the bad field and say why (fmt has one %s for arg); always false. */
bool inject_bad(struct req *r, const char *field, const char *fmt, const char *arg);
/* An integer field in [lo, hi]; absent gives def (or an error when def < lo). */
bool inject_int_field(struct req *r, const char *name, long lo, long hi, long def, long *out);
/* A string field; absent: NULL, an error when required. */
bool inject_str_field(struct req *r, const char *name, bool required, const char **out);
/* words[i] == w, or -1. */
int inject_word_index(const char *const *words, const char *w);

/* The service ops (inject_svc.c). */
bool inject_pdp_deact(struct sim_modem *m, struct req *r);
bool inject_remote_close(struct sim_modem *m, struct req *r);
bool inject_send_fail(struct sim_modem *m, struct req *r);
bool inject_connect_fail_ms(struct sim_modem *m, struct req *r);
bool inject_cip_open(struct sim_modem *m, struct req *r);
bool inject_cipssl(struct sim_modem *m, struct req *r);
bool inject_http_inited(struct sim_modem *m, struct req *r);
bool inject_sms(struct sim_modem *m, struct req *r);
bool inject_sms_latency(struct sim_modem *m, struct req *r);
bool inject_sms_sent(struct sim_modem *m, struct req *r);
bool inject_sms_reject(struct sim_modem *m, struct req *r);
bool inject_call(struct sim_modem *m, struct req *r);
bool inject_call_hangup(struct sim_modem *m, struct req *r);
bool inject_call_outcome(struct sim_modem *m, struct req *r);
bool inject_sms_ready(struct sim_modem *m, struct req *r);
bool inject_ipstack_wedged(struct sim_modem *m, struct req *r);
bool inject_host_left(struct sim_modem *m, struct req *r);
bool inject_ppp_online(struct sim_modem *m, struct req *r);
bool inject_ppp_leftover(struct sim_modem *m, struct req *r);
bool inject_escape_guard(struct sim_modem *m, struct req *r);
bool inject_apns(struct sim_modem *m, struct req *r);

#endif
