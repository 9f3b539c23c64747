/* dispatch.c - run a command line: handlers from the cmd_* tables, profile gating, finals. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modem_internal.h"
#include "respond.h"
#include "scenario.h"
#include "transcript.h"

/* Every command family's table; dispatch_find searches them in order. */
static const struct cmd_entry *const tables[] = {
	cmd_basic_table,
	cmd_info_table,
	cmd_net_table,
	cmd_dial_table,
	cmd_tcpip_table,
	cmd_http_table,
	cmd_sms_table,
	cmd_smsconf_table,
	cmd_call_table,
	cmd_gprs_table,
	cmd_fs_table,
};

const struct cmd_entry *dispatch_find(const char *name)
{
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const struct cmd_entry *e = tables[t]; e->name; e++)
			if (strcmp(e->name, name) == 0)
				return e;
	return NULL;
}

static unsigned profile_caps(const struct profile *p)
{
	unsigned c = 0;
	if (p->cap_ssl)
		c |= CMD_CAP_SSL;
	if (p->cap_httpssl)
		c |= CMD_CAP_HTTPSSL;
	if (p->cap_http)
		c |= CMD_CAP_HTTP;
	if (p->cap_ppp)
		c |= CMD_CAP_PPP;
	if (p->cap_sms)
		c |= CMD_CAP_SMS;
	if (p->cap_cmux)
		c |= CMD_CAP_CMUX;
	return c;
}

/* A final line given as text (profile unknown_answer / replay): keep V0 and CMEE working. */
static struct at_result result_from_text(const char *t)
{
	if (strcmp(t, "OK") == 0)
		return RES_OK;
	if (strcmp(t, "ERROR") == 0)
		return RES_ERROR;
	if (strncmp(t, "+CME ERROR: ", 12) == 0 && t[12] >= '0' && t[12] <= '9')
		return RES_CME(atoi(t + 12));
	if (strncmp(t, "+CMS ERROR: ", 12) == 0 && t[12] >= '0' && t[12] <= '9')
		return RES_CMS(atoi(t + 12));
	for (int code = 0; code <= V250_PROCEEDING; code++) {
		const char *ct = respond_code_text(code);
		if (ct && strcmp(ct, t) == 0)
			return RES_CODE(code);
	}
	return (struct at_result){.kind = AT_RES_TEXT, .text = t};
}

static bool is_final_text(const char *t)
{
	if (strncmp(t, "+CME ERROR", 10) == 0 || strncmp(t, "+CMS ERROR", 10) == 0)
		return true;
	struct at_result r = result_from_text(t);
	return r.kind != AT_RES_TEXT;
}

