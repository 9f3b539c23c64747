/* cf_proc.c - the runner's processes: fixture servers, one simulator per target, adapters. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cf.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read one line from fd within seconds (NUL-terminated, without the newline). */
static bool read_line(int fd, char *buf, size_t cap, double seconds)
{
	size_t len = 0;
	double end = now() + seconds;
	while (len + 1 < cap) {
		int left = (int)((end - now()) * 1000);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return false;
		ssize_t r = read(fd, buf + len, 1);
		if (r <= 0)
			return false;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return true;
		}
		len++;
	}
	return false;
}

static pid_t spawn(const char *const *argv, int *out_fd, int *err_fd, int *in_fd, bool group)
{
	int o[2], e[2], i[2];
	if (pipe(o) || pipe(e) || pipe(i))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the runner */
		if (group)
			setpgid(0, 0);
		dup2(i[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		for (int k = 0; k < 2; k++) {
			close(o[k]);
			close(e[k]);
			close(i[k]);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	close(i[0]);
	*out_fd = o[0];
	if (err_fd)
		*err_fd = e[0];
	else
		close(e[0]);
	if (in_fd)
		*in_fd = i[1];
	else
		close(i[1]);
	return pid;
}

static int port_of(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(line, pat);
	return p ? atoi(p + strlen(pat)) : -1;
}

bool cf_fixtures_spawn(struct cf_fixtures *fx, const char *bin_dir, char *why, size_t cap)
{
	snprintf(fx->dir, sizeof fx->dir, "/tmp/sim800-cf-fx-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		fx->dir[0] = '\0';
		snprintf(why, cap, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(fx->log, sizeof fx->log, "%s/requests.jsonl", fx->dir);
	snprintf(fx->bin, sizeof fx->bin, "%s/sim800-fixtures", bin_dir);
	const char *const argv[] = {fx->bin, "--log", fx->log, NULL};
	fx->pid = spawn(argv, &fx->out_fd, NULL, NULL, false);
	if (fx->pid < 0) {
		snprintf(why, cap, "cannot start %s", fx->bin);
		return false;
	}
	return true;
}

bool cf_fixtures_ready(struct cf_fixtures *fx, char *why, size_t cap)
{
	char line[1024];
	if (!read_line(fx->out_fd, line, sizeof line, 60) || strncmp(line, "ready ", 6)) {
		snprintf(why, cap, "sim800-fixtures did not start (%s)", fx->bin);
		return false;
	}
	fx->http = port_of(line, "http");
	fx->https_modern = port_of(line, "https-modern");
	fx->https_legacy = port_of(line, "https-legacy");
	fx->https_expired = port_of(line, "https-expired");
	fx->tcp_echo = port_of(line, "tcp-echo");
	fx->udp_echo = port_of(line, "udp-echo");
	fx->tcp_source = port_of(line, "tcp-source");
	fx->tcp_sink = port_of(line, "tcp-sink");
	fx->tcp_close = port_of(line, "tcp-close");
	fx->mqtt = port_of(line, "mqtt");
	return true;
}

void cf_fixtures_stop(struct cf_fixtures *fx)
{
	if (fx->pid > 0) {
		kill(fx->pid, SIGTERM);
		waitpid(fx->pid, NULL, 0);
		fx->pid = 0;
	}
	if (fx->out_fd > 0)
		close(fx->out_fd);
	if (fx->log[0])
		unlink(fx->log);
	if (fx->dir[0])
		rmdir(fx->dir);
}

bool cf_sim_start(struct cf_target *t, const char *bin_dir, const struct cf_fixtures *fx,
		  double time_scale, const char *scenario, char *why, size_t cap)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/sim800-cf-XXXXXX");
	if (!mkdtemp(t->dir)) {
		snprintf(why, cap, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(t->control, sizeof t->control, "%s/control", t->dir);
	snprintf(t->transcript, sizeof t->transcript, "%s/wire.jsonl", t->dir);
	char bin[512], scale[32], hosts[10][96];
	snprintf(bin, sizeof bin, "%s/sim800-sim", bin_dir);
	snprintf(scale, sizeof scale, "%g", time_scale);
	/* The fixture servers under the names the cases use (conformance/ADAPTERS.md). */
	const struct { const char *name; int port; } map[] = {
		{"web.test:80", fx->http},           {"modern.test:443", fx->https_modern},
		{"legacy.test:443", fx->https_legacy}, {"expired.test:443", fx->https_expired},
		{"echo.test:7", fx->tcp_echo},       {"udp.test:7", fx->udp_echo},
		{"source.test:19", fx->tcp_source},  {"sink.test:9", fx->tcp_sink},
		{"close.test:13", fx->tcp_close},    {"mqtt.test:1883", fx->mqtt},
	};
	const char *argv[64];
	size_t a = 0;
	argv[a++] = bin;
	argv[a++] = "--profile";
	argv[a++] = t->profile->source_path;
	argv[a++] = "--time-scale";
	argv[a++] = scale;
	char baud[24];
	snprintf(baud, sizeof baud, "%ld", t->baud);
	argv[a++] = "--baud"; /* output paced at the line rate (the adapter gets the same) */
	argv[a++] = baud;
	argv[a++] = "--control";
	argv[a++] = t->control;
	/* Powered from the start, so a case's setup events reach a running module; the driver
	 * meets it already booted, as after a host reset (and syncs). */
	argv[a++] = "--power-on";
	argv[a++] = "start";
	argv[a++] = "--transcript";
	argv[a++] = t->transcript;
	/* A case that needs no server gets none: the names then fail as unknown ones do. */
	for (size_t i = 0; i < sizeof map / sizeof map[0] && fx->http > 0; i++) {
		snprintf(hosts[i], sizeof hosts[i], "%s=127.0.0.1:%d", map[i].name, map[i].port);
		argv[a++] = "--host";
		argv[a++] = hosts[i];
	}
	if (scenario) {
		argv[a++] = "--scenario";
		argv[a++] = scenario;
	}
	argv[a] = NULL;
	int out;
	t->sim = spawn(argv, &out, NULL, NULL, false);
	char line[1024];
	bool ok = t->sim > 0 && read_line(out, line, sizeof line, 30) && !strncmp(line, "ready 0 ", 8);
	close(out);
	if (!ok) {
		snprintf(why, cap, "sim800-sim did not start for %s", t->name);
		cf_sim_stop(t);
		return false;
	}
	char path[256];
	sscanf(line + 8, "%255s", path);
	free(t->device);
	t->device = strdup(path);
	return true;
}

bool cf_proxy_start(struct cf_target *t, const char *bin_dir, char *why, size_t cap)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/sim800-cf-XXXXXX");
	if (!mkdtemp(t->dir)) {
		snprintf(why, cap, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(t->transcript, sizeof t->transcript, "%s/wire.jsonl", t->dir);
	char bin[512], baud[24], link[160];
	snprintf(bin, sizeof bin, "%s/sim800-proxy", bin_dir);
	snprintf(baud, sizeof baud, "%ld", t->baud);
	snprintf(link, sizeof link, "%s/tap", t->dir);
	const char *const argv[] = {bin, "--device", t->module, "--baud", baud, "--link", link,
				    "--transcript", t->transcript, NULL};
	int out, err;
	t->sim = spawn(argv, &out, &err, NULL, false);
	char line[1024];
	bool ok = t->sim > 0 && read_line(out, line, sizeof line, 10) && !strncmp(line, "ready ", 6);
	close(out);
	if (!ok) {
		char e[512] = "";
		ssize_t n = t->sim > 0 ? read(err, e, sizeof e - 1) : -1;
		e[n > 0 ? n : 0] = '\0';
		e[strcspn(e, "\n")] = '\0';
		snprintf(why, cap, "sim800-proxy did not start on %s%s%s", t->module, e[0] ? ": " : "",
			 e);
		close(err);
		cf_sim_stop(t);
		return false;
	}
	close(err);
	free(t->device);
	t->device = strdup(link);
	return true;
}

void cf_proxy_stop(struct cf_target *t)
{
	cf_sim_stop_keep(t); /* the transcript is complete once it has exited */
	free(t->device);
	t->device = strdup(t->module);
}

void cf_sim_stop_keep(struct cf_target *t)
{
	if (t->sim > 0) {
		kill(t->sim, SIGTERM); /* the transcript is flushed on SIGTERM */
		waitpid(t->sim, NULL, 0);
		t->sim = 0;
	}
}

void cf_sim_cleanup(struct cf_target *t)
{
	char tap[160];
	snprintf(tap, sizeof tap, "%s/tap", t->dir); /* a proxy's link, if it left it */
	unlink(tap);
	unlink(t->transcript);
	unlink(t->control);
	rmdir(t->dir);
}

void cf_sim_stop(struct cf_target *t)
{
	cf_sim_stop_keep(t);
	cf_sim_cleanup(t);
}

json_t *cf_control(const struct cf_target *t, const json_t *req, char *why, size_t cap)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(t->control) >= sizeof sa.sun_path) {
		snprintf(why, cap, "control socket path too long");
		return NULL;
	}
	memcpy(sa.sun_path, t->control, strlen(t->control) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		snprintf(why, cap, "control socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *s = json_dumps(req, JSON_COMPACT);
	size_t n = s ? strlen(s) : 0;
	bool ok = s && write(fd, s, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	free(s);
	char line[65536];
	json_t *reply = ok && read_line(fd, line, sizeof line, 10) ? json_loads(line, 0, NULL) : NULL;
	close(fd);
	if (!reply)
		snprintf(why, cap, "control socket: no reply");
	return reply;
}

struct buf {
	char *d;
	size_t len, cap;
};

static void append(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->d, cap);
		if (!d)
			return;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
	b->d[b->len] = '\0';
}

/* Read a child's stdout and stderr until both close or the limit passes (true: it passed);
 * the case's "during" events go to t's control socket at their times meanwhile. */
static bool collect(int out, int err, double limit, const struct cf_target *t,
		    const json_t *during, struct buf *o, struct buf *e)
{
	double start = now(), end = start + limit;
	size_t next = 0, n_during = json_array_size(during);
	int open_fds = 2;
	struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};
	while (open_fds > 0) {
		/* Events the case injects while the driver works (e.g. a URC mid-command). */
		while (next < n_during) {
			const json_t *d = json_array_get(during, next);
			double at = json_number_value(json_object_get(d, "after_ms")) / 1000.0;
			if (now() < start + at)
				break;
			json_t *rq = json_deep_copy(d);
			json_object_del(rq, "after_ms");
			char w2[128];
			json_decref(cf_control(t, rq, w2, sizeof w2));
			json_decref(rq);
			next++;
		}
		int left = (int)((end - now()) * 1000);
		if (left <= 0)
			return true;
		if (poll(p, 2, left < 50 ? left : 50) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			char chunk[4096];
			ssize_t r = read(p[i].fd, chunk, sizeof chunk);
			if (r <= 0) {
				p[i].fd = -1;
				open_fds--;
			} else {
				append(i ? e : o, chunk, (size_t)r);
			}
		}
	}
	return false;
}

int cf_tool_run(const char *const *argv, double limit, char **stderr_text)
{
	int out, err;
	*stderr_text = NULL;
	pid_t pid = spawn(argv, &out, &err, NULL, true);
	if (pid < 0)
		return -1;
	struct buf o = {0}, e = {0};
	bool timed_out = collect(out, err, limit, NULL, NULL, &o, &e);
	if (timed_out)
		kill(-pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	close(out);
	close(err);
	free(o.d);
	*stderr_text = e.d ? e.d : strdup("");
	return timed_out ? -2 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

json_t *cf_adapter_run(const char *cmd, const struct cf_target *t, const json_t *request,
		       double limit, const json_t *during, char **stderr_text, bool *timed_out,
		       char *why, size_t cap)
{
	char baud[32];
	snprintf(baud, sizeof baud, "%ld", t->baud);
	/* CMD may carry its own arguments: the shell splits it, "$@" adds ours. */
	const char *const argv[] = {"/bin/sh", "-c", "exec $0 \"$@\"", cmd, "--device", t->device,
				    "--baud", baud, NULL};
	int out, err, in;
	*timed_out = false;
	*stderr_text = NULL;
	pid_t pid = spawn(argv, &out, &err, &in, true);
	if (pid < 0) {
		snprintf(why, cap, "cannot start the adapter");
		return NULL;
	}
	char *req = json_dumps(request, JSON_COMPACT);
	if (req) {
		signal(SIGPIPE, SIG_IGN);
		ssize_t w = write(in, req, strlen(req));
		(void)w;
		w = write(in, "\n", 1);
		free(req);
	}
	close(in);
	struct buf o = {0}, e = {0};
	*timed_out = collect(out, err, limit, t, during, &o, &e);
	if (*timed_out)
		kill(-pid, SIGKILL); /* the whole group: an adapter's children go too */
	int st;
	waitpid(pid, &st, 0);
	close(out);
	close(err);
	*stderr_text = e.d ? e.d : strdup("");
	json_t *res = NULL;
	if (*timed_out) {
		snprintf(why, cap, "the adapter did not finish within %.0f s and was killed", limit);
	} else if (!o.d) {
		snprintf(why, cap, "the adapter printed nothing (exit %d)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else {
		json_error_t je;
		res = json_loads(o.d, JSON_DISABLE_EOF_CHECK, &je);
		if (!res || !json_is_object(res)) {
			snprintf(why, cap, "the adapter's output is not one JSON object: %s", je.text);
			json_decref(res);
			res = NULL;
		}
	}
	free(o.d);
	return res;
}
