/* proxy.c - sim800-proxy: a pty for the driver, forwarded byte for byte to a real module, recorded. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "sim800.h"
#include "tool_args.h"
#include "transcript.h"
#include "transport_pty.h"

/*
 * Both directions are forwarded as they arrive, unbuffered and unpaced (the real line paces
 * itself), and every chunk goes to the transcript in the simulator's format: "rx" is what the
 * driver sent, "tx" what the module answered, so sim800-sim --replay and
 * tools/transcript2profile read it as they read the simulator's own. PPP passes through as
 * bytes like anything else.
 */
struct proxy {
	struct ev_loop *loop;
	struct transport *pty;     /* the driver's side */
	int dev;                   /* the module's side */
	ev_io dev_w;
	struct transcript *log;
	unsigned long to_module, to_host;
	ev_signal sigint, sigterm;
};

static void write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			return;
		}
	}
}

/* Driver -> module. */
static void from_host(void *ctx, const uint8_t *b, size_t n)
{
	struct proxy *p = ctx;
	transcript_chunk(p->log, 0, "rx", b, n);
	write_all(p->dev, b, n);
	p->to_module += n;
}

static void presence(void *ctx, bool present)
{
	struct proxy *p = ctx;
	transcript_note(p->log, 0, present ? "host opened the line" : "host closed the line");
}

static void writable(void *ctx)
{
	(void)ctx;
}

/* Module -> driver; dropped (and noted) while nobody has the pty open, as a real line would. */
static void dev_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct proxy *p = (struct proxy *)((char *)w - offsetof(struct proxy, dev_w));
	uint8_t buf[4096];
	ssize_t r = read(p->dev, buf, sizeof buf);
	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		transcript_note(p->log, 0, "the module's line closed: %s", r ? strerror(errno) : "EOF");
		fprintf(stderr, "sim800-proxy: the module's line closed\n");
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	transcript_chunk(p->log, 0, "tx", buf, (size_t)r);
	p->to_host += (size_t)r;
	size_t off = 0;
	while (off < (size_t)r && p->pty->present) {
		ssize_t k = transport_write(p->pty, buf + off, (size_t)r - off);
		if (k <= 0)
			break; /* the driver is not reading: a real UART loses the rest too */
		off += (size_t)k;
	}
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static const char usage[] =
	"Usage: sim800-proxy --device PATH [--baud N] [--link PATH] --transcript FILE\n"
	"Give a driver a pty that forwards byte for byte to a real module, and record both\n"
	"directions in sim800-sim's transcript format.\n"
	"\n"
	"  --device PATH      the module's serial port (e.g. /dev/ttyUSB0)\n"
	"  --baud N           its line rate (default 115200; 0 leaves it as it is)\n"
	"  --link PATH        a symlink to the driver's pty\n"
	"  --transcript FILE  JSON Lines: rx = driver to module, tx = module to driver\n"
	"\n"
	"Prints \"ready <pty-path>\" when the driver may open the pty. SIGINT/SIGTERM end it\n"
	"cleanly. Exit status: 0 stopped by a signal, 1 runtime error, 2 usage error.\n";

int main(int argc, char **argv)
{
	const char *device = NULL, *link = NULL, *tpath = NULL;
	long baud = 115200;
	const struct tool_args_str strs[] = {{"link", &link}, {"transcript", &tpath}};
	int rc = tool_args_parse(argc, argv, "sim800-proxy", usage, strs,
				 sizeof strs / sizeof strs[0], &device, &baud);
	if (rc >= 0)
		return rc;
	if (!device || !tpath || optind < argc) {
		fprintf(stderr, "sim800-proxy: --device and --transcript are required\n"
				"Try 'sim800-proxy --help'.\n");
		return 2;
	}
	struct proxy p = {.dev = -1};
	/* The driver's own port set-up: raw 8N1, no flow control, the rate given. */
	struct sim800_port_posix pp;
	struct sim800_port port;
	if (sim800_port_posix_open(&pp, device, (unsigned)baud, &port) != SIM800_OK) {
		fprintf(stderr, "sim800-proxy: %s: %s\n", device, strerror(errno));
		return 1;
	}
	p.dev = pp.fd;
	signal(SIGPIPE, SIG_IGN);
	p.loop = ev_loop_new(EVFLAG_AUTO);
	char why[512];
	rc = 1;
	p.log = p.loop ? transcript_open(p.loop, tpath, why, sizeof why) : NULL;
	if (!p.log) {
		fprintf(stderr, "sim800-proxy: %s\n", p.loop ? why : "no event loop");
		goto out;
	}
	enum sim_err err;
	p.pty = transport_pty_new(p.loop, link, &err, why, sizeof why);
	if (!p.pty) {
		fprintf(stderr, "sim800-proxy: %s: %s\n", sim_strerror(err), why);
		goto out;
	}
	const struct transport_cb cb = {.rx = from_host, .presence = presence, .writable = writable};
	transport_pty_bind(p.pty, &cb, &p);
	ev_io_init(&p.dev_w, dev_cb, p.dev, EV_READ);
	ev_io_start(p.loop, &p.dev_w);
	ev_signal_init(&p.sigint, on_signal, SIGINT);
	ev_signal_init(&p.sigterm, on_signal, SIGTERM);
	ev_signal_start(p.loop, &p.sigint);
	ev_signal_start(p.loop, &p.sigterm);
	printf("ready %s\n", p.pty->path);
	fflush(stdout);
	ev_run(p.loop, 0);
	transcript_note(p.log, -1, "stopped: %lu bytes to the module, %lu to the driver", p.to_module,
			p.to_host);
	rc = 0;
out:
	if (p.loop) {
		ev_io_stop(p.loop, &p.dev_w);
		ev_signal_stop(p.loop, &p.sigint);
		ev_signal_stop(p.loop, &p.sigterm);
	}
	transport_destroy(p.pty);
	transcript_close(p.log);
	if (p.loop)
		ev_loop_destroy(p.loop);
	sim800_port_posix_close(&pp);
	return rc;
}
