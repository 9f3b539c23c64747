/* profile.h - in-memory firmware profile: identity, capabilities, limits, timing, replay. */
#ifndef SIM_PROFILE_H
#define SIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A profile is immutable once loaded and shared by every modem that uses it (one process may
 * serve many modems with one profile). It knows nothing about YAML: profile_yaml.c builds it.
 * Every string and array is owned by the profile and freed by profile_free().
 * profiles/README.md documents every key, its type and default; keep the two in step.
 */

/* Registration status as AT+CREG reports it (27.007 <stat>). */
enum profile_reg {
	PROFILE_REG_NOT_SEARCHING = 0,
	PROFILE_REG_HOME = 1,
	PROFILE_REG_SEARCHING = 2,
	PROFILE_REG_DENIED = 3,
	PROFILE_REG_UNKNOWN = 4,
	PROFILE_REG_ROAMING = 5,
};

/* SIM state as AT+CPIN? reports it; NOT_INSERTED gives +CME ERROR: 10 (sim800-facts.md §4). */
enum profile_sim {
	PROFILE_SIM_READY,
	PROFILE_SIM_PIN,          /* "SIM PIN": waits for AT+CPIN=<pin> */
	PROFILE_SIM_PUK,
	PROFILE_SIM_NOT_INSERTED,
};

/* TLS protocol versions, ordered; OpenSSL's are mapped in svc code. */
enum profile_tls {
	PROFILE_TLS_NONE = 0,
	PROFILE_TLS_SSL3,
	PROFILE_TLS_1_0,
	PROFILE_TLS_1_1,
	PROFILE_TLS_1_2,
	PROFILE_TLS_1_3,
};

/* Boot URC condition: RDY only appears at a fixed baud rate (MAN §19.3). */
enum profile_when {
	PROFILE_WHEN_ALWAYS,
	PROFILE_WHEN_FIXED_BAUD,  /* only when the saved AT+IPR is not 0 (autobaud) */
	PROFILE_WHEN_AUTOBAUD,    /* only under autobaud */
};

struct profile_urc {
	unsigned after_ms;          /* since power-on, before --time-scale */
	char *text;                 /* the URC line without CR/LF, e.g. "Call Ready" */
	enum profile_when when;
};

/* One step of the network timeline: from after_ms on, the network looks like this. */
struct profile_net_step {
	unsigned after_ms;          /* since power-on, before --time-scale */
	enum profile_reg reg;       /* AT+CREG/AT+CGREG <stat> */
	int gprs_reg;               /* AT+CGREG <stat>; -1 = same as reg */
	int rssi;                   /* AT+CSQ <rssi>, 0..31 or 99 */
	int ber;                    /* AT+CSQ <ber>, 0..7 or 99 */
	int attached;               /* AT+CGATT state; -1 = 1 when registered (home/roaming) */
	char *lac;                  /* e.g. "1A2B"; NULL = none reported */
	char *ci;                   /* cell id, e.g. "0F3C" */
};

/* A literal command -> response entry for commands the simulator does not model. */
struct profile_replay {
	char *command;              /* the whole command as sent, without "AT": e.g. "+CSPN?" */
	char **lines;               /* response lines without CR/LF; the last may be a final */
	size_t n_lines;
	unsigned delay_ms;          /* before the response, before --time-scale */
};

/* A per-command response delay: matched on the command's name and form. */
struct profile_delay {
	char *command;              /* e.g. "+COPS=?" , "+CIICR", "+CSQ" (any form) */
	unsigned ms;
};

struct profile {
	char *name;                 /* e.g. "sim800-r14.18" */
	char *description;
	char *source_path;          /* the file it was loaded from */

	/* identity (sim800-facts.md §1) */
	char *ati;                  /* ATI line, e.g. "SIM800 R14.18" */
	char *manufacturer;         /* AT+CGMI / AT+GMI */
	char *model;                /* AT+CGMM / AT+GMM */
	char *revision;             /* the whole AT+CGMR line, e.g. "Revision:1418B05SIM800L24" */
	char **gsv;                 /* AT+GSV lines; NULL = manufacturer, model, revision */
	size_t n_gsv;
	char *imei;                 /* AT+CGSN / AT+GSN */
	char *iccid;                /* AT+CCID (no prefix) */
	char *imsi;                 /* AT+CIMI */

