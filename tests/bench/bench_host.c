/* bench_host.c - the host side of tools/bench: drives ptys like a driver and times the answers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage (each prints one JSON object on stdout; tools/bench does the comparing):
 *   bench_host rtt PATH COUNT                   AT\r -> OK round trips, one at a time
 *   bench_host many PATTERN N ROUNDS            N ptys (PATTERN has %d) at once, AT to each
 *   bench_host paced PATTERN N SECONDS RATE     N ptys each sending AT RATE times a second
 *   bench_host cipsend PATH PORT BYTES          TCP upload through CIPSEND (1460-byte sends)
 *   bench_host ipd PATH PORT BYTES              TCP download pushed by the modem
 *   bench_host transparent-up|transparent-down PATH PORT BYTES   the same in CIPMODE=1
 *   bench_host cipsend-floor PATH BYTES         the CIPSEND exchange against bench_peer ok
 *   bench_host raw-read PATH BYTES              raw pty read rate (bench_peer source)
 *   bench_host raw-write PATH BYTES             raw pty write rate (bench_peer sink)
 *   bench_host pace PATH COUNT                  COUNT x AT&V at once; output rate, first to last byte
 * The simulator side is expected to run with --power-on start (no boot output) and ATE0 is
 * sent first wherever a modem is driven. Every wait is bounded (10 s): a stuck modem is an
 * error with exit status 1, not a hung benchmark.
 */

#define WAIT_MS 10000
#define SEND_MAX 1460 /* CIPSEND's largest single send (AT+CIPSEND? on R14.18) */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what)
{
	fprintf(stderr, "bench_host: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static int open_raw(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fail(path);
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	return fd;
}

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, WAIT_MS) <= 0)
				fail("write stalled");
			continue;
		}
		if (w < 0)
			fail("write");
		p += w;
		n -= (size_t)w;
	}
}

/* Accumulated input of one line, searched for a terminator. */
struct rx {
	char buf[1 << 16];
	size_t len;
	size_t total;      /* bytes read overall */
	double first, last; /* times of the first and the last read */
};

static bool rx_has(struct rx *r, const char *needle)
{
	size_t k = strlen(needle);
	if (r->len < k)
		return false;
	/* Terminators end the buffer in every exchange used here; memmem covers the rest. */
	return memmem(r->buf, r->len, needle, k) != NULL;
}

/* Read once what is there (after poll); false on timeout. */
static bool rx_read(int fd, struct rx *r, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int p = poll(&pfd, 1, timeout_ms);
	if (p <= 0)
		return false;
	if (r->len == sizeof r->buf)
		r->len = 0; /* only terminators matter; a full buffer is old data */
	ssize_t n = read(fd, r->buf + r->len, sizeof r->buf - r->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		fail("read");
	double t = now_s();
	if (r->total == 0)
		r->first = t;
	r->last = t;
	r->len += (size_t)n;
	r->total += (size_t)n;
	return true;
}

static void wait_for(int fd, struct rx *r, const char *needle)
{
	while (!rx_has(r, needle))
		if (!rx_read(fd, r, WAIT_MS)) {
			fprintf(stderr, "bench_host: waiting for \"%s\", got %zu bytes\n", needle, r->len);
			errno = 0;
			fail("timeout");
		}
}

static void command(int fd, struct rx *r, const char *cmd, const char *needle)
{
	r->len = 0;
	write_all(fd, cmd, strlen(cmd));
	wait_for(fd, r, needle);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void print_percentiles(const char *extra, double *us, size_t n)
{
	qsort(us, n, sizeof *us, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += us[i];
	printf("{%s\"n\": %zu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"mean_us\": %.1f}\n",
	       extra, n, us[n / 2], us[(size_t)((double)n * 0.99)], us[n - 1], sum / (double)n);
}

static int cmd_rtt(const char *path, long count)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	double *us = malloc(sizeof *us * (size_t)count);
	if (!r || !us)
		fail("malloc");
	command(fd, r, "ATE0\r", "OK\r\n");
	for (int i = 0; i < 200; i++) /* warm-up: caches, page faults, the scheduler */
		command(fd, r, "AT\r", "OK\r\n");
	for (long i = 0; i < count; i++) {
		double t0 = now_s();
		command(fd, r, "AT\r", "OK\r\n");
		us[i] = (now_s() - t0) * 1e6;
	}
	print_percentiles("", us, (size_t)count);
	free(us);
	free(r);
	close(fd);
	return 0;
}

/* n modems' ptys (PATTERN has %d), raw, echo off, in one epoll set (data.u64 = index). */
struct fleet {
	long n;
	int *fds;
	struct rx *rx;
	double *sent;
	int ep;
};

static void fleet_open(struct fleet *f, const char *pattern, long n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	f->n = n;
	f->fds = calloc((size_t)n, sizeof *f->fds);
	f->rx = calloc((size_t)n, sizeof *f->rx);
	f->sent = calloc((size_t)n, sizeof *f->sent);
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!f->fds || !f->rx || !f->sent || f->ep < 0)
		fail("setup");
	for (long i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, pattern, (int)i);
		f->fds[i] = open_raw(path);
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
		if (epoll_ctl(f->ep, EPOLL_CTL_ADD, f->fds[i], &ev) != 0)
			fail("epoll_ctl");
	}
	for (long i = 0; i < n; i++)
		command(f->fds[i], &f->rx[i], "ATE0\r", "OK\r\n");
}

