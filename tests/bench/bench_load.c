/* bench_load.c - the host side of tools/load: N ptys opened, used and hung up in a loop. */
#include <errno.h>
#include <fcntl.h>
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
 * Usage: bench_load PATTERN N SECONDS [--port TCP_ECHO_PORT] [--pause-ms MS] [--progress S]
 *
 * PATTERN has one %d (the modem index, e.g. sim800-sim's --link pattern). Every modem runs
 * cycles until SECONDS have passed, all at once on one epoll loop; each cycle opens the pty,
 * uses it, and hangs up (closes it). The kinds of cycle rotate:
 *   info       ATE0, AT+CSQ, ATI, AT+CREG?, AT+CGMR, then close
 *   tcp        ATE0, CIPSHUT, CSTT, CIICR, CIFSR, CIPSTART to 127.0.0.1:PORT (tcp-echo),
 *              CIPSEND of a unique payload, its echo back, CIPCLOSE, then close
 *   cut        ATE0, AT&V, and close before the answer is read (hang-up mid-answer)
 *   tcp-cut    tcp up to CONNECT OK, then close with the connection open (the next tcp
 *              cycle's CIPSHUT cleans it up)
 * Without --port the tcp kinds are left out. When the time is up, every modem finishes its
 * cycle (none is left waiting for CIPSEND data) and, with --port, runs one last cycle, "shut" (ATE0, AT+CIPSHUT), so that the simulator holds
 * no connection at the end: its fds can then be compared with those at the start. Between cycles a modem rests MS (default 20) on
 * the loop's timer: no sleeping. Every wait is bounded (10 s); a timeout or an unexpected
 * ERROR counts as an error, the modem hangs up and starts its next cycle.
 * Every S seconds (default 10) one JSON line of counters goes to stdout, and a last one with
 * "final": true when the run is over and every pty is closed. Exit status 1 on set-up
 * failure, 0 otherwise (the counters say what happened; tools/load judges).
 */

#define WAIT_S 10.0
#define BUF_CAP 8192

enum kind { K_INFO, K_TCP, K_CUT, K_TCP_CUT, K_SHUT, K_COUNT };
static const char *const kind_name[K_COUNT] = {"info", "tcp", "cut", "tcp-cut", "shut"};

/* One step of a cycle: send (may be NULL) then wait for expect (NULL: no wait). */
enum { S_KEEP = 1,      /* don't clear what was received before (the echo after SEND OK) */
       S_PAYLOAD = 2,   /* send / expect this cycle's payload instead of a fixed string */
       S_CIPSTART = 4,  /* send the CIPSTART line for the port */
       S_CIPSEND = 8,   /* send AT+CIPSEND=<payload length> */
       S_SKIP2 = 16 };  /* search expect after the first two bytes ("\r\n<ip>\r\n") */

struct step {
	const char *send;
	const char *expect;
	int flags;
};

static const struct step info_steps[] = {
	{"ATE0\r", "OK\r\n", 0}, {"AT+CSQ\r", "OK\r\n", 0}, {"ATI\r", "OK\r\n", 0},
	{"AT+CREG?\r", "OK\r\n", 0}, {"AT+CGMR\r", "OK\r\n", 0},
};
static const struct step tcp_steps[] = {
	{"ATE0\r", "OK\r\n", 0},
	{"AT+CIPSHUT\r", "SHUT OK\r\n", 0},
	{"AT+CSTT=\"internet\",\"\",\"\"\r", "OK\r\n", 0},
	{"AT+CIICR\r", "OK\r\n", 0},
	{"AT+CIFSR\r", "\r\n", S_SKIP2},
	{NULL, "CONNECT OK\r\n", S_CIPSTART},  /* tcp-cut hangs up after this one */
	{NULL, "> ", S_CIPSEND},
	{NULL, "SEND OK\r\n", S_PAYLOAD},
	{NULL, NULL, S_PAYLOAD | S_KEEP},  /* the echo: expect the payload */
	{"AT+CIPCLOSE\r", "CLOSE OK\r\n", 0},
};
static const struct step cut_steps[] = {
	{"ATE0\r", "OK\r\n", 0}, {"AT&V\r", NULL, 0},
};
static const struct step shut_steps[] = {
	{"ATE0\r", "OK\r\n", 0}, {"AT+CIPSHUT\r", "SHUT OK\r\n", 0},
};
#define STEPS(a) a, (int)(sizeof a / sizeof a[0])
/* The steps of each kind; after the last one the modem hangs up. */
static const struct script {
	const struct step *steps;
	int n;
} scripts[K_COUNT] = {
	[K_INFO] = {STEPS(info_steps)},
	[K_TCP] = {STEPS(tcp_steps)},
	[K_CUT] = {STEPS(cut_steps)},
	[K_TCP_CUT] = {tcp_steps, 6},
	[K_SHUT] = {STEPS(shut_steps)},
};

/* Lines that end a step badly, whatever it waited for. */
static const char *const failures[] = {"ERROR\r\n", "CONNECT FAIL", "SEND FAIL", "CLOSED\r\n"};

struct modem {
	int index;
	int fd;               /* -1 while hung up */
	enum kind kind;
	int step;
	long cycle;
	double deadline;      /* of the current wait */
	double resume_at;     /* next cycle starts then (while fd < 0) */
	bool shut;            /* the last cycle ("shut") has been started */
	char payload[48];
	size_t len;
	char buf[BUF_CAP];
};

struct counters {
	long cycles[K_COUNT];
	long commands;
	long echoes;
	long errors;
	long opens;
};

struct load {
	const char *pattern;
	long n;
	int port;
	double pause_s;
	int ep;
	struct modem *m;
	struct counters c;
	int reported; /* error details printed so far (stderr, the first few only) */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void hang_up(struct load *l, struct modem *m, double now)
{
	if (m->fd >= 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, m->fd, NULL);
		close(m->fd);
		m->fd = -1;
	}
	m->resume_at = now + l->pause_s;
}

static void fail_cycle(struct load *l, struct modem *m, const char *why, double now)
{
	l->c.errors++;
	if (l->reported++ < 10) {
		char shown[128];
		size_t k = 0;
		for (size_t i = m->len > 60 ? m->len - 60 : 0; i < m->len && k + 5 < sizeof shown; i++) {
			unsigned char ch = (unsigned char)m->buf[i];
			k += (size_t)snprintf(shown + k, sizeof shown - k, ch >= 32 && ch < 127 ? "%c" : "\\x%02x", ch);
		}
		fprintf(stderr, "bench_load: modem %d cycle %ld (%s) step %d: %s; last bytes \"%s\"\n",
			m->index, m->cycle, kind_name[m->kind], m->step, why, shown);
	}
	hang_up(l, m, now);
}

static void send_str(struct load *l, struct modem *m, const char *s, double now)
{
	size_t n = strlen(s);
	ssize_t w = write(m->fd, s, n);
	/* A few dozen bytes into an empty pty: a short write means the line is broken. */
	if (w != (ssize_t)n)
		fail_cycle(l, m, "short write", now);
}

/* Send the current step (if it sends) and arm its wait; advances over steps that don't wait. */
static void start_step(struct load *l, struct modem *m, double now)
{
	for (;;) {
		if (m->step == scripts[m->kind].n) {
			/* End of the script: hang up. */
			l->c.cycles[m->kind]++;
			hang_up(l, m, now);
			return;
		}
		const struct step *s = &scripts[m->kind].steps[m->step];
		if (!(s->flags & S_KEEP))
			m->len = 0;
		char line[96];
		const char *out = s->send;
		if (s->flags & S_CIPSTART) {
			snprintf(line, sizeof line, "AT+CIPSTART=\"TCP\",\"127.0.0.1\",%d\r", l->port);
			out = line;
		} else if (s->flags & S_CIPSEND) {
			snprintf(line, sizeof line, "AT+CIPSEND=%zu\r", strlen(m->payload));
			out = line;
		} else if ((s->flags & S_PAYLOAD) && !(s->flags & S_KEEP)) {
			out = m->payload;
		}
		if (out) {
			send_str(l, m, out, now);
			if (m->fd < 0)
				return;
			l->c.commands++;
		}
		m->deadline = now + WAIT_S;
		if (s->expect || (s->flags & S_KEEP))
			return; /* wait for the answer */
		m->step++;  /* nothing to wait for (the cut): go on */
	}
}

static void start_cycle(struct load *l, struct modem *m, bool last, double now)
{
	char path[4096];
	snprintf(path, sizeof path, l->pattern, m->index);
	m->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd < 0) {
		fail_cycle(l, m, "open failed", now);
		return;
	}
	l->c.opens++;
	struct termios tio;
	if (tcgetattr(m->fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(m->fd, TCSANOW, &tio);
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = m};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, m->fd, &ev) != 0)
		die("epoll_ctl");
	m->cycle++;
	/* info, tcp, cut, tcp-cut in turn (without a port: info and cut). */
	if (last)
		m->kind = K_SHUT;
	else if (l->port > 0)
		m->kind = (enum kind)((m->cycle + m->index) % K_SHUT);
	else
		m->kind = (m->cycle + m->index) % 2 ? K_INFO : K_CUT;
	snprintf(m->payload, sizeof m->payload, "load-%d-%ld-echo", m->index, m->cycle);
	m->step = 0;
	m->len = 0;
	start_step(l, m, now);
}

