/* test_cli.c - the sim800 CLI against sim800-sim (both bundled profiles) and sim800-fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fxproc.h"
#include "simproc.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every command of build/bin/sim800 runs as a child process on the simulator's pty, with
 * --json; the test checks the one JSON object, the exit code, the wire log and what the
 * fixture servers logged (bodies and hashes that really arrived). Names resolve through the
 * simulator's --host map: web.test (http), legacy.test (TLS 1.0), modern.test (TLS 1.2+),
 * echo.test, sink.test. Skipped when the binaries are not built.
 */
struct rig {
	struct fxproc fx;
	struct simproc sp;
	const char *profile;
	char wirelog[128];
	char cafile[128]; /* the test-made CA for host TLS over PPP */
	char control[128]; /* the simulator's control socket: what the network received */
};

/* One control-socket request (README "Control socket"); the parsed reply. */
static json_t *control(const struct rig *r, const char *line)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, r->control, strlen(r->control) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	char buf[65536];
	size_t len = 0;
	while (len == 0 || buf[len - 1] != '\n') {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		assert_int_equal(poll(&p, 1, 5000), 1);
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		assert_true(n > 0);
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	json_t *j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	return j;
}

struct run {
	json_t *j;
	int rc;
	char wire[65536]; /* the --log file */
};

static bool have_bins(void)
{
	return access(SIM800_BIN_DIR "/sim800", X_OK) == 0 &&
	       access(SIM800_BIN_DIR "/sim800-sim", X_OK) == 0 &&
	       access(SIM800_BIN_DIR "/sim800-fixtures", X_OK) == 0;
}

static int port_of(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(line, pat);
	return p ? atoi(p + strlen(pat)) : -1;
}

/*
 * Like fxproc_start, but the TLS servers present a certificate made here for modern.test and
 * legacy.test, so the host TLS of the PPP path can verify it with --cafile (no --insecure in
 * these tests). Falls back to fxproc_start when the openssl tool is missing.
 */
