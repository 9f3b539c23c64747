/* ppp_rig.h - test helpers for PPP: dial on a simulator pty, run the loop, HTTP(S) through PPP. */
#ifndef PPP_RIG_H
#define PPP_RIG_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_client.h"

/* Step loop until pred(ctx) or timeout seconds; returns pred's last value. */
bool ppp_rig_run_until(struct ev_loop *loop, bool (*pred)(void *ctx), void *ctx, double timeout);
/* Step loop for seconds (bounded wait for the escape guard, nothing else). */
void ppp_rig_run_for(struct ev_loop *loop, double seconds);
/* Read the tty until what arrived ends with tail (earlier bytes, e.g. PPP frames, are
 * ignored) within timeout_ms; asserts. */
void ppp_rig_expect_tail(int fd, const char *tail, int timeout_ms, const char *file, int line);
#define PPP_RIG_EXPECT_TAIL(fd, tail) ppp_rig_expect_tail(fd, tail, 10000, __FILE__, __LINE__)
/* Boot text away, ATE0, then ATD*99# -> CONNECT. */
void ppp_rig_dial(int fd);
/* New client on fd and wait until IPCP is up (asserts). */
struct ppp_client *ppp_rig_up(struct ev_loop *loop, int fd);
/* Resolve name through the link (asserts success unless expect_fail). */
uint32_t ppp_rig_resolve(struct ev_loop *loop, struct ppp_client *c, const char *name,
			 enum ppp_client_err *err);

/* A request/response exchange: send req, collect everything until the server closes. */
struct ppp_rig_fetch {
	char *body;              /* everything received (NUL-terminated), owned */
	size_t len, cap;
	bool connected, done;
	enum ppp_client_err err;
	const char *tls_version; /* valid while conn lives */
	struct ppp_client_conn *conn;
};
/* Connect (TLS when tls != NULL), send req, wait for the close; returns false on timeout. */
bool ppp_rig_fetch(struct ev_loop *loop, struct ppp_client *c, uint32_t addr, uint16_t port,
		   SSL_CTX *tls, const char *sni, const char *req, struct ppp_rig_fetch *f);
void ppp_rig_fetch_free(struct ppp_rig_fetch *f);

#endif