static bool step_done(const struct modem *m, const struct step *s)
{
	const char *want = (s->flags & S_KEEP) ? m->payload : s->expect;
	size_t from = (s->flags & S_SKIP2) ? 2 : 0;
	if (m->len < from)
		return false;
	return memmem(m->buf + from, m->len - from, want, strlen(want)) != NULL;
}

static void on_readable(struct load *l, struct modem *m, double now)
{
	for (;;) {
		if (m->len == BUF_CAP) { /* keep the tail: terminators are at the end */
			memmove(m->buf, m->buf + BUF_CAP / 2, BUF_CAP / 2);
			m->len = BUF_CAP / 2;
		}
		ssize_t r = read(m->fd, m->buf + m->len, BUF_CAP - m->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			fail_cycle(l, m, "read failed", now);
			return;
		}
		m->len += (size_t)r;
	}
	while (m->fd >= 0 && m->step < scripts[m->kind].n) {
		const struct step *s = &scripts[m->kind].steps[m->step];
		if (!s->expect && !(s->flags & S_KEEP))
			return;
		if (step_done(m, s)) {
			if (s->flags & S_KEEP)
				l->c.echoes++;
			m->step++;
			start_step(l, m, now);
			continue;
		}
		for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++)
			if (memmem(m->buf, m->len, failures[i], strlen(failures[i]))) {
				fail_cycle(l, m, failures[i], now);
				return;
			}
		return;
	}
}