static struct at_result replay(struct sim_modem *m, const struct profile_replay *r)
{
	size_t n = r->n_lines;
	if (n > 0 && is_final_text(r->lines[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++)
		respond_info(m, r->lines[i], strlen(r->lines[i]));
	if (n == r->n_lines)
		return RES_NONE;
	return result_from_text(r->lines[n]);
}

static struct at_result run(struct sim_modem *m, const struct at_cmd *c)
{
	const struct profile_replay *r = profile_replay_find(m->profile, c->text, c->text_len);
	if (r)
		return replay(m, r);
	const struct cmd_entry *e = dispatch_find(c->name);
	if (e && (e->caps & ~profile_caps(m->profile)) == 0)
		return e->fn(m, c);
	/* Unknown, or a feature this firmware lacks: answer as the profile's firmware does. */
	return result_from_text(m->profile->unknown_answer ? m->profile->unknown_answer : "ERROR");
}

static void finish_now(struct sim_modem *m, struct at_result r);

static void late_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = (struct sim_modem *)((char *)w - offsetof(struct sim_modem, disp.late));
	finish_now(m, m->disp.late_res);
}

/* The final result, unless fault late_final holds it back: the module stays busy (input
 * waits in the backlog) until it goes out. */
static void finish(struct sim_modem *m, struct at_result r)
{
	struct dispatch *d = &m->disp;
	ev_timer_stop(m->loop, &d->delay);
	if (d->late_armed) {
		transcript_note(m->log, m->index, "fault: final result of %s held %.3f s",
				d->late_cmd, d->late_s);
		d->late_cmd[0] = '\0';
		d->late_armed = false;
		d->late_res = r;
		ev_timer_init(&d->late, late_cb, d->late_s, 0.);
		ev_timer_start(m->loop, &d->late);
		return;
	}
	finish_now(m, r);
}

static void finish_now(struct sim_modem *m, struct at_result r)
{
	struct dispatch *d = &m->disp;
	d->busy = false;
	respond_final(m, r);
	if (d->hold_urcs) {
		d->hold_urcs = false;
		urc_queue_flush(m);
	}
	if (d->baud_after) {
		/* AT+IPR: the new rate applies after the result code (MAN §2.2.41). */
		modem_apply_baud(m, d->baud_after);
		d->baud_after = 0;
	}
	if (d->after_final) {
		void (*fn)(struct sim_modem *) = d->after_final;
		d->after_final = NULL;
		fn(m);
	}
	scenario_flush(m);
	modem_line_finished(m);
}

static bool is_failure(struct at_result r)
{
	return r.kind == AT_RES_ERROR || r.kind == AT_RES_CME || r.kind == AT_RES_CMS ||
	       r.kind == AT_RES_TEXT || r.kind == AT_RES_CODE;
}

/* A command ran: is it the one whose final result fault late_final holds back? */
static void ran(struct sim_modem *m, struct at_result res)
{
	struct dispatch *d = &m->disp;
	if (m->n_urc_before) {
		respond_urcs_before(m);
		respond_urcs_count(m);
	}
	scenario_command(m, d->cur.name);
	d->last = res;
	if (d->late_cmd[0] && strcmp(d->late_cmd, d->cur.name) == 0)
		d->late_armed = true;
}

/* Run commands until the line ends, one fails, or one must wait. */
static void step(struct sim_modem *m)
{
	struct dispatch *d = &m->disp;
	for (;;) {
		enum at_parse_res pr = at_parser_next(&d->parser, &d->cur);
		if (pr == AT_PARSE_END) {
			finish(m, d->last);
			return;
		}
		if (pr == AT_PARSE_ERROR) {
			transcript_note(m->log, m->index, "syntax error at column %zu: %s",
					d->parser.err_column + 2, d->parser.err);
			finish(m, RES_ERROR);
			return;
		}
		const struct profile_replay *r =
			profile_replay_find(m->profile, d->cur.text, d->cur.text_len);
		unsigned ms = r ? r->delay_ms
				: profile_delay_for(m->profile, d->cur.name, at_op_suffix(d->cur.op));
		if (m->scenario)
			ms += scenario_extra_delay(m);
		double delay = modem_delay(m, ms);
		size_t sl = strlen(m->slow_cmd);
		if (sl && d->cur.text_len >= sl && strncasecmp(d->cur.text, m->slow_cmd, sl) == 0)
			delay += m->slow_ms / 1000.0; /* injected, real time (inject.c "slow") */
		if (delay > 0) {
			ev_timer_set(&d->delay, delay, 0.);
			ev_timer_start(m->loop, &d->delay);
			return;
		}
		struct at_result res = run(m, &d->cur);
		if (res.kind == AT_RES_ASYNC)
			return;
		ran(m, res);
		if (is_failure(res)) {
			finish(m, res);
			return;
		}
	}
}

static void delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_modem *m = (struct sim_modem *)((char *)w - offsetof(struct sim_modem, disp.delay));
	struct dispatch *d = &m->disp;
	struct at_result res = run(m, &d->cur);
	if (res.kind == AT_RES_ASYNC)
		return;
	dispatch_done(m, res);
}

void dispatch_done(struct sim_modem *m, struct at_result r)
{
	struct dispatch *d = &m->disp;
	if (!d->busy)
		return;
	ran(m, r);
	if (is_failure(r)) {
		finish(m, r);
		return;
	}
	step(m);
}

void dispatch_line(struct sim_modem *m, const char *line, size_t len)
{
	struct dispatch *d = &m->disp;
	if (len > sizeof d->line)
		len = sizeof d->line;
	memmove(d->line, line, len);
	d->len = len;
	if (!ev_is_active(&d->delay))
		ev_init(&d->delay, delay_cb);
	at_parser_init(&d->parser, d->line, d->len);
	d->busy = true;
	d->last = RES_OK; /* a bare "AT" answers OK */
	transcript_command(m->log, m->index, d->line, d->len);
	step(m);
}

void dispatch_abort(struct sim_modem *m)
{
	ev_timer_stop(m->loop, &m->disp.delay);
	ev_timer_stop(m->loop, &m->disp.late);
	m->disp.late_armed = false;
	m->disp.busy = false;
	m->disp.baud_after = 0;
	m->disp.after_final = NULL;
	m->disp.hold_urcs = false;
}