/* Read what the ready modems sent; for each whose OK completes, latency into us[*k]. Returns
 * how many completed; -1 when nothing came within WAIT_MS. */
static long fleet_collect(struct fleet *f, int timeout_ms, double *us, size_t *k, bool *busy)
{
	struct epoll_event evs[256];
	int e = epoll_wait(f->ep, evs, 256, timeout_ms);
	if (e < 0 && errno != EINTR)
		return -1;
	long done = 0;
	for (int j = 0; j < e; j++) {
		long i = (long)evs[j].data.u64;
		struct rx *r = &f->rx[i];
		bool had = rx_has(r, "OK\r\n");
		if (r->len == sizeof r->buf)
			r->len = 0;
		ssize_t got = read(f->fds[i], r->buf + r->len, sizeof r->buf - r->len);
		if (got <= 0)
			continue;
		r->len += (size_t)got;
		if (!had && rx_has(r, "OK\r\n")) {
			us[(*k)++] = (now_s() - f->sent[i]) * 1e6;
			done++;
			if (busy)
				busy[i] = false;
		}
	}
	return done;
}

static void fleet_close(struct fleet *f)
{
	for (long i = 0; i < f->n; i++)
		close(f->fds[i]);
	close(f->ep);
	free(f->sent);
	free(f->rx);
	free(f->fds);
}

static void fleet_send(struct fleet *f, long i)
{
	f->rx[i].len = 0;
	f->sent[i] = now_s();
	write_all(f->fds[i], "AT\r", 3);
}

/* Many modems at once: every round writes AT to all, then collects every OK. */
static int cmd_many(const char *pattern, long n, long rounds)
{
	struct fleet f;
	fleet_open(&f, pattern, n);
	double *us = calloc((size_t)(n * rounds), sizeof *us);
	if (!us)
		fail("setup");
	size_t k = 0;
	double start = now_s();
	for (long round = 0; round < rounds; round++) {
		for (long i = 0; i < n; i++)
			fleet_send(&f, i);
		for (long done = 0; done < n;) {
			long d = fleet_collect(&f, WAIT_MS, us, &k, NULL);
			if (d < 0 || (d == 0 && now_s() - f.sent[n - 1] > WAIT_MS / 1000.0))
				fail("many: modems stopped answering");
			done += d;
		}
	}
	double wall = now_s() - start;
	char extra[128];
	snprintf(extra, sizeof extra, "\"modems\": %ld, \"commands_per_s\": %.0f, ", n,
		 (double)k / wall);
	print_percentiles(extra, us, k);
	fleet_close(&f);
	free(us);
	return 0;
}

