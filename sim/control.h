/* control.h - the control socket: JSON Lines requests that inject events into named modems. */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <ev.h>
#include <stddef.h>

struct sim_modem;
struct control;

/* Longest request line; a longer one gets an error reply and is skipped to its newline. */
#define CONTROL_LINE_MAX 65536

/*
 * Listen on a Unix socket at path (mode 0600; a stale socket there is replaced, any other file
 * refused). One request per line, one reply per line:
 *   {"modem":0,"op":"sms","from":"+4912345","text":"hi","id":7}
 *   {"ok":true,"id":7}  /  {"ok":false,"error":"\"text\" is required","field":"text","id":7}
 * "op":"list" lists the modems, "op":"ops" the event names; every other op is inject.h's.
 * modems[0..n) are borrowed and must outlive the control. NULL with why on failure.
 */
struct control *control_new(struct ev_loop *loop, const char *path, struct sim_modem **modems,
			    size_t n, char *why, size_t why_cap);
/* Close every client and the socket, remove the socket file. NULL is a no-op. */
void control_free(struct control *c);

#endif
