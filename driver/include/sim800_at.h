/* sim800_at.h - libsim800's core: limits, errors, the port, struct sim800, commands and URCs. */
#ifndef SIM800_AT_H
#define SIM800_AT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed limits. A line longer than SIM800_LINE_MAX is dropped (and logged), never truncated
 * into a wrong answer. 1024 covers AT+COPS=? lists; the module's own command buffer is 556
 * characters (sim800-facts.md §0). Override at build time for small MCUs. */
#ifndef SIM800_LINE_MAX
#define SIM800_LINE_MAX 1024
#endif
#ifndef SIM800_URC_MAX
#define SIM800_URC_MAX 16 /* user URC registrations per modem */
#endif
#define SIM800_LAST_MAX 96 /* final line kept for sim800_last() */

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                    */

enum sim800_err {
	SIM800_OK = 0,
	SIM800_ERR_TIMEOUT,          /* no final result before the deadline */
	SIM800_ERR_ERROR,            /* the module answered ERROR */
	SIM800_ERR_CME,              /* +CME ERROR: the code is in sim800_last()->code */
	SIM800_ERR_CMS,              /* +CMS ERROR: the code is in sim800_last()->code */
	SIM800_ERR_NO_CARRIER,       /* NO CARRIER */
	SIM800_ERR_BUSY_LINE,        /* BUSY */
	SIM800_ERR_NO_ANSWER,        /* NO ANSWER */
	SIM800_ERR_NO_DIALTONE,      /* NO DIALTONE */
	SIM800_ERR_SEND_FAIL,        /* SEND FAIL after a CIPSEND payload */
	SIM800_ERR_IO,               /* the port's write/read/wait failed */
	SIM800_ERR_INVAL,            /* bad argument */
	SIM800_ERR_BUSY,             /* a command is already running (called from a callback) */
	SIM800_ERR_NO_INFO,          /* final OK but the expected information line was missing */
	SIM800_ERR_PARSE,            /* the information line did not have the expected form */
	SIM800_ERR_NO_RESPONSE,      /* the module did not answer AT (absent, off, wrong baud) */
	SIM800_ERR_RESET,            /* the module rebooted (RDY / +CFUN: 1) during the command */
	SIM800_ERR_POWERED_DOWN,     /* the module announced POWER DOWN and stays silent */
	SIM800_ERR_SIM_NOT_INSERTED, /* no SIM (+CPIN: NOT INSERTED or +CME ERROR: 10) */
	SIM800_ERR_SIM_PIN,          /* the SIM wants a PIN that was not given or was refused */
	SIM800_ERR_SIM_PUK,          /* the SIM is PUK-locked */
	SIM800_ERR_SIM_FAILURE,      /* the SIM never became READY */
	SIM800_ERR_REG_DENIED,       /* +CREG stat 3: registration denied (final) */
	SIM800_ERR_NOT_REGISTERED,   /* not registered before the deadline */
	SIM800_ERR_UNSUPPORTED,      /* the module's firmware lacks the feature (e.g. SSL) */
	SIM800_ERR_TOOLONG,          /* a value did not fit the caller's buffer */
	SIM800_ERR_GPRS,             /* CSTT/CIICR/CIFSR or the bearer failed: no data context */
	SIM800_ERR_CONNECT_FAIL,     /* CIPSTART: CONNECT FAIL (host unreachable, refused) */
	SIM800_ERR_CLOSED,           /* the connection is closed (remote close, PDP deact) */
	SIM800_ERR_TLS_UNSUPPORTED,  /* TLS asked for, the module's firmware has no SSL */
	SIM800_ERR_TLS_HANDSHAKE,    /* TLS handshake failed (HTTP 605/606, CIPSTART CLOSE OK) */
	SIM800_ERR_HTTP_PDU,         /* HTTPACTION 600: not an HTTP PDU */
	SIM800_ERR_HTTP_NETWORK,     /* HTTPACTION 601: network error (bearer not open) */
	SIM800_ERR_HTTP_NOMEM,       /* HTTPACTION 602: no memory (body over the module's limit) */
	SIM800_ERR_HTTP_DNS,         /* HTTPACTION 603: DNS error */
	SIM800_ERR_HTTP_BUSY,        /* HTTPACTION 604: stack busy */
	SIM800_ERR_POLICY,           /* the transport policy forbids every path that could work */
	SIM800_ERR_PPP_UNAVAILABLE,  /* no PPP path on this host (no client library, no pppd) */
	SIM800_ERR_PPP,              /* PPP dial or negotiation failed */
	SIM800_ERR_SMS_NOT_READY,    /* SMS commands kept failing before SMS Ready */
	SIM800_ERR_HOST,             /* a host-side failure (DNS over PPP, host TLS, socket) */
	SIM800_ERR__COUNT
};

