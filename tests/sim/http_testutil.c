/* http_testutil.c - helpers of the HTTP application tests (http_testutil.h). */
#include "http_testutil.h"

struct fxproc *ht_fx_of(void **state)
{
	return *state;
}

/* The fixture's /bytes/N body: byte i is ALPHABET[i % 62]. */
char *ht_pattern(size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = ALPHABET[i % 62];
	p[n] = '\0';
	return p;
}

void ht_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char d[32];
	unsigned len = 0;
	assert_int_equal(EVP_Digest(p, n, d, &len, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Request records of the fixture log for one path: how many, and the last (new reference). */
size_t ht_requests(const struct fxproc *f, const char *path, json_t **last)
{
	json_t *all = fxproc_records(f, NULL, "request");
	size_t count = 0, i;
	json_t *rec;
	if (last)
		*last = NULL;
	json_array_foreach(all, i, rec) {
		const char *p = json_string_value(json_object_get(rec, "path"));
		if (!p || strcmp(p, path) != 0)
			continue;
		count++;
		if (last) {
			json_decref(*last);
			*last = json_incref(rec);
		}
	}
	json_decref(all);
	return count;
}

/* A request header of a log record, name case-insensitive; NULL if absent. */
const char *ht_header(json_t *rec, const char *name)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(rec, "headers"), k, v) {
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	}
	return NULL;
}

void ht_bearer_open(struct http_rig *r, size_t i)
{
	RIG_REPLY(r, i, "AT+SAPBR=3,1,\"Contype\",\"GPRS\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, i, "AT+SAPBR=3,1,\"APN\",\"internet\"\r", "\r\nOK\r\n");
	RIG_REPLY(r, i, "AT+SAPBR=1,1\r", "\r\nOK\r\n");
}

void ht_http_begin(struct http_rig *r, size_t i, const char *url)
{
	char cmd[600];
	RIG_REPLY(r, i, "AT+HTTPINIT\r", "\r\nOK\r\n");
	RIG_REPLY(r, i, "AT+HTTPPARA=\"CID\",1\r", "\r\nOK\r\n");
	snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"URL\",\"%s\"\r", url);
	RIG_REPLY(r, i, cmd, "\r\nOK\r\n");
}

void ht_url_for(char *buf, size_t cap, const char *scheme, unsigned port, const char *path)
{
	snprintf(buf, cap, "%s://127.0.0.1:%u%s", scheme, port, path);
}

/* AT+HTTPPARA="URL" for 127.0.0.1:<port><path>. */
void ht_set_url(struct http_rig *r, size_t i, const char *scheme, unsigned port,
		const char *path)
{
	char url[128], cmd[200];
	ht_url_for(url, sizeof url, scheme, port, path);
	snprintf(cmd, sizeof cmd, "AT+HTTPPARA=\"URL\",\"%s\"\r", url);
	RIG_REPLY(r, i, cmd, "\r\nOK\r\n");
}

/* Send AT+HTTPACTION=<method> and run until its URC is in modem i's output. */
static void send_action(struct http_rig *r, size_t i, int method)
{
	char cmd[32];
	snprintf(cmd, sizeof cmd, "AT+HTTPACTION=%d\r", method);
	http_rig_clear(r, i);
	http_rig_send(r, i, cmd);
	assert_true(http_rig_wait(r, i, "+HTTPACTION:", WAIT_S));
}

/* AT+HTTPACTION=<method>: OK, then a URC that starts with prefix (length not checked). */
void ht_action_prefix(struct http_rig *r, size_t i, int method, const char *prefix)
{
	char want[128];
	send_action(r, i, method);
	snprintf(want, sizeof want, "\r\nOK\r\n\r\n%s", prefix);
	const char *out = http_rig_out(r, i, NULL);
	if (strncmp(out, want, strlen(want)) != 0)
		fail_msg("got \"%s\", expected a start of \"%s\"", out, want);
	http_rig_clear(r, i);
}

/* AT+HTTPACTION=<method>: OK at once, the URC later; both checked byte for byte. */
void ht_action(struct http_rig *r, size_t i, int method, const char *urc)
{
	char want[128];
	send_action(r, i, method);
	snprintf(want, sizeof want, "\r\nOK\r\n\r\n%s\r\n", urc);
	RIG_OUT(r, i, want);
}

/* "\r\n+HTTPREAD: <n>\r\n<data>\r\nOK\r\n" */
void ht_expect_read(struct http_rig *r, size_t i, const char *cmd, const char *data, size_t n)
{
	size_t cap = n + 64;
	char *want = malloc(cap);
	assert_non_null(want);
	int k = snprintf(want, cap, "\r\n+HTTPREAD: %zu\r\n", n);
	memcpy(want + k, data, n);
	memcpy(want + k + n, "\r\nOK\r\n", 6);
	http_rig_expect_reply_n(r, i, cmd, want, (size_t)k + n + 6, __FILE__, __LINE__);
	free(want);
}

int ht_group_setup(void **state)
{
	struct fxproc *f = calloc(1, sizeof *f);
	if (!f || !fxproc_start(f)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int ht_group_teardown(void **state)
{
	struct fxproc *f = *state;
	if (f)
		fxproc_stop(f);
	free(f);
	return 0;
}
