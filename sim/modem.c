/* modem.c - one virtual SIM800: input routing, power, echo, URCs; owns its transport. */
#include "modem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brownout.h"
#include "cmd_fs.h"
#include "dispatch.h"
#include "modem_internal.h"
#include "replay.h"
#include "respond.h"
#include "scenario.h"
#include "svc_call.h"
#include "svc_http.h"
#include "svc_ppp.h"
#include "svc_sms.h"
#include "svc_tcp.h"
#include "transcript.h"

/* Input held while a line executes: a real UART FIFO is finite too; the rest is dropped. */
#define BACKLOG_MAX 8192

static void process(struct sim_modem *m, const uint8_t *b, size_t n);

void modem_factory_settings(const struct profile *p, struct v250 *v)
{
	memset(v, 0, sizeof *v);
	v->echo = p->echo;
	v->verbose = true;
	v->quiet = false;
	v->cmee = p->cmee;
	v->x = 4;
	v->amp_c = 1;
	v->amp_d = 1;
	v->s0 = 0;
	v->s6 = 2;
	v->s7 = 60;
	v->s8 = 2;
	v->s10 = 15;
	v->ipr = p->ipr;
	v->ifc_dce = 0;
	v->ifc_dte = 0;
	v->icf_format = 3;
	v->icf_parity = 3;
}

double modem_delay(const struct sim_modem *m, unsigned ms)
{
	return ms / 1000.0 * m->opt->time_scale;
}

double modem_escape_guard(const struct sim_modem *m)
{
	/* MAN §2.2.12: 1 s of silence before and after "+++". The guard is the host's timing,
	 * so a case that checks it (op escape_guard) sets it in real time. */
	return m->escape_guard > 0 ? m->escape_guard : modem_delay(m, 1000);
}

uint32_t modem_random(struct sim_modem *m)
{
	/* xorshift32: small, seeded per modem, so --seed repeats a run exactly. */
	uint32_t x = m->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	m->rng = x;
	return x;
}

/* Injected line faults: lost or garbled bytes, a mute module (field-bugs.md §10, §5). */
static bool faulted(struct sim_modem *m, const void **buf, size_t *n, uint8_t *scratch, size_t cap)
{
	if (m->mute_until > ev_now(m->loop)) {
		transcript_note(m->log, m->index, "mute: %zu bytes not sent", *n);
		return true;
	}
	if (m->drop_bytes) {
		size_t k = *n < m->drop_bytes ? *n : (size_t)m->drop_bytes;
		m->drop_bytes -= k;
		transcript_note(m->log, m->index, "fault: %zu bytes dropped", k);
		*buf = (const uint8_t *)*buf + k;
		*n -= k;
		if (*n == 0)
			return true;
	}
	if (m->corrupt_bytes && *n <= cap) {
		size_t k = *n < m->corrupt_bytes ? *n : (size_t)m->corrupt_bytes;
		m->corrupt_bytes -= k;
		memcpy(scratch, *buf, *n);
		for (size_t i = 0; i < k; i++)
			scratch[i] ^= (uint8_t)(1u << (modem_random(m) % 8)); /* one bit flipped */
		transcript_note(m->log, m->index, "fault: %zu bytes corrupted", k);
		*buf = scratch;
	}
	return false;
}

void modem_send(struct sim_modem *m, const void *buf, size_t n)
{
	if (n == 0)
		return;
	uint8_t scratch[2048];
	if ((m->mute_until > 0 || m->drop_bytes || m->corrupt_bytes) &&
	    faulted(m, &buf, &n, scratch, sizeof scratch))
		return;
	if (m->scenario && (m->scenario_faults)) {
		/* Seeded random faults, a piece at a time (scenario.c decides per byte). */
		uint8_t kept[2048];
		const uint8_t *p = buf;
		size_t left = n;
		while (left) {
			size_t piece = left < sizeof kept ? left : sizeof kept;
			size_t k = scenario_filter(m, p, piece, kept);
			if (k != piece)
				transcript_note(m->log, m->index, "scenario: %zu bytes dropped", piece - k);
			if (k) {
				transcript_chunk(m->log, m->index, "tx", kept, k);
				pacing_write(&m->out, kept, k);
			}
			p += piece;
			left -= piece;
		}
		return;
	}
	transcript_chunk(m->log, m->index, "tx", buf, n);
	size_t dropped = pacing_write(&m->out, buf, n);
	if (dropped && m->tr->present)
		transcript_note(m->log, m->index, "output queue full: %zu bytes dropped", dropped);
}

void modem_urc(struct sim_modem *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || m->power != SIM_POWER_ON)
		return;
	/* Held while a prompt or data mode owns the line; otherwise out at once, even between a
	 * command's echo and its answer, as on the real module (field-bugs.md §1, §10). */
	if (m->hook.feed || m->disp.hold_urcs)
		urc_queue_push(m, buf);
	else
		respond_urc_line(m, buf, strlen(buf));
}