/* Static English text for an error; never NULL ("unknown error" for out-of-range values). */
const char *sim800_strerror(enum sim800_err err);
/* The enum constant's name without the prefix ("TIMEOUT", "TLS_HANDSHAKE", "OK"), for
 * machine-readable output; "UNKNOWN" for out-of-range values. */
const char *sim800_err_name(enum sim800_err err);
/* Manual text of a +CME ERROR / +CMS ERROR code (sim800-facts.md §2.3, §2.4), NULL if unknown. */
const char *sim800_cme_text(int code);
const char *sim800_cms_text(int code);
/* Reverse lookup of a verbose (AT+CMEE=2) text, case-insensitive; -1 if unknown. */
int sim800_cme_code(const char *text, size_t len);
int sim800_cms_code(const char *text, size_t len);

/* Final result codes, by name (never by position in some list). */
enum sim800_final {
	SIM800_FINAL_NONE = 0,   /* none received (timeout, reset) */
	SIM800_FINAL_OK,         /* OK / 0 */
	SIM800_FINAL_CONNECT,    /* CONNECT[ <text>] / 1 */
	SIM800_FINAL_NO_CARRIER, /* NO CARRIER / 3 */
	SIM800_FINAL_ERROR,      /* ERROR / 4 */
	SIM800_FINAL_NO_DIALTONE,/* NO DIALTONE / 6 */
	SIM800_FINAL_BUSY,       /* BUSY / 7 */
	SIM800_FINAL_NO_ANSWER,  /* NO ANSWER / 8 */
	SIM800_FINAL_CME_ERROR,  /* +CME ERROR: <n>|<text> */
	SIM800_FINAL_CMS_ERROR,  /* +CMS ERROR: <n>|<text> */
	SIM800_FINAL_SEND_OK,    /* [<n>, ]SEND OK (CIPSEND only) */
	SIM800_FINAL_SEND_FAIL,  /* [<n>, ]SEND FAIL (CIPSEND only) */
	SIM800_FINAL_DATA_ACCEPT,/* DATA ACCEPT:[<n>,]<len> (CIPSEND with CIPQSEND=1) */
	SIM800_FINAL_CLOSE_OK,   /* [<n>, ]CLOSE OK (CIPCLOSE only) */
	SIM800_FINAL_SHUT_OK,    /* SHUT OK (CIPSHUT only) */
	SIM800_FINAL_BARE,       /* a bare information line that is the final (AT+CIFSR) */
};

/* What the module answered to the last command; kept after every failure. */
struct sim800_last {
	enum sim800_final final; /* SIM800_FINAL_NONE when nothing came */
	enum sim800_err err;     /* what the call returned */
	int code;                /* +CME/+CMS number; -1 if none or a text with no known number */
	char line[SIM800_LAST_MAX]; /* the final line as received, NUL-terminated, maybe cut */
};

/* ---------------------------------------------------------------------------------------- */
/* Port: injected I/O, clock and wait                                                        */

/*
 * All four callbacks are required. ctx is passed back unchanged.
 * - write: send len bytes; returns the number taken (> 0), or < 0 on a hard error. It may
 *   take fewer than len; the driver calls again with the rest. Returning 0 three times in a
 *   row counts as an error. It may block briefly (a UART FIFO), never indefinitely.
 * - read: non-blocking; returns bytes copied (> 0), 0 if nothing is pending, < 0 on error
 *   (e.g. the pty hung up).
 * - now_ms: a monotonic millisecond clock (any origin). Tests use a fake one.
 * - wait_readable: block until bytes are readable or timeout_ms elapsed, whichever is first:
 *   > 0 readable, 0 timed out, < 0 error. This is the only place the driver sleeps, so it is
 *   the place to feed a watchdog or yield to an RTOS.
 */
