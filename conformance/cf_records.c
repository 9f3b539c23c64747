/* cf_records.c - what the fixture servers recorded: their log file, or a remote one's records service. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cf.h"

/*
 * Locally the runner reads the log file its own sim800-fixtures writes. A remote one
 * (--fixtures http://HOST:PORTBASE, for a real module) serves the same records on its records
 * service, PORTBASE+10: "N\n" in, {"first": F, "next": X} and records F..X-1 out, then the close.
 */

#define RECORDS_OFFSET 10                 /* the records service's port after PORTBASE */
#define RECORDS_WAIT_MS 10000             /* connect and answer, each */
#define RECORDS_MAX (64u * 1024u * 1024u) /* more than the server keeps (16 MiB) */
#define RECORDS_ASK_END "1073741824\n"    /* past any record: the header says where the end is */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + ts.tv_nsec / 1e6;
}

static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = 0;
	for (int c; (c = fgetc(f)) != EOF;)
		n += c == '\n';
	fclose(f);
	return n;
}

json_t *cf_jsonl_load(const char *path, size_t from)
{
	json_t *all = json_array();
	FILE *f = path && path[0] ? fopen(path, "r") : NULL;
	if (!f)
		return all;
	char *line = NULL;
	size_t cap = 0, n = 0;
	while (getline(&line, &cap, f) > 0) {
		if (n++ < from)
			continue;
		json_t *o = json_loads(line, 0, NULL);
		if (o)
			json_array_append_new(all, o);
	}
	free(line);
	fclose(f);
	return all;
}

/* A connected socket to the remote records service, or -1 with why. */
static int records_connect(const struct cf_fixtures *fx, char *why, size_t cap)
{
	char host[256];
	int base;
	if (sscanf(fx->url, "http://%255[^:/]:%d", host, &base) != 2) {
		snprintf(why, cap, "--fixtures %s: no port", fx->url);
		return -1;
	}
	char port[16];
	snprintf(port, sizeof port, "%d", base + RECORDS_OFFSET);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	int e = getaddrinfo(host, port, &hints, &ai);
	if (e) {
		snprintf(why, cap, "fixture records at %s:%s: %s", host, port, gai_strerror(e));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS)
			goto next;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof err;
		if (poll(&p, 1, RECORDS_WAIT_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
			break;
		errno = err ? err : ETIMEDOUT;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(why, cap, "fixture records at %s:%s: %s (a sim800-fixtures with a records "
			 "service?)", host, port, strerror(errno));
	return fd;
}

/* Send ask, read the answer to the close; NULL with why on any failure. */
static char *records_ask(const struct cf_fixtures *fx, const char *ask, char *why, size_t cap)
{
	int fd = records_connect(fx, why, cap);
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	size_t len = 0, room = 0;
	if (send(fd, ask, strlen(ask), MSG_NOSIGNAL) != (ssize_t)strlen(ask)) {
		snprintf(why, cap, "fixture records: send: %s", strerror(errno));
		goto fail;
	}
	double end = now_ms() + RECORDS_WAIT_MS;
	for (;;) {
		if (len + 4097 > room) {
			if (room >= RECORDS_MAX) {
				snprintf(why, cap, "fixture records: more than %u bytes", RECORDS_MAX);
				goto fail;
			}
			room = room ? room * 2 : 65536;
			char *b = realloc(buf, room);
			if (!b) {
				snprintf(why, cap, "fixture records: out of memory");
				goto fail;
			}
			buf = b;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)(end - now_ms());
		if (left <= 0 || poll(&p, 1, left) != 1) {
			snprintf(why, cap, "fixture records: no complete answer within %d s",
				 RECORDS_WAIT_MS / 1000);
			goto fail;
		}
		ssize_t r = read(fd, buf + len, room - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, cap, "fixture records: read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* The header line's first and next; false (why) if the answer is not one. */
static bool records_head(const char *text, size_t *first, size_t *next, char *why, size_t cap)
{
	json_t *h = json_loadb(text, strcspn(text, "\n"), 0, NULL);
	bool ok = json_is_integer(json_object_get(h, "first")) &&
		  json_is_integer(json_object_get(h, "next"));
	if (ok) {
		*first = (size_t)json_integer_value(json_object_get(h, "first"));
		*next = (size_t)json_integer_value(json_object_get(h, "next"));
	} else {
		snprintf(why, cap, "fixture records: the answer is not a records header: %.60s", text);
	}
	json_decref(h);
	return ok;
}

size_t cf_fixtures_mark(const struct cf_fixtures *fx)
{
	if (!fx->remote)
		return count_lines(fx->log);
	char why[256];
	size_t first, next = CF_MARK_NONE;
	char *text = records_ask(fx, RECORDS_ASK_END, why, sizeof why);
	if (!text || !records_head(text, &first, &next, why, sizeof why))
		next = CF_MARK_NONE;
	free(text);
	return next;
}

void cf_fixtures_settle(const struct cf_fixtures *fx)
{
	if (!fx->remote)
		return;
	/* A real module's connection may close at the server a moment after the driver is done,
	 * and its close record (bytes, hash) is the evidence: wait until none arrives for 300 ms
	 * (at most 3 s). */
	size_t last = cf_fixtures_mark(fx);
	for (int i = 0; i < 10 && last != CF_MARK_NONE; i++) {
		struct timespec d = {0, 300 * 1000 * 1000};
		nanosleep(&d, NULL);
		size_t now = cf_fixtures_mark(fx);
		if (now == last)
			return;
		last = now;
	}
}

json_t *cf_fixtures_records(const struct cf_fixtures *fx, size_t from, char *why, size_t cap)
{
	if (!fx->remote)
		return cf_jsonl_load(fx->log, from);
	if (from == CF_MARK_NONE) {
		snprintf(why, cap, "fixture records: unreadable when the case started");
		return NULL;
	}
	char ask[32];
	snprintf(ask, sizeof ask, "%zu\n", from);
	char *text = records_ask(fx, ask, why, cap);
	size_t first, next;
	if (!text || !records_head(text, &first, &next, why, cap)) {
		free(text);
		return NULL;
	}
	if (first > from) {
		snprintf(why, cap, "fixture records: %zu of the case's records are no longer kept by "
			 "the server (other clients?)", first - from);
		free(text);
		return NULL;
	}
	json_t *all = json_array();
	for (char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		json_t *o = json_loadb(l + 1, strcspn(l + 1, "\n"), 0, NULL);
		if (o)
			json_array_append_new(all, o);
	}
	free(text);
	return all;
}
