/* at_client_int.h - what at_client.c (runner), at_client_line.c (input) and at_client_v250.c share. */
#ifndef SIM800_AT_CLIENT_INT_H
#define SIM800_AT_CLIENT_INT_H

#include "at_client.h"
#include "at_result.h"

/* A command in progress. Lives on the stack of run_one(); m->run points to it meanwhile. */
struct sim800_run {
	const struct sim800_cmd *cmd;
	size_t text_len;
	bool echo_pending;  /* the echo of text may still come (ATE1) */
	bool numeric;       /* ATV0 codes count as finals for this command */
	bool prompt_wait;   /* waiting for "> " or DOWNLOAD */
	bool payload_sent;
	bool got_info;      /* an information line was delivered */
	bool done;
	enum sim800_err abort_err; /* set when the run ends without a final (reset, I/O) */
	struct at_result res;
};

/* at_client.c: write all of buf to the port (a few zero-length writes are tolerated). */
enum sim800_err at_client_write_all(struct sim800 *m, const uint8_t *buf, size_t len);

/* at_client_line.c */
/* Read and process input until the running command is done, or the deadline passes. With no
 * command running it serves URCs until the deadline. */
enum sim800_err at_client_pump(struct sim800 *m, uint64_t deadline);
/* As at_client_pump with no command running, but back as soon as input came and is drained. */
enum sim800_err at_client_pump_some(struct sim800 *m, uint64_t deadline);

/* at_client_v250.c */
/* After OK: follow ATV/ATE/ATZ/AT&F in text so m->v0 and m->echo match the module. */
void at_client_track_v250(struct sim800 *m, const char *text);
/* Does text switch the result code format (V, Z, &F)? */
bool at_client_sets_v(const char *text);

#endif
