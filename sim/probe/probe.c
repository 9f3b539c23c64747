/* probe.c - sim800-probe: ask a real module read-only questions and write a profile for it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe_yaml.h"
#include "sim800.h"
#include "tool_args.h"

/*
 * Only commands that read: identification, read forms ("?") and test forms ("=?"). Nothing
 * that writes a setting, saves (AT&W), sends an SMS, dials or scans the network (AT+COPS=?
 * takes up to 45 s and is left out). The probe tolerates echo rather than turning it off. Only
 * a module left in a data call is changed: escaped with "+++" and hung up, or nothing answers.
 */
static const char *const probe_cmds[] = {
	/* identity: modelled by the profile's identity keys */
	"ATI", "AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+GSV", "AT+CGSN", "AT+CCID", "AT+CIMI",
	/* state: modelled by defaults and network */
	"AT+CPIN?", "AT+CSQ", "AT+CREG?", "AT+CGREG?", "AT+COPS?", "AT+CGATT?", "AT+CBC",
	"AT+CFUN?", "AT+IPR?", "AT+CMEE?",
	/* capabilities and exact test-form answers: replayed */
	"AT+CIPSSL=?", "AT+HTTPSSL=?", "AT+HTTPSSL?", "AT+CIPMUX=?", "AT+CIPSTART=?",
	"AT+CIPSEND=?", "AT+CIPMODE=?", "AT+CIPCCFG=?", "AT+CIPRXGET=?", "AT+CIPQSEND=?",
	"AT+CIPHEAD=?", "AT+CSTT=?", "AT+SAPBR=?", "AT+HTTPACTION=?", "AT+HTTPPARA=?",
	"AT+CMGF=?", "AT+CSCS=?", "AT+CNMI=?", "AT+CPMS=?", "AT+CREG=?", "AT+CGREG=?",
	"AT+CSQ=?", "AT+CFUN=?", "AT+CGATT=?", "AT+CGDCONT=?", "AT+CMUX=?", "AT+CLIP=?",
	"AT+CSCLK=?", "AT+CBC=?", "AT+CMEE=?", "AT+IPR=?", "AT+CSPN?", "AT+CIURC?",
};

#define N_CMDS (sizeof probe_cmds / sizeof probe_cmds[0])

static void on_info(void *user, const char *line, size_t len)
{
	struct probe_answer *a = user;
	if (a->n_lines < PROBE_MAX_LINES) {
		size_t n = len < PROBE_LINE_MAX - 1 ? len : PROBE_LINE_MAX - 1;
		memcpy(a->lines[a->n_lines], line, n);
		a->lines[a->n_lines][n] = '\0';
		a->n_lines++;
	}
}

/* Echo is detected, not changed: a received line equal to the command we sent. */
struct echo_watch {
	const char *cmd;
	bool seen;
};

static void on_log(void *user, enum sim800_log_kind kind, const char *text, size_t len)
{
	struct echo_watch *w = user;
	if ((kind == SIM800_LOG_RX || kind == SIM800_LOG_DROPPED) && w->cmd &&
	    strlen(w->cmd) == len && memcmp(w->cmd, text, len) == 0)
		w->seen = true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ask(struct sim800 *m, const char *text, struct probe_answer *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->command, sizeof a->command, "%s", text);
	/* Extended commands answer "+NAME: ..." lines (told apart from URCs by that prefix);
	 * ATI, AT+CGMI and the like answer bare lines. */
	char prefix[40] = "";
	const char *prefixes[2] = {prefix, NULL};
	if (text[2] == '+') {
		size_t k = strcspn(text + 2, "=?");
		snprintf(prefix, sizeof prefix, "%.*s:", (int)k, text + 2);
	}
	struct sim800_cmd cmd = {
		.text = text,
		.prefixes = prefix[0] ? prefixes : NULL,
		.on_info = on_info,
		.user = a,
		.timeout_ms = 10000,
		.flags = SIM800_CMD_ANY_INFO,
		.match = NULL,
	};
	uint64_t t0 = now_ms();
	enum sim800_err e = sim800_cmd_run(m, &cmd);
	a->ms = (unsigned)(now_ms() - t0);
	const struct sim800_last *last = sim800_last(m);
	a->answered = e != SIM800_ERR_TIMEOUT && e != SIM800_ERR_NO_RESPONSE && last->line[0];
	snprintf(a->final, sizeof a->final, "%s", last->line);
}

