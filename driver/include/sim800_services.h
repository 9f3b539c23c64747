/* sim800_services.h - libsim800's services: info, SIM/network, TCP, HTTP, SMS, PPP, policy. */
#ifndef SIM800_SERVICES_H
#define SIM800_SERVICES_H

#include "sim800_at.h"

/* ---------------------------------------------------------------------------------------- */
/* Identification and capabilities (sim800_info.c)                                           */

struct sim800_info {
	char ati[48];          /* "SIM800 R14.18" */
	char manufacturer[32]; /* "SIMCOM_Ltd" */
	char model[32];        /* "SIMCOM_SIM800L" */
	char revision[48];     /* "Revision:1418B05SIM800L24" as printed */
	char imei[20];
	struct sim800_fw fw;   /* from AT+CGMR, else from ATI */
};

/* Parse one revision or ATI string; false (and format UNKNOWN) when not recognised. */
bool sim800_fw_parse(const char *s, struct sim800_fw *out);
/* ATI, AT+CGMI, AT+CGMM, AT+CGMR, AT+CGSN. A field the module does not answer stays "";
 * returns the first transport-level error (timeout, I/O), not ERROR from one query. */
enum sim800_err sim800_info_read(struct sim800 *m, struct sim800_info *out);
enum sim800_err sim800_read_imei(struct sim800 *m, char *out, size_t cap);
enum sim800_err sim800_read_imsi(struct sim800 *m, char *out, size_t cap);
enum sim800_err sim800_read_iccid(struct sim800 *m, char *out, size_t cap);
/* Probe AT+CIPSSL=?, AT+HTTPSSL=? and AT+HTTPSSL? each on its own; result also kept in m. */
enum sim800_err sim800_probe_caps(struct sim800 *m, struct sim800_caps *out);

/* ---------------------------------------------------------------------------------------- */
/* SIM, registration, signal (sim800_net.c)                                                  */

enum sim800_sim {
	SIM800_SIM_UNKNOWN = 0,
	SIM800_SIM_READY,
	SIM800_SIM_PIN,
	SIM800_SIM_PUK,
	SIM800_SIM_NOT_INSERTED,
	SIM800_SIM_NOT_READY,  /* NOT READY, PH_SIM..., PIN2/PUK2 and anything else */
};

/* +CREG <stat> values (sim800-facts.md §4). */
enum sim800_reg {
	SIM800_REG_NOT_SEARCHING = 0,
	SIM800_REG_HOME = 1,
	SIM800_REG_SEARCHING = 2,
	SIM800_REG_DENIED = 3,
	SIM800_REG_UNKNOWN = 4,
	SIM800_REG_ROAMING = 5,
};

enum sim800_err sim800_sim_status(struct sim800 *m, enum sim800_sim *out);
enum sim800_err sim800_creg(struct sim800 *m, enum sim800_reg *out);
/* Poll AT+CREG? every poll_ms (URCs are served in between) until stat 1 or 5
 * (SIM800_OK), 3 (SIM800_ERR_REG_DENIED) or the deadline (SIM800_ERR_NOT_REGISTERED). */
enum sim800_err sim800_wait_registered(struct sim800 *m, uint32_t timeout_ms, uint32_t poll_ms,
				       enum sim800_reg *out);
enum sim800_err sim800_csq(struct sim800 *m, int *rssi, int *ber);
enum sim800_err sim800_cops(struct sim800 *m, char *oper, size_t cap);
enum sim800_err sim800_cbc(struct sim800 *m, int *charging, int *percent, int *millivolt);

struct sim800_bringup_cfg {
	uint32_t sync_timeout_ms; /* 0 -> 10000: AT retried over >= 5 s (boot-first-at-ignored) */
	uint32_t sim_timeout_ms;  /* 0 -> 10000: wait for +CPIN: READY */
	uint32_t reg_timeout_ms;  /* 0 -> 60000 (reg-csq-zero-creg-searching: at least 60 s) */
	uint32_t reg_poll_ms;     /* 0 -> 2000 */
	const char *pin;          /* SIM PIN if needed; NULL = none */
};

struct sim800_net_status {
	enum sim800_sim sim;
	enum sim800_reg reg;
	int rssi, ber;            /* -1 if AT+CSQ failed */
	char oper[32];            /* "" if AT+COPS? failed */
	int battery_mv;           /* -1 if AT+CBC failed */
};

