/* sms_codec_int.h - shared by the SMS codec files: a bounded writer and hex/septet helpers. */
#ifndef SIM_SMS_CODEC_INT_H
#define SIM_SMS_CODEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc_sms.h"

/* A bounded string writer: on overflow ok turns false and nothing more is written. */
struct wbuf {
	char *p;
	size_t len, cap;
	bool ok;
};

struct wbuf wbuf_init(char *p, size_t cap);
void w_bytes(struct wbuf *w, const void *b, size_t n);
void w_byte(struct wbuf *w, unsigned v);
void w_hex(struct wbuf *w, unsigned v, int digits);
void w_utf8(struct wbuf *w, uint32_t cp);
/* Hex text to bytes; false on odd length, a non-hex digit or no room. */
bool unhex(const char *in, size_t n, uint8_t *out, size_t cap, size_t *len);
/* Septets (one per byte) as UTF-8 through the GSM alphabet. */
void w_septets(struct wbuf *w, const uint8_t *sep, size_t n);
/* UTF-16BE bytes as UTF-8. */
void w_utf16(struct wbuf *w, const uint8_t *b, size_t n);
/* The alphabet a <dcs> selects (23.038 §4). */
enum sms_coding dcs_coding(int dcs);

#endif