struct sim800_port {
	void *ctx;
	int (*write)(void *ctx, const uint8_t *buf, size_t len);
	int (*read)(void *ctx, uint8_t *buf, size_t cap);
	uint64_t (*now_ms)(void *ctx);
	int (*wait_readable)(void *ctx, uint32_t timeout_ms);
};

/* POSIX termios port for a tty or pty path (port_posix.c). The struct is the port's ctx. */
struct sim800_port_posix {
	int fd; /* -1 when closed */
};
/* Open path raw 8N1 at baud (0 = leave the speed as is, e.g. a pty) and fill *port.
 * Returns SIM800_ERR_IO (errno kept) or SIM800_ERR_INVAL for an unsupported baud. */
enum sim800_err sim800_port_posix_open(struct sim800_port_posix *pp, const char *path,
				       unsigned baud, struct sim800_port *port);
void sim800_port_posix_close(struct sim800_port_posix *pp);
/* A rate sim800_port_posix_open takes: the module's AT+IPR rates, 1200 to 460800. */
bool sim800_port_posix_rate_ok(unsigned baud);

/* ---------------------------------------------------------------------------------------- */
/* Configuration, events, log                                                                */

/* Module events decoded from URCs; reported through sim800_config.on_event. */
enum sim800_event {
	SIM800_EV_RESET = 1,      /* RDY or +CFUN: 1 arrived: the module rebooted; re-run bring-up */
	SIM800_EV_CALL_READY,     /* Call Ready */
	SIM800_EV_SMS_READY,      /* SMS Ready: SMS commands work from now on */
	SIM800_EV_POWER_DOWN,     /* NORMAL / UNDER-VOLTAGE / OVER-VOLTAGE POWER DOWN */
	SIM800_EV_VOLTAGE_WARNING,/* UNDER-/OVER-VOLTAGE WARNNING (module spelling, or WARNING) */
	SIM800_EV_NO_CARRIER,     /* NO CARRIER outside a command: a call or PPP link dropped */
};

/* What a log call carries; text is not NUL-terminated, use len. */
enum sim800_log_kind {
	SIM800_LOG_TX,        /* a command line (without "\r") or payload written */
	SIM800_LOG_RX,        /* a complete line received */
	SIM800_LOG_UNHANDLED, /* a line no command and no URC handler claimed */
	SIM800_LOG_DROPPED,   /* bytes or a line discarded: non-ASCII, PPP frame, overlong line */
	SIM800_LOG_STALE,     /* a final result no command was waiting for */
	SIM800_LOG_NOTE,      /* the driver's own remark (timeout, resync, reset) */
};

struct sim800;

struct sim800_config {
	void *user; /* passed to on_event and log */
	void (*on_event)(void *user, struct sim800 *m, enum sim800_event ev); /* may be NULL */
	void (*log)(void *user, enum sim800_log_kind kind, const char *text, size_t len); /* NULL */
	uint32_t default_timeout_ms; /* commands with no table entry; 0 -> 3000 (pythings' value) */
	uint32_t resync_timeout_ms;  /* bound of the resync after a timeout; 0 -> 3000 */
	uint32_t wait_slice_ms;      /* longest single wait_readable(); 0 -> 1000 */
	uint32_t line_rate;          /* the host's line rate in bits/s, 0 unknown. When set and the
				      * module autobauds (AT+IPR? gives 0), sim800_bringup fixes
				      * the rate with AT+IPR=<line_rate> (boot-autobaud-unstable) */
};

/* A URC handler: line is the whole line (prefix included), valid during the call only. */
typedef void (*sim800_urc_fn)(struct sim800 *m, const char *line, size_t len, void *user);

/* ---------------------------------------------------------------------------------------- */
/* Module state: public so the caller can provide storage; fields are private to the library */

/* Firmware identity parsed from ATI / AT+CGMR (sim800-facts.md §1.2). */
enum sim800_fw_format {
	SIM800_FW_UNKNOWN = 0, /* not parsed: probe capabilities, assume nothing */
	SIM800_FW_REVISION,    /* [Revision:[ ]]1418B05SIM800L24 */
	SIM800_FW_DATED,       /* SIM800L16_20141031_1027 (old date-stamped builds) */
	SIM800_FW_ATI,         /* SIM800 R14.18 (ATI) */
};

