/* main.c - sim800-sim: command line, the event loop and N modems; no modem logic here. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <ev.h>

#include "control.h"
#include "modem.h"
#include "netmap.h"
#include "replay.h"
#include "scenario.h"
#include "profile_yaml.h"
#include "pty_watch.h"
#include "sim_err.h"
#include "svc_http.h"
#include "transcript.h"
#include "transport_pty.h"

#define SIM_VERSION "0.1.0"
#define MODEMS_MAX 4096

/* Exit codes (documented in --help and README). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"Usage: sim800-sim [OPTIONS]\n"
	"Virtual SIM800 GSM/GPRS modems on pseudo-terminals.\n"
	"\n"
	"  --profile NAME|FILE  firmware profile: a bundled name or a YAML file\n"
	"                       (default sim800-r14.18; see --list-profiles)\n"
	"  --modems N           number of modems, 1..4096 (default 1)\n"
	"  --link PATH          symlink to each modem's pty; with --modems > 1 PATH must\n"
	"                       contain %d, replaced by the modem index\n"
	"  --baud N             line rate for output pacing, 8N1 (default 115200)\n"
	"  --no-pacing          send output at once instead of at the line rate\n"
	"  --time-scale F       multiply profile delays (boot, registration, per-command)\n"
	"                       by F; 0 = instant (default 1)\n"
	"  --power-on open|start  power on when a host first opens the pty (default), or\n"
	"                       at start-up (boot URCs are then lost if nobody listens)\n"
	"  --seed N             seed for random behaviour such as boot noise (default 1)\n"
	"  --transcript FILE    write every byte and command as JSON Lines\n"
	"  --control PATH       Unix socket (mode 0600) taking JSON Lines requests that\n"
	"                       inject events: network changes, SMS, calls, faults...\n"
	"  --scenario FILE      run a scenario (timed/triggered events, seeded random\n"
	"                       faults) on every modem; overrides the profile's scenario\n"
	"  --replay TRANSCRIPT  answer from a recorded transcript instead of the AT engine\n"
	"                       (command lines matched in order; --strict: byte for byte,\n"
	"                       the first difference is reported)\n"
	"  --allow CIDR         where data services may connect (repeatable; the first\n"
	"                       replaces the default 127.0.0.0/8 and ::1)\n"
	"  --host NAME=IP, --host NAME:PORT=IP:PORT\n"
	"                       resolve NAME (repeatable); the simulator never asks the\n"
	"                       system resolver, unknown names fail as DNS failures do\n"
	"  --list-profiles      list bundled profiles and exit\n"
	"  --version            print the version and exit\n"
	"  --help               print this help and exit\n"
	"\n"
	"For each modem one line is printed when it is ready:\n"
	"  ready <index> <pty-path> <profile-name>\n"
	"SIGINT/SIGTERM stop the simulator cleanly (links removed, transcript flushed).\n"
	"Exit status: 0 success, 1 runtime error, 2 usage or profile error.\n";

struct options {
	const char *profile;
	long modems;
	const char *link;
	struct sim_options sim;
	const char *transcript;
	const char *control;
	const char *scenario;
	const char *replay;
	bool strict;
	bool list;
	struct netmap *netmap;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "sim800-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'sim800-sim --help'.\n");
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* --link with --modems > 1 needs exactly one %d; no other conversions are allowed. */
static int check_link(const char *link, long modems)
{
	int conv = 0;
	for (const char *p = link; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (p[1] != 'd')
			return usage_error("--link %s: only %%d may follow '%%'", link);
		conv++;
	}
	if (conv > 1)
		return usage_error("--link %s: %%d may appear only once", link);
	if (modems > 1 && conv == 0)
		return usage_error("--link %s: with --modems > 1 the path must contain %%d", link);
	return 0;
}