/* Sync, ATE0, AT+CMEE=2, SIM check (PIN if given), wait for registration, then CSQ, COPS?,
 * CBC (their failures are not fatal). cfg and out may be NULL. */
enum sim800_err sim800_bringup(struct sim800 *m, const struct sim800_bringup_cfg *cfg,
			       struct sim800_net_status *out);

/* ---------------------------------------------------------------------------------------- */
/* TCP/UDP over the CIP stack (sim800_tcp.c)                                                 */

/*
 * Bring-up (field bugs reg-stuck-connect-needs-shut, reg-cifsr-has-no-ok): AT+CIPSHUT first
 * (whatever a previous host left), AT+CIPMUX=<mux>, AT+CIPRXGET=1 (data waits in the module
 * until read: no unsolicited binary), AT+CIPQSEND=1 if accepted (else SEND OK mode), CSTT,
 * CIICR (85 s), CIFSR (the bare IP is the final). Any step's refusal -> SIM800_ERR_GPRS with
 * the module's answer in sim800_last(). apn may be "" (user/pwd NULL = "").
 */
enum sim800_err sim800_cip_up(struct sim800 *m, const char *apn, const char *user,
			      const char *pwd, bool mux);
/* AT+CIPSHUT: every link closed, state IP INITIAL. */
enum sim800_err sim800_cip_down(struct sim800 *m);

/*
 * Open link id (0 in single mode) to host:port. tls sets AT+CIPSSL=1 explicitly before the
 * CIPSTART (=0 otherwise, when the module has the command; ssl-cipssl-sticky-per-socket).
 * TLS on a module whose AT+CIPSSL=? answered ERROR -> SIM800_ERR_TLS_UNSUPPORTED at once,
 * nothing sent. Waits up to timeout_ms (0 -> 75 s, the module's own limit) for CONNECT OK;
 * CONNECT FAIL -> SIM800_ERR_CONNECT_FAIL, CLOSE OK/CLOSED while connecting with TLS ->
 * SIM800_ERR_TLS_HANDSHAKE, ALREADY CONNECT -> the old link is closed and the open retried
 * once. On our timeout the link is closed (CIPCLOSE) so a late CONNECT FAIL is harmless.
 * After SIM800_CIP_OPEN_TRIES consecutive failures (timeout or CONNECT FAIL) the stack may be
 * wedged (reg-stuck-connect-needs-shut): AT+CIPSHUT is sent and SIM800_ERR_GPRS returned, so
 * the caller runs sim800_cip_up again (and resets the module if that fails too).
 */
#define SIM800_CIP_OPEN_TRIES 3
enum sim800_err sim800_tcp_open(struct sim800 *m, int id, bool udp, const char *host,
				unsigned port, bool tls, uint32_t timeout_ms);
/* Send len bytes in CIPSEND pieces (<= 1460 each). *sent = bytes the module accepted (SEND OK
 * or DATA ACCEPT). SEND FAIL -> SIM800_ERR_SEND_FAIL and the link counts as closed. */
enum sim800_err sim800_tcp_send(struct sim800 *m, int id, const void *buf, size_t len,
				size_t *sent);
/* Read up to cap bytes: waits up to timeout_ms for +CIPRXGET: 1, then AT+CIPRXGET=2.
 * *got = 0 with SIM800_ERR_CLOSED once the peer closed and everything was read; with
 * SIM800_OK and *got = 0 when nothing came before the timeout. */
enum sim800_err sim800_tcp_recv(struct sim800 *m, int id, void *buf, size_t cap, size_t *got,
				uint32_t timeout_ms);
/* AT+CIPCLOSE=[<id>,]1 if the link is open; a closed link is not an error. */
enum sim800_err sim800_tcp_close(struct sim800 *m, int id);
enum sim800_link sim800_tcp_state(const struct sim800 *m, int id);

/*
 * Store a certificate (PEM or DER, len bytes) in the module's flash as file (e.g.
 * "C:\\USER\\CERT.CRT") and make it the TLS certificate: AT+FSCREATE, AT+FSWRITE (waits for
 * "> ", writes exactly len bytes), with client_auth AT+SSLOPT=1,1, then AT+SSLSETCERT and its
 * "+SSLSETCERT: <n>" (sim800-facts.md §5.2; field bug ssl-client-auth-and-cert-upload).
 * <n> other than 0 -> SIM800_ERR_ERROR with the line in sim800_last(); a module whose
 * AT+CIPSSL=? answered ERROR -> SIM800_ERR_TLS_UNSUPPORTED, nothing sent.
 */
