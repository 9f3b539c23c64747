/* transport_pty.c - a modem's line as a pseudo-terminal: raw mode, symlink, host open/close. */
#include "transport_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/*
 * Presence: a pty master reads EIO and polls POLLHUP while no host has the slave open, so
 * watching it for input then would spin. Instead we watch the slave's device node with
 * inotify (IN_OPEN/IN_CLOSE are reported for /dev/pts/N) and re-check POLLHUP on every event;
 * the inotify instance is the process's one pty_watch, shared by all modems (the kernel
 * allows only 128 instances per user, but thousands of watches per instance);
 * the read watcher runs only while a host is present. Before the first open there is no HUP,
 * so the slave is opened and closed once at creation to make both states look the same.
 * Nothing is written while nobody has the line open: a real UART's bytes are simply lost,
 * while a pty would keep them for the next opener.
 */
struct transport_pty {
	struct transport base;
	struct ev_loop *loop;
	int master;
	struct pty_watch *watch;  /* the process's, borrowed; or own_watch */
	struct pty_watch *own_watch; /* created by transport_pty_new when none was passed */
	int wd;                   /* our watch in it, -1 when none */
	ev_io rx_w;
	ev_io tx_w;
	char slave[64];
	char *link;
};

#define PTY_OF(w, field) ((struct transport_pty *)((char *)(w) - offsetof(struct transport_pty, field)))

static bool hung_up(struct transport_pty *p)
{
	struct pollfd pfd = {.fd = p->master, .events = POLLIN};
	if (poll(&pfd, 1, 0) < 0)
		return false;
	return (pfd.revents & POLLHUP) != 0;
}

/* Read what is available (until EAGAIN if all, else until a short read); false on EIO (no
 * host). */
static bool drain(struct transport_pty *p, bool all)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t r = read(p->master, buf, sizeof buf);
		if (r > 0) {
			if (p->base.cb.rx)
				p->base.cb.rx(p->base.ctx, buf, (size_t)r);
			/* A short read emptied the pty: the watcher is level-triggered and calls
			 * again if more comes, so no second read just to see EAGAIN (one syscall
			 * per command saved; an EIO after the host left shows on the next call). */
			if (!all && (size_t)r < sizeof buf)
				return true;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		return false; /* EIO or EOF: the last host closed the slave */
	}
}

static void set_present(struct transport_pty *p, bool present)
{
	if (present == p->base.present)
		return;
	p->base.present = present;
	if (present) {
		ev_io_start(p->loop, &p->rx_w);
	} else {
		ev_io_stop(p->loop, &p->rx_w);
		ev_io_stop(p->loop, &p->tx_w);
	}
	if (p->base.cb.presence)
		p->base.cb.presence(p->base.ctx, present);
}

static void recheck(struct transport_pty *p)
{
	if (!hung_up(p)) {
		set_present(p, true);
		return;
	}
	if (p->base.present)
		drain(p, true); /* bytes the host wrote just before it closed */
	set_present(p, false);
}

static void rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct transport_pty *p = PTY_OF(w, rx_w);
	if (!drain(p, false))
		recheck(p);
}

static void tx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct transport_pty *p = PTY_OF(w, tx_w);
	ev_io_stop(loop, w);
	if (p->base.cb.writable)
		p->base.cb.writable(p->base.ctx);
}

/* The events only say "look again"; the state comes from POLLHUP. */
static void watch_cb(void *ctx)
{
	recheck(ctx);
}

static ssize_t pty_write(struct transport *t, const uint8_t *b, size_t n)
{
	struct transport_pty *p = (struct transport_pty *)t;
	ssize_t w = write(p->master, b, n);
	if (w >= 0)
		return w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		ev_io_start(p->loop, &p->tx_w);
		return 0;
	}
	if (errno == EIO) {
		recheck(p);
		return (ssize_t)n; /* nobody listens: the bytes are lost, as on a real line */
	}
	return -1;
}

static void pty_destroy(struct transport *t)
{
	struct transport_pty *p = (struct transport_pty *)t;
	ev_io_stop(p->loop, &p->rx_w);
	ev_io_stop(p->loop, &p->tx_w);
	if (p->wd >= 0)
		pty_watch_remove(p->watch, p->wd);
	pty_watch_free(p->own_watch);
	if (p->link) {
		/* Remove the link only if it still points at our slave. */
		char target[sizeof p->slave];
		ssize_t n = readlink(p->link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, p->slave) == 0)
				unlink(p->link);
		}
		free(p->link);
	}
	if (p->master >= 0)
		close(p->master);
	free(p);
}

