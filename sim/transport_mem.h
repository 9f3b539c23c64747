/* transport_mem.h - in-memory transport for tests: a scripted host, a few bytes per delivery. */
#ifndef SIM_TRANSPORT_MEM_H
#define SIM_TRANSPORT_MEM_H

#include <ev.h>

#include "transport.h"

/*
 * Host bytes given to transport_mem_host_write() are delivered to the modem at most `limit`
 * bytes per loop iteration (like Zephyr's mock pipe), so every test also covers fragmented
 * input. What the modem writes accumulates until transport_mem_take(). write_room limits how
 * much the modem may write before it must wait for writable (backpressure); SIZE_MAX = none.
 */
struct transport *transport_mem_new(struct ev_loop *loop, size_t limit);
void transport_mem_bind(struct transport *t, const struct transport_cb *cb, void *ctx);
/* Queue bytes from the host. */
void transport_mem_host_write(struct transport *t, const void *buf, size_t n);
/* Open or close the line from the host side (presence callback). */
void transport_mem_set_present(struct transport *t, bool present);
/* Copy out and forget what the modem wrote so far; returns the count (NUL-terminated if room). */
size_t transport_mem_take(struct transport *t, char *buf, size_t cap);
/* What the modem wrote and not yet taken, without taking it. */
const uint8_t *transport_mem_peek(struct transport *t, size_t *len);
/* Bytes the modem wrote and not yet taken. */
size_t transport_mem_pending(struct transport *t);
/* Bytes from the host not yet delivered. */
size_t transport_mem_undelivered(struct transport *t);
void transport_mem_set_write_room(struct transport *t, size_t room);

#endif