static bool fx_start_certs(struct rig *r)
{
	struct fxproc *f = &r->fx;
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/sim800-cli-XXXXXX");
	if (!mkdtemp(f->dir))
		return false;
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj /CN=modern.test "
		 "-addext subjectAltName=DNS:modern.test,DNS:legacy.test -keyout %s/key.pem "
		 "-out %s/cert.pem >/dev/null 2>&1",
		 f->dir, f->dir);
	if (system(cmd) != 0) {
		rmdir(f->dir);
		return fxproc_start(f);
	}
	snprintf(r->cafile, sizeof r->cafile, "%s/cert.pem", f->dir);
	snprintf(f->log, sizeof f->log, "%s/requests.jsonl", f->dir);
	int out[2];
	if (pipe(out))
		return false;
	f->pid = fork();
	if (f->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(SIM800_BIN_DIR "/sim800-fixtures", "sim800-fixtures", "--log", f->log,
		      "--cert-dir", f->dir, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f->out_fd = out[0];
	char line[512];
	size_t len = 0;
	time_t end = time(NULL) + 10;
	while (time(NULL) < end && !memchr(line, '\n', len)) {
		struct pollfd p = {out[0], POLLIN, 0};
		if (poll(&p, 1, 200) > 0) {
			ssize_t k = read(out[0], line + len, sizeof line - 1 - len);
			if (k <= 0)
				break;
			len += (size_t)k;
		}
	}
	line[len] = '\0';
	f->http = port_of(line, "http");
	f->https_modern = port_of(line, "https-modern");
	f->https_legacy = port_of(line, "https-legacy");
	f->https_expired = port_of(line, "https-expired");
	f->tcp_echo = port_of(line, "tcp-echo");
	f->udp_echo = port_of(line, "udp-echo");
	f->tcp_source = port_of(line, "tcp-source");
	f->tcp_sink = port_of(line, "tcp-sink");
	f->tcp_close = port_of(line, "tcp-close");
	return f->http > 0 && f->tcp_close > 0;
}

static int rig_setup(void **state, const char *profile)
{
	if (!have_bins()) {
		*state = NULL;
		return 0;
	}
	struct rig *r = calloc(1, sizeof *r);
	r->profile = profile;
	assert_true(fx_start_certs(r));
	snprintf(r->control, sizeof r->control, "%s/control", r->fx.dir);
	char h[8][96];
	snprintf(h[0], sizeof h[0], "web.test:80=127.0.0.1:%d", r->fx.http);
	snprintf(h[1], sizeof h[1], "legacy.test:443=127.0.0.1:%d", r->fx.https_legacy);
	snprintf(h[2], sizeof h[2], "modern.test:443=127.0.0.1:%d", r->fx.https_modern);
	snprintf(h[3], sizeof h[3], "echo.test:7=127.0.0.1:%d", r->fx.tcp_echo);
	snprintf(h[4], sizeof h[4], "sink.test:9=127.0.0.1:%d", r->fx.tcp_sink);
	snprintf(h[5], sizeof h[5], "source.test:19=127.0.0.1:%d", r->fx.tcp_source);
	snprintf(h[6], sizeof h[6], "close.test:13=127.0.0.1:%d", r->fx.tcp_close);
	const char *argv[] = {"--profile", profile, "--time-scale", "0", "--no-pacing",
			      "--host", "web.test=127.0.0.1", "--host", "legacy.test=127.0.0.1",
			      "--host", "modern.test=127.0.0.1", "--host", "echo.test=127.0.0.1",
			      "--host", "sink.test=127.0.0.1", "--host", "source.test=127.0.0.1",
			      "--host", "close.test=127.0.0.1",
			      "--host", h[0], "--host", h[1], "--host", h[2], "--host", h[3],
			      "--host", h[4], "--host", h[5], "--host", h[6],
			      "--control", r->control, NULL};
	assert_true(simproc_start(&r->sp, 1, argv));
	snprintf(r->wirelog, sizeof r->wirelog, "%s/wire.log", r->fx.dir);
	*state = r;
	return 0;
}

static int setup14(void **state) { return rig_setup(state, "sim800-r14.18"); }
static int setup13(void **state) { return rig_setup(state, "sim800-r13.08"); }

static int rig_teardown(void **state)
{
	struct rig *r = *state;
	if (!r)
		return 0;
	simproc_stop(&r->sp);
	unlink(r->wirelog);
	if (r->cafile[0]) {
		char p[160];
		unlink(r->cafile);
		snprintf(p, sizeof p, "%s/key.pem", r->fx.dir);
		unlink(p);
	}
	fxproc_stop(&r->fx);
	free(r);
	return 0;
}

/* Run the CLI with --device, --json, --log and args; at most 120 s. */
static void cli(struct rig *r, struct run *out, const char *const *args)
{
	const char *argv[40];
	int n = 0;
	argv[n++] = SIM800_BIN_DIR "/sim800";
	argv[n++] = "--device";
	argv[n++] = r->sp.path[0];
	argv[n++] = "--json";
	argv[n++] = "--log";
	argv[n++] = r->wirelog;
	argv[n++] = "--timeout";
	argv[n++] = "20";
	for (int i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	static char buf[1 << 20];
	size_t len = 0;
	time_t end = time(NULL) + 120;
	for (;;) {
		struct pollfd pfd = {p[0], POLLIN, 0};
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		ssize_t k = read(p[0], buf + len, sizeof buf - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(p[0]);
	buf[len] = '\0';
	int st = 0;
	waitpid(pid, &st, 0);
	out->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	json_error_t err;
	out->j = json_loads(buf, 0, &err);
	if (!out->j)
		fail_msg("not one JSON object (rc %d): %s", out->rc, buf);
	FILE *f = fopen(r->wirelog, "r");
	size_t w = f ? fread(out->wire, 1, sizeof out->wire - 1, f) : 0;
	out->wire[w] = '\0';
	if (f)
		fclose(f);
}

static const char *jstr(json_t *j, const char *path)
{
	/* "a.b" */
	char key[64];
	const char *dot = strchr(path, '.');
	if (!dot)
		return json_string_value(json_object_get(j, path));
	snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
	return jstr(json_object_get(j, key), dot + 1);
}

static json_int_t jint(json_t *j, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(j, a), b));
}

static void sha_hex(const void *buf, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int l;
	EVP_Digest(buf, n, md, &l, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The exit code, with the JSON and the end of the wire log shown when it is not the one. */
static void expect_rc(const struct run *o, int rc, const char *file, int line)
{
	if (o->rc == rc)
		return;
	char *d = json_dumps(o->j, 0);
	size_t wl = strlen(o->wire);
	print_error("exit %d, expected %d\n%s\nwire log tail:\n%s\n", o->rc, rc, d,
		    o->wire + (wl > 2000 ? wl - 2000 : 0));
	free(d);
	_fail(file, line);
}
#define EXPECT_RC(o, rc) expect_rc(o, rc, __FILE__, __LINE__)

/* The binaries are build dependencies of this test: missing ones are a failure, not a skip. */
#define SKIP_IF_NO_RIG(r)                                                                   \
	do {                                                                                \
		if (!(r))                                                                   \
			fail_msg("sim800, sim800-sim or sim800-fixtures is not built");     \
	} while (0)

/* ---------------------------------------------------------------------------------------- */

static void test_info(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"info", NULL});
	EXPECT_RC(&o, 0);
	bool r14 = strstr(r->profile, "14.18") != NULL;
	assert_int_equal(jint(o.j, "firmware", "major"), r14 ? 14 : 13);
	assert_int_equal(jint(o.j, "firmware", "minor"), r14 ? 18 : 8);
	assert_string_equal(jstr(o.j, "capabilities.ssl"), r14 ? "yes" : "no");
	assert_string_equal(jstr(o.j, "capabilities.httpssl"), r14 ? "yes" : "no");
	assert_true(json_is_true(json_object_get(o.j, "ok")));
	/* Capabilities come from the probe, not the version: the wire shows it. */
	assert_non_null(strstr(o.wire, "TX AT+CIPSSL=?"));
	json_decref(o.j);
}

static void test_status(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"status", NULL});
	EXPECT_RC(&o, 0);
	json_t *s = json_object_get(o.j, "status");
	assert_true(json_is_true(json_object_get(s, "registered")));
	assert_string_equal(json_string_value(json_object_get(s, "sim")), "ready");
	json_decref(o.j);
}

