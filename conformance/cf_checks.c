/* cf_checks.c - what a case's expectations can assert: the driver's outcome and real effects. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"

/* A dotted path ("http.status", "at.0.final": a number indexes an array) into a JSON object,
 * or NULL. */
static const json_t *at(const json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const json_t *cur = o;
	for (char *save, *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
		char *end;
		unsigned long i = strtoul(tok, &end, 10);
		cur = json_is_array(cur) && !*end ? json_array_get(cur, i) : json_object_get(cur, tok);
	}
	return cur;
}

static const char *str_at(const json_t *o, const char *path)
{
	return json_string_value(at(o, path));
}

static bool fail(char *why, size_t cap, const char *fmt, const char *a, const char *b)
{
	snprintf(why, cap, fmt, a ? a : "(none)", b ? b : "(none)");
	return false;
}

static bool chk_ok(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	(void)c;
	if (json_is_true(json_object_get(x->outcome, "ok")))
		return true;
	return fail(why, cap, "the driver reported failure: %s (module: %s)",
		    str_at(x->outcome, "error.text"), str_at(x->outcome, "error.module"));
}

/* Failure expected, optionally with one of the listed error codes. */
static bool chk_fails(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	if (json_is_true(json_object_get(x->outcome, "ok")))
		return fail(why, cap, "the driver reported success; a failure was expected%s%s", "", "");
	const json_t *codes = json_object_get(c, "codes");
	if (!codes)
		return true;
	const char *got = str_at(x->outcome, "error.code");
	size_t i;
	json_t *v;
	json_array_foreach(codes, i, v)
		if (got && json_is_string(v) && !strcmp(got, json_string_value(v)))
			return true;
	char *want = json_dumps(codes, JSON_COMPACT);
	snprintf(why, cap, "error code %s, expected one of %s", got ? got : "(none)", want ? want : "?");
	free(want);
	return false;
}

/* {path, at_most | at_least}: a number within a bound (e.g. timing.max_wait_ms). */
static bool field_bound(const json_t *got, const json_t *c, const char *path, char *why, size_t cap)
{
	const json_t *most = json_object_get(c, "at_most"), *least = json_object_get(c, "at_least");
	if (json_is_number(got) && (!most || json_number_value(got) <= json_number_value(most)) &&
	    (!least || json_number_value(got) >= json_number_value(least)))
		return true;
	char g[32] = "missing", w[64];
	if (json_is_number(got))
		snprintf(g, sizeof g, "%g", json_number_value(got));
	if (most)
		snprintf(w, sizeof w, "at most %g", json_number_value(most));
	else
		snprintf(w, sizeof w, "at least %g", json_number_value(least));
	snprintf(why, cap, "%s is %s, expected %s", path ? path : "?", g, w);
	return false;
}

static bool chk_field(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	const char *path = json_string_value(json_object_get(c, "path"));
	const json_t *got = path ? at(x->outcome, path) : NULL;
	if (json_object_get(c, "at_most") || json_object_get(c, "at_least"))
		return field_bound(got, c, path, why, cap);
	const json_t *want = json_object_get(c, "equals");
	if (got && want && json_equal(got, want))
		return true;
	const json_t *any = json_object_get(c, "one_of");
	size_t i;
	json_t *v;
	if (got && any)
		json_array_foreach(any, i, v)
			if (json_equal(got, v))
				return true;
	char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
	char *w = json_dumps(want ? want : any, JSON_ENCODE_ANY);
	snprintf(why, cap, "%s is %s, expected %s", path ? path : "?", g ? g : "missing",
		 w ? w : "?");
	free(g);
	free(w);
	return false;
}

/* firmware.ati and firmware.revision are the module's answers ({only: ati|revision}: one). */
static bool chk_firmware(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	const struct profile *p = x->t->profile;
	if (!p)
		return true; /* a real module not identified (--no-probe): nothing to compare with */
	const char *only = json_string_value(json_object_get(c, "only"));
	const char *ati = str_at(x->outcome, "firmware.ati");
	const char *rev = str_at(x->outcome, "firmware.revision");
	if ((!only || !strcmp(only, "ati")) && (!ati || strcmp(ati, p->ati)))
		return fail(why, cap, "reported ATI %s, the module says %s", ati, p->ati);
	if ((!only || !strcmp(only, "revision")) && (!rev || strcmp(rev, p->revision)))
		return fail(why, cap, "reported revision %s, the module says %s", rev, p->revision);
	return true;
}