#define SIM800_CERT_MAX 10240
enum sim800_err sim800_tls_set_cert(struct sim800 *m, const char *file, const void *cert,
				    size_t len, bool client_auth);

/* ---------------------------------------------------------------------------------------- */
/* HTTP application (sim800_http.c)                                                          */

/* AT+SAPBR=3,1 Contype/APN, AT+SAPBR=2,1; if not open AT+SAPBR=1,1 (its ERROR is not fatal:
 * the status query decides, field bug reg-sapbr-open-error-when-open). */
enum sim800_err sim800_bearer_open(struct sim800 *m, const char *apn);
enum sim800_err sim800_bearer_close(struct sim800 *m);

/* The serving cell's location (sim800_loc.c): AT+CIPGSMLOC=1,1 over the open bearer 1, waited
 * for up to 60 s (MAN; it takes seconds: tim-cipgsmloc-needs-10s). code is the module's
 * location code (0 success; otherwise SIM800_ERR_GPRS and no coordinates). */
struct sim800_location {
	int code;
	double lon, lat;
	char date[16];     /* yyyy/mm/dd */
	char time[16];     /* hh:mm:ss */
};
enum sim800_err sim800_gsm_location(struct sim800 *m, struct sim800_location *out);

enum sim800_http_method { SIM800_HTTP_GET = 0, SIM800_HTTP_POST = 1, SIM800_HTTP_HEAD = 2 };
#define SIM800_HTTP_READ_WHOLE ((size_t)-1) /* read_chunk: the whole body in one AT+HTTPREAD */

struct sim800_http_req {
	enum sim800_http_method method;
	const char *url;          /* http:// or https:// (https needs module SSL: see policy) */
	const uint8_t *body;      /* POST body (HTTPDATA), may be NULL */
	size_t body_len;
	const char *content_type; /* HTTPPARA "CONTENT", NULL = module default */
	uint32_t timeout_ms;      /* wait for +HTTPACTION; 0 -> 130 s (module TIMEOUT 120 s) */
	size_t read_chunk;        /* HTTPREAD=<start>,<size> piece; 0 -> 1024;
				     SIM800_HTTP_READ_WHOLE -> one bare AT+HTTPREAD */
	/* Body sink, called with each piece in order; NULL = do not read the body. */
	void (*on_body)(void *user, const uint8_t *buf, size_t n);
	void *user;
};

struct sim800_http_res {
	int status;       /* HTTP status, or the module's 60x code */
	long length;      /* <DataLen> of +HTTPACTION */
	size_t received;  /* body bytes read through HTTPREAD */
	bool module_tls;  /* the request went through AT+HTTPSSL=1 */
};

/*
 * One request through the HTTP application: AT+HTTPTERM (ERROR ignored:
 * http-httpinit-twice-error), HTTPINIT, HTTPPARA CID/URL[/CONTENT], HTTPSSL (=1 for https;
 * ERROR -> SIM800_ERR_TLS_UNSUPPORTED before anything is sent), HTTPDATA (DOWNLOAD), HTTPACTION
 * and its URC, HTTPREAD in pieces, HTTPTERM. Any HTTP status is SIM800_OK (res->status says
 * which); 600-606 map to the distinct SIM800_ERR_HTTP_* / SIM800_ERR_TLS_HANDSHAKE errors.
 */
enum sim800_err sim800_http_request(struct sim800 *m, const struct sim800_http_req *req,
				    struct sim800_http_res *res);

/* ---------------------------------------------------------------------------------------- */
/* SMS (sim800_sms.c)                                                                        */

/* Text mode send: AT+CMGF=1 (ERROR retried until SMS Ready or deadline_ms:
 * boot-sms-cmd-error-before-sms-ready), AT+CMGS="<number>", "> ", text + Ctrl-Z, 60 s.
 * Success needs "+CMGS: <mr>" before OK (sms-false-success-on-stray-ok); *mr may be NULL. */
enum sim800_err sim800_sms_send(struct sim800 *m, const char *number, const char *text,
				int *mr, uint32_t deadline_ms);

struct sim800_sms {
	int index;
	char stat[16];     /* "REC UNREAD", "STO SENT"... */
	char number[32];
	char time[32];     /* service centre time stamp as printed, "" if none */
	char text[200];    /* the text line(s), cut to fit */
};
/* AT+CMGF=1, AT+CMGL="ALL": fn is called per message (valid during the call). */
enum sim800_err sim800_sms_list(struct sim800 *m,
				void (*fn)(void *user, const struct sim800_sms *sms), void *user,
				uint32_t deadline_ms);

