/* datamode.h - input after a prompt ("> ", DOWNLOAD): fixed length or up to Ctrl-Z, ESC cancels. */
#ifndef SIM_DATAMODE_H
#define SIM_DATAMODE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_modem;

enum datamode_end {
	DATAMODE_COMPLETE,  /* the fixed length arrived */
	DATAMODE_CTRLZ,     /* Ctrl-Z (0x1A) ended a variable-length input */
	DATAMODE_ESC,       /* ESC (0x1B) cancelled a variable-length input */
	DATAMODE_TIMEOUT,   /* the time limit passed (AT+HTTPDATA) */
	DATAMODE_OVERFLOW,  /* more than max bytes before Ctrl-Z */
};

struct datamode_cfg {
	size_t length;      /* > 0: exactly this many bytes, binary-safe (no Ctrl-Z/ESC meaning) */
	size_t max;         /* length == 0: at most this many bytes before Ctrl-Z */
	double timeout;     /* seconds (after --time-scale is NOT applied: it is the host's time
			       limit); 0 = none */
	bool echo;          /* echo the bytes as they arrive */
	/* Called once with the collected bytes (valid only during the call). */
	void (*done)(struct sim_modem *m, void *ctx, const uint8_t *data, size_t n,
		     enum datamode_end how);
	void *ctx;
};

struct datamode {
	struct datamode_cfg cfg;
	uint8_t *buf;        /* owned; freed when the input ends */
	size_t len, cap;
	ev_timer timer;
	bool active;
};

/* Take over the modem's input until the data is complete; the caller has sent the prompt. */
bool datamode_start(struct sim_modem *m, const struct datamode_cfg *cfg);
/* Stop without calling done (power off, reset). */
void datamode_cancel(struct sim_modem *m);

#endif