/* All modems in use at a steady rate: each sends AT every 1/rate s (phases spread evenly),
 * never with its previous AT unanswered (that send is skipped and counted). The latency a
 * driver sees on a busy shared process, where `many` measures how fast a burst drains. */
static int cmd_paced(const char *pattern, long n, double seconds, double rate)
{
	struct fleet f;
	fleet_open(&f, pattern, n);
	size_t cap = (size_t)((double)n * rate * seconds) + (size_t)n + 16, k = 0;
	double *us = calloc(cap, sizeof *us), *next = calloc((size_t)n, sizeof *next);
	bool *busy = calloc((size_t)n, sizeof *busy);
	if (!us || !next || !busy)
		fail("setup");
	double start = now_s(), end = start + seconds, period = 1.0 / rate;
	for (long i = 0; i < n; i++)
		next[i] = start + period * (double)i / (double)n;
	long skipped = 0;
	for (double t = start; t < end; t = now_s()) {
		double soonest = end;
		for (long i = 0; i < n; i++) {
			if (next[i] <= t && k < cap) {
				if (busy[i]) {
					skipped++;
				} else {
					busy[i] = true;
					fleet_send(&f, i);
				}
				next[i] += period;
			}
			if (next[i] < soonest)
				soonest = next[i];
		}
		int ms = (int)((soonest - now_s()) * 1000);
		if (fleet_collect(&f, ms < 0 ? 0 : ms, us, &k, busy) < 0)
			fail("paced: epoll");
	}
	for (double t = now_s(); now_s() - t < WAIT_MS / 1000.0;) { /* the last answers */
		bool any = false;
		for (long i = 0; i < n && !any; i++)
			any = busy[i];
		if (!any)
			break;
		if (fleet_collect(&f, 100, us, &k, busy) < 0)
			fail("paced: epoll");
	}
	char extra[160];
	snprintf(extra, sizeof extra, "\"modems\": %ld, \"rate_per_modem\": %.1f, "
		 "\"commands_per_s\": %.0f, \"skipped\": %ld, ", n, rate,
		 (double)k / seconds, skipped);
	print_percentiles(extra, us, k);
	fleet_close(&f);
	free(busy);
	free(next);
	free(us);
	return 0;
}

/* CSTT / CIICR / CIFSR / CIPSTART to 127.0.0.1:port, single connection, raw push (CIPHEAD=0);
 * transparent: AT+CIPMODE=1 first, and the connect ends in CONNECT (data mode). */
static void tcp_connect_mode(int fd, struct rx *r, int port, bool transparent)
{
	char cmd[128];
	command(fd, r, "ATE0\r", "OK\r\n");
	if (transparent)
		command(fd, r, "AT+CIPMODE=1\r", "OK\r\n");
	command(fd, r, "AT+CSTT=\"internet\",\"\",\"\"\r", "OK\r\n");
	command(fd, r, "AT+CIICR\r", "OK\r\n");
	command(fd, r, "AT+CIFSR\r", "\r\n");
	snprintf(cmd, sizeof cmd, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", port);
	command(fd, r, cmd, transparent ? "CONNECT\r\n" : "CONNECT OK\r\n");
}

static void tcp_connect(int fd, struct rx *r, int port)
{
	tcp_connect_mode(fd, r, port, false);
}

/* Transparent mode (CIPMODE=1): raw bytes both ways, timed the way raw-read/raw-write are. */
static int cmd_transparent(const char *path, int port, long bytes, bool upload_dir)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	char *buf = malloc(1 << 16);
	if (!r || !buf)
		fail("malloc");
	tcp_connect_mode(fd, r, port, true);
	double t0, secs;
	if (upload_dir) {
		/* No '+' in the data: "+++" after silence would be the escape. */
		memset(buf, 'x', 1 << 16);
		t0 = now_s();
		for (long off = 0; off < bytes; off += 1 << 16)
			write_all(fd, buf, (size_t)(bytes - off < (1 << 16) ? bytes - off : (1 << 16)));
		secs = now_s() - t0;
	} else {
		char req[32];
		int len = snprintf(req, sizeof req, "%ld\n", bytes);
		r->len = 0;
		write_all(fd, req, (size_t)len);
		t0 = now_s();
		size_t base = r->total;
		/* N raw bytes, then "\r\nCLOSED\r\n" when tcp-source closes. */
		while (r->total - base < (size_t)bytes) {
			r->len = 0;
			if (!rx_read(fd, r, WAIT_MS))
				fail("transparent download stalled");
		}
		secs = r->last - t0;
	}
	printf("{\"bytes\": %ld, \"seconds\": %.6f, \"mb_s\": %.3f}\n", bytes, secs,
	       (double)bytes / secs / 1e6);
	free(buf);
	free(r);
	close(fd);
	return 0;
}

