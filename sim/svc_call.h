/* svc_call.h - voice calls: ATD<number>;, ATA, ATH, RING/+CLIP, outcomes set by scenario. */
#ifndef SIM_SVC_CALL_H
#define SIM_SVC_CALL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "modem.h"

/*
 * One call at a time (no waiting or held calls, no multiparty). struct svc_call hangs off
 * m->call, is created on first use and freed by svc_call_reset (power cycle, destroy), which
 * also ends the call without any output. Timings are before --time-scale; every choice marked
 * UNCERTAIN is one no source in sim800-facts.md shows byte for byte.
 */

/* RING repeats (27.007 gives no period; ~3 s as on GSM networks: UNCERTAIN). */
#define CALL_RING_INTERVAL_MS 3000
/* An unanswered caller gives up after this many RINGs; the host then sees NO CARRIER. */
#define CALL_RING_MAX 10
/* Mobile-originated: how long until each outcome shows (UNCERTAIN, plausible values). */
#define CALL_CONNECT_MS 4000
#define CALL_BUSY_MS 2000
#define CALL_NO_ANSWER_MS 30000
#define CALL_NO_CARRIER_MS 2000

enum call_state {
	CALL_IDLE,
	CALL_DIALING,    /* ATD accepted, OK not yet out */
	CALL_ALERTING,   /* the far end rings ("MO RING") */
	CALL_ACTIVE,
	CALL_INCOMING,   /* RING ... until ATA, the caller gives up, or ATH */
};

/* How the next ATD<number>; ends (svc_call_set_outcome). */
enum call_outcome {
	CALL_OUTCOME_CONNECT,
	CALL_OUTCOME_BUSY,
	CALL_OUTCOME_NO_ANSWER,
	CALL_OUTCOME_NO_CARRIER,
};

struct svc_call {
	struct sim_modem *m;
	enum call_state st;
	bool mo;                    /* we dialled (27.007 <dir> 0) */
	char number[32];            /* the other party; "" = withheld */
	int type;                   /* 145 international, 129 otherwise */
	enum call_outcome next;     /* for the next ATD */
	enum call_outcome outcome;  /* for the call being dialled */
	ev_timer timer;             /* MO: the outcome; MT: the next RING */
	unsigned rings;             /* RINGs sent for this incoming call */
	int clip;                   /* AT+CLIP: +CLIP after RING */
	int crc;                    /* AT+CRC: "+CRING: VOICE" instead of RING */
	int colp;                   /* AT+COLP: +COLP when the far end answers */
	int moring;                 /* AT+MORING: "MO RING" / "MO CONNECTED" (SIM800) */
	int clcc;                   /* AT+CLCC=1: +CLCC lines on every change (SIM800) */
};

/* ATD<number>[;] (args as written after D, without the GPRS service codes). */
struct at_result svc_call_dial(struct sim_modem *m, const char *number, size_t len);
/* ATA. */
struct at_result svc_call_answer(struct sim_modem *m);
/* A call exists (ringing, dialling or active): ATH ends it. */
bool svc_call_active(const struct sim_modem *m);
/* ATH (after its OK). */
void svc_call_hangup(struct sim_modem *m);
/* Injected: a call arrives from number (RING every few seconds, +CLIP when enabled). False
 * when a call exists already, the modem is not registered, or the number is malformed
 * ("" is a withheld number). */
bool svc_call_incoming(struct sim_modem *m, const char *number);
/* Injected: the remote party hangs up (NO CARRIER). */
void svc_call_remote_hangup(struct sim_modem *m);
/* Injected: how the next ATD<number>; ends: "connect", "busy", "no answer", "no carrier". */
bool svc_call_set_outcome(struct sim_modem *m, const char *outcome);
void svc_call_reset(struct sim_modem *m);

/* For cmd_call.c: the state, created on first use; NULL only when out of memory. */
struct svc_call *svc_call_get(struct sim_modem *m);
/* The AT+CLCC line of the current call (27.007 §7.18), or false when there is none. */
bool svc_call_clcc_line(const struct svc_call *c, char *out, size_t cap);

#endif
