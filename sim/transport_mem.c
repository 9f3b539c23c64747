/* transport_mem.c - in-memory transport for tests (see transport_mem.h). */
#include "transport_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	uint8_t *d;
	size_t len, cap;
};

struct transport_mem {
	struct transport base;
	struct ev_loop *loop;
	size_t limit;
	size_t room;
	struct buf in;   /* host -> modem, not yet delivered */
	size_t in_off;
	struct buf out;  /* modem -> host */
	ev_idle deliver;
	ev_idle wake;    /* writable after room was raised */
};

#define MEM_OF(w, f) ((struct transport_mem *)((char *)(w) - offsetof(struct transport_mem, f)))

static int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0; /* nothing to copy; and b->d may still be NULL (NULL + 0 is UB) */
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->d, cap);
		if (!d)
			return -1;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
	return 0;
}

static void deliver_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)revents;
	struct transport_mem *m = MEM_OF(w, deliver);
	size_t left = m->in.len - m->in_off;
	if (left == 0 || !m->base.present) {
		ev_idle_stop(loop, w);
		return;
	}
	size_t n = left < m->limit ? left : m->limit;
	const uint8_t *p = m->in.d + m->in_off;
	m->in_off += n;
	if (m->in_off == m->in.len)
		m->in.len = m->in_off = 0;
	if (m->base.cb.rx)
		m->base.cb.rx(m->base.ctx, p, n);
}

static void wake_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)revents;
	struct transport_mem *m = MEM_OF(w, wake);
	ev_idle_stop(loop, w);
	if (m->base.cb.writable)
		m->base.cb.writable(m->base.ctx);
}

static ssize_t mem_write(struct transport *t, const uint8_t *b, size_t n)
{
	struct transport_mem *m = (struct transport_mem *)t;
	if (n > m->room)
		n = m->room;
	if (n == 0)
		return 0;
	if (buf_append(&m->out, b, n) != 0)
		return -1;
	if (m->room != SIZE_MAX)
		m->room -= n;
	return (ssize_t)n;
}

static void mem_destroy(struct transport *t)
{
	struct transport_mem *m = (struct transport_mem *)t;
	ev_idle_stop(m->loop, &m->deliver);
	ev_idle_stop(m->loop, &m->wake);
	free(m->in.d);
	free(m->out.d);
	free(m);
}

static const struct transport_ops mem_ops = {.write = mem_write, .destroy = mem_destroy};

struct transport *transport_mem_new(struct ev_loop *loop, size_t limit)
{
	struct transport_mem *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->base.ops = &mem_ops;
	m->base.path = "mem";
	m->loop = loop;
	m->limit = limit ? limit : 1;
	m->room = SIZE_MAX;
	ev_idle_init(&m->deliver, deliver_cb);
	ev_idle_init(&m->wake, wake_cb);
	return &m->base;
}

void transport_mem_bind(struct transport *t, const struct transport_cb *cb, void *ctx)
{
	t->cb = *cb;
	t->ctx = ctx;
}

void transport_mem_host_write(struct transport *t, const void *buf, size_t n)
{
	struct transport_mem *m = (struct transport_mem *)t;
	if (buf_append(&m->in, buf, n) == 0 && m->base.present)
		ev_idle_start(m->loop, &m->deliver);
}

void transport_mem_set_present(struct transport *t, bool present)
{
	struct transport_mem *m = (struct transport_mem *)t;
	if (t->present == present)
		return;
	t->present = present;
	if (present && m->in.len > m->in_off)
		ev_idle_start(m->loop, &m->deliver);
	if (t->cb.presence)
		t->cb.presence(t->ctx, present);
}

size_t transport_mem_take(struct transport *t, char *buf, size_t cap)
{
	struct transport_mem *m = (struct transport_mem *)t;
	size_t n = m->out.len;
	if (cap == 0)
		return 0;
	if (n > cap - 1)
		n = cap - 1;
	buf[n] = '\0';
	if (n == 0)
		return 0; /* the modem wrote nothing yet: m->out.d may be NULL */
	memcpy(buf, m->out.d, n);
	buf[n] = '\0';
	memmove(m->out.d, m->out.d + n, m->out.len - n);
	m->out.len -= n;
	return n;
}

const uint8_t *transport_mem_peek(struct transport *t, size_t *len)
{
	struct transport_mem *m = (struct transport_mem *)t;
	*len = m->out.len;
	return m->out.d;
}

size_t transport_mem_pending(struct transport *t)
{
	return ((struct transport_mem *)t)->out.len;
}

size_t transport_mem_undelivered(struct transport *t)
{
	struct transport_mem *m = (struct transport_mem *)t;
	return m->in.len - m->in_off;
}

void transport_mem_set_write_room(struct transport *t, size_t room)
{
	struct transport_mem *m = (struct transport_mem *)t;
	m->room = room;
	if (room > 0)
		ev_idle_start(m->loop, &m->wake);
}
