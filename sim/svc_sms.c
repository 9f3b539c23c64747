/* svc_sms.c - SMS store, sending and arrival; GSM alphabet, AT+CSCS and PDU codec (svc_sms.h). */
#include "svc_sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modem_internal.h"
#include "respond.h"

/* GSM 03.38 default alphabet, septet -> Unicode (23.038 §6.2.1). 0x1B is the escape. */
static const uint16_t gsm_basic[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
	0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
	0x03A3, 0x0398, 0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* The extension table reached through 0x1B (23.038 §6.2.1.1). */
static const struct {
	uint8_t septet;
	uint16_t cp;
} gsm_ext[] = {
	{0x0A, 0x000C}, {0x14, 0x005E}, {0x28, 0x007B}, {0x29, 0x007D}, {0x2F, 0x005C},
	{0x3C, 0x005B}, {0x3D, 0x007E}, {0x3E, 0x005D}, {0x40, 0x007C}, {0x65, 0x20AC},
};

#define GSM_ESCAPE 0x1B

int svc_sms_gsm_encode(uint32_t cp, uint8_t out[2])
{
	for (size_t i = 0; i < 128; i++)
		if (i != GSM_ESCAPE && gsm_basic[i] == cp) {
			out[0] = (uint8_t)i;
			return 1;
		}
	for (size_t i = 0; i < sizeof gsm_ext / sizeof gsm_ext[0]; i++)
		if (gsm_ext[i].cp == cp) {
			out[0] = GSM_ESCAPE;
			out[1] = gsm_ext[i].septet;
			return 2;
		}
	return 0;
}

uint32_t svc_sms_gsm_decode(const uint8_t *s, size_t n, size_t *used)
{
	*used = 1;
	if (s[0] > 0x7F)
		return '?';
	if (s[0] != GSM_ESCAPE)
		return gsm_basic[s[0]];
	if (n < 2)
		return ' '; /* a lone escape at the end: shown as a space (23.038 §6.2.1.1 note) */
	*used = 2;
	for (size_t i = 0; i < sizeof gsm_ext / sizeof gsm_ext[0]; i++)
		if (gsm_ext[i].septet == s[1])
			return gsm_ext[i].cp;
	return s[1] <= 0x7F ? gsm_basic[s[1]] : '?'; /* unknown extension: the basic character */
}

uint32_t svc_sms_utf8_next(const char **sp, const char *end)
{
	const uint8_t *s = (const uint8_t *)*sp;
	const uint8_t *e = (const uint8_t *)end;
	uint32_t cp;
	size_t len;
	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		cp = s[0] & 0x1F;
		len = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		cp = s[0] & 0x0F;
		len = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		cp = s[0] & 0x07;
		len = 4;
	} else {
		*sp += 1;
		return 0xFFFD;
	}
	if ((size_t)(e - s) < len) {
		*sp = end;
		return 0xFFFD;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*sp += i;
			return 0xFFFD;
		}
		cp = cp << 6 | (s[i] & 0x3F);
	}
	*sp += len;
	return cp > 0x10FFFF ? 0xFFFD : cp;
}

size_t svc_sms_utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool svc_sms_gsm_fits(const char *utf8, size_t *septets)
{
	const char *p = utf8, *end = utf8 + strlen(utf8);
	size_t n = 0;
	bool fits = true;
	while (p < end) {
		uint8_t sep[2];
		int k = svc_sms_gsm_encode(svc_sms_utf8_next(&p, end), sep);
		if (k == 0)
			fits = false;
		n += k ? (size_t)k : 1;
	}
	*septets = n;
	return fits;
}

/* UTF-16 code units the text needs (UCS2 coding carries surrogate pairs as two units). */
static size_t ucs2_units(const char *utf8)
{
	const char *p = utf8, *end = utf8 + strlen(utf8);
	size_t n = 0;
	while (p < end)
		n += svc_sms_utf8_next(&p, end) > 0xFFFF ? 2 : 1;
	return n;
}

