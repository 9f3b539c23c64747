/* pty_watch.c - one inotify instance per process, shared by every pty (see pty_watch.h). */
#include "pty_watch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct watch_entry {
	int wd;
	bool pending; /* already queued in the batch being dispatched */
	pty_watch_fn fn;
	void *ctx;
};

struct pty_watch {
	struct ev_loop *loop;
	int fd;
	ev_io io;
	struct watch_entry *e; /* sorted by wd, owned */
	size_t n, cap;
};

/* Index of wd in the sorted table, or where it would go (*found says which). */
static size_t find(const struct pty_watch *w, int wd, bool *found)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->e[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < w->n && w->e[lo].wd == wd;
	return lo;
}

static struct watch_entry *lookup(struct pty_watch *w, int wd)
{
	bool found;
	size_t i = find(w, wd, &found);
	return found ? &w->e[i] : NULL;
}

/* Run the callbacks of wds[0..n): looked up one by one, since a callback may remove or add
 * watches (and so move the table). */
static void dispatch(struct pty_watch *w, const int *wds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct watch_entry *e = lookup(w, wds[i]);
		if (!e)
			continue;
		e->pending = false;
		e->fn(e->ctx);
	}
}

/* Events were lost: every watch looks again. */
static void dispatch_all(struct pty_watch *w)
{
	if (w->n == 0)
		return;
	int *wds = malloc(w->n * sizeof *wds);
	if (!wds)
		return; /* the next event retries; nothing else can be done without memory */
	size_t n = w->n;
	for (size_t i = 0; i < n; i++) {
		wds[i] = w->e[i].wd;
		w->e[i].pending = false;
	}
	dispatch(w, wds, n);
	free(wds);
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	struct pty_watch *w = (struct pty_watch *)((char *)io - offsetof(struct pty_watch, io));
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int wds[sizeof buf / sizeof(struct inotify_event)];
	bool overflow = false;
	for (;;) {
		ssize_t r = read(w->fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EAGAIN: all read */
		size_t n = 0;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= r;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			off += (ssize_t)(sizeof *ev + ev->len);
			if (ev->mask & IN_Q_OVERFLOW) {
				overflow = true;
				continue;
			}
			struct watch_entry *e = lookup(w, ev->wd);
			if (!e || e->pending)
				continue; /* removed already, or IN_IGNORED of a removed one; or queued */
			e->pending = true;
			wds[n++] = ev->wd;
		}
		dispatch(w, wds, n);
	}
	if (overflow)
		dispatch_all(w);
}

struct pty_watch *pty_watch_new(struct ev_loop *loop, enum sim_err *err, char *why, size_t why_cap)
{
	struct pty_watch *w = calloc(1, sizeof *w);
	if (!w) {
		*err = SIM_ERR_NOMEM;
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		*err = SIM_ERR_PTY;
		snprintf(why, why_cap, "inotify_init1: %s", strerror(errno));
		free(w);
		return NULL;
	}
	ev_io_init(&w->io, io_cb, w->fd, EV_READ);
	ev_io_start(loop, &w->io);
	*err = SIM_OK;
	return w;
}

void pty_watch_free(struct pty_watch *w)
{
	if (!w)
		return;
	ev_io_stop(w->loop, &w->io);
	close(w->fd); /* drops any watch still there */
	free(w->e);
	free(w);
}

int pty_watch_add(struct pty_watch *w, const char *path, pty_watch_fn fn, void *ctx)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct watch_entry *e = realloc(w->e, cap * sizeof *e);
		if (!e) {
			errno = ENOMEM;
			return -1;
		}
		w->e = e;
		w->cap = cap;
	}
	int wd = inotify_add_watch(w->fd, path, IN_OPEN | IN_CLOSE);
	if (wd < 0)
		return -1;
	bool found;
	size_t i = find(w, wd, &found);
	if (found) {
		/* The same inode twice: one watch cannot serve two owners. */
		errno = EEXIST;
		return -1;
	}
	memmove(&w->e[i + 1], &w->e[i], (w->n - i) * sizeof *w->e);
	w->e[i] = (struct watch_entry){.wd = wd, .fn = fn, .ctx = ctx};
	w->n++;
	return wd;
}

void pty_watch_remove(struct pty_watch *w, int wd)
{
	bool found;
	size_t i = find(w, wd, &found);
	if (!found)
		return;
	inotify_rm_watch(w->fd, wd);
	memmove(&w->e[i], &w->e[i + 1], (w->n - i - 1) * sizeof *w->e);
	w->n--;
	if (w->n == 0) {
		free(w->e);
		w->e = NULL;
		w->cap = 0;
	}
}

size_t pty_watch_count(const struct pty_watch *w)
{
	return w->n;
}
