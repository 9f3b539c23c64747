/* fxproc.c - run sim800-fixtures for a test (see fxproc.h). */
#include "fxproc.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int port_of(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(line, pat);
	return p ? atoi(p + strlen(pat)) : -1;
}

bool fxproc_parse_ready(struct fxproc *f, const char *line)
{
	f->http = port_of(line, "http");
	f->https_modern = port_of(line, "https-modern");
	f->https_legacy = port_of(line, "https-legacy");
	f->https_expired = port_of(line, "https-expired");
	f->tcp_echo = port_of(line, "tcp-echo");
	f->udp_echo = port_of(line, "udp-echo");
	f->tcp_source = port_of(line, "tcp-source");
	f->tcp_sink = port_of(line, "tcp-sink");
	f->tcp_close = port_of(line, "tcp-close");
	f->mqtt = port_of(line, "mqtt");
	f->records = port_of(line, "records");
	return f->http > 0 && f->tcp_close > 0;
}

bool fxproc_start(struct fxproc *f)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/sim800-fx-XXXXXX");
	if (!mkdtemp(f->dir))
		return false;
	snprintf(f->log, sizeof f->log, "%s/requests.jsonl", f->dir);
	int out[2];
	if (pipe(out))
		return false;
	f->pid = fork();
	if (f->pid == 0) {
		/* A failed assertion longjmps past the test's cleanup: never outlive the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(SIM800_BIN_DIR "/sim800-fixtures", "sim800-fixtures", "--log", f->log, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f->out_fd = out[0];
	char line[1024];
	size_t len = 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!memchr(line, '\n', len) && len + 1 < sizeof line) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = 60000 - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {.fd = f->out_fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t r = read(f->out_fd, line + len, sizeof line - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	line[len] = '\0';
	if (strncmp(line, "ready ", 6) != 0) {
		fxproc_stop(f);
		return false;
	}
	return fxproc_parse_ready(f, line);
}

int fxproc_stop(struct fxproc *f)
{
	int status = -1;
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, &status, 0);
	}
	if (f->out_fd > 0)
		close(f->out_fd);
	unlink(f->log);
	rmdir(f->dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_t *fxproc_records(const struct fxproc *f, const char *service, const char *event)
{
	json_t *all = json_array();
	FILE *fp = fopen(f->log, "r");
	if (!fp)
		return all;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		if (!o)
			continue;
		const char *s = json_string_value(json_object_get(o, "service"));
		const char *e = json_string_value(json_object_get(o, "event"));
		if ((!service || (s && strcmp(s, service) == 0)) && (!event || (e && strcmp(e, event) == 0)))
			json_array_append(all, o);
		json_decref(o);
	}
	free(line);
	fclose(fp);
	return all;
}
