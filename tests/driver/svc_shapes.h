/* svc_shapes.h - FOR_EACH_SHAPE: run a service scenario over every read size and echo mode. */
#ifndef SIM800_TEST_SVC_SHAPES_H
#define SIM800_TEST_SVC_SHAPES_H

#include "drv_fixture.h"

/*
 * Every scenario runs for read sizes 1..8 (mock fragments) and echo off/on, so line assembly,
 * prompts and the raw data after "+CIPRXGET: 2" / "+HTTPREAD:" are all exercised in pieces.
 * URCs, UNDER-VOLTAGE WARNNING and garbage are injected between and inside answers.
 */
#define FOR_EACH_SHAPE(f)                                                                   \
	for (unsigned chunk_ = 1; chunk_ <= 8; chunk_++)                                      \
		for (int echo_ = 0; echo_ <= 1; echo_++)                                      \
			for (struct fx *f = fx_new(chunk_ * 7 + (unsigned)echo_, chunk_);     \
			     f && (f->mp.echo = echo_, 1); fx_free(f), f = NULL)

#endif
