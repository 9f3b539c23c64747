/* modem.h - struct sim_modem: one virtual SIM800 with its line, parser, state and services. */
#ifndef SIM_MODEM_H
#define SIM_MODEM_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "at_line.h"
#include "at_parser.h"
#include "datamode.h"
#include "pacing.h"
#include "profile.h"
#include "transport.h"

struct transcript;
struct sim_modem;
struct netmap;
struct svc_tcp;
struct svc_http;
struct svc_ppp;
struct svc_sms;
struct svc_call;
struct http_multi;
struct scenario_run;
struct replay_run;

/* When a modem powers on. */
enum sim_power_on {
	SIM_POWER_ON_OPEN,   /* when a host first opens the line (boot URCs are seen) */
	SIM_POWER_ON_START,  /* at once when the simulator starts */
};

/* Process-wide settings every modem reads; owned by main, never changed while running. */
struct sim_options {
	double time_scale;          /* profile delays are multiplied by this; 0 = instant */
	unsigned baud;              /* line rate for pacing; 0 = --no-pacing */
	enum sim_power_on power_on;
	uint32_t seed;              /* for boot noise and any randomness; per modem: seed + index */
	const struct netmap *netmap; /* where data services may connect (--allow, --host) */
};

/* What a command handler answers. */
enum at_res_kind {
	AT_RES_OK,       /* go on with the line; "OK" at its end */
	AT_RES_NONE,     /* no final result of its own (AT+CIFSR); the next command's, if any */
	AT_RES_ERROR,    /* plain "ERROR" (V0: 4) */
	AT_RES_CME,      /* +CME ERROR: code, or ERROR with AT+CMEE=0 */
	AT_RES_CMS,      /* +CMS ERROR: code */
	AT_RES_CODE,     /* a V.250 result code: CONNECT (1), NO CARRIER (3), BUSY (7)... */
	AT_RES_TEXT,     /* a literal final line (profile replay / unknown_answer) */
	AT_RES_ASYNC,    /* the handler finishes later with modem_command_done() */
};

struct at_result {
	enum at_res_kind kind;
	int code;           /* CME/CMS/V.250 code */
	const char *text;   /* AT_RES_TEXT, or AT_RES_CODE's verbose text ("CONNECT 115200");
			     * must outlive the final (profile strings do) */
};

#define RES_OK ((struct at_result){.kind = AT_RES_OK})
#define RES_NONE ((struct at_result){.kind = AT_RES_NONE})
#define RES_ERROR ((struct at_result){.kind = AT_RES_ERROR})
#define RES_ASYNC ((struct at_result){.kind = AT_RES_ASYNC})
#define RES_CME(n) ((struct at_result){.kind = AT_RES_CME, .code = (n)})
#define RES_CMS(n) ((struct at_result){.kind = AT_RES_CMS, .code = (n)})
#define RES_CODE(n) ((struct at_result){.kind = AT_RES_CODE, .code = (n)})

/* V.250 result codes (MAN §2.2.25). */
enum v250_code {
	V250_OK = 0, V250_CONNECT = 1, V250_RING = 2, V250_NO_CARRIER = 3, V250_ERROR = 4,
	V250_NO_DIALTONE = 6, V250_BUSY = 7, V250_NO_ANSWER = 8, V250_PROCEEDING = 9,
};

/* V.250 settings, one struct so AT&W / ATZ / AT&F copy it whole (oFono v250_settings). */
struct v250 {
	bool echo;           /* ATE */
	bool verbose;        /* ATV: true = text results, false = numeric */
	bool quiet;          /* ATQ1: result codes suppressed */
	int cmee;            /* AT+CMEE 0/1/2 */
	int x;               /* ATX, default 4 (MAN version history) */
	int amp_c;           /* AT&C */
	int amp_d;           /* AT&D */
	int s0;              /* rings before auto-answer */
	int s6, s7, s8, s10; /* dial pause, connect wait, comma pause, carrier loss (V.250) */
	unsigned ipr;        /* AT+IPR; 0 = autobaud */
	int ifc_dce, ifc_dte;/* AT+IFC */
	int icf_format, icf_parity; /* AT+ICF */
};

