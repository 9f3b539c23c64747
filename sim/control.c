/* control.c - the control socket: JSON Lines requests to inject events (see control.h). */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "inject.h"
#include "modem.h"

/* A client that does not read its replies is dropped past this much pending output. */
#define CONTROL_OUT_MAX (1u << 20)

struct client {
	struct control *ctl;
	int fd;
	ev_io rw, ww;
	char *in;              /* the current line, CONTROL_LINE_MAX bytes, owned */
	size_t in_len;
	bool skipping;         /* the line was too long: drop bytes up to its newline */
	char *out;             /* replies not yet written, owned */
	size_t out_len, out_cap;
	struct client *next;
};

struct control {
	struct ev_loop *loop;
	int fd;
	ev_io accept_w;
	char *path;
	struct sim_modem **modems;
	size_t n;
	struct client *clients;
};

static void client_free(struct client *cl)
{
	struct control *c = cl->ctl;
	for (struct client **p = &c->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	ev_io_stop(c->loop, &cl->rw);
	ev_io_stop(c->loop, &cl->ww);
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	free(cl);
}

/* Queue one reply line; false if the client must be dropped. */
static bool send_reply(struct client *cl, json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	if (!s)
		return true;
	size_t n = strlen(s);
	if (cl->out_len + n + 1 > CONTROL_OUT_MAX) {
		free(s);
		return false;
	}
	if (cl->out_len + n + 1 > cl->out_cap) {
		size_t cap = cl->out_cap ? cl->out_cap : 1024;
		while (cap < cl->out_len + n + 1)
			cap *= 2;
		char *o = realloc(cl->out, cap);
		if (!o) {
			free(s);
			return false;
		}
		cl->out = o;
		cl->out_cap = cap;
	}
	memcpy(cl->out + cl->out_len, s, n);
	cl->out[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	free(s);
	ev_io_start(cl->ctl->loop, &cl->ww);
	return true;
}

static json_t *error_reply(const char *why, const char *field, const json_t *id)
{
	json_t *r = json_pack("{s:b,s:s,s:s}", "ok", 0, "error", why, "field", field);
	if (id)
		json_object_set(r, "id", (json_t *)id);
	return r;
}

static json_t *list_modems(struct control *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->n; i++) {
		struct sim_modem *m = c->modems[i];
		json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:b}", "modem", (int)i, "pty",
						     m->tr->path ? m->tr->path : "", "profile",
						     m->profile->name, "power", m->power == SIM_POWER_ON));
	}
	return arr;
}

