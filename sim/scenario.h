/* scenario.h - scenario files: a timeline of injected events, at times or on commands, seeded. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile_yaml.h"

struct sim_modem;

/*
 * A scenario file (YAML, see profiles/scenarios/README.md):
 *   seed: 7                          # random faults repeat exactly for the same seed
 *   random: {drop_per_mille: 2, corrupt_per_mille: 1, delay_ms: [0, 50]}
 *   events:
 *     - {at_ms: 3000, op: network, reg: searching}          # after power-on (time-scaled)
 *     - {at_ms: 100, every_ms: 500, times: 4, op: urc, text: "DST: 1"}
 *     - {after: "+CIPSEND", count: 3, op: remote_close, conn: 0}  # after the 3rd one
 * Each event's remaining keys are a control-socket request (inject.h), so both speak one
 * vocabulary. Loaded once per process, shared read-only by every modem.
 */
struct scenario_event {
	long at_ms;            /* -1: not time-triggered */
	long every_ms;         /* repeat interval, 0 = once */
	long times;            /* repetitions with every_ms */
	char after[32];        /* command name ("+CIPSEND"), "" = time-triggered */
	long count;            /* the count-th execution triggers it */
	json_t *req;           /* the inject request, owned */
	unsigned line;         /* where it was defined, for messages */
};

struct scenario {
	char *path;
	bool has_seed;
	uint32_t seed;
	unsigned drop_pm, corrupt_pm;   /* per-mille chance per byte sent to the host */
	unsigned delay_min, delay_max;  /* extra ms before every command's answer */
	struct scenario_event *ev;
	size_t n_ev;
};

/* Load and check a scenario file; NULL with err (file:line:column, key path) on failure. */
struct scenario *scenario_load(const char *path, struct profile_error *err);
void scenario_free(struct scenario *s);

/* Per modem: start the timeline at power-on, stop it at power-off (modem.c calls these). */
void scenario_start(struct sim_modem *m);
void scenario_stop(struct sim_modem *m);
/* Attach a scenario to a modem (owned by the caller; must outlive the modem). */
bool scenario_attach(struct sim_modem *m, const struct scenario *s);
void scenario_detach(struct sim_modem *m);
/* dispatch.c: a command finished (name as parsed: "+CIPSEND", "D"); its events become due. */
void scenario_command(struct sim_modem *m, const char *name);
/* dispatch.c: the line's final result is out: fire the events that became due. */
void scenario_flush(struct sim_modem *m);
/* modem.c: random line faults for n bytes about to be sent; returns bytes kept in out. */
size_t scenario_filter(struct sim_modem *m, const uint8_t *in, size_t n, uint8_t *out);
/* dispatch.c: random extra delay for the next command, in ms (before --time-scale). */
unsigned scenario_extra_delay(struct sim_modem *m);

#endif
