/* cli.h - shared pieces of the sim800 CLI: output/JSON, wire log, URL parsing, PPP fetch. */
#ifndef SIM800_CLI_H
#define SIM800_CLI_H

#include "sim800.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

/* Exit codes (documented in --help and README.md). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,     /* the module refused or the operation failed */
	CLI_EXIT_USAGE = 2,    /* bad command line */
	CLI_EXIT_DEVICE = 3,   /* the device could not be opened, or the module does not answer */
	CLI_EXIT_TIMEOUT = 4,  /* the module did not answer in time */
	CLI_EXIT_POLICY = 5,   /* refused by the policy, or TLS unsupported by the module */
	CLI_EXIT_NETWORK = 6,  /* no data service: GPRS, CONNECT FAIL, HTTP 60x, TLS handshake */
	CLI_EXIT_PPP = 7,      /* PPP unavailable on this host or PPP failed */
};

struct cli_url {
	bool tls;         /* https */
	char host[256];
	unsigned port;
	char path[512];   /* "/..." */
};
/* http://host[:port][/path] or https://...; false if malformed. */
bool cli_url_parse(const char *url, struct cli_url *out);

/* The CLI's state for one run (one modem). */
struct cli {
	const char *device;
	unsigned baud;
	uint32_t timeout_ms;
	enum sim800_policy policy;
	const char *apn;
	const char *pin;
	bool json;
	FILE *log;              /* --log: the wire log */
	json_t *out;            /* the one JSON object (--json) */
	json_t *warnings;
	struct sim800_port_posix pp;
	struct sim800_port port;
	struct sim800 m;
	EVP_MD_CTX *sha;        /* running SHA-256 of the body / received bytes */
	FILE *body_out;         /* where the body goes in human mode (stdout or --out) */
	size_t body_len;
	char body_head[4097];   /* first bytes, for the JSON "body" when short text */
	size_t body_head_len;
	char detail[512];       /* extra context for the error object */
	int (*inner_wait)(void *ctx, uint32_t timeout_ms); /* the port's own wait (cli_watch.c) */
	uint64_t max_wait_ms;   /* the longest single wait the driver asked of the port */
};

/* Measure every wait the driver makes on the port (cli_watch.c), for the outcome's
 * "timing": {"max_wait_ms": N}. */
void cli_watch_start(struct cli *c);
json_t *cli_watch_json(const struct cli *c);

void cli_warn(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_note(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start hashing/collecting a body; cli_body_feed for each piece; hex digest into out[65]. */
void cli_body_begin(struct cli *c);
void cli_body_feed(struct cli *c, const uint8_t *buf, size_t n);
void cli_body_end(struct cli *c, char out[65]);
/* Fill the "error" member and return the exit code for err. */
int cli_fail(struct cli *c, enum sim800_err err);
int cli_exit_code(enum sim800_err err);
/* The wire log callback for sim800_config. */
void cli_log_cb(void *user, enum sim800_log_kind kind, const char *text, size_t len);

/* PPP: can this host run the PPP path? why says what is missing when it cannot. */
bool cli_ppp_available(char *why, size_t cap);
/* Dial the GPRS service code, run PPP on the tty, fetch url (host TLS for https, certificates checked
 * against cafile or the system store unless insecure), hang up. the HTTP status into status;
 * body pieces through cli_body_feed. */
enum sim800_err cli_ppp_fetch(struct cli *c, const struct cli_url *u, const char *method,
			      const uint8_t *body, size_t body_len, const char *ctype,
			      const char *cafile, bool insecure, int *status);

#endif