/* The host's rate: termios requests on a pty master act on the slave (Linux tty_mode_ioctl),
 * so the master reads the speed the host set with cfsetspeed/tcsetattr. */
static unsigned pty_line_rate(struct transport *t)
{
	static const struct {
		speed_t code;
		unsigned bps;
	} rates[] = {{B1200, 1200},   {B2400, 2400},   {B4800, 4800},     {B9600, 9600},
		     {B19200, 19200}, {B38400, 38400}, {B57600, 57600},   {B115200, 115200},
		     {B230400, 230400}, {B460800, 460800}};
	struct transport_pty *p = (struct transport_pty *)t;
	struct termios tio;
	if (tcgetattr(p->master, &tio) != 0)
		return 0;
	speed_t s = cfgetospeed(&tio);
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
		if (rates[i].code == s)
			return rates[i].bps;
	return 0;
}

static const struct transport_ops pty_ops = {
	.write = pty_write,
	.destroy = pty_destroy,
	.line_rate = pty_line_rate,
};

static enum sim_err make_link(struct transport_pty *p, const char *link, char *why, size_t cap)
{
	struct stat st;
	if (lstat(link, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			snprintf(why, cap, "%s exists and is not a symlink; not replacing it", link);
			return SIM_ERR_LINK;
		}
		unlink(link);
	}
	if (symlink(p->slave, link) != 0) {
		snprintf(why, cap, "symlink %s -> %s: %s", link, p->slave, strerror(errno));
		return SIM_ERR_LINK;
	}
	p->link = strdup(link);
	if (!p->link) {
		unlink(link);
		return SIM_ERR_NOMEM;
	}
	return SIM_OK;
}

struct transport *transport_pty_new_watched(struct ev_loop *loop, struct pty_watch *watch,
					    const char *link, enum sim_err *err, char *why,
					    size_t why_cap)
{
	struct transport_pty *p = calloc(1, sizeof *p);
	if (!p) {
		*err = SIM_ERR_NOMEM;
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	p->loop = loop;
	p->master = -1;
	p->wd = -1;
	p->base.ops = &pty_ops;
	if (!watch) {
		p->own_watch = pty_watch_new(loop, err, why, why_cap);
		if (!p->own_watch) {
			free(p);
			return NULL;
		}
		watch = p->own_watch;
	}
	p->watch = watch;
	*err = SIM_ERR_PTY;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0 ||
	    ptsname_r(p->master, p->slave, sizeof p->slave) != 0) {
		snprintf(why, why_cap, "posix_openpt: %s", strerror(errno));
		goto fail;
	}
	struct termios tio;
	if (tcgetattr(p->master, &tio) == 0) {
		/* Raw 8N1 so a host that does not configure the line still gets exact bytes. */
		cfmakeraw(&tio);
		cfsetispeed(&tio, B115200);
		cfsetospeed(&tio, B115200);
		tcsetattr(p->master, TCSANOW, &tio);
	}
	int fl = fcntl(p->master, F_GETFL);
	fcntl(p->master, F_SETFL, fl | O_NONBLOCK);

	/* Open and close the slave once, so "no host yet" reads as a hang-up like "host left". */
	int s = open(p->slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		snprintf(why, why_cap, "open %s: %s", p->slave, strerror(errno));
		goto fail;
	}
	close(s);

	/* Watched only from here on: our own open/close above is not reported. (Were it, the
	 * callback would only find the line still hung up.) */
	p->wd = pty_watch_add(watch, p->slave, watch_cb, p);
	if (p->wd < 0) {
		snprintf(why, why_cap, "inotify watch on %s: %s", p->slave, strerror(errno));
		goto fail;
	}
	ev_io_init(&p->rx_w, rx_cb, p->master, EV_READ);
	ev_io_init(&p->tx_w, tx_cb, p->master, EV_WRITE);
	p->base.path = p->slave;
	if (link) {
		*err = make_link(p, link, why, why_cap);
		if (*err != SIM_OK)
			goto fail;
	}
	*err = SIM_OK;
	return &p->base;
fail:
	pty_destroy(&p->base);
	return NULL;
}

struct transport *transport_pty_new(struct ev_loop *loop, const char *link, enum sim_err *err,
				    char *why, size_t why_cap)
{
	return transport_pty_new_watched(loop, NULL, link, err, why, why_cap);
}

void transport_pty_bind(struct transport *t, const struct transport_cb *cb, void *ctx)
{
	struct transport_pty *p = (struct transport_pty *)t;
	p->base.cb = *cb;
	p->base.ctx = ctx;
	recheck(p); /* a host may have opened the slave between creation and now */
}
