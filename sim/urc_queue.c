/* urc_queue.c - when a URC may go out (held during prompts and data mode); the boot sequence. */
#include <stdlib.h>
#include <string.h>

#include "modem_internal.h"
#include "respond.h"
#include "svc_sms.h"
#include "svc_tcp.h"
#include "transcript.h"

/* More than this many held URCs: the oldest are dropped (a real module's buffer is finite). */
#define URC_QUEUE_MAX 64

void urc_queue_push(struct sim_modem *m, const char *line)
{
	struct urc_queue *q = &m->urcs;
	if (q->len == URC_QUEUE_MAX) {
		transcript_note(m->log, m->index, "URC queue full, dropped: %s", q->items[0]);
		free(q->items[0]);
		memmove(q->items, q->items + 1, (q->len - 1) * sizeof q->items[0]);
		q->len--;
	}
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 4;
		char **items = realloc(q->items, cap * sizeof *items);
		if (!items)
			return;
		q->items = items;
		q->cap = cap;
	}
	char *s = strdup(line);
	if (s)
		q->items[q->len++] = s;
}

void urc_queue_flush(struct sim_modem *m)
{
	struct urc_queue *q = &m->urcs;
	for (size_t i = 0; i < q->len; i++) {
		respond_urc_line(m, q->items[i], strlen(q->items[i]));
		free(q->items[i]);
	}
	q->len = 0;
	/* The line is free again after a prompt: received data may go out now. */
	svc_tcp_kick(m);
}

void urc_queue_clear(struct urc_queue *q)
{
	for (size_t i = 0; i < q->len; i++)
		free(q->items[i]);
	free(q->items);
	memset(q, 0, sizeof *q);
}

/* The boot URCs due by now, then the timer for the next one (profile boot.urcs). */
static bool boot_applies(const struct sim_modem *m, const struct profile_urc *u)
{
	switch (u->when) {
	case PROFILE_WHEN_FIXED_BAUD:
		return !m->autobaud;
	case PROFILE_WHEN_AUTOBAUD:
		return m->autobaud;
	case PROFILE_WHEN_ALWAYS:
		break;
	}
	return true;
}

static void boot_run(struct sim_modem *m)
{
	const struct profile *p = m->profile;
	while (m->boot_next < p->n_boot_urcs) {
		const struct profile_urc *u = &p->boot_urcs[m->boot_next];
		/* boot_scale: a reset op asked for its own scale, in real time (inject.c). */
		double due = m->power_on_at + (m->boot_scale > 0
						       ? u->after_ms / 1000.0 * m->boot_scale
						       : modem_delay(m, u->after_ms));
		double now = ev_now(m->loop);
		if (due > now) {
			ev_timer_set(&m->boot_timer, due - now, 0.);
			ev_timer_start(m->loop, &m->boot_timer);
			return;
		}
		m->boot_next++;
		if (!boot_applies(m, u))
			continue;
		modem_urc(m, "%s", u->text);
		/* SMS commands answer ERROR until this URC (field-bugs.md boot-sms-cmd-error-...). */
		if (strcmp(u->text, "SMS Ready") == 0)
			svc_sms_ready(m);
	}
}

static void boot_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	boot_run((struct sim_modem *)((char *)w - offsetof(struct sim_modem, boot_timer)));
}

void boot_start(struct sim_modem *m)
{
	ev_init(&m->boot_timer, boot_cb);
	m->boot_next = 0;
	/* Line noise at power-up (field-bugs.md boot-garbage-before-sync). */
	for (unsigned i = 0; i < m->profile->boot_noise_bytes; i++) {
		uint8_t b = (uint8_t)(0x80 | (modem_random(m) & 0x7f));
		modem_send(m, &b, 1);
	}
	boot_run(m);
}

void boot_stop(struct sim_modem *m)
{
	ev_timer_stop(m->loop, &m->boot_timer);
}
