/* ptyshim.c - LD_PRELOAD for gsm-utils: modem-control ioctls on a pty succeed as on a UART. */
/*
 * gsmlib (gsm_unix_serial.cpp) clears and raises DTR with TIOCMBIC/TIOCMBIS when it opens the
 * port and gives up if that fails. A pty (the simulated module) has no modem-control lines, so
 * Linux answers ENOTTY and gsmctl stops before its first AT command. This shim turns exactly
 * that answer into success for the modem-control requests; every other ioctl, and every ioctl
 * on a real tty, is untouched. Loaded only by conformance/adapters/gsm-utils.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <termios.h>

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int (*real)(int, unsigned long, void *) =
		(int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
	int rc = real(fd, req, arg);
	if (rc < 0 && errno == ENOTTY &&
	    (req == TIOCMBIC || req == TIOCMBIS || req == TIOCMSET || req == TIOCMGET)) {
		if (req == TIOCMGET && arg)
			*(int *)arg = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
		return 0;
	}
	return rc;
}
