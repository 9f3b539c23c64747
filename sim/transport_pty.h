/* transport_pty.h - a modem's line as a pseudo-terminal (posix_openpt), optionally symlinked. */
#ifndef SIM_TRANSPORT_PTY_H
#define SIM_TRANSPORT_PTY_H

#include <ev.h>

#include "pty_watch.h"
#include "sim_err.h"
#include "transport.h"

/*
 * Create a pty in raw mode. link (may be NULL) becomes a symlink to the slave; an existing
 * symlink there is replaced, anything else is refused. On failure returns NULL with *err and a
 * message in why. The transport owns the master fd, its watch in `watch` and the link (removed
 * by transport_destroy if it still points at this slave). t->path is the slave's path.
 * watch is the process's shared inotify instance (borrowed: it must outlive the transport);
 * NULL makes the transport create one of its own, which is fine for a process with one pty.
 */
struct transport *transport_pty_new_watched(struct ev_loop *loop, struct pty_watch *watch,
					    const char *link, enum sim_err *err, char *why,
					    size_t why_cap);
/* transport_pty_new_watched with a watch of its own (one pty in the process, e.g. the proxy). */
struct transport *transport_pty_new(struct ev_loop *loop, const char *link, enum sim_err *err,
				    char *why, size_t why_cap);
/* Set the callbacks and start watching; reports presence at once if a host is there. */
void transport_pty_bind(struct transport *t, const struct transport_cb *cb, void *ctx);

#endif
