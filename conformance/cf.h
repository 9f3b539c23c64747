/* cf.h - the conformance runner's shared model: cases, targets, outcomes, verdicts. */
#ifndef CF_H
#define CF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "profile.h"

/* A case, loaded from conformance/cases/<group>.yaml (cf_case.c). Read-only while running. */
struct cf_case {
	char *id;            /* stable, e.g. "id-r1308-cipssl-test-error" */
	char *title;
	char *group;         /* boot, id, reg, tcp, http, ssl, ppp, sms, urc, err, rec */
	char *file;          /* where it was defined, for messages */
	unsigned line;
	json_t *facts;       /* array of "sim800-facts.md §..." strings */
	double time_limit;   /* seconds for the adapter */
	double expected;     /* typical seconds on a simulated module (key expected_s, default 1):
			      * orders the work, longest first; never a limit */
	json_t *needs;       /* array: "control" (fault injection), "fixtures", "sim", "pins" (RI/DTR
			      * lines) and "uart" (a real serial line's rate): the last two are
			      * skipped on simulated modules */
	json_t *setup;       /* array of control-socket requests before the adapter runs */
	json_t *during;      /* array of control requests sent once the adapter has started */
	json_t *scenario;    /* array of scenario events (sim800-sim --scenario), e.g. a reset
			      * after the 200th AT+CIPSEND: exact where a wall-clock "during" is not */
	json_t *request;     /* object given to the adapter (its "case" field is added) */
	json_t *expect;      /* object: "default" and per-profile / per-capability check lists */
	char *profile;       /* only on this profile (NULL: every profile) */
	char *real_module;   /* a pinned case runs on a real module that has this property
			      * (cf_module.c: any, ssl, no_ssl, autobaud, roaming); NULL: never */
	long baud;           /* the line rate the case needs (key baud), 0: the target's */
};

struct cf_cases {
	struct cf_case *c;
	size_t n;
};

/* Load every *.yaml in dir (sorted); false with why (file:line:column) on the first error. */
bool cf_cases_load(const char *dir, struct cf_cases *out, char *why, size_t cap);
void cf_cases_free(struct cf_cases *cs);
/* Does the case list what in its needs ("control", "fixtures")? */
bool cf_case_needs(const struct cf_case *c, const char *what);
/* The check list that applies to a profile: its name, then its network state ("no_sim",
 * "denied", "searching", "roaming": a real module's probe gives it too), then "no_network"
 * (no SIM, or never registered), then "ssl"/"no_ssl", then "default". */
const json_t *cf_case_expect(const struct cf_case *c, const struct profile *p);
/* No SIM, or registration that never succeeds (denied, searching): no network to use. */
bool cf_profile_no_network(const struct profile *p);

/* What the runner knows while a case runs on a target (checks read it). */
struct cf_fixtures {
	pid_t pid;
	int out_fd;
	char log[256];       /* the fixtures' JSON Lines request log */
	char dir[128];
	char bin[512];
	int http, https_modern, https_legacy, https_expired, tcp_echo, udp_echo, tcp_source,
		tcp_sink, tcp_close, mqtt;
	bool remote;         /* --fixtures URL: a server elsewhere, read through its records service */
	char url[256];
};

struct cf_target {
	char *name;          /* profile name, or the device path */
	const struct profile *profile;   /* NULL for a real device */
	bool real;
	char *device;        /* what the adapter opens: a pty (simulator, proxy) or the module */
	char *module;        /* a real module's own device path (device is then the proxy's pty) */
	long baud;
	pid_t sim;           /* the simulator serving this target, or a real one's proxy (0: none) */
	char control[256];   /* its control socket */
	char transcript[256];
	char dir[128];
};

enum cf_verdict { CF_PASS, CF_FAIL, CF_SKIP };

struct cf_result {
	const struct cf_case *c;
	enum cf_verdict v;
	char *message;       /* why it failed or was skipped */
	json_t *outcome;     /* the adapter's JSON (or null) */
	char *stderr_text;   /* the adapter's stderr */
	char *wire;          /* the target's transcript during the case (simulated targets) */
	double seconds;
};

/* Checks (cf_checks.c): run one check object {"check": NAME, ...} against an outcome. */
struct cf_ctx {
	const struct cf_case *c;
	const struct cf_target *t;
	const struct cf_fixtures *fx;
	const json_t *outcome;
	const json_t *request;
	size_t log_mark;     /* fixture log records before the case started */
	const json_t *sms_sent; /* the simulator's {"op":"sms_sent"} reply, taken before it stopped */
	const char *wire_path; /* the simulator's transcript (JSON Lines, complete: the checks run
				* once it has stopped), NULL for a device */
};
bool cf_check(const struct cf_ctx *x, const json_t *check, char *why, size_t cap);
/* Every check of a list holds; why names the first that does not ("NAME: reason"). */
bool cf_check_all(const struct cf_ctx *x, const json_t *list, char *why, size_t cap);
/* Checks on the lines the driver sent (cf_wire.c): sent, sent_count, sent_before. */
/* The case's transcript records in order ({dir, data, t} objects; caller decrefs); NULL for a
 * real module (the runner sees no wire), an empty array when the file cannot be read. */
json_t *cf_wire_records(const struct cf_ctx *x);
/* A real module's transcript from sim800-proxy (rx/tx chunks) as the simulator's records:
 * "cmd" per command line the module parsed, "tx" per answer line (cf_wire_proxy.c). p: the
 * probed module, for its command-line settings (NULL: SIM800 defaults). */