static double upload(int fd, struct rx *r, long bytes)
{
	static const char chunk_text[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char chunk[SEND_MAX];
	for (size_t i = 0; i < sizeof chunk; i++)
		chunk[i] = chunk_text[i % (sizeof chunk_text - 1)];
	double t0 = now_s();
	for (long off = 0; off < bytes; off += SEND_MAX) {
		long n = bytes - off < SEND_MAX ? bytes - off : SEND_MAX;
		char cmd[64];
		snprintf(cmd, sizeof cmd, "AT+CIPSEND=%ld\r", n);
		command(fd, r, cmd, "> ");
		r->len = 0;
		write_all(fd, chunk, (size_t)n);
		wait_for(fd, r, "SEND OK\r\n");
	}
	return now_s() - t0;
}

static int cmd_cipsend(const char *path, int port, long bytes, bool floor)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	if (!r)
		fail("malloc");
	if (!floor)
		tcp_connect(fd, r, port);
	upload(fd, r, bytes / 16); /* warm-up */
	double secs = upload(fd, r, bytes);
	printf("{\"bytes\": %ld, \"seconds\": %.6f, \"mb_s\": %.3f}\n", bytes, secs,
	       (double)bytes / secs / 1e6);
	free(r);
	close(fd);
	return 0;
}

static int cmd_ipd(const char *path, int port, long bytes)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	if (!r)
		fail("malloc");
	tcp_connect(fd, r, port);
	char req[32];
	int len = snprintf(req, sizeof req, "%ld\n", bytes);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "AT+CIPSEND=%d\r", len);
	command(fd, r, cmd, "> ");
	r->len = 0;
	write_all(fd, req, (size_t)len);
	double t0 = now_s();
	size_t base = r->total;
	/* The payload, then "\r\nCLOSED\r\n" when tcp-source closes after the last byte. The
	 * clock of the line rate starts at the end of the first read after the request. */
	r->len = 0;
	if (!rx_read(fd, r, WAIT_MS))
		fail("ipd: no data");
	double first_at = r->last;
	size_t first_total = r->total;
	while (!rx_has(r, "CLOSED\r\n")) {
		if (r->len > sizeof r->buf / 2) {
			memmove(r->buf, r->buf + r->len - 8, 8);
			r->len = 8;
		}
		if (!rx_read(fd, r, WAIT_MS))
			fail("ipd: stream stalled");
	}
	double secs = r->last - t0;
	size_t got = r->total - base;
	/* The line rate, for pacing: wire bytes after the first read over the time they took. */
	double wire_s = r->last - first_at;
	double wire_rate = wire_s > 0 ? (double)(r->total - first_total) / wire_s : 0;
	printf("{\"bytes\": %ld, \"wire_bytes\": %zu, \"seconds\": %.6f, \"mb_s\": %.3f, "
	       "\"wire_bytes_per_s\": %.1f}\n",
	       bytes, got, secs, (double)bytes / secs / 1e6, wire_rate);
	free(r);
	close(fd);
	return 0;
}