static const char usage[] =
	"Usage: sim800-probe --device PATH [--baud N] [--out FILE] [--name NAME]\n"
	"Interrogate a SIM800 with read-only commands and write a profile that sim800-sim loads.\n"
	"\n"
	"  --device PATH   the module's serial port (e.g. /dev/ttyUSB0) or a sim800-sim pty\n"
	"  --baud N        line rate (default 115200; 0 leaves the port as it is)\n"
	"  --out FILE      where to write the profile (default: standard output)\n"
	"  --name NAME     the profile's name (default: probed-<ATI>)\n"
	"\n"
	"Only identification, read (?) and test (=?) commands are sent: no setting is changed\n"
	"or saved, no SMS is sent, nothing is dialled (a data call a previous host left open is\n"
	"escaped and hung up first). Exit status: 0 written, 1 the module did\n"
	"not answer or a file could not be written, 2 usage error.\n";

int main(int argc, char **argv)
{
	const char *device = NULL, *out = NULL, *name = NULL;
	long baud = 115200;
	const struct tool_args_str strs[] = {{"out", &out}, {"name", &name}};
	int rc = tool_args_parse(argc, argv, "sim800-probe", usage, strs,
				 sizeof strs / sizeof strs[0], &device, &baud);
	if (rc >= 0)
		return rc;
	if (!device || optind < argc) {
		fprintf(stderr, "sim800-probe: --device PATH is required\nTry 'sim800-probe --help'.\n");
		return 2;
	}
	struct sim800_port_posix pp;
	struct sim800_port port;
	enum sim800_err e = sim800_port_posix_open(&pp, device, (unsigned)baud, &port);
	if (e != SIM800_OK) {
		fprintf(stderr, "sim800-probe: %s: %s (%s)\n", device, sim800_strerror(e), strerror(errno));
		return e == SIM800_ERR_INVAL ? 2 : 1;
	}
	struct echo_watch watch = {0};
	const struct sim800_config cfg = {.user = &watch, .log = on_log};
	struct sim800 *m = calloc(1, sizeof *m);
	struct probe_answer *answers = calloc(N_CMDS, sizeof *answers);
	if (!m || !answers) {
		free(m);
		free(answers);
		sim800_port_posix_close(&pp);
		return 1;
	}
	sim800_init(m, &port, &cfg);
	/* A module that does not answer AT may still be in a data call a previous host left
	 * (ppp-host-reboot-in-data-mode): it is escaped and hung up, the one change made. */
	if (sim800_sync_any_mode(m, 15000) != SIM800_OK) {
		fprintf(stderr, "sim800-probe: %s: no answer to AT within 15 s\n", device);
		free(m);
		free(answers);
		sim800_port_posix_close(&pp);
		return 1;
	}
	for (size_t i = 0; i < N_CMDS; i++) {
		watch.cmd = probe_cmds[i];
		ask(m, probe_cmds[i], &answers[i]);
		fprintf(stderr, "%-16s %5u ms  %s\n", probe_cmds[i], answers[i].ms,
			answers[i].answered ? answers[i].final : "(no answer)");
	}
	struct probe_meta meta = {.device = device, .name = name, .baud = baud, .echo = watch.seen};
	time_t t = time(NULL);
	strftime(meta.when, sizeof meta.when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	char why[256];
	bool ok = probe_yaml_write(out, &meta, answers, N_CMDS, why, sizeof why);
	if (!ok)
		fprintf(stderr, "sim800-probe: %s\n", why);
	free(answers);
	free(m);
	sim800_port_posix_close(&pp);
	return ok ? 0 : 1;
}
