/* sms_text.c - SMS text at the host's edge: AT+CSCS character sets and text-mode data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sms_codec_int.h"

struct wbuf wbuf_init(char *p, size_t cap)
{
	struct wbuf w = {.p = p, .cap = cap, .ok = cap > 0};
	if (cap)
		p[0] = '\0';
	return w;
}

void w_bytes(struct wbuf *w, const void *b, size_t n)
{
	if (!w->ok || w->len + n >= w->cap) {
		w->ok = false;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
	w->p[w->len] = '\0';
}

void w_byte(struct wbuf *w, unsigned v)
{
	char c = (char)v;
	w_bytes(w, &c, 1);
}

void w_hex(struct wbuf *w, unsigned v, int digits)
{
	static const char hx[] = "0123456789ABCDEF";
	for (int i = digits - 1; i >= 0; i--)
		w_byte(w, (unsigned char)hx[(v >> (4 * i)) & 0xF]);
}

void w_utf8(struct wbuf *w, uint32_t cp)
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
bool unhex(const char *in, size_t n, uint8_t *out, size_t cap, size_t *len)
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

void w_septets(struct wbuf *w, const uint8_t *sep, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t used;
		w_utf8(w, svc_sms_gsm_decode(sep + i, n - i, &used));
		i += used;
	}
}

/* Big-endian UTF-16 units (UCS2 coding) -> UTF-8; surrogate pairs are joined. */
void w_utf16(struct wbuf *w, const uint8_t *b, size_t n)
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
enum sms_coding dcs_coding(int dcs)
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
		return svc_sms_ucs2_units(utf8) <= SMS_MAX_UCS2;
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
		return 2 * svc_sms_ucs2_units(msg->text);
	while (p < end) {
		svc_sms_utf8_next(&p, end);
		n++;
	}
	return n;
}
