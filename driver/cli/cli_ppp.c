/* cli_ppp.c - the PPP path of the CLI: dial, run PPP on the host, HTTP(S) with host TLS, hang up. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* pppd needs the kernel's PPP channel (/dev/ppp) and the binary itself. */
static bool find_pppd(char *path, size_t cap)
{
	const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", NULL};
	for (int i = 0; dirs[i]; i++) {
		snprintf(path, cap, "%s/pppd", dirs[i]);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

bool cli_ppp_available(char *why, size_t cap)
{
	char pppd[64];
	int fd = open("/dev/ppp", O_RDWR);
	if (fd < 0) {
		snprintf(why, cap, "/dev/ppp cannot be opened (%s) and no PPP client library is built in",
			 strerror(errno));
		return false;
	}
	close(fd);
	if (!find_pppd(pppd, sizeof pppd)) {
		snprintf(why, cap, "pppd not found and no PPP client library is built in");
		return false;
	}
	snprintf(why, cap, "pppd at %s", pppd);
	/* The pppd hand-off dials and gives the tty to pppd, but fetching through the resulting
	 * interface is not implemented: report it as unavailable rather than half-working. */
	snprintf(why, cap, "pppd found, but the pppd hand-off fetch is not implemented");
	return false;
}

enum sim800_err cli_ppp_fetch(struct cli *c, const struct cli_url *u, const char *method,
			      const uint8_t *body, size_t body_len, const char *ctype,
			      const char *cafile, bool insecure, int *status)
{
	(void)u, (void)method, (void)body, (void)body_len, (void)ctype, (void)cafile;
	(void)insecure;
	*status = 0;
	char why[160];
	cli_ppp_available(why, sizeof why);
	snprintf(c->detail, sizeof c->detail, "PPP unavailable: %s", why);
	return SIM800_ERR_PPP_UNAVAILABLE;
}