enum sim_power { SIM_POWER_OFF, SIM_POWER_ON };

/* Network-side state driven by the profile's timeline (netstate.c). */
struct netstate {
	ev_timer timer;            /* next timeline step */
	ev_tstamp base;            /* when the timeline started (SIM ready) */
	size_t next;               /* index of the next step to apply */
	bool running;
	enum profile_reg reg;
	enum profile_reg gprs_reg;
	int rssi, ber;
	bool auto_attached;        /* what the network step says */
	int attach_override;       /* -1 none; 0/1 set by AT+CGATT */
	const char *lac, *ci;
	int creg_n, cgreg_n;       /* AT+CREG=n / AT+CGREG=n */
	int cfun;                  /* AT+CFUN */
	enum profile_sim sim;      /* current SIM state (PIN entered -> READY) */
	int csclk;
	int cops_mode;
};

/* An input consumer that replaces command-line assembly (prompts, data mode). */
struct modem_input_hook {
	/* Returns bytes consumed; may clear the hook (modem_set_input_hook(m, NULL, NULL)). */
	size_t (*feed)(struct sim_modem *m, void *ctx, const uint8_t *buf, size_t n);
	void *ctx;
};

struct urc_queue {
	char **items;              /* queued URC lines, owned */
	size_t len, cap;
};

struct dispatch {
	char line[AT_LINE_CAP];    /* the line being executed (a copy: "A/" and echo reuse the buffer) */
	size_t len;
	struct at_parser parser;
	struct at_cmd cur;
	bool busy;                 /* a line is executing: URCs wait, input waits */
	struct at_result last;     /* result of the previous command of the line */
	ev_timer delay;            /* profile response delay before cur runs */
	unsigned baud_after;       /* AT+IPR: new rate once the final result is out */
	bool hold_urcs;            /* a handler writes its answer in pieces (HTTPREAD): URCs wait
				      for the final result instead of landing inside the data */
	/* Runs once the line's final result is out (AT+CFUN=1,1 reboots after its OK). */
	void (*after_final)(struct sim_modem *m);
	/* Fault late_final: the next line ending in command late_cmd holds its final result
	 * for late_s real seconds (field-bugs.md urc-late-final-shifts-responses). */
	char late_cmd[16];
	double late_s;
	bool late_armed;           /* late_cmd ran in this line: its final waits */
	ev_timer late;
	struct at_result late_res;
};

/* URCs put right before a command's first information line (op urc with before_answer):
 * a real module may send one between the echo and the answer (urc-dst-taken-as-imsi). */
#define URC_BEFORE_MAX 8
struct urc_before {
	char cmd[16];              /* command name as parsed ("+CIMI") */
	char text[128];
	unsigned skip;             /* executions of cmd to let pass first (op field nth - 1) */
};

