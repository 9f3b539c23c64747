/* mock_port.h - in-memory sim800_port for driver tests: scripted replies, fragments, fake clock. */
#ifndef SIM800_TEST_MOCK_PORT_H
#define SIM800_TEST_MOCK_PORT_H

#include "sim800.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Zephyr mock-pipe style: the driver's writes are recorded; when they contain the next
 * transaction's `expect` bytes, its reply is queued (now, or after delay_ms of fake time).
 * read() hands out 1..max_chunk bytes per call (random, fixed seed), so every test also covers
 * fragmented input. wait_readable() never sleeps: it advances the fake clock to the next
 * timed delivery or by the whole timeout. All strings are borrowed (use literals).
 */
#define MOCK_RX_MAX 16384
#define MOCK_WRITTEN_MAX 16384
#define MOCK_TX_MAX 64
#define MOCK_TIMED_MAX 64

struct mock_tx {
	const char *expect;
	const uint8_t *reply;
	size_t reply_len;
	uint32_t delay_ms;
};

struct mock_timed {
	uint64_t at;
	const uint8_t *data;
	size_t len;
};

struct mock_port {
	uint8_t rx[MOCK_RX_MAX]; /* bytes for the driver */
	size_t rx_head, rx_tail;
	char written[MOCK_WRITTEN_MAX + 1]; /* everything the driver wrote, NUL-terminated */
	size_t wlen, wpos;                  /* wpos: matched up to here */
	struct mock_tx tx[MOCK_TX_MAX];
	size_t n_tx, next_tx;
	struct mock_timed timed[MOCK_TIMED_MAX];
	size_t n_timed;
	uint64_t now;
	unsigned max_chunk;
	uint32_t rng;
	bool echo;       /* echo written bytes like ATE1; "ATE0\r" turns it off */
	bool fail_read;  /* read() returns -1 */
	unsigned waits;  /* wait_readable() calls */
	unsigned reads;
};

void mock_port_init(struct mock_port *mp, uint32_t seed, unsigned max_chunk);
void mock_port_bind(struct mock_port *mp, struct sim800_port *port);
/* Queue bytes for the driver now. */
void mock_port_push(struct mock_port *mp, const char *s);
void mock_port_push_n(struct mock_port *mp, const void *data, size_t len);
/* Queue bytes at fake time at_ms. */
void mock_port_push_at(struct mock_port *mp, uint64_t at_ms, const char *s);
/* Transactions, matched in order. */
void mock_port_expect(struct mock_port *mp, const char *expect, const char *reply);
void mock_port_expect_n(struct mock_port *mp, const char *expect, const void *reply, size_t len);
void mock_port_expect_delay(struct mock_port *mp, const char *expect, const char *reply,
			    uint32_t delay_ms);
/* True when every transaction was matched. */
bool mock_port_done(const struct mock_port *mp);

#endif