	/* capabilities */
	bool cap_ssl;               /* AT+CIPSSL exists */
	bool cap_httpssl;           /* AT+HTTPSSL accepts 1 (see id-cipssl-ok-httpssl-error) */
	enum profile_tls tls_min;
	enum profile_tls tls_max;
	bool cap_http;
	bool cap_ppp;
	bool cap_sms;
	bool cap_cmux;

	/* command line (sim800-facts.md §0) */
	unsigned line_max;          /* characters after "AT"; default 556 */
	bool mixed_case_prefix;     /* accept "At"/"aT" (UNCERTAIN on SIM800; default false) */
	char *unknown_answer;       /* final for unknown commands: "ERROR" (default) or e.g. "+CME ERROR: 100" */

	/* power-on defaults (what AT&F restores; AT&W is not kept across processes) */
	bool echo;                  /* ATE; default true */
	int cmee;                   /* AT+CMEE; default 0 */
	unsigned ipr;               /* saved AT+IPR; 0 = autobaud (factory) */

	/* boot */
	struct profile_urc *boot_urcs;
	size_t n_boot_urcs;
	unsigned boot_deaf_ms;      /* input ignored this long after power-on */
	unsigned boot_noise_bytes;  /* random 0x80..0xFF bytes emitted at power-on */

	/* timing */
	unsigned delay_default_ms;  /* every command's response delay unless listed */
	struct profile_delay *delays;
	size_t n_delays;

	/* network */
	enum profile_sim sim;
	char *sim_pin;              /* for PROFILE_SIM_PIN; NULL = any PIN accepted */
	char *operator_name;        /* AT+COPS? long alphanumeric name */
	struct profile_net_step *net;
	size_t n_net;
	int battery_bcs;            /* AT+CBC */
	int battery_bcl;
	int battery_mv;

	/* data services (CIP) */
	unsigned cip_send_max;      /* AT+CIPSEND maximum length; default 1460 (AT+CIPCCFG SendSz) */
	unsigned cip_rx_buffer;     /* bytes held per connection before TCP flow control; 8192 */
	unsigned connect_fail_ms;   /* CONNECT FAIL for an unreachable host; 75000 (MAN §8.2.2) */
	char *ppp_connect;          /* ATD*99#/ATO result with ATX>0: "CONNECT" or "CONNECT <text>" */
	unsigned ppp_rate;          /* PPP data to the host, bits/s; 0 = the line rate */
	bool ppp_escape_no_carrier; /* "+++" in a PPP call: NO CARRIER and the call ends, not
				     * OK in command mode (data.ppp_escape_answer; UNCERTAIN) */

	/* names the data services resolve: "NAME[:PORT]=IP[:PORT]" (netmap_host syntax) */
	char **hosts;
	size_t n_hosts;

	/* a scenario file run on every modem (relative to this profile's file); NULL = none */
	char *scenario;

	/* literal replay */
	struct profile_replay *replay;
	size_t n_replay;
};

/* Free everything the profile owns, then the profile itself. NULL is a no-op. */
void profile_free(struct profile *p);
/* The response delay for a command text (name + form suffix "?", "=?", "=" or ""), in ms. */
unsigned profile_delay_for(const struct profile *p, const char *name, const char *form);
/* The replay entry whose command equals text (case-insensitive on the name), or NULL. */
const struct profile_replay *profile_replay_find(const struct profile *p, const char *text,
						 size_t len);
/* The network step in force at t_ms after power-on (the last with after_ms <= t_ms). */
const struct profile_net_step *profile_net_at(const struct profile *p, unsigned t_ms);
/* "none", "ssl3", "tls1.0", ... */
const char *profile_tls_name(enum profile_tls v);

#endif