static json_t *handle(struct control *c, const char *line, size_t len)
{
	json_error_t err;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
	if (!req) {
		char why[256];
		snprintf(why, sizeof why, "invalid JSON at column %d: %s", err.column, err.text);
		return error_reply(why, "", NULL);
	}
	json_t *id = json_object_get(req, "id");
	json_t *reply = NULL;
	if (!json_is_object(req)) {
		reply = error_reply("a request is a JSON object", "", NULL);
		goto out;
	}
	const json_t *op = json_object_get(req, "op");
	if (json_is_string(op) && strcmp(json_string_value(op), "list") == 0) {
		reply = json_pack("{s:b,s:o}", "ok", 1, "modems", list_modems(c));
		goto done;
	}
	if (json_is_string(op) && strcmp(json_string_value(op), "ops") == 0) {
		json_t *names = json_array();
		for (size_t i = 0; inject_op_name(i); i++)
			json_array_append_new(names, json_string(inject_op_name(i)));
		reply = json_pack("{s:b,s:o}", "ok", 1, "ops", names);
		goto done;
	}
	const json_t *mj = json_object_get(req, "modem");
	json_int_t idx = 0;
	if (mj && !json_is_integer(mj)) {
		reply = error_reply("\"modem\" must be an integer index", "modem", id);
		goto out;
	}
	if (mj)
		idx = json_integer_value(mj);
	if (idx < 0 || (size_t)idx >= c->n) {
		char why[128];
		snprintf(why, sizeof why, "no modem %lld (there are %zu)", (long long)idx, c->n);
		reply = error_reply(why, "modem", id);
		goto out;
	}
	reply = json_object();
	char why[512], field[64];
	if (!inject_apply(c->modems[idx], req, reply, why, sizeof why, field, sizeof field)) {
		json_decref(reply);
		reply = error_reply(why, field, id);
		goto out;
	}
	json_object_set_new(reply, "ok", json_true());
done:
	if (id)
		json_object_set(reply, "id", id);
out:
	json_decref(req);
	return reply;
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct client *cl = (struct client *)((char *)w - offsetof(struct client, rw));
	char buf[8192];
	ssize_t r = read(cl->fd, buf, sizeof buf);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		client_free(cl); /* gone, possibly mid-request: nothing half-applied */
		return;
	}
	if (r < 0)
		return;
	for (ssize_t i = 0; i < r; i++) {
		char ch = buf[i];
		if (cl->skipping) {
			if (ch == '\n')
				cl->skipping = false;
			continue;
		}
		if (ch != '\n') {
			if (cl->in_len == CONTROL_LINE_MAX) {
				cl->skipping = true;
				cl->in_len = 0;
				char why[96];
				snprintf(why, sizeof why, "request line longer than %d bytes", CONTROL_LINE_MAX);
				if (!send_reply(cl, error_reply(why, "", NULL))) {
					client_free(cl);
					return;
				}
				continue;
			}
			cl->in[cl->in_len++] = ch;
			continue;
		}
		size_t len = cl->in_len;
		cl->in_len = 0;
		if (len && cl->in[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (!send_reply(cl, handle(cl->ctl, cl->in, len))) {
			client_free(cl);
			return;
		}
	}
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct client *cl = (struct client *)((char *)w - offsetof(struct client, ww));
	while (cl->out_len) {
		ssize_t n = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			client_free(cl);
			return;
		}
		memmove(cl->out, cl->out + n, cl->out_len - (size_t)n);
		cl->out_len -= (size_t)n;
	}
	ev_io_stop(loop, w);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct control *c = (struct control *)((char *)w - offsetof(struct control, accept_w));
	int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct client *cl = calloc(1, sizeof *cl);
	char *in = malloc(CONTROL_LINE_MAX);
	if (!cl || !in) {
		free(cl);
		free(in);
		close(fd);
		return;
	}
	cl->ctl = c;
	cl->fd = fd;
	cl->in = in;
	ev_io_init(&cl->rw, client_read_cb, fd, EV_READ);
	ev_io_init(&cl->ww, client_write_cb, fd, EV_WRITE);
	ev_io_start(loop, &cl->rw);
	cl->next = c->clients;
	c->clients = cl;
}

struct control *control_new(struct ev_loop *loop, const char *path, struct sim_modem **modems,
			    size_t n, char *why, size_t why_cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(why, why_cap, "--control %s: path too long", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(why, why_cap, "--control %s: exists and is not a socket", path);
			return NULL;
		}
		unlink(path);
	}
	struct control *c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->modems = modems;
	c->n = n;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* Created 0600 from the start: the umask covers the window before chmod. */
	mode_t old = umask(077);
	int b = c->fd >= 0 ? bind(c->fd, (struct sockaddr *)&sa, sizeof sa) : -1;
	umask(old);
	if (b != 0 || chmod(path, 0600) != 0 || listen(c->fd, 16) != 0) {
		snprintf(why, why_cap, "--control %s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		if (b == 0)
			unlink(path);
		free(c->path);
		free(c);
		return NULL;
	}
	ev_io_init(&c->accept_w, accept_cb, c->fd, EV_READ);
	ev_io_start(loop, &c->accept_w);
	return c;
}

void control_free(struct control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	ev_io_stop(c->loop, &c->accept_w);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}