/* firmware.major and .minor are the R<major>.<minor> of the module's ATI ("SIM800 R13.08":
 * 13 and 8), also when AT+CGMR carries no such number (field-bugs.md id-ati-vs-cgmr-format). */
static bool chk_version(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	(void)c;
	const struct profile *p = x->t->profile;
	if (!p)
		return true;
	const char *r = strstr(p->ati, " R");
	unsigned major, minor;
	if (!r || sscanf(r + 2, "%u.%u", &major, &minor) != 2)
		return true; /* an ATI without a version: nothing to compare with */
	const json_t *got_major = at(x->outcome, "firmware.major");
	const json_t *got_minor = at(x->outcome, "firmware.minor");
	if (json_is_integer(got_major) && json_integer_value(got_major) == major &&
	    json_is_integer(got_minor) && json_integer_value(got_minor) == minor)
		return true;
	char *g1 = got_major ? json_dumps(got_major, JSON_ENCODE_ANY) : NULL;
	char *g2 = got_minor ? json_dumps(got_minor, JSON_ENCODE_ANY) : NULL;
	snprintf(why, cap, "reported version %s.%s, the module's ATI says %s", g1 ? g1 : "(none)",
		 g2 ? g2 : "(none)", p->ati);
	free(g1);
	free(g2);
	return false;
}

static bool chk_caps(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	(void)c;
	const struct profile *p = x->t->profile;
	if (!p)
		return true;
	const char *ssl = str_at(x->outcome, "capabilities.ssl");
	const char *want = p->cap_ssl ? "yes" : "no";
	if (!ssl || strcmp(ssl, want))
		return fail(why, cap, "reported module SSL %s, the firmware answers %s", ssl, want);
	const char *hs = str_at(x->outcome, "capabilities.httpssl");
	/* "listed" would also be honest for a unit that lists HTTPSSL but refuses it. */
	if (hs && !p->cap_ssl && strcmp(hs, "no"))
		return fail(why, cap, "reported HTTPS in the module %s on a firmware without SSL%s", hs, "");
	return true;
}

/* info.imei and info.imsi are the module's: a URC that came before the answer (DST: 1,
 * *PSUTTZ) was not taken for it (field-bugs.md urc-dst-taken-as-imsi). No SIM: no IMSI. */
static bool chk_identity(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	(void)c;
	const struct profile *p = x->t->profile;
	if (!p)
		return true;
	const char *imei = str_at(x->outcome, "info.imei");
	const char *imsi = str_at(x->outcome, "info.imsi");
	if (!imei || strcmp(imei, p->imei))
		return fail(why, cap, "reported IMEI %s, the module says %s", imei, p->imei);
	const char *want = p->sim == PROFILE_SIM_READY ? p->imsi : "";
	if (!(imsi ? !strcmp(imsi, want) : !*want))
		return fail(why, cap, "reported IMSI %s, the module says %s", imsi, *want ? want : "none");
	return true;
}

static bool chk_http_status(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	json_int_t want = json_integer_value(json_object_get(c, "value"));
	const json_t *got = at(x->outcome, "http.status");
	if (json_is_integer(got) && json_integer_value(got) == want)
		return true;
	char w[32], g[32];
	snprintf(w, sizeof w, "%lld", (long long)want);
	snprintf(g, sizeof g, "%lld", (long long)json_integer_value(got));
	return fail(why, cap, "HTTP status %s, expected %s", got ? g : "missing", w);
}