static void report(const struct load *l, double t, bool final)
{
	printf("{\"t\": %.1f, \"final\": %s, \"modems\": %ld, \"opens\": %ld, \"commands\": %ld, "
	       "\"echoes\": %ld, \"errors\": %ld, \"cycles\": {",
	       t, final ? "true" : "false", l->n, l->c.opens, l->c.commands, l->c.echoes,
	       l->c.errors);
	for (int k = 0; k < K_COUNT; k++)
		printf("%s\"%s\": %ld", k ? ", " : "", kind_name[k], l->c.cycles[k]);
	printf("}}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_load PATTERN N SECONDS [--port P] [--pause-ms MS] "
				"[--progress S]\n");
		return 2;
	}
	struct load l = {.pattern = argv[1], .n = atol(argv[2]), .pause_s = 0.02};
	double secs = atof(argv[3]), progress = 10;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0)
			l.port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--pause-ms") == 0)
			l.pause_s = atof(argv[i + 1]) / 1000;
		else if (strcmp(argv[i], "--progress") == 0)
			progress = atof(argv[i + 1]);
	}
	if (l.n <= 0 || secs <= 0 || progress <= 0) {
		fprintf(stderr, "bench_load: N, SECONDS and --progress must be positive\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	l.m = calloc((size_t)l.n, sizeof *l.m);
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!l.m || l.ep < 0)
		die("set-up");
	double t0 = now_s(), next_report = t0 + progress;
	for (long i = 0; i < l.n; i++) {
		l.m[i].index = (int)i;
		l.m[i].fd = -1;
		l.m[i].resume_at = t0;
	}
	struct epoll_event evs[256];
	for (;;) {
		double now = now_s();
		bool over = now - t0 >= secs;
		long open_now = 0;
		for (long i = 0; i < l.n; i++) {
			struct modem *m = &l.m[i];
			if (m->fd < 0) {
				if (!over && now >= m->resume_at)
					start_cycle(&l, m, false, now);
				else if (over && l.port > 0 && !m->shut) {
					m->shut = true;
					start_cycle(&l, m, true, now);
				}
			} else if (now > m->deadline) {
				fail_cycle(&l, m, "timeout", now);
			}
			open_now += m->fd >= 0;
		}
		if (over && open_now == 0)
			break;
		if (now >= next_report) {
			report(&l, now - t0, false);
			next_report += progress;
		}
		int e = epoll_wait(l.ep, evs, 256, 5);
		if (e < 0 && errno != EINTR)
			die("epoll_wait");
		now = now_s();
		for (int j = 0; j < e; j++) {
			struct modem *m = evs[j].data.ptr;
			if (m->fd >= 0)
				on_readable(&l, m, now);
		}
	}
	report(&l, now_s() - t0, true);
	close(l.ep);
	free(l.m);
	return 0;
}
