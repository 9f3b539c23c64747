/* http_state.h - bearer and HTTP application state shared by cmd_http.c, svc_http.c, http_xfer.c. */
#ifndef SIM_HTTP_STATE_H
#define SIM_HTTP_STATE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "modem.h"
#include "svc_http.h"

/* Limits from sim800-facts.md §6.1/§6.2. */
#define HTTP_BEARERS 3              /* AT+SAPBR <cid> 1..3 (test form "(1-3)") */
#define HTTP_APN_MAX 64
#define HTTP_USER_MAX 32            /* USER and PWD */
#define HTTP_DATA_MAX 319488        /* AT+HTTPDATA <size> */
#define HTTP_DATA_TIME_MIN 1000     /* AT+HTTPDATA <time> in ms */
#define HTTP_DATA_TIME_MAX 120000
#define HTTP_TIMEOUT_MIN 30         /* HTTPPARA "TIMEOUT", seconds */
#define HTTP_TIMEOUT_MAX 1000
#define HTTP_TIMEOUT_DEFAULT 120
/* The response body a modem keeps for AT+HTTPREAD. The manual states no limit; a larger body
 * ends the action with 602 "No memory" (MAN §11.2.5) instead of a silent truncation. */
#define HTTP_BODY_MAX (1024u * 1024u)
#define HTTP_HEAD_MAX (64u * 1024u)
/* Redirect hops followed with REDIR=1 before the last 3xx is reported as is. UNCERTAIN: no
 * source gives the module's limit (field bug http-redirect-and-url-form only says "follow"). */
#define HTTP_REDIR_MAX 10
/* How long a request that fails before any network I/O (no bearer, unknown name, refused by
 * --allow) takes to report, before --time-scale: the URC must follow the OK (field bug
 * http-601-bearer-not-open: "after a short delay"). UNCERTAIN: no measured value. */
#define HTTP_FAIL_LATENCY_MS 200

/* HTTPACTION methods (MAN §11.2.5). */
enum http_method { HTTP_GET = 0, HTTP_POST = 1, HTTP_HEAD = 2 };

/* AT+HTTPACTION status codes of the module itself (MAN §11.2.5, SSLAN §2.2). */
enum http_status {
	HTTP_ST_NETWORK = 601,  /* Network Error */
	HTTP_ST_NOMEM = 602,    /* No memory */
	HTTP_ST_DNS = 603,      /* DNS Error */
	HTTP_ST_BUSY = 604,     /* Stack Busy */
	HTTP_ST_SSL = 605,      /* SSL failed to establish channels */
	HTTP_ST_SSL_ALERT = 606 /* SSL fatal alert */
};

/* Bearer status as AT+SAPBR=2 reports it (facts §6.1). */
enum http_bearer_status {
	HTTP_BEARER_CONNECTING = 0,
	HTTP_BEARER_CONNECTED = 1,
	HTTP_BEARER_CLOSING = 2,
	HTTP_BEARER_CLOSED = 3,
};

struct http_bearer {
	enum http_bearer_status status;
	char contype[8];                  /* "GPRS" (default) or "CSD" */
	char apn[HTTP_APN_MAX + 1];
	char user[HTTP_USER_MAX + 1];
	char pwd[HTTP_USER_MAX + 1];
	char phonenum[HTTP_USER_MAX + 1];
	int rate;                         /* CSD rate 0..3, default 2 (real AT+SAPBR=4 output) */
};

/* A growable byte buffer with a hard limit. */
struct http_buf {
	uint8_t *p;
	size_t len, cap;
};

/* AT+HTTPPARA values (facts §6.2); strings are owned, NULL = not set. */
struct http_params {
	int cid;                  /* bearer, default 1 */
	char *url;
	char *ua;                 /* NULL = "SIMCOM_MODULE" */
	char *proip;              /* stored and reported only: requests never use a proxy */
	long proport;
	int redir;                /* 1 = follow 30x */
	long brk, brkend;         /* byte range of a GET (BREAK/BREAKEND); 0 = none */
	long timeout;             /* seconds */
	char *content;            /* Content-Type of a POST */
	char *userdata;           /* extra header lines */
};

