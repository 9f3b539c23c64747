/* replay.h - answer a driver from a recorded transcript (sim800-sim --replay). */
#ifndef SIM_REPLAY_H
#define SIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_modem;

/*
 * A transcript (the simulator's or sim800-proxy's JSON Lines) is cut into exchanges: the bytes
 * the host sent ("rx" records), then what the module answered until the host spoke again
 * ("tx"). Whatever the module said before the host's first byte (boot URCs) goes out at
 * power-on. Two ways to follow the driver:
 *  - lenient (default): the host's command lines are matched, in order, against the command
 *    lines recorded (skipping recorded ones the driver does not send); a line never recorded
 *    gets "ERROR". Echo and line endings may differ.
 *  - strict: the host's bytes must equal the recorded bytes exactly; at the first difference
 *    the simulator reports the byte offset, both bytes and the record, and stops answering.
 * Loaded once per process, read-only, shared by every modem.
 */
struct replay;

struct replay *replay_load(const char *path, int modem, char *why, size_t why_cap);
void replay_free(struct replay *r);
size_t replay_exchanges(const struct replay *r);

/* Per modem (modem.c): attach before power-on; start replaces the AT engine. */
bool replay_attach(struct sim_modem *m, const struct replay *r, bool strict);
void replay_detach(struct sim_modem *m);
void replay_start(struct sim_modem *m);

#endif