static void test_at(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"at", "ATI", "AT+CGMR", NULL});
	EXPECT_RC(&o, 0);
	json_t *a = json_object_get(o.j, "at");
	assert_int_equal(json_array_size(a), 2);
	const char *l0 = json_string_value(json_array_get(json_object_get(json_array_get(a, 0), "lines"), 0));
	assert_non_null(l0);
	assert_non_null(strstr(l0, strstr(r->profile, "14.18") ? "R14.18" : "R13.08"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "final")), "OK");
	json_decref(o.j);
}

/* GET a pattern body: the hash the CLI reports equals the hash of the known pattern. */
static void test_http_get_plain(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "http", "get", "http://web.test/bytes/5000", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(jint(o.j, "http", "status"), 200);
	assert_int_equal(jint(o.j, "http", "received"), 5000);
	static const char pat[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char body[5000], hex[65];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = pat[i % 62];
	sha_hex(body, sizeof body, hex);
	assert_string_equal(jstr(o.j, "http.sha256"), hex);
	assert_string_equal(jstr(o.j, "transport.chosen"), "module-plain");
	json_t *rec = fxproc_records(&r->fx, "http", "request");
	assert_true(json_array_size(rec) >= 1);
	json_decref(rec);
	json_decref(o.j);
}

/* POST: the fixture logs the body it received; same hash as what we sent and got back. */
static void test_http_post_plain(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	char path[160];
	snprintf(path, sizeof path, "%s/post.bin", r->fx.dir);
	FILE *f = fopen(path, "wb");
	uint8_t data[3000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3); /* binary: CR, LF, NUL, 0x1a, >= 0x80 */
	fwrite(data, 1, sizeof data, f);
	fclose(f);
	char at[170], hex[65];
	snprintf(at, sizeof at, "@%s", path);
	sha_hex(data, sizeof data, hex);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "http", "post", "http://web.test/echo",
				    "--data", at, "--content-type", "application/octet-stream", NULL});
	unlink(path);
	EXPECT_RC(&o, 0);
	assert_int_equal(jint(o.j, "http", "status"), 200);
	assert_string_equal(jstr(o.j, "http.sha256"), hex);
	json_t *rec = fxproc_records(&r->fx, "http", "request");
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(last, "body_sha256")), hex);
	json_decref(rec);
	json_decref(o.j);
}

/* The policy table, one row per profile x scheme x policy. */
static void test_policy_http_plain_refused(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	const char *pols[] = {"secure", "module-tls-ok"};
	for (int i = 0; i < 2; i++) {
		struct run o;
		cli(r, &o, (const char *[]){"--policy", pols[i], "http", "get", "http://web.test/", NULL});
		EXPECT_RC(&o, 5);
		assert_string_equal(jstr(o.j, "error.code"), "POLICY");
		assert_null(strstr(o.wire, "AT+HTTPACTION"));
		json_decref(o.j);
	}
}