enum http_act {
	HTTP_ACT_IDLE,
	HTTP_ACT_FAILING,         /* failed before any I/O; the URC waits for act_timer */
	HTTP_ACT_RUNNING,         /* a libcurl transfer is in the multi */
};

/* The running request (http_xfer.c): one hop at a time, redirects are new hops. */
struct http_xfer {
	CURL *easy;                       /* owned while a hop runs */
	struct curl_slist *headers;       /* owned, lives as long as easy */
	struct curl_slist *connect_to;    /* owned, lives as long as easy */
	char *url;                        /* this hop's URL as given to libcurl, owned */
	enum http_method method;          /* this hop's method (a 303 turns POST into GET) */
	struct sockaddr_storage pinned;   /* the only address this hop may connect to */
	socklen_t pinned_len;
	int hops;                         /* redirects followed so far */
	ev_tstamp deadline;               /* TIMEOUT for the whole action */
	char err[CURL_ERROR_SIZE];
};

struct svc_http {
	struct http_bearer bearer[HTTP_BEARERS];
	bool inited;                      /* between AT+HTTPINIT and AT+HTTPTERM */
	bool ssl;                         /* AT+HTTPSSL; kept across HTTPTERM (see cmd_http.c) */
	struct http_params par;
	struct http_buf post;             /* AT+HTTPDATA bytes, sent by a POST */
	bool have_post;

	enum http_act act;
	enum http_method method;          /* the current or last action (AT+HTTPSTATUS) */
	int fail_code;                    /* HTTP_ACT_FAILING: the code to report */
	ev_timer act_timer;
	int busy_urcs[8];                 /* methods of pending "+HTTPACTION: <m>,604,0" */
	size_t n_busy;
	ev_timer busy_timer;
	struct http_xfer x;

	bool have_result;                 /* an action ended with an HTTP status */
	enum http_method result_method;
	struct http_buf body;             /* the last response body (HTTPREAD) */
	struct http_buf head;             /* the last response header block (HTTPHEAD) */

	ev_timer out_timer;               /* HTTPREAD/HTTPHEAD output larger than the queue */
	const uint8_t *out_p;
	size_t out_left;
};

/* svc_http.c */
/* The modem's HTTP state, allocated on first use; NULL only when out of memory. */
struct svc_http *svc_http_get(struct sim_modem *m);
/* The bearer's fake address (only displayed: nothing routes by it). */
void svc_http_bearer_ip(const struct sim_modem *m, int cid, char *buf, size_t cap);
/* AT+HTTPACTION after its checks: the URC follows later. */
void svc_http_action(struct sim_modem *m, enum http_method method);
/* Stop a running action without a URC (HTTPTERM). */
void svc_http_action_abort(struct sim_modem *m);
/* The action ended: status is an HTTP status or a 60x code. */
void svc_http_action_done(struct sim_modem *m, int status);
/* "+HTTPREAD: <n>" then n bytes then the final result; may finish asynchronously. */
struct at_result svc_http_send_block(struct sim_modem *m, const char *prefix, const uint8_t *p,
				     size_t n);
/* Free the parameters and buffers of the HTTP context (HTTPTERM). */
void svc_http_params_free(struct http_params *p);
/* Append within max bytes (false, nothing appended, when over or out of memory). */
bool svc_http_buf_append(struct http_buf *b, const void *p, size_t n, size_t max);
void svc_http_buf_free(struct http_buf *b);

/* http_xfer.c */
/* Start the request for the current action; 0 when it runs, else the 60x code to report. */
int http_xfer_start(struct sim_modem *m);
/* Drop the running hop (no callback). */
void http_xfer_abort(struct sim_modem *m);
/* Bytes sent/received so far and expected (AT+HTTPSTATUS); false when nothing runs. */
bool http_xfer_progress(struct sim_modem *m, bool *sending, size_t *done, size_t *remain);

#endif