/* ---------------------------------------------------------------------------------------- */
/* PPP (sim800_ppp.c): dial and leave data mode; the host runs PPP itself                    */

/* AT+CGDCONT=1,"IP","<apn>", ATD*99***1#; SIM800_OK once CONNECT came (PPP may start only
 * then: ppp-dial-error-must-not-start-ppp). ERROR/NO CARRIER -> SIM800_ERR_PPP. */
enum sim800_err sim800_ppp_dial(struct sim800 *m, const char *apn);
/* Data mode's first bytes: what followed CONNECT in the read that brought it (a module
 * starts LCP at once). Copies up to cap bytes to buf, returns the count and forgets them;
 * hand them to the PPP stack before it reads the port. The next command drops what is
 * left. */
size_t sim800_take_data(struct sim800 *m, uint8_t *buf, size_t cap);
/* Back to command mode. First up to 2 s for the module's own NO CARRIER (after the host's LCP
 * Terminate it drops the call once its PPP has stopped): then only ATH. Otherwise that silence
 * was the guard: "+++", 1 s guard, OK or NO CARRIER (up to 3 tries, each with its 1 s guard
 * before), a sync, ATH. Bytes left over from PPP are discarded by the line parser. */
enum sim800_err sim800_ppp_hangup(struct sim800 *m);
/* sim800_sync for a host that just started: when AT gets no answer for 3 s the module may
 * still be in data mode from before the host's reset (ppp-host-reboot-in-data-mode), so one
 * guarded "+++", then sync for the rest of timeout_ms and ATH. Never longer than timeout_ms. */
enum sim800_err sim800_sync_any_mode(struct sim800 *m, uint32_t timeout_ms);

/* ---------------------------------------------------------------------------------------- */
/* Transport policy (sim800_policy.c)                                                        */

enum sim800_policy {
	SIM800_POLICY_SECURE = 0,    /* TLS the host can trust: PPP + host TLS only */
	SIM800_POLICY_MODULE_TLS_OK, /* module SSL allowed (TLS 1.0, no certificate checks) */
	SIM800_POLICY_PLAIN_OK,      /* also plaintext (http://, raw TCP) */
};

enum sim800_path {
	SIM800_PATH_NONE = 0,
	SIM800_PATH_MODULE_PLAIN, /* HTTP application / CIP without TLS */
	SIM800_PATH_MODULE_TLS,   /* AT+HTTPSSL=1 / AT+CIPSSL=1: the module's TLS 1.0 */
	SIM800_PATH_PPP_HOST_TLS, /* ATD*99#, PPP, TLS on the host */
	SIM800_PATH_PPP_PLAIN,    /* ATD*99#, PPP, plaintext on the host */
};

#define SIM800_PLAN_MAX 3
struct sim800_plan {
	enum sim800_path path[SIM800_PLAN_MAX]; /* in the order to try */
	int n;
	enum sim800_err refusal; /* when n == 0: SIM800_ERR_POLICY or SIM800_ERR_TLS_UNSUPPORTED */
	char why[160];           /* one line for the log: what was decided and why */
};

/* Parse "secure" | "module-tls-ok" | "plain-ok"; false if none. */
bool sim800_policy_parse(const char *s, enum sim800_policy *out);
const char *sim800_policy_name(enum sim800_policy p);
const char *sim800_path_name(enum sim800_path p);
/*
 * Which paths may carry a request. tls: the URL is https (or TLS was asked for). module_tls:
 * what the module answered to its probe (AT+HTTPSSL for HTTP, AT+CIPSSL for TCP), never a
 * version table. ppp: the host can run PPP. Order (documented in driver/README.md):
 *   tls:   secure        -> PPP+host TLS | refuse (POLICY)
 *          module-tls-ok / plain-ok -> module TLS (if the probe listed it), then PPP+host TLS;
 *                           neither -> TLS_UNSUPPORTED (never plaintext)
 *   plain: secure / module-tls-ok -> refuse (POLICY: plaintext not allowed)
 *          plain-ok       -> module plain, then PPP plain
 */
void sim800_policy_plan(enum sim800_policy pol, bool tls, enum sim800_cap module_tls, bool ppp,
			struct sim800_plan *out);

#endif
