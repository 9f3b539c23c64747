/* ppp_simrig.c - the PPP test rig (see ppp_simrig.h). */
#include "ppp_simrig.h"

#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* One set of fixture servers for a test program's group (test-support state, not a modem's). */
static struct fxproc group_fx;

int rig_group_setup(void **state)
{
	(void)state;
	return fxproc_start(&group_fx) ? 0 : -1;
}

int rig_group_teardown(void **state)
{
	(void)state;
	return fxproc_stop(&group_fx) == 0 ? 0 : -1;
}

int rig_setup(void **state)
{
	struct rig *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->fx = &group_fx;
	r->fd = -1;
	for (int i = 0; i < RIG_MAX_CLIENTS; i++)
		r->fds[i] = -1;
	*state = r;
	return 0;
}

/* Clients before their ttys and loop (ppp_client_free stops watchers on the loop and removes
 * the netif from lwIP); then the simulator. Safe on a half-built rig and twice. Returns
 * simproc_stop's status (0: the simulator exited cleanly). */
static int rig_release(struct rig *r)
{
	ppp_client_free(r->c);
	r->c = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	for (int i = 0; i < RIG_MAX_CLIENTS; i++) {
		ppp_client_free(r->cs[i]);
		r->cs[i] = NULL;
		if (r->fds[i] >= 0)
			close(r->fds[i]);
		r->fds[i] = -1;
	}
	if (r->t)
		simtest_free(r->t);
	r->t = NULL;
	SSL_CTX_free(r->tls);
	r->tls = NULL;
	free(r->data);
	r->data = NULL;
	if (r->loop)
		ev_loop_destroy(r->loop);
	r->loop = NULL;
	int rc = 0;
	if (r->sim_running)
		rc = simproc_stop(&r->sim);
	r->sim_running = false;
	return rc;
}

int rig_teardown(void **state)
{
	struct rig *r = *state;
	int rc = rig_release(r);
	free(r);
	return rc == 0 ? 0 : -1;
}

void rig_start(struct rig *r, const char *profile, int modems, const char *allow)
{
	rig_start_ctl(r, profile, modems, allow, NULL);
}

void rig_start_ctl(struct rig *r, const char *profile, int modems, const char *allow,
			  const char *control)
{
	char prof[256], hweb[96], hsec[96], hudp[96], m[16];
	snprintf(prof, sizeof prof, SIM800_SOURCE_DIR "/profiles/%s.yaml", profile);
	snprintf(hweb, sizeof hweb, "web.test:80=127.0.0.1:%d", r->fx->http);
	snprintf(hsec, sizeof hsec, "secure.test:443=127.0.0.1:%d", r->fx->https_modern);
	snprintf(hudp, sizeof hudp, "echo.test:7=127.0.0.1:%d", r->fx->udp_echo);
	snprintf(m, sizeof m, "%d", modems);
	const char *args[20] = {"--no-pacing", "--time-scale", "0", "--profile", prof, "--modems", m,
				"--host", hweb, "--host", hsec, "--host", hudp};
	int n = 13;
	if (allow) {
		args[n++] = "--allow";
		args[n++] = allow;
	}
	if (control) {
		args[n++] = "--control";
		args[n++] = control;
	}
	args[n] = NULL;
	r->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(r->loop);
	assert_true(simproc_start(&r->sim, modems, args));
	r->sim_running = true;
}

/* The end of a passing test: everything freed, and the simulator exited cleanly. */
void rig_stop(struct rig *r)
{
	assert_int_equal(rig_release(r), 0);
}

/* Open modem i, dial, bring PPP up. */
void rig_online(struct rig *r, int i)
{
	r->fd = simproc_open_tty(r->sim.path[i]);
	assert_true(r->fd >= 0);
	ppp_rig_dial(r->fd);
	r->c = ppp_rig_up(r->loop, r->fd);
}

const char get_req[] = "GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n";

void http_get_ok(struct rig *r, const char *name, uint16_t port, SSL_CTX *tls)
{
	uint32_t a = ppp_rig_resolve(r->loop, r->c, name, NULL);
	struct ppp_rig_fetch f;
	assert_true(ppp_rig_fetch(r->loop, r->c, a, port, tls, name, get_req, &f));
	assert_int_equal(f.err, PPP_CLIENT_OK);
	assert_non_null(f.body);
	assert_memory_equal(f.body, "HTTP/1.1 200", 12);
	if (tls) {
		assert_non_null(f.tls_version);
		assert_memory_equal(f.tls_version, "TLSv1.", 6);
	}
	ppp_rig_fetch_free(&f);
}

SSL_CTX *tls_client(int max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, max);
	/* The fixtures use a test certificate; what matters here is the TLS version the
	 * host-side stack negotiates through the modem, not the chain. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* Escape with the guard: stop the client's I/O, silence, "+++", OK. */
void escape(struct rig *r)
{
	ppp_client_pause(r->c);
	ppp_rig_run_for(r->loop, 0.05);
	simproc_write_str(r->fd, "+++");
	PPP_RIG_EXPECT_TAIL(r->fd, "\r\nOK\r\n");
}

void sha256_hex(const uint8_t *d, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_Digest(d, n, md, &len, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool is_down(void *ctx)
{
	return ppp_client_state(ctx) == PPP_CLIENT_DOWN;
}