/* The fixtures' byte pattern: byte i is "0-9A-Za-z"[i % 62] (sim/fixtures/README.md). */
static void pattern_sha256(size_t n, char out[65])
{
	static const char pat[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	char block[62 * 64];
	for (size_t i = 0; i < sizeof block; i++)
		block[i] = pat[i % 62];
	for (size_t done = 0; done < n;) {
		size_t k = n - done < sizeof block ? n - done : sizeof block;
		EVP_DigestUpdate(md, block, k); /* sizeof block is a multiple of 62: phase kept */
		done += k;
	}
	unsigned char d[32];
	unsigned int len;
	EVP_DigestFinal_ex(md, d, &len);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha256_hex(const char *s, size_t n, char out[65])
{
	unsigned char d[32];
	unsigned int len;
	EVP_Digest(s, n, d, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static bool chk_body_pattern(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	json_int_t n = json_integer_value(json_object_get(c, "length"));
	char want[65];
	pattern_sha256((size_t)n, want);
	const char *got = str_at(x->outcome, "http.sha256");
	if (got && !strcmp(got, want))
		return true;
	return fail(why, cap, "body sha256 %s, the server sent %s", got, want);
}

/* Did a fixture server really receive it? ({service, method, path, body_of | pattern_length}):
 * the body is the request's field body_of, or pattern_length bytes of the fixtures' pattern.
 * 1 yes, 0 no (detail: the nearest miss), -1 the records could not be read (detail: why). */
static int received(const struct cf_ctx *x, const json_t *c, char *detail, size_t cap)
{
	detail[0] = '\0';
	json_t *recs = cf_fixtures_records(x->fx, x->log_mark, detail, cap);
	if (!recs)
		return -1;
	const char *svc = json_string_value(json_object_get(c, "service"));
	const char *method = json_string_value(json_object_get(c, "method"));
	const char *path = json_string_value(json_object_get(c, "path"));
	const char *body_of = json_string_value(json_object_get(c, "body_of"));
	const json_t *pattern = json_object_get(c, "pattern_length");
	char body_sha[65] = "";
	if (body_of) {
		const char *b = str_at(x->request, body_of);
		sha256_hex(b ? b : "", b ? strlen(b) : 0, body_sha);
	} else if (json_is_integer(pattern)) {
		pattern_sha256((size_t)json_integer_value(pattern), body_sha);
		body_of = "pattern_length";
	}
	int found = 0;
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		if (svc && strcmp(svc, str_at(r, "service") ? str_at(r, "service") : ""))
			continue;
		if (method && strcmp(method, str_at(r, "method") ? str_at(r, "method") : ""))
			continue;
		if (path && strcmp(path, str_at(r, "path") ? str_at(r, "path") : ""))
			continue;
		const char *key = str_at(r, "event") && !strcmp(str_at(r, "event"), "close")
					  ? "sha256_in" : "body_sha256";
		if (body_of && strcmp(body_sha, str_at(r, key) ? str_at(r, key) : "")) {
			json_int_t got = json_integer_value(json_object_get(r, "bytes_in"));
			if (json_is_integer(pattern))
				snprintf(detail, cap, "%lld of %lld bytes arrived, or not the pattern",
					 (long long)got, (long long)json_integer_value(pattern));
			else
				snprintf(detail, cap, "a matching request arrived with a different body");
			continue;
		}
		found = 1;
		break;
	}
	json_decref(recs);
	return found;
}

static bool chk_received(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	char detail[300];
	int got = received(x, c, detail, sizeof detail);
	if (got == 1)
		return true;
	if (got < 0)
		return fail(why, cap, "cannot tell what the fixture server received: %s%s", detail, "");
	return fail(why, cap, "the fixture server did not receive it%s%s", detail[0] ? ": " : "", detail);
}

/* Nothing may reach this server (e.g. plaintext when TLS was asked for). */
static bool chk_not_received(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	char detail[300];
	int got = received(x, c, detail, sizeof detail);
	if (got == 0)
		return true;
	if (got < 0)
		return fail(why, cap, "cannot tell what the fixture server received: %s%s", detail, "");
	return fail(why, cap, "the %s server received a request it must never get%s",
		    json_string_value(json_object_get(c, "service")), "");
}

static bool chk_transport(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	const char *got = str_at(x->outcome, "transport.chosen");
	const json_t *is = json_object_get(c, "is"), *not = json_object_get(c, "not");
	size_t i;
	json_t *v;
	if (is) {
		json_array_foreach(is, i, v)
			if (got && !strcmp(got, json_string_value(v)))
				return true;
		return fail(why, cap, "transport %s, expected %s", got,
			    json_string_value(json_array_get(is, 0)));
	}
	json_array_foreach(not, i, v)
		if (got && !strcmp(got, json_string_value(v)))
			return fail(why, cap, "transport %s must not be used here%s", got, "");
	return true;
}

static bool chk_sms_sent(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	if (x->t->real)
		return true;
	const char *want = str_at(x->request, json_string_value(json_object_get(c, "text_of")));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(x->sms_sent, "messages"), i, m)
		if (want && !strcmp(want, str_at(m, "text") ? str_at(m, "text") : ""))
			return true;
	return fail(why, cap, "the network did not receive the text \"%s\"%s", want, "");
}

/* The simulator applied an injected event ({op}): its transcript notes "injected: <op>".
 * A case whose event never came (its trigger never happened) proves nothing. */
static bool chk_injected(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	json_t *recs = cf_wire_records(x);
	if (!recs)
		return true;
	const char *op = json_string_value(json_object_get(c, "op"));
	char want[96];
	snprintf(want, sizeof want, "injected: %s", op ? op : "");
	bool seen = false;
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
		seen = seen || (!strcmp(str_at(r, "dir") ? str_at(r, "dir") : "", "note") &&
				!strcmp(str_at(r, "data") ? str_at(r, "data") : "", want));
	json_decref(recs);
	return seen ? true : fail(why, cap, "the simulator never applied the case's %s event%s", op, "");
}

/* One of several check lists holds ({of: [[checks], [checks]]}), e.g. "the driver reports the
 * failure, or it recovered and the server has every byte". */
static bool chk_any_of(const struct cf_ctx *x, const json_t *c, char *why, size_t cap)
{
	size_t i, n = 0;
	json_t *list;
	why[0] = '\0';
	json_array_foreach(json_object_get(c, "of"), i, list) {
		char w[512];
		if (cf_check_all(x, list, w, sizeof w))
			return true;
		int k = snprintf(why + n, cap - n, "%s(%zu) %s", i ? "; " : "none holds: ", i + 1, w);
		if (k > 0 && (size_t)k < cap - n)
			n += (size_t)k;
	}
	return false;
}

struct check {
	const char *name;
	bool (*fn)(const struct cf_ctx *x, const json_t *c, char *why, size_t cap);
};

static const struct check checks[] = {
	{"ok", chk_ok},
	{"fails", chk_fails},
	{"field", chk_field},
	{"firmware_matches_profile", chk_firmware},
	{"version_matches_profile", chk_version},
	{"capabilities_match_profile", chk_caps},
	{"http_status", chk_http_status},
	{"body_pattern", chk_body_pattern},
	{"fixture_received", chk_received},
	{"fixture_not_received", chk_not_received},
	{"transport", chk_transport},
	{"sms_sent", chk_sms_sent},
	{"injected", chk_injected},
	{"identity_matches_profile", chk_identity},
	{"wire_count", cf_chk_wire_count},
	{"wire_next", cf_chk_wire_next},
	{"any_of", chk_any_of},
	{"sent", cf_chk_sent},
	{"sent_count", cf_chk_sent_count},
	{"sent_before", cf_chk_sent_before},
	{"wire", cf_chk_wire},
};

const char *cf_check_name(size_t i)
{
	return i < sizeof checks / sizeof checks[0] ? checks[i].name : NULL;
}

bool cf_check_all(const struct cf_ctx *x, const json_t *list, char *why, size_t cap)
{
	size_t i;
	json_t *chk;
	json_array_foreach(list, i, chk) {
		char w[384]; /* callers give 512: room for the check's name too */
		if (!cf_check(x, chk, w, sizeof w)) {
			snprintf(why, cap, "%s: %s", json_string_value(json_object_get(chk, "check")), w);
			return false;
		}
	}
	return true;
}

bool cf_check(const struct cf_ctx *x, const json_t *check, char *why, size_t cap)
{
	const char *name = json_string_value(json_object_get(check, "check"));
	for (size_t i = 0; name && i < sizeof checks / sizeof checks[0]; i++)
		if (!strcmp(checks[i].name, name))
			return checks[i].fn(x, check, why, cap);
	snprintf(why, cap, "unknown check %s", name ? name : "(none)");
	return false;
}
