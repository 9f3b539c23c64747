/* bench_peer.c - the floor for tools/bench: a bare pty whose master answers like the smallest modem. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

/*
 * Usage: bench_peer ok [N] | source | sink
 * Opens a pty pair (ok: N pairs, one epoll loop, like N modems in one process), prints
 * "ready <slave path>" per pair and serves the masters until killed:
 *   ok      every CR-terminated line gets "\r\nOK\r\n" (an ATE0 modem with no logic), and
 *           "AT+CIPSEND=<n>" gets "\r\n> ", n raw bytes, then "\r\nSEND OK\r\n": the same
 *           exchange as the simulator's, with none of its work: the physical floor.
 *   source  after one byte from the host, writes <n> bytes as fast as the pty takes them; n is
 *           read as a decimal line ("1048576\n").
 *   sink    reads and discards everything.
 * It keeps the slave open itself, so the master never sees the hang-up (EIO) between hosts.
 */

_Noreturn static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* The smallest modem: a line state machine over the master. */
struct mini {
	char line[600];
	size_t len;
	size_t data_left; /* CIPSEND payload bytes still to swallow */
};

static void mini_feed(struct mini *s, int fd, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->data_left > 0) {
			size_t k = n - i < s->data_left ? n - i : s->data_left;
			s->data_left -= k;
			i += k - 1;
			if (s->data_left == 0)
				write_all(fd, "\r\nSEND OK\r\n", 11);
			continue;
		}
		char c = buf[i];
		if (c != '\r') {
			if (c != '\n' && s->len < sizeof s->line - 1)
				s->line[s->len++] = c;
			continue;
		}
		s->line[s->len] = '\0';
		long k = 0;
		if (sscanf(s->line, "AT+CIPSEND=%ld", &k) == 1 && k > 0) {
			s->data_left = (size_t)k;
			write_all(fd, "\r\n> ", 4);
		} else {
			write_all(fd, "\r\nOK\r\n", 6);
		}
		s->len = 0;
	}
}

/* A master with its slave kept open (so the master never reads EIO between hosts). */
static int open_pair(int *keep)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
		die("posix_openpt");
	const char *path = ptsname(m);
	*keep = open(path, O_RDWR | O_NOCTTY);
	if (*keep < 0)
		die("open slave");
	/* Raw, as the simulator sets its side and as a driver sets the host side. */
	struct termios tio;
	if (tcgetattr(*keep, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(*keep, TCSANOW, &tio);
	}
	printf("ready %s\n", path);
	return m;
}

/* N mini modems in one process: the floor of the many-modems figure. */
static void serve_many(long n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct mini *s = calloc((size_t)n, sizeof *s);
	int *fd = calloc((size_t)n, sizeof *fd);
	int ep = epoll_create1(0);
	if (!s || !fd || ep < 0)
		die("setup");
	for (long i = 0; i < n; i++) {
		int keep;
		fd[i] = open_pair(&keep);
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev) != 0)
			die("epoll_ctl");
	}
	fflush(stdout);
	char buf[4096];
	for (;;) {
		struct epoll_event evs[256];
		int k = epoll_wait(ep, evs, 256, -1);
		for (int j = 0; j < k; j++) {
			long i = (long)evs[j].data.u64;
			ssize_t r = read(fd[i], buf, sizeof buf);
			if (r > 0)
				mini_feed(&s[i], fd[i], buf, (size_t)r);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "ok") == 0 && argc == 3)
		serve_many(atol(argv[2])); /* never returns */
	int keep;
	int m = open_pair(&keep);
	fflush(stdout);
	char buf[65536];
	struct mini s = {.len = 0};
	for (;;) {
		ssize_t r = read(m, buf, sizeof buf - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read master");
		if (strcmp(argv[1], "ok") == 0) {
			mini_feed(&s, m, buf, (size_t)r);
		} else if (strcmp(argv[1], "source") == 0) {
			buf[r] = '\0';
			long n = atol(buf);
			memset(buf, 'x', sizeof buf);
			while (n > 0) {
				size_t k = n < (long)sizeof buf ? (size_t)n : sizeof buf;
				write_all(m, buf, k);
				n -= (long)k;
			}
		}
		/* sink: nothing */
	}
}
