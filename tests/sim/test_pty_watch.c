/* test_pty_watch.c - the process's one inotify instance: watch map, batching, removal. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pty_watch.h"

/*
 * inotify reports IN_OPEN/IN_CLOSE for any file, so plain files in a temporary directory stand
 * in for pty slaves here. The loop is stepped with EVRUN_NOWAIT until the events are in.
 */
enum { FILES = 40 };

struct rig;

struct slot { /* a callback's context: which file */
	struct rig *r;
	int i;
};

struct rig {
	struct ev_loop *loop;
	struct pty_watch *w;
	char dir[64];
	char path[FILES][96];
	int wd[FILES];
	int calls[FILES];
	int remove_on_call; /* index whose callback removes the watch of remove_target */
	int remove_target;
	struct slot slots[FILES];
};

static void on_event(void *ctx)
{
	struct slot *s = ctx;
	s->r->calls[s->i]++;
	if (s->i == s->r->remove_on_call && s->r->wd[s->r->remove_target] >= 0) {
		pty_watch_remove(s->r->w, s->r->wd[s->r->remove_target]);
		s->r->wd[s->r->remove_target] = -1;
	}
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	snprintf(r->dir, sizeof r->dir, "/tmp/sim800-watch-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	r->loop = ev_loop_new(EVFLAG_AUTO);
	enum sim_err err;
	char why[256];
	r->w = pty_watch_new(r->loop, &err, why, sizeof why);
	assert_non_null(r->w);
	r->remove_on_call = -1;
	for (int i = 0; i < FILES; i++) {
		snprintf(r->path[i], sizeof r->path[i], "%s/tty%d", r->dir, i);
		int fd = open(r->path[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		r->slots[i] = (struct slot){r, i};
		r->wd[i] = pty_watch_add(r->w, r->path[i], on_event, &r->slots[i]);
		assert_true(r->wd[i] >= 0);
	}
	assert_int_equal(pty_watch_count(r->w), FILES);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;
	for (int i = 0; i < FILES; i++) {
		if (r->wd[i] >= 0)
			pty_watch_remove(r->w, r->wd[i]);
		unlink(r->path[i]);
	}
	assert_int_equal(pty_watch_count(r->w), 0);
	pty_watch_free(r->w);
	ev_loop_destroy(r->loop);
	rmdir(r->dir);
	free(r);
	return 0;
}

static void step(struct rig *r)
{
	for (int i = 0; i < 20; i++)
		ev_run(r->loop, EVRUN_NOWAIT);
}

static void touch(struct rig *r, int i)
{
	int fd = open(r->path[i], O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
}

/* Each file's open and close reach its own callback, once per batch, and no other. */
static void events_reach_their_owner_once_per_batch(void **state)
{
	struct rig *r = *state;
	step(r);
	memset(r->calls, 0, sizeof r->calls);
	for (int k = 0; k < 5; k++) /* ten events for file 7 in one batch */
		touch(r, 7);
	touch(r, 31);
	step(r);
	for (int i = 0; i < FILES; i++)
		assert_int_equal(r->calls[i], i == 7 || i == 31 ? 1 : 0);
	touch(r, 7);
	step(r);
	assert_int_equal(r->calls[7], 2);
	assert_int_equal(r->calls[31], 1);
}

/* A callback may remove another watch whose event is in the same batch: that one is skipped. */
static void removal_inside_a_callback(void **state)
{
	struct rig *r = *state;
	step(r);
	memset(r->calls, 0, sizeof r->calls);
	/* Events are dispatched in the order read: 3 first, and it removes 20's watch. */
	r->remove_on_call = 3;
	r->remove_target = 20;
	touch(r, 3);
	touch(r, 20);
	touch(r, 39);
	step(r);
	assert_int_equal(r->calls[3], 1);
	assert_int_equal(r->calls[20], 0);
	assert_int_equal(r->calls[39], 1);
	assert_int_equal(pty_watch_count(r->w), FILES - 1);
	touch(r, 20); /* gone for good */
	step(r);
	assert_int_equal(r->calls[20], 0);
}

/* A removed watch's events already queued are dropped; the others keep working; the same path
 * can be watched again. */
static void removed_watches_are_forgotten(void **state)
{
	struct rig *r = *state;
	step(r);
	memset(r->calls, 0, sizeof r->calls);
	touch(r, 5);
	pty_watch_remove(r->w, r->wd[5]);
	r->wd[5] = -1;
	touch(r, 6);
	step(r);
	assert_int_equal(r->calls[5], 0);
	assert_int_equal(r->calls[6], 1);
	r->wd[5] = pty_watch_add(r->w, r->path[5], on_event, &r->slots[5]);
	assert_true(r->wd[5] >= 0);
	touch(r, 5);
	step(r);
	assert_int_equal(r->calls[5], 1);
	/* The same file twice would share one kernel watch: refused. */
	assert_int_equal(pty_watch_add(r->w, r->path[6], on_event, &r->slots[6]), -1);
	assert_int_equal(pty_watch_count(r->w), FILES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(events_reach_their_owner_once_per_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(removal_inside_a_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(removed_watches_are_forgotten, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
