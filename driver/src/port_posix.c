/* port_posix.c - termios port: a tty or pty path, raw 8N1, non-blocking read, poll() wait. */
#include "sim800.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WRITE_WAIT_MS 1000 /* longest wait for the tty to drain before a write fails */

static const struct {
	unsigned baud;
	speed_t speed;
} baud_table[] = { /* the module's AT+IPR rates (MAN §2.2.41), also for sim800-probe/-proxy */
	{1200, B1200},     {2400, B2400},     {4800, B4800},   {9600, B9600},
	{19200, B19200},   {38400, B38400},   {57600, B57600}, {115200, B115200},
	{230400, B230400}, {460800, B460800},
};

static int posix_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct sim800_port_posix *pp = ctx;
	for (;;) {
		ssize_t n = write(pp->fd, buf, len);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		/* Bounded: a tty that never drains is an error, not a hang. */
		struct pollfd p = {.fd = pp->fd, .events = POLLOUT};
		int r = poll(&p, 1, WRITE_WAIT_MS);
		if (r == 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int posix_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct sim800_port_posix *pp = ctx;
	for (;;) {
		ssize_t n = read(pp->fd, buf, cap);
		if (n > 0)
			return (int)n;
		if (n == 0)
			return 0; /* a raw tty with VMIN=0 VTIME=0 says "nothing" this way, not EOF */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1; /* EIO: the pty master closed */
	}
}

static uint64_t posix_now_ms(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int posix_wait_readable(void *ctx, uint32_t timeout_ms)
{
	struct sim800_port_posix *pp = ctx;
	struct pollfd p = {.fd = pp->fd, .events = POLLIN};
	int ms = timeout_ms > 0x7fffffffu ? 0x7fffffff : (int)timeout_ms;
	int r = poll(&p, 1, ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r > 0 && (p.revents & (POLLERR | POLLNVAL)))
		return -1;
	/* The other side of a pty closed: read() would only return 0 or EIO from now on. */
	if (r > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN))
		return -1;
	return r;
}

bool sim800_port_posix_rate_ok(unsigned baud)
{
	for (size_t i = 0; i < sizeof(baud_table) / sizeof(baud_table[0]); i++)
		if (baud_table[i].baud == baud)
			return true;
	return false;
}

enum sim800_err sim800_port_posix_open(struct sim800_port_posix *pp, const char *path,
				       unsigned baud, struct sim800_port *port)
{
	if (!pp || !path || !port)
		return SIM800_ERR_INVAL;
	pp->fd = -1;
	speed_t speed = 0;
	if (baud) {
		size_t i;
		for (i = 0; i < sizeof(baud_table) / sizeof(baud_table[0]); i++)
			if (baud_table[i].baud == baud)
				break;
		if (i == sizeof(baud_table) / sizeof(baud_table[0]))
			return SIM800_ERR_INVAL;
		speed = baud_table[i].speed;
	}
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return SIM800_ERR_IO;
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		/* Raw 8N1, no flow control: the module's factory setting (AT+IFC=0,0; ICF 3). */
		cfmakeraw(&tio);
		tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
		tio.c_cflag |= CLOCAL | CREAD | CS8;
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		if (speed) {
			cfsetispeed(&tio, speed);
			cfsetospeed(&tio, speed);
		}
		if (tcsetattr(fd, TCSANOW, &tio) != 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return SIM800_ERR_IO;
		}
	} else if (speed) {
		int saved = errno;
		close(fd);
		errno = saved;
		return SIM800_ERR_IO;
	}
	pp->fd = fd;
	port->ctx = pp;
	port->write = posix_write;
	port->read = posix_read;
	port->now_ms = posix_now_ms;
	port->wait_readable = posix_wait_readable;
	return SIM800_OK;
}

void sim800_port_posix_close(struct sim800_port_posix *pp)
{
	if (pp && pp->fd >= 0) {
		close(pp->fd);
		pp->fd = -1;
	}
}
