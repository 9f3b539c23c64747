/* http_multi.c - libcurl's multi interface on libev sockets and timers (see http_multi.h). */
#include "http_multi.h"

#include <stddef.h>
#include <stdlib.h>

#include <ev.h>

/* One socket libcurl asked us to watch (CURLMOPT_SOCKETFUNCTION). */
struct hm_sock {
	ev_io io;                    /* first: the callback casts back */
	struct http_multi *hm;
	curl_socket_t fd;
	struct hm_sock *prev, *next; /* all of the multi's sockets, freed with it */
};

/* A running transfer: who to tell when it ends (CURLOPT_PRIVATE of the easy handle). */
struct hm_xfer {
	http_multi_done_fn done;
	void *ctx;
	CURL *easy;
	struct hm_xfer *prev, *next;
};

struct http_multi {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;              /* libcurl's single timeout (CURLMOPT_TIMERFUNCTION) */
	struct hm_sock *socks;
	struct hm_xfer *xfers;
	bool global_init;            /* curl_global_init succeeded: clean up with the multi */
};

/* Forget a transfer's bookkeeping (the caller frees x). */
static void xfer_drop(struct http_multi *hm, struct hm_xfer *x)
{
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, NULL);
	if (x->prev)
		x->prev->next = x->next;
	else
		hm->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
}

/* Report every finished transfer. Runs after curl_multi_socket_action has returned, so the
 * done callbacks may add and remove handles (libcurl forbids that inside its callbacks). */
static void check_done(struct http_multi *hm)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(hm->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode res = msg->data.result;
		struct hm_xfer *x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(hm->multi, easy);
		if (!x)
			continue;
		xfer_drop(hm, x);
		http_multi_done_fn done = x->done;
		void *ctx = x->ctx;
		free(x);
		done(ctx, easy, res);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct hm_sock *s = (struct hm_sock *)w;
	struct http_multi *hm = s->hm;
	int flags = 0;
	if (revents & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	int running;
	/* s may be freed inside (CURL_POLL_REMOVE): only hm is used afterwards. */
	curl_multi_socket_action(hm->multi, s->fd, flags, &running);
	check_done(hm);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct http_multi *hm = (struct http_multi *)((char *)w - offsetof(struct http_multi, timer));
	int running;
	curl_multi_socket_action(hm->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(hm);
}

static void sock_free(struct http_multi *hm, struct hm_sock *s)
{
	ev_io_stop(hm->loop, &s->io);
	if (s->prev)
		s->prev->next = s->next;
	else
		hm->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)easy;
	struct http_multi *hm = userp;
	struct hm_sock *s = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			curl_multi_assign(hm->multi, fd, NULL);
			sock_free(hm, s);
		}
		return 0;
	}
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s)
			return -1; /* libcurl fails the transfer */
		s->hm = hm;
		s->fd = fd;
		s->next = hm->socks;
		if (hm->socks)
			hm->socks->prev = s;
		hm->socks = s;
		ev_init(&s->io, io_cb);
		curl_multi_assign(hm->multi, fd, s);
	}
	int events = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= EV_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= EV_WRITE;
	ev_io_stop(hm->loop, &s->io);
	ev_io_set(&s->io, fd, events);
	ev_io_start(hm->loop, &s->io);
	return 0;
}

static int timerfn_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct http_multi *hm = userp;
	ev_timer_stop(hm->loop, &hm->timer);
	if (timeout_ms >= 0) {
		/* 0 means "at once": the next loop iteration, never from inside libcurl. */
		ev_timer_set(&hm->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(hm->loop, &hm->timer);
	}
	return 0;
}

struct http_multi *http_multi_new(struct ev_loop *loop)
{
	struct http_multi *hm = calloc(1, sizeof *hm);
	if (!hm)
		return NULL;
	hm->loop = loop;
	ev_init(&hm->timer, timer_cb);
	/* libcurl counts init/cleanup pairs, so several multis (tests) may coexist. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(hm);
		return NULL;
	}
	hm->global_init = true;
	hm->multi = curl_multi_init();
	if (!hm->multi) {
		http_multi_free(hm);
		return NULL;
	}
	curl_multi_setopt(hm->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(hm->multi, CURLMOPT_SOCKETDATA, hm);
	curl_multi_setopt(hm->multi, CURLMOPT_TIMERFUNCTION, timerfn_cb);
	curl_multi_setopt(hm->multi, CURLMOPT_TIMERDATA, hm);
	return hm;
}

void http_multi_free(struct http_multi *hm)
{
	if (!hm)
		return;
	/* Owners should have removed their transfers; drop any that remain (handles stay theirs). */
	while (hm->xfers)
		http_multi_remove(hm, hm->xfers->easy);
	if (hm->multi)
		curl_multi_cleanup(hm->multi);
	while (hm->socks)
		sock_free(hm, hm->socks);
	ev_timer_stop(hm->loop, &hm->timer);
	if (hm->global_init)
		curl_global_cleanup();
	free(hm);
}

bool http_multi_add(struct http_multi *hm, CURL *easy, http_multi_done_fn done, void *ctx)
{
	struct hm_xfer *x = calloc(1, sizeof *x);
	if (!x)
		return false;
	x->done = done;
	x->ctx = ctx;
	x->easy = easy;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(hm->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return false;
	}
	x->next = hm->xfers;
	if (hm->xfers)
		hm->xfers->prev = x;
	hm->xfers = x;
	return true;
}

void http_multi_remove(struct http_multi *hm, CURL *easy)
{
	struct hm_xfer *x = NULL;
	if (!hm || !easy)
		return;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (!x)
		return;
	curl_multi_remove_handle(hm->multi, easy);
	xfer_drop(hm, x);
	free(x);
}