static int cmd_raw(const char *path, long bytes, bool reading)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	if (!r)
		fail("malloc");
	double t0 = now_s(), secs;
	if (reading) {
		char req[32];
		int len = snprintf(req, sizeof req, "%ld\n", bytes);
		write_all(fd, req, (size_t)len);
		t0 = now_s();
		while (r->total < (size_t)bytes) {
			r->len = 0;
			if (!rx_read(fd, r, WAIT_MS))
				fail("raw-read: timeout");
		}
		secs = r->last - t0;
	} else {
		char *buf = malloc(1 << 16);
		if (!buf)
			fail("malloc");
		memset(buf, 'x', 1 << 16);
		for (long off = 0; off < bytes; off += 1 << 16)
			write_all(fd, buf, (size_t)(bytes - off < (1 << 16) ? bytes - off : (1 << 16)));
		/* The last bytes may still sit in the pty; their read costs the peer nothing here. */
		secs = now_s() - t0;
		free(buf);
	}
	printf("{\"bytes\": %ld, \"seconds\": %.6f, \"mb_s\": %.3f}\n", bytes, secs,
	       (double)bytes / secs / 1e6);
	free(r);
	close(fd);
	return 0;
}

/* COUNT AT&V sent at once; the modem answers them back to back at its line rate. */
static int cmd_pace(const char *path, long count)
{
	int fd = open_raw(path);
	struct rx *r = calloc(1, sizeof *r);
	if (!r)
		fail("malloc");
	command(fd, r, "ATE0\r", "OK\r\n");
	size_t base = r->total;
	r->len = 0;
	r->first = 0;
	for (long i = 0; i < count; i++)
		write_all(fd, "AT&V\r", 5);
	long oks = 0;
	double first = 0;
	size_t first_bytes = 0;
	while (oks < count) {
		size_t before = r->len;
		if (!rx_read(fd, r, WAIT_MS))
			fail("pace: timeout");
		if (first == 0) {
			/* The rate is measured from the end of the first read: its bytes were
			 * counted before the clock started. */
			first = r->last;
			first_bytes = r->total - base;
		}
		/* Count finals in the new bytes (plus 3 of overlap for split ones). */
		size_t from = before > 3 ? before - 3 : 0;
		for (char *p = r->buf + from; (p = memmem(p, r->len - (size_t)(p - r->buf), "OK\r\n", 4));
		     p += 4)
			if ((size_t)(p - r->buf) + 4 > before)
				oks++;
		if (r->len > sizeof r->buf / 2) {
			memmove(r->buf, r->buf + r->len - 3, 3);
			r->len = 3;
		}
	}
	size_t bytes = r->total - base - first_bytes;
	double secs = r->last - first;
	printf("{\"bytes\": %zu, \"seconds\": %.6f, \"bytes_per_s\": %.1f}\n", bytes, secs,
	       (double)bytes / secs);
	free(r);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "rtt") == 0)
		return cmd_rtt(argv[2], atol(argv[3]));
	if (argc >= 5 && strcmp(argv[1], "many") == 0)
		return cmd_many(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc >= 6 && strcmp(argv[1], "paced") == 0)
		return cmd_paced(argv[2], atol(argv[3]), atof(argv[4]), atof(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "cipsend") == 0)
		return cmd_cipsend(argv[2], atoi(argv[3]), atol(argv[4]), false);
	if (argc >= 4 && strcmp(argv[1], "cipsend-floor") == 0)
		return cmd_cipsend(argv[2], 0, atol(argv[3]), true);
	if (argc >= 5 && strcmp(argv[1], "transparent-up") == 0)
		return cmd_transparent(argv[2], atoi(argv[3]), atol(argv[4]), true);
	if (argc >= 5 && strcmp(argv[1], "transparent-down") == 0)
		return cmd_transparent(argv[2], atoi(argv[3]), atol(argv[4]), false);
	if (argc >= 5 && strcmp(argv[1], "ipd") == 0)
		return cmd_ipd(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc >= 4 && strcmp(argv[1], "raw-read") == 0)
		return cmd_raw(argv[2], atol(argv[3]), true);
	if (argc >= 4 && strcmp(argv[1], "raw-write") == 0)
		return cmd_raw(argv[2], atol(argv[3]), false);
	if (argc >= 4 && strcmp(argv[1], "pace") == 0)
		return cmd_pace(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of tests/bench/bench_host.c\n");
	return 2;
}
