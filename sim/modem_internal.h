/* modem_internal.h - calls between the modem's own modules (not for services or main). */
#ifndef SIM_MODEM_INTERNAL_H
#define SIM_MODEM_INTERNAL_H

#include "modem.h"

/* dispatch.c -> modem.c: the line's final result is out; release held input. */
void modem_line_finished(struct sim_modem *m);
/* Drop the input hook without letting held URCs out yet (datamode: result first). */
void modem_clear_input_hook(struct sim_modem *m);
/* Change the pacing rate (AT+IPR after its result code). */
void modem_apply_baud(struct sim_modem *m, unsigned baud);

/* urc_queue.c */
void urc_queue_push(struct sim_modem *m, const char *line);
void urc_queue_flush(struct sim_modem *m);
void urc_queue_clear(struct urc_queue *q);
void boot_start(struct sim_modem *m);
void boot_stop(struct sim_modem *m);

/* netstate.c */
void netstate_init(struct sim_modem *m);
/* Start (or restart) the profile's network timeline from now. */
void netstate_start(struct sim_modem *m);
void netstate_stop(struct sim_modem *m);
/* Injected network state (control socket, scenarios): -1 keeps a value; stops the timeline. */
void netstate_set(struct sim_modem *m, int reg, int rssi, int ber);
/* True when registered (home or roaming). */
bool netstate_registered(const struct sim_modem *m);
bool netstate_attached(const struct sim_modem *m);
/* Injected refusals of GPRS activation (AT+CIICR, AT+SAPBR=1) with this APN: an APN outside
 * the allow-list, or VBAT below gprs_min_mv. NULL when allowed, else why (for the transcript). */
const char *netstate_activation_refused(const struct sim_modem *m, const char *apn);

#endif