static void send_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* What a power cycle restores: the modem's volatile SMS settings (27.005 defaults). */
static void power_on_settings(struct svc_sms *s)
{
	s->ready = false;
	s->cmgf = 0;
	s->cscs = SMS_CS_IRA;
	s->fo = 17; /* SMS-SUBMIT, relative validity period: 27.005 §3.3.2 default */
	s->vp = 167;
	s->pid = s->dcs = 0;
	/* +CNMI 2,1: new messages stored and announced with +CMTI, what SIM800 users see without
	 * configuring anything (field bug sms-cmti-urc-anywhere). The exact factory value is
	 * UNCERTAIN. */
	memset(s->cnmi, 0, sizeof s->cnmi);
	s->cnmi[0] = 2;
	s->cnmi[1] = 1;
	s->csdh = 0;
	s->csms = 0;
	memset(s->mem, 0, sizeof s->mem); /* "SM" for all three */
	memset(&s->prompt, 0, sizeof s->prompt);
}

struct svc_sms *svc_sms_get(struct sim_modem *m)
{
	if (m->sms)
		return m->sms;
	struct svc_sms *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->m = m;
	power_on_settings(s);
	/* A made-up service centre of the right shape; a real SIM holds its operator's. */
	snprintf(s->sca, sizeof s->sca, "+10000000000");
	s->sca_type = 145;
	s->latency_ms = SMS_DEFAULT_LATENCY_MS;
	ev_init(&s->send_timer, send_cb);
	m->sms = s;
	return s;
}

void svc_sms_msg_free(struct sms_msg *msg)
{
	if (!msg)
		return;
	free(msg->text);
	free(msg);
}

void svc_sms_reset(struct sim_modem *m)
{
	struct svc_sms *s = m->sms;
	if (!s)
		return;
	/* A send in flight dies with the power; the stored messages (SIM and module memory),
	 * the service centre, the message reference and what the network saw sent stay. */
	ev_timer_stop(m->loop, &s->send_timer);
	s->sending = false;
	s->send_error = 0;
	free(s->send_text);
	s->send_text = NULL;
	power_on_settings(s);
}

void svc_sms_free(struct sim_modem *m)
{
	struct svc_sms *s = m->sms;
	if (!s)
		return;
	ev_timer_stop(m->loop, &s->send_timer);
	for (int mem = 0; mem < SMS_MEM_COUNT; mem++)
		for (int i = 0; i < SMS_SLOTS; i++)
			svc_sms_msg_free(s->store[mem][i]);
	for (size_t i = 0; i < s->n_sent; i++)
		free(s->sent[i].text);
	free(s->sent);
	free(s->send_text);
	free(s);
	m->sms = NULL;
}

void svc_sms_ready(struct sim_modem *m)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->ready = true;
}

void svc_sms_reject_next(struct sim_modem *m, int cms_code)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->reject_next = cms_code;
}

void svc_sms_set_latency(struct sim_modem *m, unsigned ms)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->latency_ms = ms > 60000 ? 60000 : ms;
}

void svc_sms_latency_real(struct sim_modem *m, bool real)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->latency_real = real;
}

void svc_sms_stray_ok_next(struct sim_modem *m)
{
	struct svc_sms *s = svc_sms_get(m);
	if (s)
		s->stray_ok_next = true;
}

size_t svc_sms_used(const struct svc_sms *s, enum sms_mem mem)
{
	size_t n = 0;
	for (int i = 0; i < SMS_SLOTS; i++)
		n += s->store[mem][i] != NULL;
	return n;
}

int svc_sms_store(struct svc_sms *s, enum sms_mem mem, struct sms_msg *msg)
{
	for (int i = 0; i < SMS_SLOTS; i++)
		if (!s->store[mem][i]) {
			s->store[mem][i] = msg;
			return i + 1;
		}
	svc_sms_msg_free(msg);
	return 0;
}

const struct sms_sent *svc_sms_sent(const struct sim_modem *m, size_t *n)
{
	if (!m->sms) {
		*n = 0;
		return NULL;
	}
	*n = m->sms->n_sent;
	return m->sms->sent;
}

