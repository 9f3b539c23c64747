/* test_pppd.c - Debian's pppd + chat against the simulator, where the kernel has PPP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "fxproc.h"
#include "simproc.h"

/*
 * The real thing end to end: pppd runs chat (AT, CGDCONT, ATD*99#, CONNECT), negotiates LCP
 * and IPCP with the simulator's lwIP, and the kernel's IP stack fetches a page through the
 * link. pppd runs in a network namespace of its own (unshare), so its default route and
 * interface never touch the machine's: inside there is only lo and the ppp interface.
 * Needs /dev/ppp (kernel PPP), pppd and chat, and root (pppd configures an interface).
 * Anywhere else the test reports itself skipped, with the reason, and never passes.
 */

#define LINKNAME "sim800test"

static const char *missing(void)
{
	if (geteuid() != 0)
		return "pppd needs root";
	if (access("/usr/sbin/pppd", X_OK) != 0 || access("/usr/sbin/chat", X_OK) != 0)
		return "pppd or chat is not installed (Debian package ppp)";
	int fd = open("/dev/ppp", O_RDWR);
	if (fd < 0)
		return "/dev/ppp does not open: the kernel has no PPP";
	close(fd);
	return NULL;
}

static void die(const char *what)
{
	fprintf(stderr, "pppd test (in the namespace): %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* "remote IP address 10.64.64.64" from pppd's log: the simulator's end, also its DNS. */
static bool log_address(const char *log, const char *key, char *out, size_t cap)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		const char *p = strstr(line, key);
		if (p && sscanf(p + strlen(key), " %63s", out) == 1 && strlen(out) < cap)
			found = true;
	}
	fclose(f);
	return found;
}

/* A query through the link to the simulator's DNS (the name comes from its --host map). */
static uint32_t resolve(const char *server, const char *name)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, server);
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	if (!res || !ns || !dname || ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK)
		die("ldns setup");
	ldns_resolver_set_retry(res, 2);
	ldns_pkt *ans = ldns_resolver_query(res, dname, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD);
	uint32_t a = 0;
	ldns_rr_list *list = ans ? ldns_pkt_answer(ans) : NULL;
	for (size_t i = 0; list && i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 4)
			memcpy(&a, ldns_rdf_data(ldns_rr_rdf(rr, 0)), 4);
	}
	ldns_pkt_free(ans);
	ldns_rdf_deep_free(ns);
	ldns_rdf_deep_free(dname);
	ldns_resolver_deep_free(res);
	return a;
}

/* GET / over the kernel's TCP through ppp0; true on a 200 from the fixture. */
static bool http_get(uint32_t addr)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(80)};
	sa.sin_addr.s_addr = addr;
	struct timeval tv = {.tv_sec = 10};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect through ppp");
	static const char req[] =
		"GET / HTTP/1.1\r\nHost: web.test\r\nUser-Agent: pppd-test\r\nConnection: close\r\n\r\n";
	if (write(s, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
		die("send the request");
	char buf[256];
	ssize_t n = read(s, buf, sizeof buf - 1);
	close(s);
	if (n < 12)
		die("read the answer");
	buf[n] = '\0';
	return strncmp(buf, "HTTP/1.1 200", 12) == 0;
}

static pid_t daemon_pid(void)
{
	FILE *f = fopen("/var/run/ppp-" LINKNAME ".pid", "r");
	int pid = 0;
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* The child: a new network namespace, pppd dials and detaches once IPCP is up, then DNS and
 * HTTP through the link, then pppd is told to stop (LCP Terminate). Exit 0 on success. */
static void in_namespace(const char *tty, const char *log)
{
	if (unshare(CLONE_NEWNET) != 0)
		die("unshare(CLONE_NEWNET)");
	pid_t p = fork();
	if (p == 0) {
		const char *argv[] = {
			"/usr/sbin/pppd", tty, "115200", "updetach", "noauth", "local", "nocrtscts",
			"noipdefault", "defaultroute", "ipcp-accept-local", "ipcp-accept-remote",
			"nodeflate", "nobsdcomp", "novj", "maxfail", "1", "lcp-echo-interval", "0",
			"linkname", LINKNAME, "logfile", log, "debug", "connect",
			"/usr/sbin/chat -v -t 10 '' AT OK ATE0 OK 'AT+CGDCONT=1,\"IP\",\"internet\"' OK "
			"'ATD*99#' CONNECT",
			NULL};
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pppd test: pppd did not bring the link up (status %d); see %s\n",
			st, log);
		_exit(1);
	}
	char peer[64];
	if (!log_address(log, "remote IP address", peer, sizeof peer))
		die("no remote IP address in pppd's log");
	uint32_t a = resolve(peer, "web.test");
	if (!a)
		die("web.test did not resolve through the link");
	bool ok = http_get(a);
	pid_t d = daemon_pid();
	if (d > 0)
		kill(d, SIGTERM);
	for (int i = 0; d > 0 && i < 100 && kill(d, 0) == 0; i++)
		usleep(100000); /* a separate process we do not own a loop with: bounded poll */
	_exit(ok ? 0 : 2);
}

static void pppd_and_chat(void **state)
{
	(void)state;
	const char *why = missing();
	if (why) {
		print_message("skipped: %s\n", why);
		skip();
	}
	struct fxproc fx;
	assert_true(fxproc_start(&fx));
	char host[96];
	snprintf(host, sizeof host, "web.test:80=127.0.0.1:%d", fx.http);
	const char *args[] = {"--no-pacing", "--time-scale", "0", "--profile", "sim800-r14.18",
			      "--host", host, NULL};
	struct simproc sim;
	assert_true(simproc_start(&sim, 1, args));
	char log[96];
	snprintf(log, sizeof log, "/tmp/sim800-pppd-%d.log", (int)getpid());
	unlink(log);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0)
		in_namespace(sim.path[0], log);
	int st;
	assert_int_equal(waitpid(c, &st, 0), c);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("pppd + chat through the simulator failed (status %d); pppd's log: %s", st,
			 log);
	/* The fixture saw the request that went through the kernel's stack and the link. */
	json_t *recs = fxproc_records(&fx, "http", NULL);
	bool seen = false;
	for (size_t i = 0; i < json_array_size(recs); i++) {
		json_t *h = json_object_get(json_array_get(recs, i), "headers");
		const char *ua = json_string_value(json_object_get(h, "User-Agent"));
		seen = seen || (ua && strcmp(ua, "pppd-test") == 0);
	}
	json_decref(recs);
	assert_true(seen);
	/* pppd's LCP Terminate ended the call: the line is AT again (chat set ATE0). */
	int fd = simproc_open_tty(sim.path[0]);
	assert_true(fd >= 0);
	char junk[512];
	simproc_read_all(fd, junk, sizeof junk, 500, 200);
	simproc_write_str(fd, "AT\r");
	EXPECT_TTY(fd, "\r\nOK\r\n");
	close(fd);
	assert_int_equal(simproc_stop(&sim), 0);
	assert_int_equal(fxproc_stop(&fx), 0);
	unlink(log);
}

int main(void)
{
	/* ctest reports exit status 77 as skipped (SKIP_RETURN_CODE in ppp_tests.cmake). */
	const char *why = missing();
	if (why) {
		printf("pppd_and_chat skipped: %s\n", why);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pppd_and_chat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
