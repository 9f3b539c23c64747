/* fuzz_control.c - libFuzzer target: the control socket's JSON Lines requests (control.c, inject.c). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "fuzz.h"
#include "fuzz_modem.h"
#include "profile_yaml.h"

/*
 * Two modems and a control socket on one loop, as sim800-sim --control runs them. The input is
 * what a client writes: byte 0 picks the profile's boot state (power on at start or not), the
 * rest goes through a real Unix socket in pieces split at FUZZ_MODEM_SEP, and the loop runs
 * after each piece, so requests split across reads and events that reach the modems (URCs,
 * SMS, calls, network changes, line noise) are all covered. Replies are read and dropped.
 * The socket path is per process (the pid), made and removed on every run.
 */

static void drain_replies(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof buf) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct profile_error err;
	struct profile *p = profile_yaml_load("sim800-r14.18", SIM800_SOURCE_DIR "/profiles", &err);
	FUZZ_CHECK(p != NULL);
	struct fuzz_modem f;
	if (!fuzz_modem_init(&f, p, 2, 8, (data[0] & 1) ? FUZZ_MODEM_POWER_START : 0)) {
		profile_free(p);
		return 0;
	}
	char path[108], why[256];
	snprintf(path, sizeof path, "/tmp/sim800-fuzz-control-%d.sock", (int)getpid());
	struct control *c = control_new(f.loop, path, f.m, f.n, why, sizeof why);
	FUZZ_CHECK(c != NULL);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	FUZZ_CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fuzz_modem_feed(&f, 0, NULL, 0); /* the control accepts the client */
	size_t start = 1;
	for (size_t i = 1; i <= size; i++) {
		if (i < size && data[i] != FUZZ_MODEM_SEP)
			continue;
		size_t off = start;
		/* A full socket buffer is the control's backpressure: run the loop and retry. */
		for (int tries = 0; off < i && tries < 64; tries++) {
			ssize_t w = write(fd, data + off, i - off);
			if (w > 0)
				off += (size_t)w;
			fuzz_modem_feed(&f, 0, NULL, 0);
			drain_replies(fd);
		}
		start = i + 1;
	}
	shutdown(fd, SHUT_WR);
	fuzz_modem_feed(&f, 0, NULL, 0);
	drain_replies(fd);
	close(fd);
	fuzz_modem_feed(&f, 0, NULL, 0);
	control_free(c);
	fuzz_modem_free(&f);
	profile_free(p);
	return 0;
}
