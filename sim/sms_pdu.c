/* sms_pdu.c - SMS PDU mode (23.040 §9.2): SUBMIT in, DELIVER out, +CMT text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sms_codec_int.h"

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
