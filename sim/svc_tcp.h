/* svc_tcp.h - the CIP TCP/UDP stack behind AT+CIPSTART/CIPSEND: real non-blocking sockets. */
#ifndef SIM_SVC_TCP_H
#define SIM_SVC_TCP_H

#include <ev.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "escape.h"

struct sim_modem;

/* Connections in multi-IP mode: 0..5 (MAN §8.2.2). */
#define CIP_MAX_CONN 6
/* The module's limits (MAN §8.2.3, §8.2.26; AT+CIPCCFG SendSz 1-1460). */
#define CIP_SEND_MAX 1460
#define CIP_RXGET_MAX 1460
#define CIP_RXGET_HEX_MAX 730

/* The bearer context: MAN §8.2.2 / §8.2.12 state names (see cip_state_name). */
enum cip_ip {
	CIP_IP_INITIAL,
	CIP_IP_START,      /* after AT+CSTT */
	CIP_IP_CONFIG,     /* during AT+CIICR */
	CIP_IP_GPRSACT,    /* after AT+CIICR, before AT+CIFSR */
	CIP_IP_STATUS,     /* after AT+CIFSR: CIPSTART allowed */
	CIP_PDP_DEACT,     /* the network dropped the context: only AT+CIPSHUT helps */
};

enum cip_conn_state {
	CIP_CONN_INITIAL,
	CIP_CONN_CONNECTING,
	CIP_CONN_CONNECTED,
	CIP_CONN_REMOTE_CLOSING,  /* peer closed; buffered data not yet read (CIPRXGET) */
	CIP_CONN_CLOSING,
	CIP_CONN_CLOSED,          /* closed by the peer or by a failure */
};

struct cip_conn {
	struct svc_tcp *owner;
	int id;
	enum cip_conn_state st;
	bool udp;
	bool tls;                 /* AT+CIPSSL=1 was in force at CIPSTART */
	bool closed_by_us;        /* AT+CIPCLOSE: single-mode state "IP CLOSE" */
	int fd;
	SSL_CTX *ctx;             /* owned while tls */
	SSL *ssl;
	ev_io rw, ww;
	ev_timer fail_timer;      /* CONNECT FAIL after the module's timeout */
	char host[256];           /* as the host wrote it */
	char ip[64];              /* what it resolved to */
	unsigned port;
	uint8_t *rx;              /* received, not yet given to the host; owned */
	size_t rx_len, rx_cap;
	bool rx_notified;         /* "+CIPRXGET: 1" sent for the data now buffered */
	bool eof;                 /* peer closed (TCP) */
	uint8_t *tx;              /* accepted by CIPSEND, not yet written; owned */
	size_t tx_len;
	uint64_t tx_total;        /* AT+CIPACK */
	bool fail_next_send;      /* injected: the next CIPSEND answers SEND FAIL, link dies */
	bool quiet_open;          /* injected stale link: its CONNECT OK is not announced */
};

struct svc_tcp {
	struct sim_modem *m;
	enum cip_ip ip;
	bool mux;                 /* AT+CIPMUX */
	bool qsend;               /* AT+CIPQSEND */
	int rxget;                /* AT+CIPRXGET mode: 0 push, 1 manual */
	bool head;                /* AT+CIPHEAD */
	bool srip;                /* AT+CIPSRIP */
	bool showtp;              /* AT+CIPSHOWTP */
	int sprt;                 /* AT+CIPSPRT 0/1/2 */
	int ssl;                  /* AT+CIPSSL */
	int cipmode;              /* AT+CIPMODE (0 normal; 1 transparent) */
	bool online;              /* transparent mode: the line carries connection 0's data */
	struct escape esc;        /* "+++" detection while online */
	char apn[65], user[33], pwd[33];
	char local_ip[16];
	struct cip_conn conn[CIP_MAX_CONN];
	char result[64];          /* text of the pending final (SEND OK ...), outlives it */
	int send_id;              /* CIPSEND in progress: connection */
	size_t send_len;          /* and its length (DATA ACCEPT) */
	bool send_waiting;        /* its final waits for svc_tcp_sent() */
	/* AT+CIPSTART parameters, acted on once its OK is out (results come as URCs after it). */
	int start_id;
	bool start_udp;
	char start_host[256];
	unsigned start_port;
	char dns_name[256];       /* AT+CDNSGIP, answered after its OK */
	char dns_pri[64], dns_sec[64]; /* AT+CDNSCFG */
	int ccfg[7];              /* AT+CIPCCFG values, stored and echoed */
	int wedged;               /* injected (field-bugs.md reg-stuck-connect-needs-shut): 1 the
				   * next CIPSTART wedges the stack; 2 wedged: CIPSTART says OK,
				   * then nothing, until AT+CIPSHUT */
};

