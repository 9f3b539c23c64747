/* fuzz_profile.c - libFuzzer target: the YAML profile loader, then a modem on what it accepts. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_modem.h"
#include "profile_yaml.h"

/*
 * The input is a profile file. It goes into a memfd and is loaded through /proc/self/fd/N, so
 * the loader runs unchanged (its own open/fstat/read) and nothing touches the disk;
 * `extends:` by name reaches the bundled profiles. A profile the loader accepts must also be
 * safe to run: a short fixed session goes through a modem built on it.
 */

/* A session touching what profile values drive: identity, limits, replay, timeline, errors. */
static const char session[] =
	"AT\rATI\rAT+CGMR\rAT&V\rAT+CPIN?\rAT+CREG?\rAT+CSQ\rAT+COPS?\rAT+CIPSSL=?\r"
	"AT+CSPN?\rAT+CMEE=2;+CPIN=1234\rAT+CFUN=1,1\rAT+CIPSTART=\"TCP\",\"example.com\",80\r";

static void check_error(const struct profile_error *e)
{
	FUZZ_CHECK(memchr(e->file, '\0', sizeof e->file) && memchr(e->path, '\0', sizeof e->path) &&
		   memchr(e->message, '\0', sizeof e->message));
	char buf[1600];
	profile_error_format(e, buf, sizeof buf);
	FUZZ_CHECK(memchr(buf, '\0', sizeof buf) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-profile.yaml", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct profile_error err;
	memset(&err, 0, sizeof err);
	struct profile *p = profile_yaml_load(path, SIM800_SOURCE_DIR "/profiles", &err);
	close(fd);
	if (!p) {
		check_error(&err);
		return 0;
	}
	fuzz_modem_run(p, NULL, (const uint8_t *)session, sizeof session - 1, 7, 0);
	profile_free(p);
	return 0;
}
