/* drv_fixture.h - a struct sim800 on a mock port with captured log and events, for tests. */
#ifndef SIM800_TEST_DRV_FIXTURE_H
#define SIM800_TEST_DRV_FIXTURE_H

#include "mock_port.h"
#include "sim800.h"

#define FX_LOG_MAX 32768
#define FX_EVENTS_MAX 32

struct fx {
	struct mock_port mp;
	struct sim800 m;
	char log[FX_LOG_MAX]; /* "<kind>:<text>\n" per log call */
	size_t log_len;
	unsigned n_log[8];    /* per enum sim800_log_kind */
	int events[FX_EVENTS_MAX];
	size_t n_events;
};

/* Heap-allocated (tests only); seed/chunk configure the mock's fragmentation. */
struct fx *fx_new(uint32_t seed, unsigned max_chunk);
void fx_free(struct fx *f);
/* True if a log entry of that kind has exactly this text. */
bool fx_log_has(const struct fx *f, enum sim800_log_kind kind, const char *text);
bool fx_has_event(const struct fx *f, enum sim800_event ev);

#endif
