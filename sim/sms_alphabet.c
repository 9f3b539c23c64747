/* sms_alphabet.c - the GSM 7-bit default alphabet (23.038) and UTF-8 steps for SMS text. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svc_sms.h"

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
size_t svc_sms_ucs2_units(const char *utf8)
{
	const char *p = utf8, *end = utf8 + strlen(utf8);
	size_t n = 0;
	while (p < end)
		n += svc_sms_utf8_next(&p, end) > 0xFFFF ? 2 : 1;
	return n;
}