static void record_sent(struct svc_sms *s, int mr)
{
	if (!s->sent) {
		s->sent = calloc(SMS_SENT_MAX, sizeof *s->sent);
		if (!s->sent)
			return;
	}
	if (s->n_sent == SMS_SENT_MAX) {
		free(s->sent[0].text);
		memmove(s->sent, s->sent + 1, (SMS_SENT_MAX - 1) * sizeof *s->sent);
		s->n_sent--;
	}
	struct sms_sent *e = &s->sent[s->n_sent++];
	snprintf(e->to, sizeof e->to, "%s", s->send_to);
	e->text = s->send_text; /* ownership moves to the list */
	s->send_text = NULL;
	e->mr = mr;
}

/* The network answered: "+CMGS: <mr>" then OK, or the error decided at Ctrl-Z. */
static void send_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct svc_sms *s = (struct svc_sms *)((char *)w - offsetof(struct svc_sms, send_timer));
	struct sim_modem *m = s->m;
	s->sending = false;
	if (s->send_error) {
		free(s->send_text);
		s->send_text = NULL;
		modem_command_done(m, RES_CMS(s->send_error));
		return;
	}
	s->mr = (s->mr + 1) & 0xFF; /* TP-MR is one octet (23.040 §9.2.3.6) */
	int mr = s->mr;
	record_sent(s, mr);
	respond_infof(m, "+CMGS: %d", mr);
	modem_command_done(m, RES_OK);
}

void svc_sms_submit(struct sim_modem *m, const char *to, const char *text)
{
	struct svc_sms *s = svc_sms_get(m);
	if (!s) {
		modem_command_done(m, RES_CMS(300)); /* ME failure */
		return;
	}
	if (s->stray_ok_next) {
		s->stray_ok_next = false;
		respond_final(m, RES_OK);
	}
	/* No network: fails at once after the prompt phase (field bug sms-send-before-registration;
	 * the code 331 "no network" is UNCERTAIN). */
	if (!netstate_registered(m) || m->net.cfun != 1) {
		modem_command_done(m, RES_CMS(331));
		return;
	}
	free(s->send_text);
	s->send_text = strdup(text);
	if (!s->send_text) {
		modem_command_done(m, RES_CMS(300));
		return;
	}
	snprintf(s->send_to, sizeof s->send_to, "%s", to);
	/* An injected rejection still takes the network round trip: the SMSC answers it. */
	s->send_error = s->reject_next;
	s->reject_next = 0;
	s->sending = true;
	ev_timer_set(&s->send_timer,
		     s->latency_real ? s->latency_ms / 1000.0 : modem_delay(m, s->latency_ms), 0.);
	ev_timer_start(m->loop, &s->send_timer);
}

/* "yy/MM/dd,hh:mm:ss+zz" (27.005 <scts>; zone in quarter hours, signed). */
static bool scts_valid(const char *t)
{
	static const char shape[] = "99/99/99,99:99:99";
	if (strlen(t) < 20 || strlen(t) > 21)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '9' ? (t[i] < '0' || t[i] > '9') : t[i] != shape[i])
			return false;
	if (t[17] != '+' && t[17] != '-')
		return false;
	for (size_t i = 18; t[i]; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return atoi(t + 18) <= 79;
}

static bool addr_valid(const char *a)
{
	size_t n = strlen(a);
	if (n == 0 || n >= sizeof((struct sms_msg *)0)->addr)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((a[i] >= '0' && a[i] <= '9') || (i == 0 && a[i] == '+') || a[i] == '*' ||
		      a[i] == '#'))
			return false;
	return n <= 21; /* 20 digits: 23.040 §9.1.2.5 */
}