static size_t count(const struct fxproc *fx, const char *service)
{
	json_t *rec = fxproc_records(fx, service, "request");
	size_t n = json_array_size(rec);
	json_decref(rec);
	return n;
}

/* https + secure: PPP with host TLS (1.2+, certificate checked), never the module's TLS. */
static void test_policy_https_secure(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	size_t before = count(&r->fx, "https-modern");
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "secure", "http", "get", "https://modern.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	assert_null(strstr(o.wire, "AT+HTTPSSL=1"));
	assert_null(strstr(o.wire, "AT+HTTPACTION"));
	assert_null(strstr(o.wire, "AT+CIPSTART"));
	bool ppp = json_is_true(json_object_get(json_object_get(o.j, "capabilities"), "ppp"));
	if (!ppp) {
		EXPECT_RC(&o, 5);
		assert_string_equal(jstr(o.j, "error.code"), "POLICY");
		assert_int_equal(count(&r->fx, "https-modern"), before);
		json_decref(o.j);
		return;
	}
	assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
	assert_non_null(strstr(o.wire, "TX ATD*99***1#"));
	if (r->cafile[0]) {
		EXPECT_RC(&o, 0);
		assert_int_equal(jint(o.j, "http", "status"), 200);
		assert_false(json_is_true(json_object_get(json_object_get(o.j, "http"), "module_tls")));
		assert_int_equal(count(&r->fx, "https-modern"), before + 1);
	}
	json_decref(o.j);
	/* The TLS 1.0-only server: the host refuses TLS 1.0, and secure never falls back to the
	 * module or to plaintext. */
	before = count(&r->fx, "https-legacy");
	cli(r, &o, (const char *[]){"--policy", "secure", "http", "get", "https://legacy.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(jstr(o.j, "error.code"), "TLS_HANDSHAKE");
	assert_null(strstr(o.wire, "AT+HTTPACTION"));
	assert_int_equal(count(&r->fx, "https-legacy"), before);
	json_decref(o.j);
	/* Without the CA the certificate is not trusted: refused, not ignored. */
	cli(r, &o, (const char *[]){"ppp", "https://modern.test/", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(jstr(o.j, "error.code"), "TLS_HANDSHAKE");
	assert_non_null(strstr(jstr(o.j, "error.detail"), "certificate verify failed"));
	json_decref(o.j);
}

static void test_policy_https_module_tls(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	bool r14 = strstr(r->profile, "14.18") != NULL;
	size_t before = count(&r->fx, "https-legacy");
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get", "https://legacy.test/", NULL});
	if (r14) {
		/* R14.18 speaks TLS 1.0: the legacy server answers through the module's TLS, with
		 * the warning. */
		EXPECT_RC(&o, 0);
		assert_string_equal(jstr(o.j, "transport.chosen"), "module-tls");
		assert_true(json_is_true(json_object_get(json_object_get(o.j, "http"), "module_tls")));
		assert_int_equal(jint(o.j, "http", "status"), 200);
		assert_true(json_array_size(json_object_get(o.j, "warnings")) >= 1);
		assert_int_equal(count(&r->fx, "https-legacy"), before + 1);
	} else {
		/* R13.08: the probe said ERROR: never module TLS, never plaintext; PPP with host
		 * TLS when the host has it (host TLS refuses the TLS 1.0 server), else a fast
		 * "TLS unsupported". */
		assert_null(strstr(o.wire, "AT+HTTPACTION"));
		assert_null(strstr(o.wire, "AT+HTTPSSL=1"));
		assert_int_equal(count(&r->fx, "https-legacy"), before);
		if (o.rc == 5) {
			assert_string_equal(jstr(o.j, "error.code"), "TLS_UNSUPPORTED");
		} else {
			assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
			assert_string_equal(jstr(o.j, "error.code"), "TLS_HANDSHAKE");
		}
		json_decref(o.j);
		if (!r->cafile[0])
			return;
		cli(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get",
					    "https://modern.test/", "--cafile", r->cafile, NULL});
		if (o.rc != 5) {
			EXPECT_RC(&o, 0);
			assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
			assert_int_equal(jint(o.j, "http", "status"), 200);
		}
	}
	json_decref(o.j);
}

static void test_policy_https_modern_module_tls(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "module-tls-ok", "http", "get", "https://modern.test/",
				    "--cafile", r->cafile[0] ? r->cafile : "/nonexistent", NULL});
	if (!strstr(r->profile, "14.18")) {
		/* No module SSL on this firmware: never tried; PPP with host TLS reaches the server. */
		char *tried = json_dumps(json_object_get(json_object_get(o.j, "transport"), "tried"),
					 JSON_COMPACT);
		assert_null(strstr(tried, "module-tls"));
		free(tried);
		EXPECT_RC(&o, 0);
		assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
		assert_null(strstr(o.wire, "HTTPSSL=1"));
		json_decref(o.j);
		return;
	}
	/* TLS 1.2-only server: a distinct TLS error (605/606), or the PPP fallback after it. */
	json_t *tried = json_object_get(json_object_get(o.j, "transport"), "tried");
	assert_string_equal(json_string_value(json_array_get(tried, 0)), "module-tls");
	if (o.rc == 0) {
		assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
		assert_int_equal(jint(o.j, "http", "status"), 200);
		/* The fallback is logged as a warning naming the module's answer. */
		bool seen = false;
		json_t *w = json_object_get(o.j, "warnings");
		for (size_t i = 0; i < json_array_size(w); i++)
			if (strstr(json_string_value(json_array_get(w, i)), "falling back"))
				seen = true;
		assert_true(seen);
	} else {
		EXPECT_RC(&o, 6);
		assert_string_equal(jstr(o.j, "error.code"), "TLS_HANDSHAKE");
		const char *mod = jstr(o.j, "error.module");
		assert_non_null(mod);
		assert_true(strstr(mod, ",605,") || strstr(mod, ",606,"));
	}
	json_decref(o.j);
}

static void test_tcp_echo(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "echo.test", "7", "--send",
				    "hello over CIP\r\n", "--read", "16", NULL});
	EXPECT_RC(&o, 0);
	assert_int_equal(jint(o.j, "tcp", "sent"), 16);
	assert_int_equal(jint(o.j, "tcp", "received"), 16);
	char hex[65];
	sha_hex("hello over CIP\r\n", 16, hex);
	assert_string_equal(jstr(o.j, "tcp.sha256"), hex);
	/* CIPSHUT-first bring-up, bare-IP CIFSR. */
	const char *shut = strstr(o.wire, "TX AT+CIPSHUT");
	const char *cstt = strstr(o.wire, "TX AT+CSTT");
	assert_non_null(shut);
	assert_non_null(cstt);
	assert_true(shut < cstt);
	json_decref(o.j);
}