void modem_command_done(struct sim_modem *m, struct at_result r)
{
	dispatch_done(m, r);
}

void modem_set_input_hook(struct sim_modem *m, const struct modem_input_hook *hook)
{
	if (hook) {
		m->hook = *hook;
	} else {
		memset(&m->hook, 0, sizeof m->hook);
		urc_queue_flush(m);
	}
}

void modem_clear_input_hook(struct sim_modem *m)
{
	memset(&m->hook, 0, sizeof m->hook);
}

void modem_apply_baud(struct sim_modem *m, unsigned baud)
{
	if (m->opt->baud == 0)
		return; /* --no-pacing stays unpaced */
	pacing_set_baud(&m->out, baud);
}

static void backlog_add(struct sim_modem *m, const uint8_t *b, size_t n)
{
	if (!m->backlog) {
		m->backlog = malloc(BACKLOG_MAX);
		if (!m->backlog)
			return;
	}
	size_t room = BACKLOG_MAX - m->backlog_len;
	if (n > room) {
		transcript_note(m->log, m->index, "input overrun: %zu bytes dropped", n - room);
		n = room;
	}
	memcpy(m->backlog + m->backlog_len, b, n);
	m->backlog_len += n;
}

void modem_line_finished(struct sim_modem *m)
{
	if (!m->backlog_len)
		return;
	/* Take the held input out first: processing it may hold some again. */
	uint8_t *held = m->backlog;
	size_t n = m->backlog_len;
	m->backlog = NULL;
	m->backlog_len = 0;
	process(m, held, n);
	free(held);
}

/* Under autobaud nothing is understood (or echoed) until "AT"/"at" fixes the rate. */
static size_t seek_autobaud(struct sim_modem *m, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum at_line_event ev;
		at_line_feed(&m->line, b + i, 1, &ev);
		if (m->line.st == AT_LINE_BODY || ev == AT_LINE_REPEAT) {
			m->autobaud_locked = true;
			m->autobaud_rate = transport_line_rate(m->tr);
			transcript_note(m->log, m->index, "autobaud: rate detected");
			if (m->v.echo) {
				char prefix[2] = {m->line.a, (char)b[i]};
				modem_send(m, prefix, 2);
			}
			if (ev == AT_LINE_REPEAT) {
				size_t len;
				const char *t = at_line_text(&m->line, &len);
				dispatch_line(m, t, len);
			}
			return i + 1;
		}
	}
	return n;
}

static void process(struct sim_modem *m, const uint8_t *b, size_t n)
{
	while (n > 0 && m->power == SIM_POWER_ON) {
		if (m->hook.feed) {
			size_t k = m->hook.feed(m, m->hook.ctx, b, n);
			b += k;
			n -= k;
			continue;
		}
		if (m->disp.busy) {
			backlog_add(m, b, n);
			return;
		}
		if (m->swallow_lf) {
			m->swallow_lf = false;
			if (b[0] == '\n') {
				b++;
				n--;
				continue;
			}
		}
		if (m->autobaud && !m->autobaud_locked) {
			size_t k = seek_autobaud(m, b, n);
			b += k;
			n -= k;
			continue;
		}
		enum at_line_event ev;
		size_t k = at_line_feed(&m->line, b, n, &ev);
		if (m->v.echo)
			modem_send(m, b, k);
		b += k;
		n -= k;
		size_t len;
		const char *t;
		if (ev != AT_LINE_NONE)
			m->swallow_lf = true;
		switch (ev) {
		case AT_LINE_COMMAND:
		case AT_LINE_REPEAT:
			t = at_line_text(&m->line, &len);
			dispatch_line(m, t, len);
			break;
		case AT_LINE_OVERFLOW:
			transcript_note(m->log, m->index, "command line longer than %u characters",
					m->line.max);
			respond_final(m, RES_ERROR);
			break;
		case AT_LINE_EMPTY_REPEAT:
		case AT_LINE_NONE:
			break;
		}
	}
}

static void on_rx(void *ctx, const uint8_t *b, size_t n)
{
	struct sim_modem *m = ctx;
	transcript_chunk(m->log, m->index, "rx", b, n);
	if (m->power != SIM_POWER_ON) {
		transcript_note(m->log, m->index, "powered off: input ignored");
		return;
	}
	if (m->mute_until > ev_now(m->loop)) {
		transcript_note(m->log, m->index, "mute: input ignored");
		return;
	}
	/* The rate detected by autobaud holds until power-down (MAN §2.2.41): bytes at another
	 * rate are garbage to the UART (field-bugs.md boot-autobaud-unstable). */
	unsigned rate = m->autobaud_rate ? transport_line_rate(m->tr) : 0;
	if (rate && rate != m->autobaud_rate) {
		transcript_note(m->log, m->index, "line at %u bit/s, autobaud locked at %u: %zu bytes "
				"misread", rate, m->autobaud_rate, n);
		return;
	}
	double deaf = modem_delay(m, m->profile->boot_deaf_ms);
	if (ev_now(m->loop) < m->power_on_at + deaf || ev_now(m->loop) < m->deaf_until) {
		transcript_note(m->log, m->index, "booting: input ignored (boot.deaf_ms)");
		return;
	}
	process(m, b, n);
}