/* The modem's CIP state, created on first use. */
struct svc_tcp *svc_tcp_get(struct sim_modem *m);
/* Close every connection and forget the CIP state (power off, reboot, destroy). */
void svc_tcp_reset(struct sim_modem *m);
/* Close every connection, back to IP INITIAL (AT+CIPSHUT, +PDP: DEACT). */
void svc_tcp_shut(struct svc_tcp *t);

/* Injected: the network released the context: "+PDP: DEACT", every link closed, CIPSTART
 * refused until AT+CIPSHUT (MAN §8.2.7; field-bugs.md reg-pdp-deact-urc-midsession). silent:
 * no URC (reg-isconnected-stale-after-network-drop). */
void svc_tcp_pdp_deact(struct sim_modem *m, bool silent);
/* Injected: the next AT+CIPSEND on id takes its data, then SEND FAIL, and the link is gone
 * (field-bugs.md cip-send-fail-unhandled). False if no link. */
bool svc_tcp_fail_next_send(struct sim_modem *m, int id);
/* Injected: the server side of connection id closes (as a real peer would). False if no link. */
bool svc_tcp_remote_close(struct sim_modem *m, int id);
/* Injected: the stack wedges at the next AT+CIPSTART: from it on every CIPSTART answers OK and
 * then nothing (the link stays "CONNECTING") until AT+CIPSHUT (field-bugs.md
 * reg-stuck-connect-needs-shut). A CIPSHUT before that CIPSTART does not disarm it. */
void svc_tcp_wedge(struct sim_modem *m);
/* Injected: the state a host left before it reset (field-bugs.md
 * pwr-host-reset-modem-keeps-state): the context up (IP STATUS, single mode) and, with a host,
 * connection 0 opened to it. False when GPRS is not attached or the stack is not idle. */
bool svc_tcp_preset(struct sim_modem *m, const char *host, unsigned port);
/* Start a connection (AT+CIPSTART); results arrive as URCs. */
void svc_tcp_open(struct svc_tcp *t, int id, bool udp, const char *host, unsigned port);
/* Close a connection from the host side (AT+CIPCLOSE); no URC. */
void svc_tcp_close(struct svc_tcp *t, int id);
enum svc_tcp_send_res {
	SVC_TCP_SEND_DONE,     /* handed to the socket: SEND OK now */
	SVC_TCP_SEND_PENDING,  /* queued; svc_tcp_sent() reports the outcome later */
	SVC_TCP_SEND_FAIL,     /* not connected or a socket error: SEND FAIL */
};
/* Send payload on a connection (AT+CIPSEND). */
enum svc_tcp_send_res svc_tcp_send(struct svc_tcp *t, int id, const uint8_t *data, size_t n);
/* Implemented by cmd_tcpip.c: a PENDING send finished (ok) or failed. */
void svc_tcp_sent(struct sim_modem *m, int id, bool ok);
/* Take up to max buffered bytes (AT+CIPRXGET=2/3). */
size_t svc_tcp_take(struct svc_tcp *t, int id, uint8_t *buf, size_t max);
/* The modem's line is free again (a prompt ended, output drained): deliver held data. */
void svc_tcp_kick(struct sim_modem *m);
/* Transparent mode: can ATO resume connection 0? */
bool svc_tcp_can_resume(const struct sim_modem *m);
/* Transparent mode: enter data mode (after CONNECT). */
void svc_tcp_online(struct sim_modem *m);
/* "IP INITIAL", "CONNECT OK", ... for AT+CIPSTATUS. */
const char *svc_tcp_state_name(const struct svc_tcp *t);
const char *svc_tcp_conn_state_name(const struct cip_conn *c);
bool svc_tcp_conn_open(const struct cip_conn *c);

#endif