static void link_for(const char *fmt, int index, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = fmt; *p && o + 1 < cap; p++) {
		if (p[0] == '%' && p[1] == '%') {
			out[o++] = '%';
			p++;
		} else if (p[0] == '%' && p[1] == 'd') {
			int n = snprintf(out + o, cap - o, "%d", index);
			o += n > 0 ? (size_t)n : 0;
			if (o >= cap)
				o = cap - 1;
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_PROFILE = 256, O_MODEMS, O_LINK, O_BAUD, O_NOPACE, O_SCALE, O_TRANSCRIPT, O_LIST,
	       O_VERSION, O_HELP, O_POWER, O_SEED, O_ALLOW, O_HOST, O_CONTROL, O_SCENARIO, O_REPLAY, O_STRICT };
	static const struct option longopts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"modems", required_argument, NULL, O_MODEMS},
		{"link", required_argument, NULL, O_LINK},
		{"baud", required_argument, NULL, O_BAUD},
		{"no-pacing", no_argument, NULL, O_NOPACE},
		{"time-scale", required_argument, NULL, O_SCALE},
		{"transcript", required_argument, NULL, O_TRANSCRIPT},
		{"list-profiles", no_argument, NULL, O_LIST},
		{"version", no_argument, NULL, O_VERSION},
		{"help", no_argument, NULL, O_HELP},
		{"power-on", required_argument, NULL, O_POWER},
		{"seed", required_argument, NULL, O_SEED},
		{"allow", required_argument, NULL, O_ALLOW},
		{"host", required_argument, NULL, O_HOST},
		{"control", required_argument, NULL, O_CONTROL},
		{"scenario", required_argument, NULL, O_SCENARIO},
		{"replay", required_argument, NULL, O_REPLAY},
		{"strict", no_argument, NULL, O_STRICT},
		{NULL, 0, NULL, 0},
	};
	bool baud_given = false, nopace = false;
	long v;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case O_PROFILE: o->profile = optarg; break;
		case O_MODEMS:
			if (!parse_long(optarg, 1, MODEMS_MAX, &o->modems))
				return usage_error("--modems %s: expected a number from 1 to 4096", optarg);
			break;
		case O_LINK: o->link = optarg; break;
		case O_BAUD:
			if (!parse_long(optarg, 50, 4000000, &v))
				return usage_error("--baud %s: expected a rate from 50 to 4000000", optarg);
			o->sim.baud = (unsigned)v;
			baud_given = true;
			break;
		case O_NOPACE: nopace = true; break;
		case O_SCALE: {
			char *end;
			errno = 0;
			double f = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(f >= 0 && f <= 1000))
				return usage_error("--time-scale %s: expected a number from 0 to 1000", optarg);
			o->sim.time_scale = f;
			break;
		}
		case O_TRANSCRIPT: o->transcript = optarg; break;
		case O_CONTROL: o->control = optarg; break;
		case O_SCENARIO: o->scenario = optarg; break;
		case O_REPLAY: o->replay = optarg; break;
		case O_STRICT: o->strict = true; break;
		case O_LIST: o->list = true; break;
		case O_VERSION: printf("sim800-sim %s\n", SIM_VERSION); return -1;
		case O_HELP: fputs(usage_text, stdout); return -1;
		case O_POWER:
			if (strcmp(optarg, "open") == 0)
				o->sim.power_on = SIM_POWER_ON_OPEN;
			else if (strcmp(optarg, "start") == 0)
				o->sim.power_on = SIM_POWER_ON_START;
			else
				return usage_error("--power-on %s: expected open or start", optarg);
			break;
		case O_SEED:
			if (!parse_long(optarg, 0, 4294967295L, &v))
				return usage_error("--seed %s: expected a number from 0 to 4294967295", optarg);
			o->sim.seed = (uint32_t)v;
			break;
		case O_ALLOW:
		case O_HOST: {
			char why[256];
			bool ok = c == O_ALLOW ? netmap_allow(o->netmap, optarg, why, sizeof why)
					       : netmap_host(o->netmap, optarg, why, sizeof why);
			if (!ok)
				return usage_error("%s", why);
			break;
		}
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument %s", argv[optind]);
	if (o->strict && !o->replay)
		return usage_error("%s", "--strict goes with --replay");
	if (baud_given && nopace)
		return usage_error("%s", "--baud and --no-pacing exclude each other");
	if (nopace)
		o->sim.baud = 0;
	if (o->link) {
		int r = check_link(o->link, o->modems);
		if (r)
			return r;
	}
	return 0;
}

