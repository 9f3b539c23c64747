/* transport.h - the byte pipe under a modem: a pty, or an in-memory peer for tests. */
#ifndef SIM_TRANSPORT_H
#define SIM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Modelled on Zephyr's modem_pipe: the modem only sees these operations and callbacks, so the
 * same modem code runs on a pty and on the in-memory transport that tests use. A transport owns
 * its fds and watchers; transport_destroy() releases them. Callbacks are never made from
 * inside ops->write.
 */
struct transport;

struct transport_ops {
	/* Write up to n bytes without blocking; returns bytes taken (0 = try again later, the
	 * writable callback follows) or -1 on a hard error. Called only while a host is present. */
	ssize_t (*write)(struct transport *t, const uint8_t *buf, size_t n);
	/* Free everything; removes links. */
	void (*destroy)(struct transport *t);
	/* The rate the host set on its end of the line, bits/s; 0 unknown. Optional. */
	unsigned (*line_rate)(struct transport *t);
};

struct transport_cb {
	void (*rx)(void *ctx, const uint8_t *buf, size_t n);  /* bytes from the host */
	void (*presence)(void *ctx, bool present);            /* a host opened / closed the line */
	void (*writable)(void *ctx);                          /* write() may take bytes again */
};

struct transport {
	const struct transport_ops *ops;
	struct transport_cb cb;
	void *ctx;           /* passed to the callbacks (the modem) */
	bool present;        /* a host has the line open */
	const char *path;    /* for messages: the pty slave path or "mem" */
};

static inline ssize_t transport_write(struct transport *t, const uint8_t *b, size_t n)
{
	return t->ops->write(t, b, n);
}

static inline unsigned transport_line_rate(struct transport *t)
{
	return t->ops->line_rate ? t->ops->line_rate(t) : 0;
}

static inline void transport_destroy(struct transport *t)
{
	if (t)
		t->ops->destroy(t);
}

#endif