struct sim_modem {
	struct ev_loop *loop;
	int index;
	const struct profile *profile;    /* shared, read-only */
	const struct sim_options *opt;    /* shared, read-only */
	struct transcript *log;           /* shared, may be NULL */
	struct transport *tr;             /* owned */
	struct pacing out;
	struct at_line line;
	struct dispatch disp;
	struct urc_queue urcs;
	struct netstate net;
	struct v250 v;
	struct v250 saved;                /* AT&W profile 0 */
	enum sim_power power;
	ev_tstamp power_on_at;
	ev_timer boot_timer;              /* next boot URC */
	size_t boot_next;
	bool autobaud_locked;             /* under AT+IPR=0: an "AT" has fixed the rate */
	bool autobaud;                    /* the rate in force at boot was 0 */
	unsigned autobaud_rate;           /* the host's rate when "AT" locked it (0 unknown):
					     kept until power-down (MAN §2.2.41) */
	struct modem_input_hook hook;
	struct datamode dm;               /* prompt input (CIPSEND, HTTPDATA, CMGS) */
	struct svc_tcp *tcp;              /* CIP stack state, owned by svc_tcp.c; NULL until used */
	struct svc_http *http;            /* bearer + HTTP app state, owned by svc_http.c */
	struct svc_ppp *ppp;              /* PPP data call, owned by svc_ppp.c */
	struct svc_sms *sms;              /* message store and settings, owned by svc_sms.c */
	struct svc_call *call;            /* voice call state, owned by svc_call.c */
	struct cmd_fs *fs;                /* flash files and SSL options, owned by cmd_fs.c; kept
					     across power cycles (flash) */
	struct http_multi *http_multi;    /* the process's libcurl multi (shared, owned by main) */
	uint8_t *backlog;                 /* input that arrived while a line executed, owned */
	size_t backlog_len;
	uint32_t rng;                     /* xorshift state, seeded per modem */
	/* Injected faults (control socket, scenarios). */
	unsigned long drop_bytes;         /* the next N bytes to the host are lost */
	unsigned long corrupt_bytes;      /* the next N bytes to the host are garbled */
	ev_tstamp mute_until;             /* until then the module neither hears nor speaks */
	ev_tstamp deaf_until;             /* until then input is ignored (a reset's deaf_ms) */
	double boot_scale;                /* >0: this boot's URCs at the profile's times x this, in
					     real time, whatever --time-scale (a reset's boot_scale) */
	int brownout_on;                  /* enum brownout_at armed by the brownout op (brownout.c) */
	unsigned brownout_ms;             /* how long the module stays off, real milliseconds */
	ev_timer brownout_timer;          /* power off now, then on again (brownout.c) */
	char slow_cmd[24];                /* commands that begin so (e.g. "+CIICR", "+SAPBR=1")
					     answer slow_ms later */
	unsigned slow_ms;                 /* in real time, whatever --time-scale */
	char apn_allow[4][65];            /* GPRS activation only with these APNs ([0] empty:
					     any) (field-bugs.md reg-cgdcont-apn-pdp-deact) */
	int gprs_min_mv;                  /* GPRS activation fails below this VBAT (0: never)
					     (field-bugs.md pwr-tcall-lipo-below-3v9) */
	unsigned long connect_fail_real_ms; /* op connect_fail_ms: CONNECT FAIL for an unreachable
					     host after this many real ms; 0: the profile's scaled
					     data.connect_fail_ms */
	int battery_mv;                   /* AT+CBC voltage; starts at the profile's */
	struct scenario_run *scenario;    /* the scenario timeline running on this modem, owned */
	bool scenario_faults;             /* its random line faults are on (drop/corrupt) */
	struct replay_run *replay;        /* --replay: a recording answers instead of the engine */
	bool swallow_lf;                  /* a line just ended with CR: a following LF is
					     neither echoed nor parsed (facts §0, pythings) */
	struct urc_before urc_before[URC_BEFORE_MAX];
	size_t n_urc_before;
	double escape_guard;              /* op escape_guard: "+++" guard in real seconds,
					     whatever --time-scale; 0 = 1 s scaled */
};

/* Create a modem on an already created transport (ownership passes to the modem). */
struct sim_modem *modem_new(struct ev_loop *loop, int index, const struct profile *p,
			    const struct sim_options *opt, struct transcript *log,
			    struct transport *tr);
void modem_destroy(struct sim_modem *m);
/* Transport callbacks (the transport is bound to these by the creator). */
extern const struct transport_cb modem_transport_cb;

void modem_power_on(struct sim_modem *m);
void modem_power_off(struct sim_modem *m);

/* A profile delay in seconds after --time-scale. */
double modem_delay(const struct sim_modem *m, unsigned ms);
/* The "+++" guard time in seconds: 1 s scaled, or the op escape_guard's real time. */
double modem_escape_guard(const struct sim_modem *m);

/* Raw bytes to the host (echo, prompts, data), logged in the transcript. */
void modem_send(struct sim_modem *m, const void *buf, size_t n);
/* An unsolicited result code: sent now if the line is idle, else queued (urc_queue.c). */
void modem_urc(struct sim_modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Finish an asynchronous command (AT_RES_ASYNC) with its result. */
void modem_command_done(struct sim_modem *m, struct at_result r);
void modem_set_input_hook(struct sim_modem *m, const struct modem_input_hook *hook);

/* Random number from the modem's own generator (repeatable with --seed). */
uint32_t modem_random(struct sim_modem *m);

/* Reset V.250 settings to the profile's factory values. */
void modem_factory_settings(const struct profile *p, struct v250 *v);

#endif