static void print_profile(const char *name, const char *path, void *ctx)
{
	(void)ctx;
	struct profile_error err;
	struct profile *p = profile_yaml_load(path, NULL, &err);
	printf("%-28s %s\n", name, p && p->description ? p->description : "");
	profile_free(p);
}

struct sim {
	struct ev_loop *loop;
	struct replay *replay;
	struct scenario *scenario;
	struct control *control;
	struct http_multi *http;
	struct profile *profile;
	struct transcript *log;
	struct pty_watch *watch; /* one inotify instance for every modem's pty */
	struct sim_modem **modems;
	long n;
	ev_signal sigint, sigterm, sighup;
};

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void sim_cleanup(struct sim *s)
{
	control_free(s->control);
	for (long i = 0; i < s->n; i++)
		modem_destroy(s->modems[i]);
	free(s->modems);
	pty_watch_free(s->watch); /* after the transports: they remove their watches */
	scenario_free(s->scenario);
	replay_free(s->replay);
	http_multi_free(s->http);
	transcript_close(s->log);
	profile_free(s->profile);
	if (s->loop) {
		ev_signal_stop(s->loop, &s->sigint);
		ev_signal_stop(s->loop, &s->sigterm);
		ev_signal_stop(s->loop, &s->sighup);
		ev_loop_destroy(s->loop);
	}
}

