/* drv_shapes.h - loops that run a driver scenario over read sizes, seeds and echo modes. */
#ifndef SIM800_TEST_DRV_SHAPES_H
#define SIM800_TEST_DRV_SHAPES_H

#include "drv_fixture.h"

/*
 * FOR_EACH_SHAPE runs a service scenario for read sizes 1..8 (mock fragments) and echo off/on,
 * so line assembly, prompts and the raw data after "+CIPRXGET: 2" / "+HTTPREAD:" are all
 * exercised in pieces.
 * URCs, UNDER-VOLTAGE WARNNING and garbage are injected between and inside answers.
 */
#define FOR_EACH_SHAPE(f)                                                                   \
	for (unsigned chunk_ = 1; chunk_ <= 8; chunk_++)                                      \
		for (int echo_ = 0; echo_ <= 1; echo_++)                                      \
			for (struct fx *f = fx_new(chunk_ * 7 + (unsigned)echo_, chunk_);     \
			     f && (f->mp.echo = echo_, 1); fx_free(f), f = NULL)

#define N_SEEDS 8

/* Run body for every fragment size 1..8 and a few seeds (urc-fragmented-delivery-byte-loss). */
#define FOR_EACH_FRAGMENTATION(seed, chunk)                                                   \
	for (unsigned chunk = 1; chunk <= 8; chunk++)                                          \
		for (uint32_t seed = 1; seed <= N_SEEDS; seed++)

#endif
