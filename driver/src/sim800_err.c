/* sim800_err.c - sim800_strerror() and lenient +CME/+CMS ERROR text -> code lookup. */
#include "sim800.h"

#include "at_errors.h"

#include <string.h>

/* Indexed by enum sim800_err, one entry per code (SQLite sqlite3ErrStr style). */
static const char *const err_text[SIM800_ERR__COUNT] = {
	/* SIM800_OK */                   "success",
	/* SIM800_ERR_TIMEOUT */          "no final result before the deadline",
	/* SIM800_ERR_ERROR */            "module answered ERROR",
	/* SIM800_ERR_CME */              "module answered +CME ERROR",
	/* SIM800_ERR_CMS */              "module answered +CMS ERROR",
	/* SIM800_ERR_NO_CARRIER */       "NO CARRIER",
	/* SIM800_ERR_BUSY_LINE */        "BUSY",
	/* SIM800_ERR_NO_ANSWER */        "NO ANSWER",
	/* SIM800_ERR_NO_DIALTONE */      "NO DIALTONE",
	/* SIM800_ERR_SEND_FAIL */        "SEND FAIL: data not sent",
	/* SIM800_ERR_IO */               "port I/O error",
	/* SIM800_ERR_INVAL */            "invalid argument",
	/* SIM800_ERR_BUSY */             "a command is already running on this modem",
	/* SIM800_ERR_NO_INFO */          "expected information line missing from the answer",
	/* SIM800_ERR_PARSE */            "information line has an unexpected form",
	/* SIM800_ERR_NO_RESPONSE */      "module does not answer AT",
	/* SIM800_ERR_RESET */            "module rebooted during the command",
	/* SIM800_ERR_POWERED_DOWN */     "module powered down",
	/* SIM800_ERR_SIM_NOT_INSERTED */ "SIM not inserted",
	/* SIM800_ERR_SIM_PIN */          "SIM PIN required or refused",
	/* SIM800_ERR_SIM_PUK */          "SIM PUK required",
	/* SIM800_ERR_SIM_FAILURE */      "SIM not ready",
	/* SIM800_ERR_REG_DENIED */       "network registration denied",
	/* SIM800_ERR_NOT_REGISTERED */   "not registered to a network before the deadline",
	/* SIM800_ERR_UNSUPPORTED */      "not supported by the module firmware",
	/* SIM800_ERR_TOOLONG */          "value does not fit the buffer",
	/* SIM800_ERR_GPRS */             "GPRS context could not be activated",
	/* SIM800_ERR_CONNECT_FAIL */     "connection failed (CONNECT FAIL)",
	/* SIM800_ERR_CLOSED */           "connection closed",
	/* SIM800_ERR_TLS_UNSUPPORTED */  "TLS unsupported by the module firmware",
	/* SIM800_ERR_TLS_HANDSHAKE */    "TLS handshake failed",
	/* SIM800_ERR_HTTP_PDU */         "HTTP 600: not an HTTP PDU",
	/* SIM800_ERR_HTTP_NETWORK */     "HTTP 601: network error (bearer)",
	/* SIM800_ERR_HTTP_NOMEM */       "HTTP 602: module out of memory",
	/* SIM800_ERR_HTTP_DNS */         "HTTP 603: DNS error",
	/* SIM800_ERR_HTTP_BUSY */        "HTTP 604: stack busy",
	/* SIM800_ERR_POLICY */           "refused by the transport policy",
	/* SIM800_ERR_PPP_UNAVAILABLE */  "PPP unavailable on this host",
	/* SIM800_ERR_PPP */              "PPP dial or negotiation failed",
	/* SIM800_ERR_SMS_NOT_READY */    "SMS service not ready",
	/* SIM800_ERR_HOST */             "host-side network or TLS failure",
};

/* The enum names for machine-readable output (the CLI's --json), same order. */
static const char *const err_name[SIM800_ERR__COUNT] = {
	"OK", "TIMEOUT", "ERROR", "CME", "CMS", "NO_CARRIER", "BUSY_LINE", "NO_ANSWER",
	"NO_DIALTONE", "SEND_FAIL", "IO", "INVAL", "BUSY", "NO_INFO", "PARSE", "NO_RESPONSE",
	"RESET", "POWERED_DOWN", "SIM_NOT_INSERTED", "SIM_PIN", "SIM_PUK", "SIM_FAILURE",
	"REG_DENIED", "NOT_REGISTERED", "UNSUPPORTED", "TOOLONG", "GPRS", "CONNECT_FAIL",
	"CLOSED", "TLS_UNSUPPORTED", "TLS_HANDSHAKE", "HTTP_PDU", "HTTP_NETWORK", "HTTP_NOMEM",
	"HTTP_DNS", "HTTP_BUSY", "POLICY", "PPP_UNAVAILABLE", "PPP", "SMS_NOT_READY", "HOST",
};

const char *sim800_err_name(enum sim800_err err)
{
	if ((unsigned)err >= SIM800_ERR__COUNT || !err_name[err])
		return "UNKNOWN";
	return err_name[err];
}

const char *sim800_strerror(enum sim800_err err)
{
	if ((unsigned)err >= SIM800_ERR__COUNT || !err_text[err])
		return "unknown error";
	return err_text[err];
}

/* The code tables themselves live in at_errors.c (shared with the simulator, which prints
 * them); this file only adds the lenient reverse lookup the driver needs. */
#define CODE_MAX 1000 /* SIM800 codes stop at 797 (+CME) and 532 (+CMS) */

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool same_ci(const char *a, const char *b, size_t len)
{
	if (strlen(a) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* Trimmed, case-insensitive: modules and the manual disagree on capitals ("Unknown" /
 * "unknown"), and the text is not NUL-terminated inside a received line. */
static int lookup_code(const char *(*text_of)(int), const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0)
		return -1;
	for (int code = 0; code < CODE_MAX; code++) {
		const char *t = text_of(code);
		if (t && same_ci(t, s, len))
			return code;
	}
	return -1;
}

const char *sim800_cme_text(int code)
{
	return at_errors_cme_text(code);
}

const char *sim800_cms_text(int code)
{
	return at_errors_cms_text(code);
}

int sim800_cme_code(const char *text, size_t len)
{
	return text ? lookup_code(at_errors_cme_text, text, len) : -1;
}

int sim800_cms_code(const char *text, size_t len)
{
	return text ? lookup_code(at_errors_cms_text, text, len) : -1;
}
