/* transport_pty.h - a modem's line as a pseudo-terminal (posix_openpt), optionally symlinked. */
#ifndef SIM_TRANSPORT_PTY_H
#define SIM_TRANSPORT_PTY_H

#include <ev.h>

#include "sim_err.h"
#include "transport.h"

/*
 * Create a pty in raw mode. link (may be NULL) becomes a symlink to the slave; an existing
 * symlink there is replaced, anything else is refused. On failure returns NULL with *err and a
 * message in why. The transport owns the master fd, the inotify fd and the link (removed by
 * transport_destroy if it still points at this slave). t->path is the slave's path.
 */
struct transport *transport_pty_new(struct ev_loop *loop, const char *link, enum sim_err *err,
				    char *why, size_t why_cap);
/* Set the callbacks and start watching; reports presence at once if a host is there. */
void transport_pty_bind(struct transport *t, const struct transport_cb *cb, void *ctx);

#endif
