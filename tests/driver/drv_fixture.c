/* drv_fixture.c - test fixture: struct sim800 on a mock port, log and events captured. */
#include "drv_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fx_log(void *user, enum sim800_log_kind kind, const char *text, size_t len)
{
	struct fx *f = user;
	if ((unsigned)kind < 8)
		f->n_log[kind]++;
	if (f->log_len + len + 4 >= FX_LOG_MAX)
		return;
	f->log_len += (size_t)snprintf(f->log + f->log_len, FX_LOG_MAX - f->log_len, "%d:%.*s\n",
				       (int)kind, (int)len, text);
}

static void fx_event(void *user, struct sim800 *m, enum sim800_event ev)
{
	struct fx *f = user;
	(void)m;
	if (f->n_events < FX_EVENTS_MAX)
		f->events[f->n_events++] = (int)ev;
}

struct fx *fx_new(uint32_t seed, unsigned max_chunk)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	mock_port_init(&f->mp, seed, max_chunk);
	struct sim800_port port;
	mock_port_bind(&f->mp, &port);
	struct sim800_config cfg = {.user = f, .on_event = fx_event, .log = fx_log};
	if (sim800_init(&f->m, &port, &cfg) != SIM800_OK)
		abort();
	return f;
}

void fx_free(struct fx *f)
{
	free(f);
}

bool fx_log_has(const struct fx *f, enum sim800_log_kind kind, const char *text)
{
	char want[512];
	snprintf(want, sizeof(want), "%d:%s\n", (int)kind, text);
	size_t n = strlen(want);
	/* match at the start of an entry */
	for (const char *p = f->log; (p = strstr(p, want)); p++)
		if (p == f->log || p[-1] == '\n')
			return true;
	(void)n;
	return false;
}

bool fx_has_event(const struct fx *f, enum sim800_event ev)
{
	for (size_t i = 0; i < f->n_events; i++)
		if (f->events[i] == (int)ev)
			return true;
	return false;
}
