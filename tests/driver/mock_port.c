/* mock_port.c - in-memory sim800_port for driver tests (see mock_port.h). */
#include "mock_port.h"

#include <assert.h>
#include <string.h>

static uint32_t next_rand(struct mock_port *mp)
{
	/* xorshift32: deterministic per seed, state in the mock (no globals). */
	uint32_t x = mp->rng ? mp->rng : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	mp->rng = x;
	return x;
}

void mock_port_init(struct mock_port *mp, uint32_t seed, unsigned max_chunk)
{
	memset(mp, 0, sizeof(*mp));
	mp->rng = seed;
	mp->max_chunk = max_chunk ? max_chunk : 8;
	mp->now = 1000; /* not 0, so "deadline = now + 0" bugs show */
}

void mock_port_push_n(struct mock_port *mp, const void *data, size_t len)
{
	assert(mp->rx_tail + len <= MOCK_RX_MAX);
	memcpy(mp->rx + mp->rx_tail, data, len);
	mp->rx_tail += len;
}

void mock_port_push(struct mock_port *mp, const char *s)
{
	mock_port_push_n(mp, s, strlen(s));
}

static void add_timed(struct mock_port *mp, uint64_t at, const void *data, size_t len)
{
	assert(mp->n_timed < MOCK_TIMED_MAX);
	/* keep sorted by time, stable */
	size_t i = mp->n_timed;
	while (i > 0 && mp->timed[i - 1].at > at) {
		mp->timed[i] = mp->timed[i - 1];
		i--;
	}
	mp->timed[i] = (struct mock_timed){at, data, len};
	mp->n_timed++;
}

void mock_port_push_at(struct mock_port *mp, uint64_t at_ms, const char *s)
{
	add_timed(mp, at_ms, s, strlen(s));
}

void mock_port_expect_n(struct mock_port *mp, const char *expect, const void *reply, size_t len)
{
	assert(mp->n_tx < MOCK_TX_MAX);
	mp->tx[mp->n_tx++] = (struct mock_tx){expect, reply, len, 0};
}

void mock_port_expect(struct mock_port *mp, const char *expect, const char *reply)
{
	mock_port_expect_n(mp, expect, reply, reply ? strlen(reply) : 0);
}

void mock_port_expect_delay(struct mock_port *mp, const char *expect, const char *reply,
			    uint32_t delay_ms)
{
	mock_port_expect(mp, expect, reply);
	mp->tx[mp->n_tx - 1].delay_ms = delay_ms;
}

bool mock_port_done(const struct mock_port *mp)
{
	return mp->next_tx == mp->n_tx;
}

static void deliver_due(struct mock_port *mp)
{
	size_t k = 0;
	while (k < mp->n_timed && mp->timed[k].at <= mp->now) {
		mock_port_push_n(mp, mp->timed[k].data, mp->timed[k].len);
		k++;
	}
	memmove(mp->timed, mp->timed + k, (mp->n_timed - k) * sizeof(mp->timed[0]));
	mp->n_timed -= k;
}

static void match_transactions(struct mock_port *mp)
{
	while (mp->next_tx < mp->n_tx) {
		struct mock_tx *t = &mp->tx[mp->next_tx];
		const char *hit = strstr(mp->written + mp->wpos, t->expect);
		if (!hit)
			return;
		mp->wpos = (size_t)(hit - mp->written) + strlen(t->expect);
		mp->next_tx++;
		if (!t->reply_len)
			continue;
		if (t->delay_ms)
			add_timed(mp, mp->now + t->delay_ms, t->reply, t->reply_len);
		else
			mock_port_push_n(mp, t->reply, t->reply_len);
	}
}

static int mock_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct mock_port *mp = ctx;
	assert(mp->wlen + len <= MOCK_WRITTEN_MAX);
	memcpy(mp->written + mp->wlen, buf, len);
	mp->wlen += len;
	mp->written[mp->wlen] = '\0';
	if (mp->echo) {
		mock_port_push_n(mp, buf, len);
		if (mp->wlen >= 5 && memcmp(mp->written + mp->wlen - 5, "ATE0\r", 5) == 0)
			mp->echo = false;
	}
	match_transactions(mp);
	return (int)len;
}

static int mock_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct mock_port *mp = ctx;
	mp->reads++;
	if (mp->fail_read)
		return -1;
	deliver_due(mp);
	size_t avail = mp->rx_tail - mp->rx_head;
	if (avail == 0)
		return 0;
	size_t n = 1 + next_rand(mp) % mp->max_chunk;
	if (n > avail)
		n = avail;
	if (n > cap)
		n = cap;
	memcpy(buf, mp->rx + mp->rx_head, n);
	mp->rx_head += n;
	if (mp->rx_head == mp->rx_tail)
		mp->rx_head = mp->rx_tail = 0;
	return (int)n;
}

static uint64_t mock_now(void *ctx)
{
	struct mock_port *mp = ctx;
	return mp->now;
}

static int mock_wait(void *ctx, uint32_t timeout_ms)
{
	struct mock_port *mp = ctx;
	mp->waits++;
	deliver_due(mp);
	if (mp->rx_tail > mp->rx_head)
		return 1;
	if (mp->n_timed && mp->timed[0].at <= mp->now + timeout_ms) {
		mp->now = mp->timed[0].at;
		deliver_due(mp);
		return 1;
	}
	mp->now += timeout_ms;
	return 0;
}

void mock_port_bind(struct mock_port *mp, struct sim800_port *port)
{
	port->ctx = mp;
	port->write = mock_write;
	port->read = mock_read;
	port->now_ms = mock_now;
	port->wait_readable = mock_wait;
}
