/* runner.c - sim800-conformance: run the case suite through a driver adapter on every target. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cf.h"
#include "profile_yaml.h"

enum { EXIT_PASS = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

static const char usage[] =
	"Usage: sim800-conformance [--driver NAME | --adapter CMD] [--profile NAME|FILE]...\n"
	"                          [--device PATH [--baud N] [--no-probe] [--no-proxy]]\n"
	"                          [--fixtures URL] [--case GLOB]... [--jobs N] [--time-scale F]\n"
	"                          [--junit FILE] [--json FILE] [--html FILE] [--transcripts DIR]\n"
	"                          [--cases DIR] [--list] [--fragment MAX[:GAP_MS]]\n"
	"Check a SIM800 driver against simulated firmware profiles and real modules.\n"
	"\n"
	"  --driver NAME      a bundled adapter: sim800 (the bundled C driver; default)\n"
	"  --adapter CMD      your driver's adapter (conformance/ADAPTERS.md): run per case with\n"
	"                     --device PATH --baud N, the case's request as JSON on stdin, the\n"
	"                     outcome as one JSON object on stdout, within the case's time limit\n"
	"  --profile P        a simulated target per profile (repeatable; default: every bundled)\n"
	"  --device PATH      a real module instead (e.g. /dev/ttyUSB0); --baud N (default 115200).\n"
	"                     It is first identified with sim800-probe (read-only commands): its\n"
	"                     answers choose the expectations and which firmware-specific cases run\n"
	"  --no-probe         do not identify it: default expectations, no identity checks, and\n"
	"                     cases for a firmware or module state are skipped\n"
	"  --no-proxy         give the adapter the device itself, not a sim800-proxy pty in front\n"
	"                     of it: the runner then sees no wire, and the wire checks hold\n"
	"  --fixtures URL     for a real module: a sim800-fixtures started with --port-base on a\n"
	"                     host the module can reach, as http://HOST:PORTBASE\n"
	"  --case GLOB        only cases whose id matches (repeatable)\n"
	"  --jobs N           cases run at once, each on its own simulator and fixture\n"
	"                     servers (default 24; a --device runs one case at a time)\n"
	"  --time-scale F     the simulators' delays (default 0: instant)\n"
	"  --fragment MAX[:GAP_MS]  simulated modules send in seeded random fragments of 1..MAX\n"
	"                     bytes with 0..GAP_MS ms between them (default 8:2; 0 = off)\n"
	"  --junit/--json/--html FILE   reports; --transcripts DIR keeps every case's wire\n"
	"  --list             list the cases and exit\n"
	"Exit status: 0 nothing failed, 1 a case failed, 2 usage error, 3 runtime error.\n";

struct opts {
	const char *adapter;
	const char *driver;
	const char *profiles[64];
	size_t n_profiles;
	const char *device;
	long baud;
	const char *fixtures;
	const char *globs[64];
	size_t n_globs;
	long jobs;
	double scale;
	unsigned frag_max, frag_gap_ms;
	const char *junit, *json, *html, *transcripts, *cases_dir;
	bool list;
	bool no_probe, no_proxy;
	char bin_dir[PATH_MAX];
};

static bool selected(const struct opts *o, const struct cf_case *c)
{
	if (!o->n_globs)
		return true;
	for (size_t i = 0; i < o->n_globs; i++)
		if (fnmatch(o->globs[i], c->id, 0) == 0)
			return true;
	return false;
}


static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "sim800-conformance: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'sim800-conformance --help'.\n");
	return EXIT_USAGE;
}

/* A real module is asked who it is before any case (read-only): its answers stand for a
 * profile, and the reports name it. */
