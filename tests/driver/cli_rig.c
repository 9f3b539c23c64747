/* cli_rig.c - the CLI tests' rig (cli_rig.h). */
#include "cli_rig.h"

/* One control-socket request (README "Control socket"); the parsed reply. */
json_t *cli_rig_control(const struct cli_rig *r, const char *line)
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

static bool have_bins(void)
{
	return access(SIM800_BIN_DIR "/sim800", X_OK) == 0 &&
	       access(SIM800_BIN_DIR "/sim800-sim", X_OK) == 0 &&
	       access(SIM800_BIN_DIR "/sim800-fixtures", X_OK) == 0;
}

/*
 * Like fxproc_start, but the TLS servers present a certificate made here for modern.test and
 * legacy.test, so the host TLS of the PPP path can verify it with --cafile (no --insecure in
 * these tests). Falls back to fxproc_start when the openssl tool is missing.
 */
static bool fx_start_certs(struct cli_rig *r)
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
	return fxproc_parse_ready(f, line);
}

static int rig_setup(void **state, const char *profile)
{
	if (!have_bins()) {
		*state = NULL;
		return 0;
	}
	struct cli_rig *r = calloc(1, sizeof *r);
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
	snprintf(h[7], sizeof h[7], "mqtt.test:1883=127.0.0.1:%d", r->fx.mqtt);
	const char *argv[] = {"--profile", profile, "--time-scale", "0", "--no-pacing",
			      "--host", "web.test=127.0.0.1", "--host", "legacy.test=127.0.0.1",
			      "--host", "modern.test=127.0.0.1", "--host", "echo.test=127.0.0.1",
			      "--host", "sink.test=127.0.0.1", "--host", "source.test=127.0.0.1",
			      "--host", "close.test=127.0.0.1", "--host", "mqtt.test=127.0.0.1",
			      "--host", h[0], "--host", h[1], "--host", h[2], "--host", h[3],
			      "--host", h[4], "--host", h[5], "--host", h[6], "--host", h[7],
			      "--control", r->control, NULL};
	assert_true(simproc_start(&r->sp, 1, argv));
	snprintf(r->wirelog, sizeof r->wirelog, "%s/wire.log", r->fx.dir);
	/* No warm-up: the simulated module boots when the first CLI run opens its pty, so each
	 * program's first test meets a fresh module's RDY, as a driver on a real board does. */
	*state = r;
	return 0;
}

static int setup14(void **state) { return rig_setup(state, "sim800-r14.18"); }
static int setup13(void **state) { return rig_setup(state, "sim800-r13.08"); }

static int rig_teardown(void **state)
{
	struct cli_rig *r = *state;
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
void cli_rig_run(struct cli_rig *r, struct cli_rig_result *out, const char *const *args)
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

const char *cli_rig_jstr(json_t *j, const char *path)
{
	/* "a.b" */
	char key[64];
	const char *dot = strchr(path, '.');
	if (!dot)
		return json_string_value(json_object_get(j, path));
	snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
	return cli_rig_jstr(json_object_get(j, key), dot + 1);
}

json_int_t cli_rig_jint(json_t *j, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(j, a), b));
}

void cli_rig_sha_hex(const void *buf, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int l;
	EVP_Digest(buf, n, md, &l, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void cli_rig_data_file(const struct cli_rig *r, const char *name, const void *data, size_t n,
		       char path[160], char at[170], char hex[65])
{
	snprintf(path, 160, "%s/%s", r->fx.dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	snprintf(at, 170, "@%s", path);
	cli_rig_sha_hex(data, n, hex);
}

/* The exit code, with the JSON and the end of the wire log shown when it is not the one. */
void cli_rig_expect_rc(const struct cli_rig_result *o, int rc, const char *file, int line)
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

/* Requests the fixture service logged so far. */
size_t cli_rig_count(const struct fxproc *fx, const char *service)
{
	json_t *rec = fxproc_records(fx, service, "request");
	size_t n = json_array_size(rec);
	json_decref(rec);
	return n;
}

int cli_rig_run_tests(const struct CMUnitTest *tests, size_t n)
{
	int fails = _cmocka_run_group_tests("cli sim800-r14.18", tests, n, setup14, rig_teardown);
	fails += _cmocka_run_group_tests("cli sim800-r13.08", tests, n, setup13, rig_teardown);
	return fails;
}
