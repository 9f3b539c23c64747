/* test_ppp_faults.c - PPP when things go wrong: hang-ups, closes, --allow, noise, UDP, TLS names. */
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ppp_simrig.h"

/* LCP Terminate from the host: the link ends cleanly, then NO CARRIER (V.250). */
static void host_terminate_no_carrier(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, NULL);
	rig_online(r, 0);
	ppp_client_close(r->c);
	assert_true(ppp_rig_run_until(r->loop, is_down, r->c, 10));
	ppp_client_pause(r->c);
	PPP_RIG_EXPECT_TAIL(r->fd, "\r\nNO CARRIER\r\n");
	simproc_write_str(r->fd, "AT\r");
	EXPECT_TTY(r->fd, "\r\nOK\r\n");
	rig_stop(r);
}

/* tcp-close closes right after accepting: the host sees an orderly close, the link stays. */
static void server_closes(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, NULL);
	rig_online(r, 0);
	struct ppp_rig_fetch f;
	assert_true(ppp_rig_fetch(r->loop, r->c, htonl(INADDR_LOOPBACK), (uint16_t)r->fx->tcp_close,
				  NULL, NULL, "hello\n", &f));
	assert_int_equal(f.err, PPP_CLIENT_OK);
	ppp_rig_fetch_free(&f);
	http_get_ok(r, "web.test", 80, NULL);
	rig_stop(r);
}

/* ---- UDP (not DNS) through the relay ------------------------------------------------------- */

struct udp_wait {
	char got[64];
	size_t n;
	uint32_t from;
	uint16_t port;
	int count;
};

static void udp_got(void *ctx, uint32_t addr, uint16_t port, const uint8_t *buf, size_t n)
{
	struct udp_wait *w = ctx;
	w->count++;
	w->from = addr;
	w->port = port;
	w->n = n < sizeof w->got ? n : sizeof w->got;
	memcpy(w->got, buf, w->n);
}

static bool udp_answered(void *ctx)
{
	return ((struct udp_wait *)ctx)->count > 0;
}

static size_t udp_records(const struct fxproc *fx, const char *sha)
{
	json_t *recs = fxproc_records(fx, "udp-echo", "datagram");
	size_t k = 0;
	for (size_t i = 0; i < json_array_size(recs); i++) {
		const char *s = json_string_value(json_object_get(json_array_get(recs, i), "sha256_in"));
		k += s && strcmp(s, sha) == 0;
	}
	json_decref(recs);
	return k;
}

/* udp-echo answers before it logs the datagram: wait (bounded) for the line. */
struct log_wait {
	const struct fxproc *fx;
	const char *sha;
};

static bool udp_logged(void *ctx)
{
	const struct log_wait *w = ctx;
	return udp_records(w->fx, w->sha) == 1;
}

/* Datagrams to a mapped name (echo.test:7 -> the udp-echo fixture) and to a literal allowed
 * address come back from where they were sent; the fixture logs each one. Outside --allow
 * nothing leaves; an oversized datagram is refused by the client. */
static void udp_echo_through_relay(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, "127.0.0.1/32");
	rig_online(r, 0);
	struct udp_wait w = {0};
	struct ppp_client_udp *u = ppp_client_udp_open(r->c, udp_got, &w);
	assert_non_null(u);
	uint32_t a = ppp_rig_resolve(r->loop, r->c, "echo.test", NULL);
	static const char msg1[] = "datagram one, by name";
	char sha[65];
	sha256_hex((const uint8_t *)msg1, sizeof msg1 - 1, sha);
	assert_int_equal(ppp_client_udp_send(u, a, 7, msg1, sizeof msg1 - 1), PPP_CLIENT_OK);
	assert_true(ppp_rig_run_until(r->loop, udp_answered, &w, 10));
	assert_int_equal(w.n, sizeof msg1 - 1);
	assert_memory_equal(w.got, msg1, w.n);
	assert_int_equal(w.from, a);
	assert_int_equal(w.port, 7);
	struct log_wait lw = {r->fx, sha};
	assert_true(ppp_rig_run_until(r->loop, udp_logged, &lw, 5));

	w = (struct udp_wait){0};
	static const char msg2[] = "datagram two, by address";
	assert_int_equal(ppp_client_udp_send(u, htonl(INADDR_LOOPBACK), (uint16_t)r->fx->udp_echo, msg2,
					     sizeof msg2 - 1),
			 PPP_CLIENT_OK);
	assert_true(ppp_rig_run_until(r->loop, udp_answered, &w, 10));
	assert_memory_equal(w.got, msg2, sizeof msg2 - 1);
	assert_int_equal(w.from, htonl(INADDR_LOOPBACK));
	assert_int_equal(w.port, r->fx->udp_echo);

	/* 127.0.0.2 is outside --allow: dropped at the relay, so no answer and no log line. */
	w = (struct udp_wait){0};
	static const char msg3[] = "datagram three, not allowed";
	sha256_hex((const uint8_t *)msg3, sizeof msg3 - 1, sha);
	assert_int_equal(ppp_client_udp_send(u, htonl(0x7f000002u), (uint16_t)r->fx->udp_echo, msg3,
					     sizeof msg3 - 1),
			 PPP_CLIENT_OK);
	ppp_rig_run_for(r->loop, 0.3);
	assert_int_equal(w.count, 0);
	assert_int_equal(udp_records(r->fx, sha), 0);

	static uint8_t big[1473];
	assert_int_equal(ppp_client_udp_send(u, a, 7, big, sizeof big), PPP_CLIENT_ETOOBIG);
	ppp_client_udp_free(u);
	rig_stop(r);
}

