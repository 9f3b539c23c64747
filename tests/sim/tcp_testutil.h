/* tcp_testutil.h - shared by the CIP tests (test_tcp.c, test_tcp_faults.c). */
#ifndef TCP_TESTUTIL_H
#define TCP_TESTUTIL_H

#include "fxproc.h"
#include "simtest.h"

/* cmocka group setup/teardown: sim800-fixtures for the program. */
int tcp_fixtures_start(void **state);
int tcp_fixtures_stop(void **state);
const struct fxproc *tcp_fx(void);
/* A modem past boot (time scale 0), echo off. */
struct simtest *up(const char *profile, size_t limit);
/* CSTT, CIICR, CIFSR: the context up at 10.64.0.2. */
void bring_up(struct simtest *t);
/* Send a command built from fmt with two ints, output taken first. */
void cmdf(struct simtest *t, const char *fmt, int a, int b);
/* CIPSTART to tcp-echo: OK, CONNECT OK. */
void start_echo(struct simtest *t);

#endif