static void test_tcp_sink_big(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	char path[160];
	snprintf(path, sizeof path, "%s/sink.bin", r->fx.dir);
	static uint8_t data[4000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, sizeof data, f);
	fclose(f);
	char at[170], hex[65];
	snprintf(at, sizeof at, "@%s", path);
	sha_hex(data, sizeof data, hex);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "sink.test", "9", "--send", at, NULL});
	unlink(path);
	EXPECT_RC(&o, 0);
	assert_int_equal(jint(o.j, "tcp", "sent"), 4000);
	/* The sink's close record: what really arrived (after our CIPCLOSE). */
	json_t *rec = NULL;
	for (int i = 0; i < 50; i++) {
		rec = fxproc_records(&r->fx, "tcp-sink", "close");
		if (json_array_size(rec) > 0)
			break;
		json_decref(rec);
		rec = NULL;
		usleep(100000);
	}
	assert_non_null(rec);
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_int_equal(json_integer_value(json_object_get(last, "bytes_in")), 4000);
	assert_string_equal(json_string_value(json_object_get(last, "sha256_in")), hex);
	json_decref(rec);
	json_decref(o.j);
}

/* Remote close with data pending: everything is read, then EOF (cip-connected-true-after-
 * close-with-buffer, cip-ciprxget-error-loop-after-close). */
static void test_tcp_remote_close(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "close.test", "13", "--read", "1000", NULL});
	const char *bye = "sim800-fixtures tcp-close: bye\r\n";
	assert_int_equal(jint(o.j, "tcp", "received"), (json_int_t)strlen(bye));
	assert_true(json_is_true(json_object_get(json_object_get(o.j, "tcp"), "peer_closed")));
	EXPECT_RC(&o, 6);
	assert_string_equal(jstr(o.j, "error.code"), "CLOSED");
	json_decref(o.j);
}

static void test_tcp_refused_by_policy(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"tcp", "echo.test", "7", "--send", "x", NULL});
	EXPECT_RC(&o, 5);
	assert_null(strstr(o.wire, "AT+CIPSTART"));
	json_decref(o.j);
}