bool svc_sms_deliver_at(struct sim_modem *m, const char *from, const char *text,
			const char *scts)
{
	struct svc_sms *s = svc_sms_get(m);
	if (!s || !addr_valid(from) || !scts_valid(scts) || strlen(text) >= SMS_TEXT_CAP)
		return false;
	size_t septets;
	enum sms_coding coding = SMS_CODING_GSM7;
	if (!svc_sms_gsm_fits(text, &septets) || septets > SMS_MAX_SEPTETS) {
		/* Not GSM 7-bit: the sender used UCS2, one message of at most 70 units. */
		if (ucs2_units(text) > SMS_MAX_UCS2)
			return false;
		coding = SMS_CODING_UCS2;
	}
	struct sms_msg *msg = calloc(1, sizeof *msg);
	if (!msg)
		return false;
	msg->stat = SMS_STAT_REC_UNREAD;
	snprintf(msg->addr, sizeof msg->addr, "%s", from);
	msg->addr_type = from[0] == '+' ? 145 : 129;
	snprintf(msg->scts, sizeof msg->scts, "%s", scts);
	msg->coding = coding;
	msg->text = strdup(text);
	if (!msg->text) {
		free(msg);
		return false;
	}
	int mt = s->cnmi[1];
	/* <mt> 2: routed to the host as +CMT, not stored (27.005 §3.4.1, class 0/1/none). */
	if (mt == 2 && s->ready && s->cnmi[0] != 0) {
		char urc[512];
		if (svc_sms_cmt(s, msg, urc, sizeof urc))
			modem_urc(m, "%s", urc);
		svc_sms_msg_free(msg);
		return true;
	}
	/* Before "SMS Ready" a message is stored but not announced. */
	enum sms_mem mem = s->mem[2];
	int index = svc_sms_store(s, mem, msg);
	if (index == 0)
		return false; /* memory full: the network keeps it (no URC; real modules vary) */
	/* <mode> 0 would buffer the indication in the TA; we do not model that buffer. */
	if (s->ready && s->cnmi[0] != 0 && (mt == 1 || mt == 2 || mt == 3))
		modem_urc(m, "+CMTI: \"%s\",%d", mem == SMS_MEM_SM ? "SM" : "ME", index);
	return true;
}

bool svc_sms_deliver(struct sim_modem *m, const char *from, const char *text)
{
	/* The service centre's clock is the host's, in UTC ("+00"). */
	time_t now = time(NULL);
	struct tm tm;
	char scts[32];
	if (!gmtime_r(&now, &tm) ||
	    strftime(scts, sizeof scts, "%y/%m/%d,%H:%M:%S+00", &tm) == 0)
		return false;
	return svc_sms_deliver_at(m, from, text, scts);
}

/* ---- conversions at the host's edge ------------------------------------------------------ */

/* A bounded string writer: on overflow ok turns false and nothing more is written. */
struct wbuf {
	char *p;
	size_t len, cap;
	bool ok;
};

static struct wbuf wbuf_init(char *p, size_t cap)
{
	struct wbuf w = {.p = p, .cap = cap, .ok = cap > 0};
	if (cap)
		p[0] = '\0';
	return w;
}