static void on_presence(void *ctx, bool present)
{
	struct sim_modem *m = ctx;
	transcript_note(m->log, m->index, present ? "host opened the line" : "host closed the line");
	if (!present) {
		/* Queued output dies with the listener; the modem's own state is untouched. */
		pacing_discard(&m->out);
		return;
	}
	if (m->power == SIM_POWER_OFF && m->opt->power_on == SIM_POWER_ON_OPEN &&
	    m->power_on_at == 0)
		modem_power_on(m);
	else
		pacing_writable(&m->out);
}

static void on_writable(void *ctx)
{
	struct sim_modem *m = ctx;
	pacing_writable(&m->out);
}

/* The line has room again: data services may deliver what they held back. */
static void on_drain(void *ctx)
{
	svc_tcp_kick(ctx);
}

const struct transport_cb modem_transport_cb = {
	.rx = on_rx,
	.presence = on_presence,
	.writable = on_writable,
};

/* Everything a power cycle loses: prompts, sockets, bearer, HTTP state. */
static void services_reset(struct sim_modem *m)
{
	datamode_cancel(m);
	svc_tcp_reset(m);
	svc_http_reset(m);
	svc_ppp_reset(m);
	svc_sms_reset(m);
	svc_call_reset(m);
}

void modem_power_on(struct sim_modem *m)
{
	brownout_stop(m); /* powered on by other means: a pending brown-out cycle is moot */
	services_reset(m);
	m->power = SIM_POWER_ON;
	m->power_on_at = ev_now(m->loop);
	/* Settings saved with AT&W survive a power cycle; the rest starts over. */
	m->v = m->saved;
	m->autobaud = m->v.ipr == 0;
	m->autobaud_locked = false;
	m->autobaud_rate = 0;
	m->battery_mv = m->profile->battery_mv;
	m->mute_until = 0;
	m->connect_fail_real_ms = 0;
	at_line_init(&m->line, m->profile->line_max, m->profile->mixed_case_prefix);
	dispatch_abort(m);
	free(m->backlog);
	m->backlog = NULL;
	m->backlog_len = 0;
	urc_queue_clear(&m->urcs);
	memset(&m->hook, 0, sizeof m->hook);
	/* The line runs at --baud; a profile's saved fixed AT+IPR is taken to match it (only a
	 * later AT+IPR=<rate> changes the rate). */
	pacing_set_baud(&m->out, m->opt->baud);
	transcript_note(m->log, m->index, "power on (%s)", m->profile->name);
	if (m->replay) {
		replay_start(m); /* the recording speaks for the module: no boot, no network */
		return;
	}
	netstate_init(m);
	netstate_start(m);
	boot_start(m);
	scenario_start(m);
}

void modem_power_off(struct sim_modem *m)
{
	m->power = SIM_POWER_OFF;
	m->boot_scale = 0;
	scenario_stop(m);
	boot_stop(m);
	netstate_stop(m);
	dispatch_abort(m);
	services_reset(m);
	memset(&m->hook, 0, sizeof m->hook);
	urc_queue_clear(&m->urcs);
	transcript_note(m->log, m->index, "power off");
}

struct sim_modem *modem_new(struct ev_loop *loop, int index, const struct profile *p,
			    const struct sim_options *opt, struct transcript *log,
			    struct transport *tr)
{
	struct sim_modem *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->loop = loop;
	m->index = index;
	m->profile = p;
	m->opt = opt;
	m->log = log;
	m->tr = tr;
	m->rng = (opt->seed + (uint32_t)index) * 2654435761u | 1u;
	if (pacing_init(&m->out, loop, tr, opt->baud) != 0) {
		free(m);
		return NULL;
	}
	m->out.on_drain = on_drain;
	m->out.drain_ctx = m;
	modem_factory_settings(p, &m->saved);
	m->v = m->saved;
	m->battery_mv = p->battery_mv;
	at_line_init(&m->line, p->line_max, p->mixed_case_prefix);
	ev_init(&m->disp.delay, NULL);
	ev_init(&m->disp.late, NULL);
	ev_init(&m->boot_timer, NULL);
	ev_init(&m->brownout_timer, NULL);
	netstate_init(m);
	return m;
}

void modem_destroy(struct sim_modem *m)
{
	if (!m)
		return;
	boot_stop(m);
	brownout_stop(m);
	netstate_stop(m);
	dispatch_abort(m);
	services_reset(m);
	svc_sms_free(m);
	cmd_fs_free(m);
	scenario_detach(m);
	replay_detach(m);
	pacing_destroy(&m->out);
	transport_destroy(m->tr);
	urc_queue_clear(&m->urcs);
	free(m->backlog);
	free(m);
}