json_t *cf_wire_from_proxy(const json_t *recs, const struct profile *p);
bool cf_chk_wire_count(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
bool cf_chk_wire_next(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
bool cf_chk_wire(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
bool cf_chk_sent(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
bool cf_chk_sent_count(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
bool cf_chk_sent_before(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
/* Names of every check, NULL past the last (for case validation). */
const char *cf_check_name(size_t i);

/* Processes (cf_proc.c). */
/* Start a fixture server, then wait for its ready line: several start at once this way. */
bool cf_fixtures_spawn(struct cf_fixtures *fx, const char *bin_dir, char *why, size_t cap);
bool cf_fixtures_ready(struct cf_fixtures *fx, char *why, size_t cap);
void cf_fixtures_stop(struct cf_fixtures *fx);

/* What the fixture servers recorded (cf_records.c): fx's log file, or for --fixtures URL the
 * remote server's records service. The mark is where a case's records begin (CF_MARK_NONE: a
 * remote one could not be asked); records from it on as a JSON array, or NULL with why. */
#define CF_MARK_NONE ((size_t)-1)
size_t cf_fixtures_mark(const struct cf_fixtures *fx);
json_t *cf_fixtures_records(const struct cf_fixtures *fx, size_t from, char *why, size_t cap);
/* The JSON objects of a JSON Lines file from line `from` on (a missing file: none). */
json_t *cf_jsonl_load(const char *path, size_t from);
/* A remote server: wait (at most 3 s) until its records stop growing. */
void cf_fixtures_settle(const struct cf_fixtures *fx);
/* scenario: a file for sim800-sim --scenario, or NULL. */
bool cf_sim_start(struct cf_target *t, const char *bin_dir, const struct cf_fixtures *fx,
		  double time_scale, const char *scenario, char *why, size_t cap);
void cf_sim_stop(struct cf_target *t);
/* Stop the simulator but keep its files (the case's wire is read after); then clean up. */
void cf_sim_stop_keep(struct cf_target *t);
/* A real module seen through sim800-proxy for one case: the adapter gets its pty (t->device),
 * the proxy's transcript (t->transcript) is the case's wire. Stopping restores t->device. */
bool cf_proxy_start(struct cf_target *t, const char *bin_dir, char *why, size_t cap);
void cf_proxy_stop(struct cf_target *t);
void cf_sim_cleanup(struct cf_target *t);
/* One control request to the target's simulator; the reply (caller decrefs) or NULL. */
json_t *cf_control(const struct cf_target *t, const json_t *req, char *why, size_t cap);
/* Run the adapter for one case: request on stdin, JSON outcome from stdout. */
json_t *cf_adapter_run(const char *cmd, const struct cf_target *t, const json_t *request,
		       double limit, const json_t *during, char **stderr_text, bool *timed_out,
		       char *why, size_t cap);
/* Run a tool to its end within limit seconds (then its process group is killed): its exit
 * status, -1 if it could not run or died of a signal, -2 on the limit. *stderr_text is its
 * standard error (the caller frees it); its standard output is discarded. */
int cf_tool_run(const char *const *argv, double limit, char **stderr_text);

/* A real module under test (cf_module.c): identified read-only by sim800-probe, whose profile
 * then stands for the module (expectations, identity checks, which pinned cases apply). */
struct profile *cf_module_identify(const char *bin_dir, const char *device, long baud,
				   char *why, size_t cap);
/* "SIM800 R14.18 (Revision:1418B05SIM800L24), module TLS, registered" */
void cf_module_describe(const struct profile *p, char *buf, size_t cap);
/* Is name a property a case may ask of a real module (key real_module)? */
bool cf_module_property_known(const char *name);
/* NULL when a case pinned to a simulated profile runs on this real module (p NULL: not
 * identified), else why it is skipped, written into buf. */
const char *cf_module_skip(const struct cf_case *c, const struct profile *p, char *buf,
			   size_t cap);

/* Running cases (cf_run.c). */
struct cf_run_opts {
	const char *adapter;     /* the adapter's command line */
	const char *bin_dir;     /* where sim800-sim and sim800-fixtures are */
	double scale;            /* --time-scale for the simulators */
	const char *transcripts; /* keep every case's wire under it, or NULL */
	unsigned frag_max;       /* simulated modules' output in fragments of 1..frag_max bytes */
	unsigned frag_gap_ms;    /* with 0..frag_gap_ms ms between them (op fragment) */
	bool no_proxy;           /* a real module without sim800-proxy: no wire to check */
};

/* A case on a target. */
struct cf_unit {
	size_t t, k;             /* target index; the case's index among the selected ones */
	const struct cf_case *c;
};

/* Longest first (the cases' expected_s, then their limits): the slow ones start early and
 * the short ones fill in around them. */
void cf_units_sort(struct cf_unit *units, size_t n);
/*
 * Run every unit, up to jobs at once, each in a child process that writes its result under
 * dir (cf_result_take reads it). Simulated targets: up to n_fx fixture server sets, started
 * here and lent to one case at a time. A real module: device_fx (remote servers, or none)
 * for every case, and jobs should be 1.
 */
void cf_run_units(const struct cf_run_opts *o, struct cf_target *targets, struct cf_unit *units,
		  size_t n, size_t jobs, size_t n_fx, const struct cf_fixtures *device_fx,
		  const char *dir);
/* Unit (t, k)'s result, into r (owned by the caller); a missing one is a failure. */
void cf_result_take(const char *dir, size_t t, size_t k, const struct cf_case *c,
		    struct cf_result *r);

/* Reports (cf_report.c). */
struct cf_run {
	struct cf_target *targets;
	size_t n_targets;
	struct cf_result **results;    /* per target, one per case */
	size_t n_cases;
	const char *driver;
};
bool cf_report_json(const struct cf_run *r, const char *path, char *why, size_t cap);
bool cf_report_junit(const struct cf_run *r, const char *path, char *why, size_t cap);
bool cf_report_html(const struct cf_run *r, const char *path, char *why, size_t cap);

#endif
