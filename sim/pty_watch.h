/* pty_watch.h - one inotify instance per process, shared by every pty: host open/close events. */
#ifndef SIM_PTY_WATCH_H
#define SIM_PTY_WATCH_H

#include <ev.h>
#include <stddef.h>

#include "sim_err.h"

/*
 * Linux allows 128 inotify instances per user (fs.inotify.max_user_instances) but many
 * thousand watches per instance, so a process serving N modems takes one instance here and
 * adds one watch per pty slave. The owner (main, or a lone transport) creates it, passes it
 * to each transport_pty, and frees it after every transport that uses it is destroyed.
 * Events only say "this slave was opened or closed, look again": each watch's callback runs
 * at most once per batch of events read, and for every watch when the kernel's queue
 * overflowed (events were lost).
 */
struct pty_watch;

typedef void (*pty_watch_fn)(void *ctx);

/* Create the instance and start its ev_io on loop. NULL with *err and why on failure. */
struct pty_watch *pty_watch_new(struct ev_loop *loop, enum sim_err *err, char *why, size_t why_cap);
/* Stop and close. Every watch must have been removed (a leftover is a bug; it is dropped). */
void pty_watch_free(struct pty_watch *w);
/* Watch path for IN_OPEN/IN_CLOSE; fn(ctx) runs from the loop after such events. Returns the
 * watch descriptor (>= 0), or -1 with errno set. ctx is borrowed until pty_watch_remove. */
int pty_watch_add(struct pty_watch *w, const char *path, pty_watch_fn fn, void *ctx);
/* Forget a watch; its callback is not called afterwards, even for events already read. */
void pty_watch_remove(struct pty_watch *w, int wd);
/* Number of watches (for tests and messages). */
size_t pty_watch_count(const struct pty_watch *w);

#endif
