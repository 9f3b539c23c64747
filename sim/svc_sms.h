/* svc_sms.h - SMS (27.005 text and PDU mode): the message store, sending and arrival (+CMTI). */
#ifndef SIM_SVC_SMS_H
#define SIM_SVC_SMS_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modem.h"

/*
 * Ownership: struct svc_sms hangs off m->sms, is created on first use and freed by
 * svc_sms_free (modem_destroy). A power cycle (svc_sms_reset) keeps the stored messages, as a
 * SIM ("SM") and the module's flash ("ME") do, and restores the volatile settings.
 * Texts are kept as UTF-8; AT+CSCS and the PDU codec convert at the edges (cmd_sms.c).
 */

/* Slots per storage: "+CPMS: "SM",1,50,..." (issue 7; the real SIM's size varies). */
#define SMS_SLOTS 50
/* Longest single message: 160 GSM septets, 140 octets, 70 UCS2 units (23.040 §9.2.3.24). */
#define SMS_MAX_SEPTETS 160
#define SMS_MAX_OCTETS 140
#define SMS_MAX_UCS2 70
/* UTF-8 bytes a single message can need (160 GSM characters of up to 3 bytes each). */
#define SMS_TEXT_CAP 512
/* Sent messages kept for the control socket; past this the oldest is dropped. */
#define SMS_SENT_MAX 256
/* Network round trip after Ctrl-Z before "+CMGS: <mr>" (field bug sms-cmgs-slow-final shows
 * 5-60 s; we default to the short end, scaled by --time-scale). */
#define SMS_DEFAULT_LATENCY_MS 2000

enum sms_mem { SMS_MEM_SM, SMS_MEM_ME, SMS_MEM_COUNT };

/* 27.005 <stat>; the PDU-mode numbers are the enum values. */
enum sms_stat {
	SMS_STAT_REC_UNREAD = 0,
	SMS_STAT_REC_READ = 1,
	SMS_STAT_STO_UNSENT = 2,
	SMS_STAT_STO_SENT = 3,
	SMS_STAT_ALL = 4,          /* only as a AT+CMGL filter */
};

/* How the user data is coded (23.038 general data coding group: <dcs> 0, 4, 8). */
enum sms_coding { SMS_CODING_GSM7 = 0, SMS_CODING_8BIT = 4, SMS_CODING_UCS2 = 8 };

/* AT+CSCS (MAN §1.5; 27.007 §5.5). */
enum sms_charset {
	SMS_CS_IRA, SMS_CS_GSM, SMS_CS_UCS2, SMS_CS_HEX, SMS_CS_PCCP, SMS_CS_PCDN, SMS_CS_8859_1,
	SMS_CS_COUNT,
};

/* One stored message. */
struct sms_msg {
	enum sms_stat stat;
	char addr[32];             /* <oa> for received, <da> for stored outgoing: "+4477..." */
	int addr_type;             /* 145 international ('+'), else 129 */
	char scts[24];             /* received: "26/11/30,12:00:00+04"; empty for outgoing */
	enum sms_coding coding;
	char *text;                /* UTF-8, owned; 8-bit data as one code point per octet */
};

/* A message the network "received" from this modem (AT+CMGS), for the control socket. */
struct sms_sent {
	char to[32];
	char *text;       /* as sent, after charset decoding; owned by the store */
	int mr;           /* the message reference the modem answered */
};