static void w_bytes(struct wbuf *w, const void *b, size_t n)
{
	if (!w->ok || w->len + n >= w->cap) {
		w->ok = false;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void w_byte(struct wbuf *w, unsigned v)
{
	char c = (char)v;
	w_bytes(w, &c, 1);
}

static void w_hex(struct wbuf *w, unsigned v, int digits)
{
	static const char hx[] = "0123456789ABCDEF";
	for (int i = digits - 1; i >= 0; i--)
		w_byte(w, (unsigned char)hx[(v >> (4 * i)) & 0xF]);
}

static void w_utf8(struct wbuf *w, uint32_t cp)
{
	char u[4];
	w_bytes(w, u, svc_sms_utf8_put(cp, u));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex text -> octets; false on odd length, a non-hex digit or more than cap octets. */
static bool unhex(const char *in, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (n % 2 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(in[i]), lo = hexval(in[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

static void w_septets(struct wbuf *w, const uint8_t *sep, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t used;
		w_utf8(w, svc_sms_gsm_decode(sep + i, n - i, &used));
		i += used;
	}
}

/* Big-endian UTF-16 units (UCS2 coding) -> UTF-8; surrogate pairs are joined. */
static void w_utf16(struct wbuf *w, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t u = (uint32_t)b[i] << 8 | b[i + 1];
		if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
			uint32_t lo = (uint32_t)b[i + 2] << 8 | b[i + 3];
			if (lo >= 0xDC00 && lo < 0xE000) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		w_utf8(w, u);
	}
}

bool svc_sms_te_decode(enum sms_charset cs, const char *in, size_t n, char *out, size_t cap)
{
	struct wbuf w = wbuf_init(out, cap);
	uint8_t b[SMS_TEXT_CAP];
	size_t len;
	switch (cs) {
	case SMS_CS_UCS2:
		if (n % 4 || !unhex(in, n, b, sizeof b, &len))
			return false;
		w_utf16(&w, b, len);
		break;
	case SMS_CS_HEX:
		/* Each GSM character as two hex digits (MAN p.118, 27.005 §3.1 "HEX"). */
		if (!unhex(in, n, b, sizeof b, &len))
			return false;
		w_septets(&w, b, len);
		break;
	case SMS_CS_GSM:
		w_septets(&w, (const uint8_t *)in, n);
		break;
	case SMS_CS_IRA:
	case SMS_CS_PCCP:
	case SMS_CS_PCDN:
	case SMS_CS_8859_1:
		/* Bytes above 0x7F read as Latin-1 in every 8-bit set: exact for 8859-1; for IRA and
		 * the PC code pages a simplification (only their ASCII half is converted). */
		for (size_t i = 0; i < n; i++)
			w_utf8(&w, (uint8_t)in[i]);
		break;
	case SMS_CS_COUNT:
		return false;
	}
	return w.ok;
}

bool svc_sms_te_encode(enum sms_charset cs, const char *utf8, char *out, size_t cap, size_t *len)
{
	struct wbuf w = wbuf_init(out, cap);
	const char *p = utf8, *end = utf8 + strlen(utf8);
	while (p < end && w.ok) {
		uint32_t cp = svc_sms_utf8_next(&p, end);
		uint8_t sep[2];
		int k;
		switch (cs) {
		case SMS_CS_UCS2:
			if (cp > 0xFFFF) {
				w_hex(&w, 0xD800 + ((cp - 0x10000) >> 10), 4);
				w_hex(&w, 0xDC00 + ((cp - 0x10000) & 0x3FF), 4);
			} else {
				w_hex(&w, cp, 4);
			}
			break;
		case SMS_CS_GSM:
		case SMS_CS_HEX:
			k = svc_sms_gsm_encode(cp, sep);
			if (k == 0) {
				sep[0] = '?';
				k = 1;
			}
			for (int i = 0; i < k; i++)
				if (cs == SMS_CS_HEX)
					w_hex(&w, sep[i], 2);
				else
					w_byte(&w, sep[i]);
			break;
		case SMS_CS_8859_1:
			w_byte(&w, cp < 0x100 ? cp : '?');
			break;
		case SMS_CS_IRA:
		case SMS_CS_PCCP:
		case SMS_CS_PCDN:
		case SMS_CS_COUNT:
			w_byte(&w, cp < 0x80 ? cp : '?');
			break;
		}
	}
	if (len)
		*len = w.len;
	return w.ok;
}

/* The alphabet a <dcs> selects (23.038 §4: general data coding and message classes groups). */
static enum sms_coding dcs_coding(int dcs)
{
	if ((dcs & 0xC0) == 0x00 || (dcs & 0xC0) == 0x40) {
		int a = (dcs >> 2) & 3;
		return a == 1 ? SMS_CODING_8BIT : a == 2 ? SMS_CODING_UCS2 : SMS_CODING_GSM7;
	}
	if ((dcs & 0xF0) == 0xF0)
		return dcs & 0x04 ? SMS_CODING_8BIT : SMS_CODING_GSM7;
	if ((dcs & 0xF0) == 0xE0)
		return SMS_CODING_UCS2;
	return SMS_CODING_GSM7;
}

/* Whether a text fits one message in the coding (23.040 §9.2.3.24 limits). */
static bool fits_one(const char *utf8, enum sms_coding coding)
{
	size_t n = 0;
	const char *p = utf8, *end = utf8 + strlen(utf8);
	switch (coding) {
	case SMS_CODING_GSM7:
		svc_sms_gsm_fits(utf8, &n);
		return n <= SMS_MAX_SEPTETS;
	case SMS_CODING_UCS2:
		return ucs2_units(utf8) <= SMS_MAX_UCS2;
	case SMS_CODING_8BIT:
		while (p < end) {
			if (svc_sms_utf8_next(&p, end) > 0xFF)
				return false;
			n++;
		}
		return n <= SMS_MAX_OCTETS;
	}
	return false;
}

bool svc_sms_data_decode(const struct svc_sms *s, const char *in, size_t n,
			 enum sms_coding *coding, char *out, size_t cap)
{
	*coding = dcs_coding(s->dcs);
	bool ok;
	if (*coding == SMS_CODING_UCS2) {
		/* 8-bit and UCS2 data are hex in text mode, whatever AT+CSCS says (27.005 §3.1). */
		ok = svc_sms_te_decode(SMS_CS_UCS2, in, n, out, cap);
	} else if (*coding == SMS_CODING_8BIT) {
		uint8_t b[SMS_TEXT_CAP];
		size_t len;
		struct wbuf w = wbuf_init(out, cap);
		ok = unhex(in, n, b, sizeof b, &len);
		for (size_t i = 0; ok && i < len; i++)
			w_utf8(&w, b[i]);
		ok = ok && w.ok;
	} else {
		ok = svc_sms_te_decode(s->cscs, in, n, out, cap);
	}
	return ok && fits_one(out, *coding);
}

bool svc_sms_data_encode(const struct svc_sms *s, const struct sms_msg *msg, char *out,
			 size_t cap, size_t *len)
{
	if (msg->coding == SMS_CODING_GSM7)
		return svc_sms_te_encode(s->cscs, msg->text, out, cap, len);
	if (msg->coding == SMS_CODING_UCS2)
		return svc_sms_te_encode(SMS_CS_UCS2, msg->text, out, cap, len);
	struct wbuf w = wbuf_init(out, cap);
	const char *p = msg->text, *end = p + strlen(p);
	while (p < end)
		w_hex(&w, svc_sms_utf8_next(&p, end) & 0xFF, 2);
	if (len)
		*len = w.len;
	return w.ok;
}

size_t svc_sms_data_length(const struct sms_msg *msg)
{
	size_t n = 0;
	const char *p = msg->text, *end = p + strlen(p);
	if (msg->coding == SMS_CODING_UCS2)
		return 2 * ucs2_units(msg->text);
	while (p < end) {
		svc_sms_utf8_next(&p, end);
		n++;
	}
	return n;
}

/* ---- PDU (23.040 §9.2) ----------------------------------------------------------------- */

/* A semi-octet: '0'-'9', '*' = A, '#' = B (23.040 §9.1.2.3). */
static unsigned bcd_digit(char c)
{
	return c == '*' ? 0xA : c == '#' ? 0xB : (unsigned)(c - '0') & 0xF;
}

/* An address field: length (digits, or octets for the SMSC), type, swapped BCD digits. */
static void w_addr(struct wbuf *w, const char *addr, int type, bool smsc)
{
	const char *d = addr[0] == '+' ? addr + 1 : addr;
	size_t nd = strlen(d);
	if (smsc && nd == 0) {
		w_hex(w, 0, 2); /* no SMSC: the one in AT+CSCA is used */
		return;
	}
	w_hex(w, smsc ? 1 + (unsigned)(nd + 1) / 2 : (unsigned)nd, 2);
	w_hex(w, addr[0] == '+' || type == 145 ? 0x91 : 0x81, 2);
	for (size_t i = 0; i < nd; i += 2)
		w_hex(w, (i + 1 < nd ? bcd_digit(d[i + 1]) : 0xFu) << 4 | bcd_digit(d[i]), 2);
}

/* Two decimal digits as one swapped semi-octet pair. */
static unsigned swap_bcd(const char *two)
{
	return (unsigned)(two[1] - '0') << 4 | (unsigned)(two[0] - '0');
}

/* TP-SCTS from "yy/MM/dd,hh:mm:ss+zz" (23.040 §9.2.3.11; zone sign in bit 3). */
static void w_scts(struct wbuf *w, const char *t)
{
	static const int at[] = {0, 3, 6, 9, 12, 15};
	for (size_t i = 0; i < 6; i++)
		w_hex(w, swap_bcd(t + at[i]), 2);
	int q = atoi(t + 18);
	w_hex(w, (unsigned)(q % 10) << 4 | (unsigned)(q / 10) | (t[17] == '-' ? 0x08u : 0u), 2);
}

/* TP-UDL and TP-UD for the text in the coding. */
static void w_user_data(struct wbuf *w, const char *text, enum sms_coding coding)
{
	uint8_t ud[SMS_MAX_OCTETS + 8];
	size_t n = 0, udl = 0;
	const char *p = text, *end = text + strlen(text);
	if (coding == SMS_CODING_GSM7) {
		uint32_t acc = 0;
		int bits = 0;
		while (p < end && n < sizeof ud) {
			uint8_t sep[2];
			int k = svc_sms_gsm_encode(svc_sms_utf8_next(&p, end), sep);
			if (k == 0) {
				sep[0] = '?';
				k = 1;
			}
			for (int i = 0; i < k; i++) {
				/* Septets packed least significant bit first (23.038 §6.1.2.1). */
				acc |= (uint32_t)sep[i] << bits;
				bits += 7;
				udl++;
				while (bits >= 8 && n < sizeof ud) {
					ud[n++] = (uint8_t)acc;
					acc >>= 8;
					bits -= 8;
				}
			}
		}
		if (bits > 0 && n < sizeof ud)
			ud[n++] = (uint8_t)acc;
	} else {
		while (p < end && n + 4 <= sizeof ud) {
			uint32_t cp = svc_sms_utf8_next(&p, end);
			if (coding == SMS_CODING_8BIT) {
				ud[n++] = (uint8_t)cp;
			} else if (cp > 0xFFFF) {
				uint32_t hi = 0xD800 + ((cp - 0x10000) >> 10);
				uint32_t lo = 0xDC00 + ((cp - 0x10000) & 0x3FF);
				ud[n++] = (uint8_t)(hi >> 8);
				ud[n++] = (uint8_t)hi;
				ud[n++] = (uint8_t)(lo >> 8);
				ud[n++] = (uint8_t)lo;
			} else {
				ud[n++] = (uint8_t)(cp >> 8);
				ud[n++] = (uint8_t)cp;
			}
		}
		udl = n;
	}
	w_hex(w, (unsigned)udl, 2);
	for (size_t i = 0; i < n; i++)
		w_hex(w, ud[i], 2);
}

bool svc_sms_pdu_encode(const struct svc_sms *s, const struct sms_msg *msg, char *hex,
			size_t cap, size_t *tpdu_len)
{
	struct wbuf w = wbuf_init(hex, cap);
	w_addr(&w, s->sca, s->sca_type, true);
	size_t start = w.len;
	if (msg->stat == SMS_STAT_REC_UNREAD || msg->stat == SMS_STAT_REC_READ) {
		w_hex(&w, 0x04, 2); /* SMS-DELIVER, TP-MMS: no more messages waiting */
		w_addr(&w, msg->addr, msg->addr_type, false);
		w_hex(&w, 0, 2);    /* TP-PID */
		w_hex(&w, (unsigned)msg->coding, 2);
		w_scts(&w, msg->scts);
	} else {
		int vpf = (s->fo >> 3) & 3;
		w_hex(&w, ((unsigned)s->fo & ~3u) | 1u, 2); /* SMS-SUBMIT with AT+CSMP's flags */
		w_hex(&w, 0, 2);                            /* TP-MR: set when sent */
		w_addr(&w, msg->addr, msg->addr_type, false);
		w_hex(&w, (unsigned)s->pid & 0xFF, 2);
		w_hex(&w, (unsigned)msg->coding, 2);
		if (vpf == 2)
			w_hex(&w, (unsigned)s->vp & 0xFF, 2);
		else if (vpf != 0)
			for (int i = 0; i < 7; i++)
				w_hex(&w, 0, 2); /* absolute/enhanced forms are not kept: zeros */
	}
	w_user_data(&w, msg->text, msg->coding);
	*tpdu_len = (w.len - start) / 2;
	return w.ok;
}

bool svc_sms_pdu_decode(const char *hex, size_t n, size_t tpdu_len, char *to, size_t tocap,
			enum sms_coding *coding, char *text, size_t cap)
{
	uint8_t b[200]; /* SMSC (12) + the longest SMS-SUBMIT (164) */
	size_t len, pos;
	if (!unhex(hex, n, b, sizeof b, &len) || len < 1)
		return false;
	pos = 1 + (size_t)b[0];
	if (pos + tpdu_len != len || tpdu_len < 7)
		return false;
	unsigned fo = b[pos++];
	if ((fo & 3) != 1)
		return false; /* not an SMS-SUBMIT */
	pos++; /* TP-MR: the modem assigns its own */
	size_t digits = b[pos++];
	unsigned type = b[pos++];
	if ((type & 0x70) == 0x50 || pos + (digits + 1) / 2 > len || digits == 0)
		return false; /* alphanumeric destinations are not dialable */
	struct wbuf w = wbuf_init(to, tocap);
	if ((type & 0x70) == 0x10)
		w_byte(&w, '+');
	for (size_t i = 0; i < digits; i++) {
		unsigned d = (b[pos + i / 2] >> (i % 2 ? 4 : 0)) & 0xF;
		w_byte(&w, d < 10 ? '0' + d : d == 0xA ? '*' : d == 0xB ? '#' : '?');
	}
	if (!w.ok)
		return false;
	pos += (digits + 1) / 2;
	if (pos + 2 > len)
		return false;
	pos++; /* TP-PID */
	*coding = dcs_coding(b[pos++]);
	unsigned vpf = (fo >> 3) & 3;
	pos += vpf == 2 ? 1 : vpf ? 7 : 0;
	if (pos >= len)
		return false;
	size_t udl = b[pos++];
	const uint8_t *ud = b + pos;
	size_t avail = len - pos;
	bool udhi = fo & 0x40;
	w = wbuf_init(text, cap);
	if (*coding == SMS_CODING_GSM7) {
		if (udl > SMS_MAX_SEPTETS || (udl * 7 + 7) / 8 > avail)
			return false;
		uint8_t sep[SMS_MAX_SEPTETS];
		for (size_t i = 0; i < udl; i++) {
			size_t bit = i * 7, o = bit / 8, sh = bit % 8;
			unsigned v = ud[o] >> sh;
			if (sh > 1 && o + 1 < avail)
				v |= (unsigned)ud[o + 1] << (8 - sh);
			sep[i] = (uint8_t)(v & 0x7F);
		}
		size_t skip = 0;
		if (udhi && avail > 0)
			skip = ((size_t)ud[0] + 1) * 8 / 7 + (((size_t)ud[0] + 1) * 8 % 7 != 0);
		if (skip > udl)
			return false;
		w_septets(&w, sep + skip, udl - skip);
	} else {
		if (udl > SMS_MAX_OCTETS || udl > avail)
			return false;
		size_t skip = udhi && udl > 0 ? (size_t)ud[0] + 1 : 0;
		if (skip > udl)
			return false;
		if (*coding == SMS_CODING_UCS2)
			w_utf16(&w, ud + skip, udl - skip);
		else
			for (size_t i = skip; i < udl; i++)
				w_utf8(&w, ud[i]);
	}
	return w.ok;
}

bool svc_sms_cmt(const struct svc_sms *s, const struct sms_msg *msg, char *out, size_t cap)
{
	char data[2 * SMS_TEXT_CAP];
	if (s->cmgf == 0) {
		size_t tpdu;
		if (!svc_sms_pdu_encode(s, msg, data, sizeof data, &tpdu))
			return false;
		/* "+CMT: [<alpha>],<length>" (27.005 §3.4.1); an empty quoted alpha: UNCERTAIN. */
		int n = snprintf(out, cap, "+CMT: \"\",%zu\r\n%s", tpdu, data);
		return n > 0 && (size_t)n < cap;
	}
	char oa[128], sca[128];
	if (!svc_sms_te_encode(s->cscs, msg->addr, oa, sizeof oa, NULL) ||
	    !svc_sms_te_encode(s->cscs, s->sca, sca, sizeof sca, NULL) ||
	    !svc_sms_data_encode(s, msg, data, sizeof data, NULL))
		return false;
	int n;
	if (s->csdh)
		n = snprintf(out, cap, "+CMT: \"%s\",\"\",\"%s\",%d,4,0,%d,\"%s\",%d,%zu\r\n%s", oa,
			     msg->scts, msg->addr_type, (int)msg->coding, sca, s->sca_type,
			     svc_sms_data_length(msg), data);
	else
		n = snprintf(out, cap, "+CMT: \"%s\",\"\",\"%s\"\r\n%s", oa, msg->scts, data);
	return n > 0 && (size_t)n < cap;
}
