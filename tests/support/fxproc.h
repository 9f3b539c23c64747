/* fxproc.h - run sim800-fixtures for a test: its ports and the requests it logged. */
#ifndef FXPROC_H
#define FXPROC_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

struct fxproc {
	pid_t pid;
	int out_fd;
	char dir[64];           /* temporary folder holding the log */
	char log[128];          /* the JSON Lines request log */
	int http, https_modern, https_legacy, https_expired;
	int tcp_echo, udp_echo, tcp_source, tcp_sink, tcp_close, mqtt, records;
};

/* Start build/bin/sim800-fixtures on ephemeral loopback ports; false if it did not get ready. */
bool fxproc_start(struct fxproc *f);
/* Take the ports from a "ready http=PORT ..." line; false if http or tcp-close is missing. */
bool fxproc_parse_ready(struct fxproc *f, const char *line);
/* SIGTERM, wait, remove the log; returns the exit status. */
int fxproc_stop(struct fxproc *f);
/* Every logged record whose "service" and "event" match (NULL = any), as a JSON array (caller
 * decrefs). Records are written before the server answers or closes, so no waiting is needed
 * once the client saw that. */
json_t *fxproc_records(const struct fxproc *f, const char *service, const char *event);

#endif