struct sim800_fw {
	enum sim800_fw_format format;
	int major;         /* 14 of R14.18; -1 unknown */
	int minor;         /* 18 of R14.18; -1 unknown */
	int build;         /* 5 of B05; -1 unknown */
	long date;         /* 20141031 for the dated format, 0 otherwise */
	char variant[24];  /* "SIM800L24", "SIM868M32_BT", "SIM800L16", "SIM800"; "" unknown */
};

/* A capability as the module answered, never inferred from the version. */
enum sim800_cap {
	SIM800_CAP_UNKNOWN = 0, /* not probed, or the probe timed out */
	SIM800_CAP_NO,          /* the module answered ERROR to the probe */
	SIM800_CAP_LISTED,      /* the module knows the command; enabling it may still fail
				   (field bug id-cipssl-ok-httpssl-error) */
};

struct sim800_caps {
	enum sim800_cap cipssl;  /* AT+CIPSSL=? -> +CIPSSL: (0-1) */
	enum sim800_cap httpssl; /* AT+HTTPSSL=? or AT+HTTPSSL? answered +HTTPSSL: */
};

struct sim800_urc_reg {
	const char *prefix; /* borrowed; NULL = free slot */
	size_t prefix_len;
	sim800_urc_fn fn;
	void *user;
};

struct sim800_run; /* a running command: lives on the stack of sim800_cmd_run() */

#define SIM800_CIP_CONNS 6 /* CIPMUX=1 links 0..5 (MAN §8.2.2) */

/* One CIP link as the driver knows it from the module's answers and URCs. */
enum sim800_link {
	SIM800_LINK_IDLE = 0,   /* never opened, or closed by us */
	SIM800_LINK_CONNECTING, /* CIPSTART answered OK, no result yet */
	SIM800_LINK_CONNECTED,  /* CONNECT OK */
	SIM800_LINK_FAILED,     /* CONNECT FAIL */
	SIM800_LINK_TLS_FAILED, /* CLOSE OK while connecting with CIPSSL=1 (TinyGSM #425) */
	SIM800_LINK_ALREADY,    /* ALREADY CONNECT: an old session holds the link */
	SIM800_LINK_CLOSED,     /* CLOSED from the remote, or +PDP: DEACT */
};

struct sim800_cip_link {
	enum sim800_link state;
	bool rx_ready;       /* +CIPRXGET: 1 seen: data is waiting in the module */
	bool send_fail;      /* a SEND FAIL arrived for this link */
	bool opened;         /* CONNECT OK came: a CLOSED right after it still leaves data to read */
};

/* Driver-side state of the CIP stack and the HTTP application (sim800_tcp.c, sim800_http.c),
 * updated by their URCs (CONNECT OK, CLOSED, +CIPRXGET: 1, +PDP: DEACT, +HTTPACTION:). */
struct sim800_svc {
	bool cip_up;       /* CIICR + CIFSR done since the last CIPSHUT / PDP deact */
	bool cip_mux;      /* CIPMUX=1 in effect */
	bool cip_qsend;    /* CIPQSEND=1 accepted: DATA ACCEPT instead of SEND OK */
	bool cip_rxget;    /* CIPRXGET=1 accepted: data waits in the module until read */
	bool pdp_deact;    /* +PDP: DEACT since the last CIPSHUT */
	char ip[16];       /* the address CIFSR answered */
	int open_failures; /* consecutive failed CIPSTARTs (reg-stuck-connect-needs-shut) */
	struct sim800_cip_link link[SIM800_CIP_CONNS];
	bool http_done;    /* +HTTPACTION: arrived for the pending action */
	int http_method, http_status;
	long http_len;
	bool bearer_deact; /* +SAPBR 1: DEACT since the bearer was opened */
	bool cmti;         /* +CMTI: a new SMS arrived */
};

/* Bytes that can arrive in the same read as CONNECT (the driver reads this much at a time). */
#define SIM800_DATA_START_MAX 64