/* --allow 127.0.0.2/32: the fixture on 127.0.0.1 is refused (RST) and logs nothing. */
static void outside_allow_refused(void **state)
{
	struct rig *r = *state;
	json_t *before = fxproc_records(r->fx, "http", NULL);
	size_t n0 = json_array_size(before);
	json_decref(before);
	rig_start(r, "sim800-r14.18", 1, "127.0.0.2/32");
	rig_online(r, 0);
	struct ppp_rig_fetch f;
	uint32_t a = ppp_rig_resolve(r->loop, r->c, "web.test", NULL);
	assert_true(ppp_rig_fetch(r->loop, r->c, a, 80, NULL, NULL, get_req, &f));
	assert_false(f.connected);
	assert_int_equal(f.err, PPP_CLIENT_EREFUSED);
	ppp_rig_fetch_free(&f);
	assert_true(ppp_rig_fetch(r->loop, r->c, htonl(INADDR_LOOPBACK), (uint16_t)r->fx->http, NULL,
				  NULL, get_req, &f));
	assert_int_equal(f.err, PPP_CLIENT_EREFUSED);
	ppp_rig_fetch_free(&f);
	json_t *after = fxproc_records(r->fx, "http", NULL);
	assert_int_equal(json_array_size(after), n0);
	json_decref(after);
	rig_stop(r);
}

/* ---- TLS names ------------------------------------------------------------------------------ */

/* The fixture's self-signed certificate (CN and SAN localhost, 127.0.0.1), fetched directly,
 * becomes the trust anchor: then only the host name decides. */
static SSL_CTX *trusting_fixture(const struct rig *r)
{
	SSL_CTX *probe = tls_client(TLS1_3_VERSION);
	SSL *ssl = SSL_new(probe);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->fx->https_modern)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
	SSL_set_fd(ssl, s);
	assert_int_equal(SSL_connect(ssl), 1);
	X509 *cert = SSL_get1_peer_certificate(ssl);
	assert_non_null(cert);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(s);
	SSL_CTX_free(probe);
	SSL_CTX *ctx = tls_client(TLS1_3_VERSION);
	assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert), 1);
	X509_free(cert);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

/* Through PPP the host's OpenSSL checks the certificate against the name it asked for: the
 * certificate's name passes, another name (a trusted certificate for the wrong host) fails
 * the handshake. */
static void tls_host_name_checked(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, NULL);
	rig_online(r, 0);
	r->tls = trusting_fixture(r);
	uint32_t a = ppp_rig_resolve(r->loop, r->c, "secure.test", NULL);
	struct ppp_rig_fetch f;
	assert_true(ppp_rig_fetch(r->loop, r->c, a, 443, r->tls, "localhost", get_req, &f));
	assert_int_equal(f.err, PPP_CLIENT_OK);
	assert_memory_equal(f.body, "HTTP/1.1 200", 12);
	ppp_rig_fetch_free(&f);
	assert_true(ppp_rig_fetch(r->loop, r->c, a, 443, r->tls, "secure.test", get_req, &f));
	assert_false(f.connected);
	assert_int_equal(f.err, PPP_CLIENT_ETLS);
	ppp_rig_fetch_free(&f);
	/* An address as the name: checked against the certificate's IP SAN, no SNI sent. */
	assert_true(ppp_rig_fetch(r->loop, r->c, a, 443, r->tls, "127.0.0.1", get_req, &f));
	assert_int_equal(f.err, PPP_CLIENT_OK);
	ppp_rig_fetch_free(&f);
	rig_stop(r);
}