/* Many modems need an fd each (the pty master): use the hard limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run(struct options *op);

int main(int argc, char **argv)
{
	struct options o = {
		.profile = "sim800-r14.18",
		.modems = 1,
		.sim = {.time_scale = 1.0, .baud = 115200, .power_on = SIM_POWER_ON_OPEN, .seed = 1},
	};
	o.netmap = netmap_new();
	if (!o.netmap) {
		fprintf(stderr, "sim800-sim: out of memory\n");
		return EXIT_RUNTIME;
	}
	o.sim.netmap = o.netmap;
	int r = parse_args(argc, argv, &o);
	if (r) {
		netmap_free(o.netmap);
		return r < 0 ? EXIT_OK : r;
	}
	int rc = run(&o);
	netmap_free(o.netmap);
	return rc;
}

static int run(struct options *op)
{
	struct options o = *op;
	const char *dir = profile_yaml_bundled_dir();
	if (o.list) {
		if (profile_yaml_list(dir, print_profile, NULL) < 0) {
			fprintf(stderr, "sim800-sim: cannot read the profile directory %s\n", dir);
			return EXIT_RUNTIME;
		}
		return EXIT_OK;
	}

	struct sim s = {.n = 0};
	struct profile_error perr;
	s.profile = profile_yaml_load(o.profile, dir, &perr);
	if (!s.profile) {
		char msg[1600];
		profile_error_format(&perr, msg, sizeof msg);
		fprintf(stderr, "sim800-sim: %s\n", msg);
		return EXIT_USAGE;
	}
	/* The profile's hosts: come after --host, so the command line wins for the same name. */
	char hwhy[256];
	if (!netmap_hosts(o.netmap, s.profile->hosts, s.profile->n_hosts, hwhy, sizeof hwhy)) {
		fprintf(stderr, "sim800-sim: %s: hosts: %s\n", s.profile->source_path, hwhy);
		profile_free(s.profile);
		return EXIT_USAGE;
	}
	/* The scenario: --scenario, else the profile's (relative to the profile's file). */
	char spath[PATH_MAX];
	const char *scen = o.scenario;
	if (!scen && s.profile->scenario) {
		const char *base = s.profile->source_path;
		const char *slash = strrchr(base, '/');
		if (s.profile->scenario[0] == '/' || !slash)
			snprintf(spath, sizeof spath, "%s", s.profile->scenario);
		else
			snprintf(spath, sizeof spath, "%.*s/%s", (int)(slash - base), base,
				 s.profile->scenario);
		scen = spath;
	}
	if (scen) {
		s.scenario = scenario_load(scen, &perr);
		if (!s.scenario) {
			char msg[1600];
			profile_error_format(&perr, msg, sizeof msg);
			fprintf(stderr, "sim800-sim: scenario: %s\n", msg);
			profile_free(s.profile);
			return EXIT_USAGE;
		}
	}
	if (o.replay) {
		char rwhy[512] = "";
		s.replay = replay_load(o.replay, 0, rwhy, sizeof rwhy);
		if (!s.replay) {
			fprintf(stderr, "sim800-sim: %s\n", rwhy);
			scenario_free(s.scenario);
			profile_free(s.profile);
			return EXIT_USAGE;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	s.loop = ev_loop_new(EVFLAG_AUTO);
	if (!s.loop) {
		fprintf(stderr, "sim800-sim: cannot create the event loop\n");
		profile_free(s.profile);
		return EXIT_RUNTIME;
	}
	ev_signal_init(&s.sigint, on_signal, SIGINT);
	ev_signal_init(&s.sigterm, on_signal, SIGTERM);
	ev_signal_init(&s.sighup, on_signal, SIGHUP);
	ev_signal_start(s.loop, &s.sigint);
	ev_signal_start(s.loop, &s.sigterm);
	ev_signal_start(s.loop, &s.sighup);

	char why[512];
	enum sim_err werr;
	if (o.transcript) {
		s.log = transcript_open(s.loop, o.transcript, why, sizeof why);
		if (!s.log) {
			fprintf(stderr, "sim800-sim: %s\n", why);
			sim_cleanup(&s);
			return EXIT_RUNTIME;
		}
	}
	s.http = http_multi_new(s.loop);
	if (!s.http) {
		fprintf(stderr, "sim800-sim: cannot start libcurl\n");
		sim_cleanup(&s);
		return EXIT_RUNTIME;
	}
	s.watch = pty_watch_new(s.loop, &werr, why, sizeof why);
	if (!s.watch) {
		fprintf(stderr, "sim800-sim: %s: %s\n", sim_strerror(werr), why);
		sim_cleanup(&s);
		return EXIT_RUNTIME;
	}
	s.modems = calloc((size_t)o.modems, sizeof *s.modems);
	if (!s.modems) {
		fprintf(stderr, "sim800-sim: out of memory\n");
		sim_cleanup(&s);
		return EXIT_RUNTIME;
	}
	for (long i = 0; i < o.modems; i++) {
		char link[PATH_MAX];
		if (o.link)
			link_for(o.link, (int)i, link, sizeof link);
		enum sim_err err;
		struct transport *tr =
			transport_pty_new_watched(s.loop, s.watch, o.link ? link : NULL, &err, why,
						  sizeof why);
		if (!tr) {
			fprintf(stderr, "sim800-sim: modem %ld: %s: %s\n", i, sim_strerror(err), why);
			sim_cleanup(&s);
			return EXIT_RUNTIME;
		}
		struct sim_modem *m = modem_new(s.loop, (int)i, s.profile, &o.sim, s.log, tr);
		if (!m) {
			transport_destroy(tr);
			fprintf(stderr, "sim800-sim: modem %ld: out of memory\n", i);
			sim_cleanup(&s);
			return EXIT_RUNTIME;
		}
		m->http_multi = s.http;
		s.modems[s.n++] = m;
		if ((s.scenario && !scenario_attach(m, s.scenario)) ||
		    (s.replay && !replay_attach(m, s.replay, o.strict))) {
			fprintf(stderr, "sim800-sim: modem %ld: out of memory\n", i);
			sim_cleanup(&s);
			return EXIT_RUNTIME;
		}
	}
	/* The control socket exists before any modem is announced: a client may connect as soon
	 * as it reads the first ready line. */
	if (o.control) {
		s.control = control_new(s.loop, o.control, s.modems, (size_t)s.n, why, sizeof why);
		if (!s.control) {
			fprintf(stderr, "sim800-sim: %s\n", why);
			sim_cleanup(&s);
			return EXIT_RUNTIME;
		}
	}
	for (long i = 0; i < s.n; i++) {
		struct sim_modem *m = s.modems[i];
		if (o.sim.power_on == SIM_POWER_ON_START)
			modem_power_on(m);
		transport_pty_bind(m->tr, &modem_transport_cb, m);
		printf("ready %ld %s %s\n", i, m->tr->path, s.profile->name);
		fflush(stdout);
	}
	ev_run(s.loop, 0);
	transcript_note(s.log, -1, "stopped by signal");
	sim_cleanup(&s);
	return EXIT_OK;
}