static void test_tcp_connect_fail(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--policy", "plain-ok", "tcp", "nosuch.invalid", "7", NULL});
	EXPECT_RC(&o, 6);
	assert_string_equal(jstr(o.j, "error.code"), "CONNECT_FAIL");
	assert_non_null(strstr(jstr(o.j, "error.module"), "CONNECT FAIL"));
	json_decref(o.j);
}

static void test_sms(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"--timeout", "5", "sms", "send", "+441234567890", "hello", NULL});
	EXPECT_RC(&o, 0);
	assert_true(jint(o.j, "sms", "mr") >= 0);
	assert_non_null(strstr(o.wire, "TX AT+CMGS=\"+441234567890\""));
	json_decref(o.j);
	/* The network received exactly that text, for that number. */
	json_t *sent = control(r, "{\"op\":\"sms_sent\"}\n");
	json_t *msgs = json_object_get(sent, "messages");
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "to")), "+441234567890");
	assert_string_equal(json_string_value(json_object_get(last, "text")), "hello");
	json_decref(sent);
	/* A message arrives; the driver lists it. */
	json_decref(control(r, "{\"op\":\"sms\",\"from\":\"+4917011\",\"text\":\"inbound\"}\n"));
	cli(r, &o, (const char *[]){"--timeout", "5", "sms", "list", NULL});
	EXPECT_RC(&o, 0);
	json_t *list = json_object_get(o.j, "messages");
	assert_true(json_is_array(list));
	char *dump = json_dumps(list, JSON_COMPACT);
	assert_non_null(strstr(dump, "inbound"));
	assert_non_null(strstr(dump, "+4917011"));
	free(dump);
	json_decref(o.j);
}

/* ppp URL: dial, PPP, host TLS with the certificate checked, POST body at the server. */
static void test_ppp(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	assert_true(r->cafile[0]); /* made by fx_start_certs with the openssl tool */
	size_t before = count(&r->fx, "https-modern");
	cli(r, &o, (const char *[]){"ppp", "https://modern.test/echo", "--data", "over ppp",
				    "--cafile", r->cafile, NULL});
	EXPECT_RC(&o, 0); /* the lwIP PPP client is built in: PPP is always available */
	assert_string_equal(jstr(o.j, "transport.chosen"), "ppp-host-tls");
	assert_int_equal(jint(o.j, "http", "status"), 200);
	char hex[65];
	sha_hex("over ppp", 8, hex);
	assert_string_equal(jstr(o.j, "http.sha256"), hex);
	json_t *rec = fxproc_records(&r->fx, "https-modern", "request");
	assert_int_equal(json_array_size(rec), before + 1);
	json_t *last = json_array_get(rec, json_array_size(rec) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "body_sha256")), hex);
	json_decref(rec);
	/* Hung up and back in command mode: the next command works. */
	const char *ath = strstr(o.wire, "TX ATH");
	assert_non_null(ath);
	json_decref(o.j);
	cli(r, &o, (const char *[]){"at", "AT+CSQ", NULL});
	EXPECT_RC(&o, 0);
	json_decref(o.j);
}

static void test_usage(void **state)
{
	struct rig *r = *state;
	SKIP_IF_NO_RIG(r);
	struct run o;
	cli(r, &o, (const char *[]){"frobnicate", NULL});
	EXPECT_RC(&o, 2);
	assert_string_equal(jstr(o.j, "error.code"), "USAGE");
	json_decref(o.j);
}

#define BOTH(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_info), BOTH(test_status), BOTH(test_at), BOTH(test_http_get_plain),
		BOTH(test_http_post_plain), BOTH(test_policy_http_plain_refused),
		BOTH(test_policy_https_secure), BOTH(test_policy_https_module_tls),
		BOTH(test_policy_https_modern_module_tls), BOTH(test_tcp_echo),
		BOTH(test_tcp_sink_big), BOTH(test_tcp_remote_close), BOTH(test_tcp_refused_by_policy),
		BOTH(test_tcp_connect_fail), BOTH(test_sms), BOTH(test_ppp), BOTH(test_usage),
	};
	int fails = cmocka_run_group_tests_name("cli sim800-r14.18", tests, setup14, rig_teardown);
	fails += cmocka_run_group_tests_name("cli sim800-r13.08", tests, setup13, rig_teardown);
	return fails;
}