/* Garbage, truncated frames, bad FCS, an oversized frame: dropped by the framing; the link
 * lives on. */
static void garbage_frames(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, NULL);
	rig_online(r, 0);
	uint8_t junk[8192];
	uint32_t x = 12345;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof junk; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			junk[i] = (uint8_t)x;
		}
		/* Never the escape: no '+' at all in the noise. */
		for (size_t i = 0; i < sizeof junk; i++)
			if (junk[i] == '+')
				junk[i] = '-';
		size_t n = 1 + x % sizeof junk;
		simproc_write(r->fd, junk, n);
		/* A truncated LCP frame and one with a wrong FCS. */
		static const uint8_t cut[] = {0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x01, 0x01};
		static const uint8_t badfcs[] = {0x7e, 0xff, 0x03, 0xc0, 0x21, 0x09, 0x07, 0x00,
						 0x08, 0, 0, 0, 0, 0x12, 0x34, 0x7e};
		simproc_write(r->fd, cut, sizeof cut);
		simproc_write(r->fd, badfcs, sizeof badfcs);
		ppp_rig_run_for(r->loop, 0.01);
	}
	/* A flag ends whatever partial frame the noise left. */
	simproc_write(r->fd, "\x7e", 1);
	http_get_ok(r, "web.test", 80, NULL);
	rig_stop(r);
}

/* The host drops the pty mid-session: the modem stays in data mode (field-bugs.md
 * ppp-host-reboot-in-data-mode); AT is PPP garbage until a guarded "+++". */
static void host_drops_pty(void **state)
{
	struct rig *r = *state;
	rig_start(r, "sim800-r14.18", 1, NULL);
	rig_online(r, 0);
	ppp_client_free(r->c);
	r->c = NULL;
	close(r->fd);
	r->fd = simproc_open_tty(r->sim.path[0]);
	assert_true(r->fd >= 0);
	char junk[4096];
	simproc_read_all(r->fd, junk, sizeof junk, 300, 100);
	simproc_write_str(r->fd, "AT\r");
	size_t n = simproc_read_all(r->fd, junk, sizeof junk - 1, 500, 300);
	junk[n] = '\0';
	assert_null(strstr(junk, "OK"));
	ppp_rig_run_for(r->loop, 0.05);
	simproc_write_str(r->fd, "+++");
	PPP_RIG_EXPECT_TAIL(r->fd, "\r\nOK\r\n");
	simproc_write_str(r->fd, "ATH\r");
	EXPECT_TTY(r->fd, "\r\nOK\r\n");
	/* And a new call works. */
	simproc_write_str(r->fd, "ATD*99#\r");
	EXPECT_TTY_START(r->fd, "\r\nCONNECT\r\n");
	r->c = ppp_rig_up(r->loop, r->fd);
	http_get_ok(r, "web.test", 80, NULL);
	rig_stop(r);
}

/* The network side ends the call (deregistration through the control socket): NO CARRIER
 * while online, and the line is AT again. */
static void network_drop_no_carrier(void **state)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/sim800-ppp-ctl-%d", (int)getpid());
	unlink(path);
	struct rig *r = *state;
	rig_start_ctl(r, "sim800-r14.18", 1, NULL, path);
	rig_online(r, 0);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
	static const char req[] = "{\"op\":\"network\",\"reg\":\"not_searching\"}\n";
	assert_int_equal(write(s, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
	ppp_client_pause(r->c);
	PPP_RIG_EXPECT_TAIL(r->fd, "\r\nNO CARRIER\r\n");
	simproc_write_str(r->fd, "AT\r");
	EXPECT_TTY(r->fd, "\r\nOK\r\n");
	close(s);
	rig_stop(r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RIG_TEST(host_terminate_no_carrier),
		RIG_TEST(server_closes),
		RIG_TEST(outside_allow_refused),
		RIG_TEST(udp_echo_through_relay),
		RIG_TEST(tls_host_name_checked),
		RIG_TEST(garbage_frames),
		RIG_TEST(host_drops_pty),
		RIG_TEST(network_drop_no_carrier),
	};
	return cmocka_run_group_tests(tests, rig_group_setup, rig_group_teardown);
}