struct svc_sms {
	struct sim_modem *m;
	bool ready;                /* "SMS Ready" is out: commands answer */
	int cmgf;                  /* AT+CMGF: 0 PDU (27.005 default), 1 text */
	enum sms_charset cscs;     /* AT+CSCS, "IRA" by default (facts §8) */
	int fo, vp, pid, dcs;      /* AT+CSMP, default 17,167,0,0 */
	int cnmi[5];               /* AT+CNMI <mode>,<mt>,<bm>,<ds>,<bfr> */
	int csdh;                  /* AT+CSDH: header details in text mode */
	int csms;                  /* AT+CSMS <service>: 0 (27.005 phase 2, default) or 1 (phase 2+) */
	enum sms_mem mem[3];       /* AT+CPMS <mem1> read/delete, <mem2> write/send, <mem3> receive */
	char sca[32];              /* AT+CSCA service centre */
	int sca_type;
	struct sms_msg *store[SMS_MEM_COUNT][SMS_SLOTS]; /* owned; NULL = free slot */
	int mr;                    /* last message reference handed out (0..255) */
	int reject_next;           /* 0, or the +CMS ERROR code for the next send */
	unsigned latency_ms;       /* Ctrl-Z to +CMGS, before --time-scale */
	bool latency_real;         /* latency_ms is real time, whatever --time-scale */
	bool stray_ok_next;        /* a stray OK right after the next Ctrl-Z */
	struct sms_sent *sent;     /* owned, oldest first */
	size_t n_sent;
	/* The send in flight, between Ctrl-Z and its final result. */
	ev_timer send_timer;
	bool sending;
	int send_error;            /* +CMS code decided at Ctrl-Z (reject), 0 = success */
	char send_to[32];
	char *send_text;           /* owned while sending */
	/* What the open "> " prompt is for (cmd_sms.c), read when Ctrl-Z arrives. */
	struct {
		bool write;            /* AT+CMGW (store) rather than AT+CMGS (send) */
		bool pdu;              /* PDU mode: hex PDU of pdu_len TPDU octets */
		size_t pdu_len;
		char to[32];           /* text mode destination, decoded */
		enum sms_stat stat;    /* AT+CMGW <stat> */
	} prompt;
};

/* Injected: a message arrives (stored, then +CMTI per AT+CNMI). False if the store is full. */
bool svc_sms_deliver(struct sim_modem *m, const char *from, const char *text);
/* Same with a given service-centre time stamp "yy/MM/dd,hh:mm:ss+zz" (tests, scenarios);
 * false also when from/text do not fit one message or scts has the wrong shape. */
bool svc_sms_deliver_at(struct sim_modem *m, const char *from, const char *text,
			const char *scts);
/* Sent messages so far (oldest first); valid until the next call that changes the store. */
const struct sms_sent *svc_sms_sent(const struct sim_modem *m, size_t *n);
/* Injected: make the next AT+CMGS fail with +CMS ERROR code (field-bugs.md sms-cms-error-...). */
void svc_sms_reject_next(struct sim_modem *m, int cms_code);
/* Injected: network latency between Ctrl-Z and "+CMGS:" (ms before --time-scale; max 60000,
 * the manual's limit, facts §9.1). */
void svc_sms_set_latency(struct sim_modem *m, unsigned ms);
/* Injected: the latency is real milliseconds whatever --time-scale (sms-cmgs-slow-final). */
void svc_sms_latency_real(struct sim_modem *m, bool real);
/* Injected: right after the next Ctrl-Z an OK goes out, as a previous command's late final
 * would (field-bugs.md sms-false-success-on-stray-ok); the send's own result follows. */
void svc_sms_stray_ok_next(struct sim_modem *m);
/* "SMS Ready" went out: SMS commands work from now on (field-bugs.md boot-sms-cmd-error-...). */
void svc_sms_ready(struct sim_modem *m);
void svc_sms_reset(struct sim_modem *m);
/* modem_destroy: everything, the store included. */
void svc_sms_free(struct sim_modem *m);

/* For cmd_sms.c. */
/* The state, created on first use; NULL only when out of memory. */
struct svc_sms *svc_sms_get(struct sim_modem *m);
/* Messages in a storage. */
size_t svc_sms_used(const struct svc_sms *s, enum sms_mem mem);
/* Store a message in the first free slot of mem; returns the 1-based index, or 0 when full.
 * Takes ownership of msg (freed when full). */
