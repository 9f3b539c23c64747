/* bench_ppp.c - tools/bench's PPP figure: bulk TCP through a simulated modem's PPP link. */
#include <arpa/inet.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ppp_client.h"

/*
 * Usage: bench_ppp ppp-down|ppp-up PTY PORT BYTES
 * Dials (ATE0, AT+CGDCONT, ATD*99#), brings PPP up with the project's lwIP client, then
 * ppp-down asks tcp-source on 127.0.0.1:PORT for BYTES and reads them all; ppp-up sends BYTES
 * to tcp-sink and waits for its close. Prints {"mb_s":..,"bytes":..,"seconds":..} measured from
 * the TCP connection being up to the last byte (down) or the server's close (up), the same
 * span as bench_host's CIP figures. Exit 1 with a message on stderr on any failure.
 */

struct run {
	struct ev_loop *loop;
	struct ppp_client_conn *conn;
	bool up_mode;
	size_t want, got, sent;
	bool connected, closed;
	enum ppp_client_err err;
	double t0, t1;
	uint8_t chunk[16384];
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *msg)
{
	fprintf(stderr, "bench_ppp: %s\n", msg);
	exit(1);
}

/* Send the AT line and read until "\r\n<want>\r\n" arrives, byte by byte so nothing after
 * CONNECT is taken from the PPP client. */
static void at(int fd, const char *cmd, const char *want)
{
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		fail("write to the pty");
	char buf[512];
	size_t len = 0;
	char tail[64];
	snprintf(tail, sizeof tail, "\r\n%s\r\n", want);
	double end = now() + 10;
	while (now() < end) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n == 1) {
			if (len == sizeof buf)
				len = 0;
			buf[len++] = c;
			size_t k = strlen(tail);
			if (len >= k && memcmp(buf + len - k, tail, k) == 0)
				return;
		} else {
			usleep(1000); /* the dial is setup, not the measured span */
		}
	}
	fprintf(stderr, "bench_ppp: %s: no %s\n", cmd, want);
	exit(1);
}

static void pump_up(struct run *r)
{
	while (r->sent < r->want && ppp_client_conn_pending(r->conn) < 256 * 1024) {
		size_t k = r->want - r->sent < sizeof r->chunk ? r->want - r->sent : sizeof r->chunk;
		if (ppp_client_conn_write(r->conn, r->chunk, k) != PPP_CLIENT_OK)
			fail("write through PPP");
		r->sent += k;
	}
	if (r->sent == r->want)
		ppp_client_conn_shutdown(r->conn);
}

static void on_connected(void *ctx)
{
	struct run *r = ctx;
	r->connected = true;
	r->t0 = now();
	if (r->up_mode) {
		pump_up(r);
	} else {
		char line[32];
		int n = snprintf(line, sizeof line, "%zu\n", r->want);
		ppp_client_conn_write(r->conn, line, (size_t)n);
	}
}

static void on_data(void *ctx, const uint8_t *buf, size_t n)
{
	(void)buf;
	struct run *r = ctx;
	r->got += n;
	if (r->got >= r->want && r->t1 == 0)
		r->t1 = now();
}

static void on_closed(void *ctx, enum ppp_client_err err)
{
	struct run *r = ctx;
	r->closed = true;
	r->err = err;
	if (r->t1 == 0)
		r->t1 = now();
}

static const struct ppp_client_conn_cb conn_cb = {on_connected, on_data, on_closed};

int main(int argc, char **argv)
{
	if (argc != 5 || (strcmp(argv[1], "ppp-down") && strcmp(argv[1], "ppp-up"))) {
		fprintf(stderr, "usage: bench_ppp ppp-down|ppp-up PTY PORT BYTES\n");
		return 2;
	}
	struct run r = {.up_mode = strcmp(argv[1], "ppp-up") == 0,
			.want = strtoull(argv[4], NULL, 10)};
	int port = atoi(argv[3]);
	int fd = open(argv[2], O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		fail("cannot open the pty");
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	at(fd, "ATE0\r", "OK");
	at(fd, "AT+CGDCONT=1,\"IP\",\"internet\"\r", "OK");
	at(fd, "ATD*99#\r", "CONNECT");
	r.loop = ev_loop_new(EVFLAG_AUTO);
	struct ppp_client *c = ppp_client_new(r.loop, fd);
	if (!c)
		fail("ppp_client_new");
	double end = now() + 20;
	while (ppp_client_state(c) == PPP_CLIENT_NEGOTIATING && now() < end)
		ev_run(r.loop, EVRUN_ONCE);
	if (ppp_client_state(c) != PPP_CLIENT_UP)
		fail("PPP did not come up");
	r.conn = ppp_client_connect(c, htonl(INADDR_LOOPBACK), (uint16_t)port, NULL, NULL,
				    &conn_cb, &r);
	if (!r.conn)
		fail("connect through PPP");
	end = now() + 600;
	while (!r.closed && now() < end) {
		ev_run(r.loop, EVRUN_ONCE);
		if (r.up_mode && r.connected && r.sent < r.want)
			pump_up(&r);
	}
	if (!r.closed || r.err != PPP_CLIENT_OK || (!r.up_mode && r.got != r.want))
		fail("transfer did not complete");
	double s = r.t1 - r.t0;
	printf("{\"mb_s\": %.4f, \"bytes\": %zu, \"seconds\": %.4f}\n", r.want / s / 1e6, r.want, s);
	ppp_client_conn_free(r.conn);
	ppp_client_free(c);
	ev_loop_destroy(r.loop);
	close(fd);
	return 0;
}
