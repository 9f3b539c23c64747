/* svc_http.h - the bearer (AT+SAPBR) and HTTP application (AT+HTTP*) on libcurl's multi API. */
#ifndef SIM_SVC_HTTP_H
#define SIM_SVC_HTTP_H

#include <ev.h>
#include <stdbool.h>

struct sim_modem;
struct http_multi;

/* The process's libcurl multi handle driven by libev sockets and timers; owned by main and
 * shared by every modem (one loop, many concurrent requests). NULL on failure. */
struct http_multi *http_multi_new(struct ev_loop *loop);
void http_multi_free(struct http_multi *hm);

/* Bring the bearers in line with the network: an open bearer whose GPRS attach is gone is
 * closed with "+SAPBR <cid>: DEACT" (and a running action ends with 601). The HTTP commands
 * call it before they look at bearer state; netstate may call it when the attach drops. */
void svc_http_sync(struct sim_modem *m);

/* Injected: the state a host left before it reset (field-bugs.md
 * pwr-host-reset-modem-keeps-state): bearer 1 open and/or the HTTP service initialised, as
 * after AT+SAPBR=1,1 and AT+HTTPINIT. False when an open bearer is asked without GPRS. */
bool svc_http_preset(struct sim_modem *m, bool bearer, bool http);
/* AT+HTTPINIT's effect: the HTTP service initialised with default parameters. False when
 * it already is (the command then answers ERROR) or out of memory. */
bool svc_http_init(struct sim_modem *m);

/* Forget the modem's bearer and HTTP state (power off, reboot, destroy); frees m->http. */
void svc_http_reset(struct sim_modem *m);

#endif