struct sim800 {
	struct sim800_port port;
	struct sim800_config cfg;
	struct {
		char buf[SIM800_LINE_MAX]; /* the line being assembled */
		size_t len;
		bool discard;              /* dropping up to the end of line (overflow, PPP frame) */
	} rx;
	struct sim800_run *run;            /* the command in progress, NULL when idle */
	struct sim800_urc_reg urc[SIM800_URC_MAX];
	struct sim800_last last;
	struct sim800_caps caps;
	struct sim800_svc svc;
	struct {
		size_t left;  /* raw bytes still due to the running command's on_data */
		bool skip_lf; /* the header line ended at CR: its LF precedes the data */
		char term;    /* the byte that ended the last line (CR or LF) */
	} raw;
	int cmee;             /* AT+CMEE mode last set or read; -1 unknown */
	bool v0;              /* ATV0 in effect: numeric finals ("0\r") */
	bool echo;            /* ATE1 believed in effect (echo is skipped either way) */
	bool need_resync;     /* a command timed out: its late answer may still come */
	bool prompt_pending;  /* the timed-out command may have left the module at "> " */
	bool in_callback;     /* a URC/log/event callback is running: no commands */
	bool reset_seen;      /* a reboot was seen since sim800_take_reset() */
	unsigned long carrier_drops; /* unsolicited NO CARRIERs seen (a hang-up waits for one) */
	unsigned long resets; /* reboots seen: a wait compares it with its start (the boot RDY
			       * of a fresh module must not fail the first wait after it) */
	bool booting;         /* boot URCs seen, no OK since: RDY then +CFUN: 1 is one reboot */
	bool powered_down;    /* POWER DOWN seen, no RDY since */
	bool call_ready;      /* Call Ready seen since the last reset */
	bool sms_ready;       /* SMS Ready seen since the last reset */
	unsigned long dropped_bytes; /* non-ASCII / NUL bytes discarded, for diagnostics */
	struct {
		uint8_t buf[SIM800_DATA_START_MAX]; /* read with CONNECT: data mode's first bytes */
		size_t len;
	} data;
};

/* Set up m (all fields) with a copy of *port and *cfg (cfg may be NULL). No I/O. */
enum sim800_err sim800_init(struct sim800 *m, const struct sim800_port *port,
			    const struct sim800_config *cfg);
/* What the module answered to the last command (valid until the next command). */
const struct sim800_last *sim800_last(const struct sim800 *m);
/* True once after a reboot was detected (RDY/+CFUN: 1); clears the flag. */
bool sim800_take_reset(struct sim800 *m);

/* ---------------------------------------------------------------------------------------- */
/* URCs                                                                                      */

/* Register fn for lines starting with prefix (case-sensitive, e.g. "+CREG:", "RING").
 * Every matching handler is called. prefix must stay valid while registered.
 * SIM800_ERR_TOOLONG when SIM800_URC_MAX handlers are registered. */
enum sim800_err sim800_urc_register(struct sim800 *m, const char *prefix, sim800_urc_fn fn,
				    void *user);
/* Remove the registration of (prefix, fn); SIM800_ERR_INVAL if there is none. */
enum sim800_err sim800_urc_unregister(struct sim800 *m, const char *prefix, sim800_urc_fn fn);
/* Read and dispatch URCs for up to timeout_ms (0: only what is already pending). */
enum sim800_err sim800_poll(struct sim800 *m, uint32_t timeout_ms);
/* The same, but back as soon as some input came and was dispatched (the input drained): for
 * a caller that waits for a URC-set condition (CONNECT OK, +HTTPACTION) and re-checks after
 * each batch. sim800_poll keeps its full time (the PPP escape's guard times need it). */
enum sim800_err sim800_poll_any(struct sim800 *m, uint32_t timeout_ms);

/* ---------------------------------------------------------------------------------------- */
/* Commands                                                                                  */

typedef bool (*sim800_match_fn)(const char *line, size_t len);
typedef void (*sim800_info_fn)(void *user, const char *line, size_t len);

