/* fuzz_modem.c - one simulated modem on the in-memory transport, driven by fuzz input. */
#include "fuzz_modem.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http_multi.h"
#include "modem.h"
#include "netmap.h"
#include "transcript.h"
#include "transport_mem.h"

/* Upper bound of loop steps per segment: a runaway loop is a hang, which libFuzzer reports
 * through its -timeout; this bound only keeps long but finite work cheap. */
#define STEPS_MAX 20000

/* Step until the input is delivered and the output stops growing for a few steps. */
static void settle(struct ev_loop *loop, struct transport *tr, unsigned flags)
{
	size_t quiet = 0, last = transport_mem_pending(tr);
	for (int i = 0; i < STEPS_MAX && quiet < 4; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		/* Only when there is output: transport_mem_take() memcpy()s from a NULL buffer
		 * before the modem's first write (UBSan: nonnull argument; reported). */
		char sink[4096];
		if (flags & FUZZ_MODEM_SLOW_HOST) {
			if (transport_mem_pending(tr))
				transport_mem_take(tr, sink, 17);
			transport_mem_set_write_room(tr, 64);
		} else {
			while (transport_mem_pending(tr))
				transport_mem_take(tr, sink, sizeof sink);
		}
		size_t now = transport_mem_pending(tr);
		if (transport_mem_undelivered(tr) == 0 && now == last)
			quiet++;
		else
			quiet = 0;
		last = now;
	}
}

void fuzz_modem_run(const struct profile *p, const uint8_t *in, size_t n, size_t limit,
		    unsigned flags)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct netmap *nm = netmap_new();
	if (!loop || !nm) {
		if (loop)
			ev_loop_destroy(loop);
		netmap_free(nm);
		return;
	}
	netmap_clear_allow(nm);
	char why[256];
	(void)netmap_hosts(nm, p->hosts, p->n_hosts, why, sizeof why);
	struct http_multi *hm = http_multi_new(loop);
	struct transcript *log = NULL;
	if (flags & FUZZ_MODEM_TRANSCRIPT)
		log = transcript_open(loop, "/dev/null", why, sizeof why);
	struct sim_options opt = {
		.time_scale = 0, .baud = 0, .seed = 1, .netmap = nm,
		.power_on = (flags & FUZZ_MODEM_POWER_START) ? SIM_POWER_ON_START
							     : SIM_POWER_ON_OPEN,
	};
	struct transport *tr = transport_mem_new(loop, limit);
	struct sim_modem *m = tr ? modem_new(loop, 0, p, &opt, log, tr) : NULL;
	if (m) {
		m->http_multi = hm;
		transport_mem_bind(tr, &modem_transport_cb, m);
		if (flags & FUZZ_MODEM_POWER_START)
			modem_power_on(m);
		transport_mem_set_present(tr, true);
		settle(loop, tr, flags);
		size_t start = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i < n && in[i] != FUZZ_MODEM_SEP)
				continue;
			/* Not empty: transport_mem's buf_append() does NULL + 0 on a buffer that
			 * never held anything (UBSan; reported), a test-support bug, not the modem's. */
			if (i > start)
				transport_mem_host_write(tr, in + start, i - start);
			settle(loop, tr, flags);
			if ((flags & FUZZ_MODEM_REOPEN) && i < n) {
				transport_mem_set_present(tr, false);
				settle(loop, tr, flags);
				transport_mem_set_present(tr, true);
				settle(loop, tr, flags);
			}
			start = i + 1;
		}
		modem_destroy(m);
	}
	transcript_close(log);
	http_multi_free(hm);
	netmap_free(nm);
	ev_loop_destroy(loop);
}