int svc_sms_store(struct svc_sms *s, enum sms_mem mem, struct sms_msg *msg);
void svc_sms_msg_free(struct sms_msg *msg);
/*
 * AT+CMGS after Ctrl-Z: the network takes the message. Answers later with "+CMGS: <mr>" and OK,
 * or with +CMS ERROR (331 unregistered, the injected reject code); the result comes through
 * modem_command_done, so the caller returns nothing itself. Takes a copy of text.
 */
void svc_sms_submit(struct sim_modem *m, const char *to, const char *text);

/* GSM 03.38 default alphabet (23.038 §6.2.1), shared by the charset and PDU code. */
/* Septets for code point cp: 1 (basic), 2 (escape + extension), 0 (not representable). */
int svc_sms_gsm_encode(uint32_t cp, uint8_t out[2]);
/* Code point of septets at s (an escape consumes two); *used is set to 1 or 2. */
uint32_t svc_sms_gsm_decode(const uint8_t *s, size_t n, size_t *used);
/* True when every character of the UTF-8 text is in the GSM alphabet; *septets counts them. */
bool svc_sms_gsm_fits(const char *utf8, size_t *septets);
/* UTF-8: next code point of s (invalid bytes read as U+FFFD), and encoding into out[4]. */
uint32_t svc_sms_utf8_next(const char **s, const char *end);
size_t svc_sms_utf8_put(uint32_t cp, char out[4]);
/* UTF-16 code units the text needs (UCS2 carries surrogate pairs as two units). */
size_t svc_sms_ucs2_units(const char *utf8);

/*
 * Conversions at the host's edge (27.005 §3.1 <data>, 27.007 §5.5). Every one writes a
 * NUL-terminated string into out and returns false when the input is malformed (odd or bad
 * hex, bad PDU) or does not fit cap.
 */
/* A TE string in charset cs (AT+CSCS) -> UTF-8. */
bool svc_sms_te_decode(enum sms_charset cs, const char *in, size_t n, char *out, size_t cap);
/* UTF-8 -> TE string in cs; characters cs lacks become '?'. *len (may be NULL) is the length:
 * GSM '@' is the byte 0x00, so the string may hold NULs. */
bool svc_sms_te_encode(enum sms_charset cs, const char *utf8, char *out, size_t cap, size_t *len);
/* Text-mode user data typed after the prompt -> UTF-8, coded as AT+CSMP's <dcs> says. */
bool svc_sms_data_decode(const struct svc_sms *s, const char *in, size_t n,
			 enum sms_coding *coding, char *out, size_t cap);
/* A stored message's text as text mode shows it (TE charset, or hex for UCS2 and 8-bit). */
bool svc_sms_data_encode(const struct svc_sms *s, const struct sms_msg *msg, char *out,
			 size_t cap, size_t *len);
/* <length> of a message in text mode: characters (GSM), octets (8-bit, UCS2). */
size_t svc_sms_data_length(const struct sms_msg *msg);
/* A stored message as a PDU in hex: SMSC address, then SMS-DELIVER (received) or SMS-SUBMIT
 * (stored outgoing) (23.040 §9.2.2); *tpdu_len is the <length> (octets after the SMSC). */
bool svc_sms_pdu_encode(const struct svc_sms *s, const struct sms_msg *msg, char *hex,
			size_t cap, size_t *tpdu_len);
/* An SMS-SUBMIT from AT+CMGS=<length> in PDU mode: SMSC address then exactly tpdu_len octets
 * -> destination and UTF-8 text. False means +CMS ERROR: 304 (invalid PDU mode parameter). */
bool svc_sms_pdu_decode(const char *hex, size_t n, size_t tpdu_len, char *to, size_t tocap,
			enum sms_coding *coding, char *text, size_t cap);
/* The +CMT URC for <mt> 2 (27.005 §3.4.1), text or PDU per AT+CMGF. */
bool svc_sms_cmt(const struct svc_sms *s, const struct sms_msg *msg, char *out, size_t cap);

#endif