static bool identify(const struct opts *o, struct cf_target *t, struct profile **p)
{
	char why[1024], what[512];
	printf("sim800-conformance: identifying the module on %s (sim800-probe)\n", o->device);
	fflush(stdout);
	*p = cf_module_identify(o->bin_dir, o->device, o->baud, why, sizeof why);
	if (!*p) {
		fprintf(stderr, "sim800-conformance: %s\n(--no-probe runs the cases without it)\n", why);
		return false;
	}
	t->profile = *p;
	cf_module_describe(*p, what, sizeof what);
	printf("sim800-conformance: %s: %s\n", o->device, what);
	char name[1024];
	snprintf(name, sizeof name, "%s (%s)", o->device, (*p)->ati);
	t->name = strdup(name);
	return true;
}

static void bundled_profile(const char *name, const char *path, void *ctx)
{
	(void)path;
	struct opts *o = ctx;
	if (o->n_profiles < 64)
		o->profiles[o->n_profiles++] = strdup(name);
}

int main(int argc, char **argv)
{
	/* Fragmented output by default, like Zephyr's mock pipe limit of 8 (field-bugs.md
	 * urc-fragmented-delivery-byte-loss): every case also checks fragmented reads. */
	struct opts o = {.driver = "sim800", .baud = 115200, .jobs = 24, .scale = 0,
			 .frag_max = 8, .frag_gap_ms = 2,
			 .cases_dir = SIM800_SOURCE_DIR "/conformance/cases"};
	/* The binaries this runner starts sit next to it (build/bin). */
	ssize_t n = readlink("/proc/self/exe", o.bin_dir, sizeof o.bin_dir - 1);
	if (n > 0) {
		o.bin_dir[n] = '\0';
		*strrchr(o.bin_dir, '/') = '\0';
	}
	static const struct option lo[] = {
		{"driver", 1, NULL, 'D'}, {"adapter", 1, NULL, 'A'}, {"profile", 1, NULL, 'p'},
		{"device", 1, NULL, 'd'}, {"baud", 1, NULL, 'b'},    {"fixtures", 1, NULL, 'f'},
		{"case", 1, NULL, 'c'},   {"jobs", 1, NULL, 'j'},    {"time-scale", 1, NULL, 's'},
		{"junit", 1, NULL, 'J'},  {"json", 1, NULL, 'O'},    {"html", 1, NULL, 'H'},
		{"transcripts", 1, NULL, 'T'}, {"cases", 1, NULL, 'C'}, {"list", 0, NULL, 'l'},
		{"fragment", 1, NULL, 'F'}, {"no-probe", 0, NULL, 'N'}, {"no-proxy", 0, NULL, 'X'},
		{"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, "", lo, NULL)) != -1;) {
		char *end;
		switch (c) {
		case 'D': o.driver = optarg; break;
		case 'A': o.adapter = optarg; o.driver = optarg; break;
		case 'p':
			if (o.n_profiles == 64)
				return usage_error("%s", "at most 64 --profile");
			o.profiles[o.n_profiles++] = optarg;
			break;
		case 'd': o.device = optarg; break;
		case 'b': o.baud = strtol(optarg, &end, 10); if (*end || o.baud < 0) return usage_error("--baud %s", optarg); break;
		case 'f': o.fixtures = optarg; break;
		case 'c': if (o.n_globs < 64) o.globs[o.n_globs++] = optarg; break;
		case 'j': o.jobs = strtol(optarg, &end, 10); if (*end || o.jobs < 1 || o.jobs > 64) return usage_error("--jobs %s: 1 to 64", optarg); break;
		case 's': o.scale = strtod(optarg, &end); if (*end || o.scale < 0) return usage_error("--time-scale %s", optarg); break;
		case 'J': o.junit = optarg; break;
		case 'O': o.json = optarg; break;
		case 'H': o.html = optarg; break;
		case 'T': o.transcripts = optarg; break;
		case 'C': o.cases_dir = optarg; break;
		case 'l': o.list = true; break;
		case 'N': o.no_probe = true; break;
		case 'X': o.no_proxy = true; break;
		case 'F': {
			unsigned long mx = strtoul(optarg, &end, 10), gap = 0;
			if (*end == ':')
				gap = strtoul(end + 1, &end, 10);
			if (*end || mx > 4096 || gap > 1000)
				return usage_error("--fragment %s: MAX (0-4096) and optional :GAP_MS (0-1000)", optarg);
			o.frag_max = (unsigned)mx;
			o.frag_gap_ms = (unsigned)gap;
			break;
		}
		case 'h': fputs(usage, stdout); return EXIT_PASS;
		default: return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument %s", argv[optind]);
	if (o.device && o.n_profiles)
		return usage_error("%s", "--device and --profile exclude each other");
	if ((o.no_probe || o.no_proxy) && !o.device)
		return usage_error("%s", "--no-probe and --no-proxy go with --device");
	if (o.fixtures && strncmp(o.fixtures, "http://", 7))
		return usage_error("--fixtures %s: expected http://HOST:PORTBASE", o.fixtures);
	char why[1024];
	struct cf_cases cs;
	if (!cf_cases_load(o.cases_dir, &cs, why, sizeof why)) {
		fprintf(stderr, "sim800-conformance: %s\n", why);
		return EXIT_USAGE;
	}
	size_t n_sel = 0;
	for (size_t i = 0; i < cs.n; i++)
		n_sel += selected(&o, &cs.c[i]);
	if (o.list) {
		for (size_t i = 0; i < cs.n; i++)
			if (selected(&o, &cs.c[i]))
				printf("%-44s %-6s %s\n", cs.c[i].id, cs.c[i].group, cs.c[i].title);
		cf_cases_free(&cs);
		return EXIT_PASS;
	}
	if (!n_sel) {
		cf_cases_free(&cs);
		return usage_error("%s", "no case matches --case");
	}
	char adapter_path[PATH_MAX];
	if (!o.adapter) {
		if (strcmp(o.driver, "sim800")) {
			cf_cases_free(&cs);
			return usage_error("--driver %s: the bundled driver is sim800; use --adapter CMD", o.driver);
		}
		snprintf(adapter_path, sizeof adapter_path, "%s/conformance/adapters/sim800", SIM800_SOURCE_DIR);
		o.adapter = adapter_path;
	}
	/* Adapters may use the tools built next to this runner (the bundled one drives the CLI). */
	char cli[PATH_MAX + 16];
	snprintf(cli, sizeof cli, "%s/sim800", o.bin_dir);
	setenv("SIM800_CLI", cli, 0);
	setenv("SIM800_BIN_DIR", o.bin_dir, 0);
	bool owned_profiles = false;
	if (!o.device && !o.n_profiles) {
		profile_yaml_list(profile_yaml_bundled_dir(), bundled_profile, &o);
		owned_profiles = true;
	}
	size_t n_t = o.device ? 1 : o.n_profiles;
	struct cf_target *targets = calloc(n_t, sizeof *targets);
	struct profile **profiles = calloc(n_t, sizeof *profiles);
	int rc = EXIT_RUNTIME;
	for (size_t t = 0; t < n_t; t++) {
		targets[t].baud = o.baud;
		if (o.device) {
			targets[t].real = true;
			targets[t].device = strdup(o.device);
			targets[t].module = strdup(o.device);
			if (!o.no_probe && !identify(&o, &targets[t], &profiles[t]))
				goto out;
			if (!targets[t].name)
				targets[t].name = strdup(o.device);
			continue;
		}
		struct profile_error perr;
		profiles[t] = profile_yaml_load(o.profiles[t], profile_yaml_bundled_dir(), &perr);
		if (!profiles[t]) {
			profile_error_format(&perr, why, sizeof why);
			fprintf(stderr, "sim800-conformance: %s\n", why);
			rc = EXIT_USAGE;
			goto out;
		}
		targets[t].profile = profiles[t];
		targets[t].name = strdup(profiles[t]->name);
	}
	/* Which cases, in which order; how many at once (one real module: one at a time). */
	const struct cf_case **sel = calloc(n_sel, sizeof *sel);
	for (size_t i = 0, k = 0; i < cs.n; i++)
		if (selected(&o, &cs.c[i]))
			sel[k++] = &cs.c[i];
	size_t n_units = n_t * n_sel;
	struct cf_unit *units = calloc(n_units, sizeof *units);
	for (size_t t = 0; t < n_t; t++)
		for (size_t k = 0; k < n_sel; k++)
			units[t * n_sel + k] = (struct cf_unit){t, k, sel[k]};
	cf_units_sort(units, n_units);
	size_t jobs = o.device ? 1 : (size_t)o.jobs < n_units ? (size_t)o.jobs : n_units;
	struct cf_fixtures device_fx = {0};
	if (o.device && o.fixtures) {
		device_fx.remote = true;
		snprintf(device_fx.url, sizeof device_fx.url, "%s", o.fixtures);
	}
	char tmpdir[] = "/tmp/sim800-cf-run-XXXXXX";
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "sim800-conformance: mkdtemp: %s\n", strerror(errno));
		free(units);
		free(sel);
		goto out;
	}
	printf("sim800-conformance: %s on %zu target%s, %zu case%s, %zu at a time\n", o.driver, n_t,
	       n_t == 1 ? "" : "s", n_sel, n_sel == 1 ? "" : "s", jobs);
	fflush(stdout);
	if (o.transcripts)
		mkdir(o.transcripts, 0755);
	const struct cf_run_opts ro = {.adapter = o.adapter, .bin_dir = o.bin_dir, .scale = o.scale,
				       .transcripts = o.transcripts, .frag_max = o.frag_max,
				       .frag_gap_ms = o.frag_gap_ms, .no_proxy = o.no_proxy};
	/* Servers for half the slots: the cases that need them are about half the work. */
	cf_run_units(&ro, targets, units, n_units, jobs, (jobs + 1) / 2,
		     o.device ? &device_fx : NULL, tmpdir);
	free(units);
	struct cf_run run = {.targets = targets, .n_targets = n_t, .n_cases = n_sel,
			     .driver = o.driver};
	run.results = calloc(n_t, sizeof *run.results);
	size_t fails = 0, passes = 0, skips = 0;
	printf("\n%-28s %6s %6s %6s\n", "target", "pass", "fail", "skip");
	for (size_t t = 0; t < n_t; t++) {
		run.results[t] = calloc(n_sel, sizeof **run.results);
		for (size_t k = 0; k < n_sel; k++)
			cf_result_take(tmpdir, t, k, sel[k], &run.results[t][k]);
		size_t c[3] = {0};
		for (size_t i = 0; i < n_sel; i++)
			c[run.results[t][i].v]++;
		printf("%-28s %6zu %6zu %6zu\n", targets[t].name, c[0], c[1], c[2]);
		passes += c[0];
		fails += c[1];
		skips += c[2];
	}
	rmdir(tmpdir);
	free(sel);
	printf("%zu passed, %zu failed, %zu skipped\n", passes, fails, skips);
	bool ok = (!o.json || cf_report_json(&run, o.json, why, sizeof why)) &&
		  (!o.junit || cf_report_junit(&run, o.junit, why, sizeof why)) &&
		  (!o.html || cf_report_html(&run, o.html, why, sizeof why));
	if (!ok)
		fprintf(stderr, "sim800-conformance: %s\n", why);
	for (size_t t = 0; t < n_t; t++) {
		for (size_t i = 0; i < n_sel; i++) {
			json_decref(run.results[t][i].outcome);
			free(run.results[t][i].message);
			free(run.results[t][i].stderr_text);
			free(run.results[t][i].wire);
		}
		free(run.results[t]);
	}
	free(run.results);
	rc = !ok ? EXIT_RUNTIME : fails ? EXIT_FAILED : EXIT_PASS;
out:
	for (size_t t = 0; t < n_t; t++) {
		free(targets[t].name);
		free(targets[t].device);
		free(targets[t].module);
		profile_free(profiles[t]);
	}
	free(targets);
	free(profiles);
	if (owned_profiles)
		for (size_t i = 0; i < o.n_profiles; i++)
			free((char *)o.profiles[i]);
	cf_cases_free(&cs);
	return rc;
}
