/* fuzz_modem.c - simulated modems on the in-memory transport, driven by fuzz input. */
#include "fuzz_modem.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http_multi.h"
#include "modem.h"
#include "netmap.h"
#include "transcript.h"
#include "transport_mem.h"

/* Upper bound of loop steps per settle: a runaway loop is a hang, which libFuzzer reports
 * through its -timeout; this bound only keeps long but finite work cheap. */
#define STEPS_MAX 20000

/* Take what the modems wrote (as a host reading its line would). */
static size_t drain(struct fuzz_modem *f)
{
	size_t pending = 0;
	for (size_t i = 0; i < f->n; i++) {
		/* Only when there is output: transport_mem_take() memcpy()s from a NULL buffer
		 * before the modem's first write (UBSan: nonnull argument; tests/fuzz/crashes). */
		char sink[4096];
		if (f->flags & FUZZ_MODEM_SLOW_HOST) {
			if (transport_mem_pending(f->tr[i]))
				transport_mem_take(f->tr[i], sink, 17);
			transport_mem_set_write_room(f->tr[i], 64);
		} else {
			while (transport_mem_pending(f->tr[i]))
				transport_mem_take(f->tr[i], sink, sizeof sink);
		}
		pending += transport_mem_pending(f->tr[i]) + transport_mem_undelivered(f->tr[i]);
	}
	return pending;
}

/* Step until the input is delivered and nothing is left to read for a few steps. */
static void settle(struct fuzz_modem *f)
{
	size_t quiet = 0;
	for (int i = 0; i < STEPS_MAX && quiet < 4; i++) {
		ev_run(f->loop, EVRUN_NOWAIT);
		quiet = drain(f) == 0 ? quiet + 1 : 0;
	}
}

bool fuzz_modem_init(struct fuzz_modem *f, const struct profile *p, size_t n, size_t limit,
		     unsigned flags)
{
	memset(f, 0, sizeof *f);
	f->flags = flags;
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->nm = netmap_new();
	if (!f->loop || !f->nm || n > FUZZ_MODEM_MAX) {
		fuzz_modem_free(f);
		return false;
	}
	netmap_clear_allow(f->nm);
	char why[256];
	(void)netmap_hosts(f->nm, p->hosts, p->n_hosts, why, sizeof why);
	f->hm = http_multi_new(f->loop);
	if (flags & FUZZ_MODEM_TRANSCRIPT)
		f->log = transcript_open(f->loop, "/dev/null", why, sizeof why);
	f->opt = (struct sim_options){
		.time_scale = 0, .baud = 0, .seed = 1, .netmap = f->nm,
		.power_on = (flags & FUZZ_MODEM_POWER_START) ? SIM_POWER_ON_START
							     : SIM_POWER_ON_OPEN,
	};
	for (size_t i = 0; i < n; i++) {
		struct transport *tr = transport_mem_new(f->loop, limit);
		struct sim_modem *m = tr ? modem_new(f->loop, (int)i, p, &f->opt, f->log, tr) : NULL;
		if (!m) {
			fuzz_modem_free(f);
			return false;
		}
		f->tr[i] = tr;
		f->m[i] = m;
		f->n = i + 1;
		m->http_multi = f->hm;
		transport_mem_bind(tr, &modem_transport_cb, m);
		if (flags & FUZZ_MODEM_POWER_START)
			modem_power_on(m);
		transport_mem_set_present(tr, true);
	}
	settle(f);
	return true;
}

void fuzz_modem_feed(struct fuzz_modem *f, size_t i, const uint8_t *in, size_t n)
{
	/* Not empty: transport_mem's buf_append() does NULL + 0 on a buffer that never held
	 * anything (UBSan; tests/fuzz/crashes), a test-support bug, not the modem's. */
	if (i < f->n && n > 0)
		transport_mem_host_write(f->tr[i], in, n);
	settle(f);
}

void fuzz_modem_free(struct fuzz_modem *f)
{
	for (size_t i = 0; i < f->n; i++)
		modem_destroy(f->m[i]);
	transcript_close(f->log);
	http_multi_free(f->hm);
	netmap_free(f->nm);
	if (f->loop)
		ev_loop_destroy(f->loop);
	memset(f, 0, sizeof *f);
}

void fuzz_modem_run(const struct profile *p, const char *prologue, const uint8_t *in, size_t n,
		    size_t limit, unsigned flags)
{
	struct fuzz_modem f;
	if (!fuzz_modem_init(&f, p, 1, limit, flags))
		return;
	if (prologue)
		fuzz_modem_feed(&f, 0, (const uint8_t *)prologue, strlen(prologue));
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && in[i] != FUZZ_MODEM_SEP)
			continue;
		fuzz_modem_feed(&f, 0, in + start, i - start);
		if ((flags & FUZZ_MODEM_REOPEN) && i < n) {
			transport_mem_set_present(f.tr[0], false);
			settle(&f);
			transport_mem_set_present(f.tr[0], true);
			settle(&f);
		}
		start = i + 1;
	}
	fuzz_modem_free(&f);
}