enum sim800_cmd_flags {
	SIM800_CMD_PROMPT = 1u << 0,     /* wait for "> " (no line end), then send the payload
					    (CIPSEND, CMGS, FSWRITE) */
	SIM800_CMD_DOWNLOAD = 1u << 1,   /* wait for the DOWNLOAD line, then send the payload
					    (HTTPDATA) */
	SIM800_CMD_BARE_FINAL = 1u << 2, /* an info line accepted by match is the final result
					    (AT+CIFSR prints the IP and no OK) */
	SIM800_CMD_NEED_INFO = 1u << 3,  /* a final before the first info line is stale: drop it
					    (the resync barrier) */
	SIM800_CMD_ANY_INFO = 1u << 4,   /* any line that is not echo, final or a known URC is
					    info (ATI, AT+CGMI, AT+CGMM, AT+CGMR) */
	SIM800_CMD_NO_RESYNC = 1u << 5,  /* never resync before this command (used by sync) */
};

/*
 * One command. A line is an information line of this command when
 *   - it starts with one of prefixes (and match, if set, accepts it), or
 *   - prefixes is NULL and match accepts it ("bare" answers: CGSN, CIMI, CCID, CIFSR), or
 *   - SIM800_CMD_ANY_INFO is set and nothing else claims it.
 * Any other line goes to the URC handlers while the command runs.
 */
struct sim800_cmd {
	const char *text;             /* "AT+CREG?" without "\r"; borrowed for the call */
	const char *const *prefixes;  /* NULL-terminated, e.g. {"+CREG:", NULL}; or NULL */
	sim800_match_fn match;        /* refines/replaces prefixes; NULL = prefix is enough */
	sim800_info_fn on_info;       /* called per info line; may be NULL */
	void *user;                   /* for on_info */
	uint32_t timeout_ms;          /* 0 = default for this command (sim800-facts.md §9) */
	unsigned flags;               /* enum sim800_cmd_flags */
	const uint8_t *payload;       /* sent after the prompt (PROMPT/DOWNLOAD flags) */
	size_t payload_len;
	/* Binary data after an information line (AT+HTTPREAD, AT+CIPRXGET=2): data_len is asked
	 * after on_info for each info line and returns how many raw bytes follow it (0: none).
	 * Those bytes go to on_data (in pieces) and never through the line parser, so CR, LF,
	 * NUL and bytes >= 0x80 in a body arrive intact. Both NULL for ordinary commands. */
	size_t (*data_len)(void *user, const char *line, size_t len);
	void (*on_data)(void *user, const uint8_t *buf, size_t n);
};

/* Run one command to its final result. Returns SIM800_OK for OK-like finals (OK, CONNECT,
 * SEND OK, DATA ACCEPT, CLOSE OK, SHUT OK, bare final), otherwise the mapped error; details in
 * sim800_last(). After SIM800_ERR_TIMEOUT the next command first resyncs (sim800_sync), so
 * that call is bounded by cfg.resync_timeout_ms plus its own timeout; a failed resync returns
 * SIM800_ERR_NO_RESPONSE without sending the command. */
enum sim800_err sim800_cmd_run(struct sim800 *m, const struct sim800_cmd *cmd);
/* Run text and copy its first info line starting with prefix (prefix and spaces after it
 * removed) into out. timeout_ms 0 = default. SIM800_ERR_NO_INFO if no such line came. */
enum sim800_err sim800_query(struct sim800 *m, const char *text, const char *prefix,
			     char *out, size_t cap, uint32_t timeout_ms);
/* Run a command that answers only a final result (e.g. "ATE0"). */
enum sim800_err sim800_exec(struct sim800 *m, const char *text, uint32_t timeout_ms);
/* Default timeout the driver uses for text (sim800-facts.md §9 max response times). */
uint32_t sim800_default_timeout(const struct sim800 *m, const char *text);
/* Sync: drain input, send AT every ~400 ms until OK (RDY is not required), then a barrier
 * command so that no late answer is left in flight. Bounded by timeout_ms. */
enum sim800_err sim800_sync(struct sim800 *m, uint32_t timeout_ms);

/* Predicates for bare answers, usable as sim800_cmd.match. */
bool sim800_is_imei(const char *line, size_t len);   /* 14-17 digits */
bool sim800_is_imsi(const char *line, size_t len);   /* 6-15 digits */
bool sim800_is_iccid(const char *line, size_t len);  /* 18-22 digits, hex 'f' allowed */
bool sim800_is_ipv4(const char *line, size_t len);   /* dotted quad */

#endif
