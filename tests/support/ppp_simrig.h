/* ppp_simrig.h - a PPP test rig: sim800-sim child, client loop, fixtures, cleanup on failure. */
#ifndef PPP_SIMRIG_H
#define PPP_SIMRIG_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fxproc.h"
#include "ppp_rig.h"
#include "simproc.h"
#include "simtest.h"

/* One simulator process for a test: its modems' ptys, a loop for the client side. It lives in
 * the test's state, so rig_teardown frees what a failed test leaves behind: cmocka longjmps out
 * of a failed assertion, and a client left alive would keep its netif, pcbs and timers in the
 * process-wide lwIP, where the next test's clients run them (a crash in the next test). */
enum { RIG_MAX_CLIENTS = 20 };

struct rig {
	const struct fxproc *fx; /* the fixture servers the --host entries point at */
	struct simproc sim;
	bool sim_running;       /* sim needs simproc_stop */
	struct ev_loop *loop;
	int fd;                 /* the tty of rig_online's client, or -1 */
	struct ppp_client *c;
	int fds[RIG_MAX_CLIENTS];                 /* more links (twenty_modems_at_once), or -1 */
	struct ppp_client *cs[RIG_MAX_CLIENTS];
	struct simtest *t;      /* an in-process modem: its PPP link is in this process's lwIP */
	SSL_CTX *tls;           /* the test's TLS client context */
	uint8_t *data;          /* the test's payload buffer */
};

/* cmocka group setup/teardown: sim800-fixtures for every test of the program. */
int rig_group_setup(void **state);
int rig_group_teardown(void **state);
/* cmocka per-test setup/teardown: a rig in *state, freed even when the test failed. */
int rig_setup(void **state);
int rig_teardown(void **state);
#define RIG_TEST(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)
/* sim800-sim with --host web.test:80, secure.test:443 (https-modern), echo.test:7 (udp-echo);
 * allow: --allow CIDR or NULL; control: --control PATH or NULL. */
void rig_start(struct rig *r, const char *profile, int modems, const char *allow);
void rig_start_ctl(struct rig *r, const char *profile, int modems, const char *allow,
		   const char *control);
/* The end of a passing test: everything freed, and the simulator exited cleanly. */
void rig_stop(struct rig *r);
/* Open modem i, dial, bring PPP up (r->fd, r->c). */
void rig_online(struct rig *r, int i);
/* GET / HTTP/1.1 for web.test, Connection: close. */
extern const char get_req[];
/* Resolve name through the link and GET / (TLS when tls): asserts a 200. */
void http_get_ok(struct rig *r, const char *name, uint16_t port, SSL_CTX *tls);
/* TLS 1.2 up to max, no certificate checks (the fixtures' certificate is self-signed). */
SSL_CTX *tls_client(int max);
/* Stop the client's I/O, guard, "+++", OK. */
void escape(struct rig *r);
void sha256_hex(const uint8_t *d, size_t n, char out[65]);
/* ppp_rig_run_until predicate: the client's link is down. */
bool is_down(void *ctx);

#endif
