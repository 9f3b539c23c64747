/* cf_module.c - a real module under test: identified read-only by sim800-probe; which pinned cases apply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cf.h"
#include "profile_yaml.h"

/*
 * A case pinned to one simulated profile (key profile) is there either because one profile is
 * enough (the firmware does not matter, and every profile would only repeat it) or because it
 * needs that firmware or module state. On a real module the case says which (key real_module):
 * it runs when the identified module has the property. Without the key it never runs there.
 */

static bool any(const struct profile *p)
{
	(void)p;
	return true;
}

static bool ssl(const struct profile *p)
{
	return p->cap_ssl;
}

static bool no_ssl(const struct profile *p)
{
	return !p->cap_ssl;
}

static bool autobaud(const struct profile *p)
{
	return p->ipr == 0;
}

/* The network the module was on when probed (a probed profile's timeline has one step). */
static bool roaming(const struct profile *p)
{
	return p->n_net > 0 && p->net[p->n_net - 1].reg == PROFILE_REG_ROAMING;
}

static const struct {
	const char *name;
	const char *says; /* "a real module that <says>" */
	bool (*has)(const struct profile *p);
	bool needs_probe;
} properties[] = {
	{"any", "has any firmware", any, false},
	{"ssl", "answers AT+CIPSSL=? (TLS in the module)", ssl, true},
	{"no_ssl", "has no AT+CIPSSL (no TLS in the module, as R13.08)", no_ssl, true},
	{"autobaud", "autobauds (AT+IPR? answers 0)", autobaud, true},
	{"roaming", "is registered roaming (+CREG: 0,5)", roaming, true},
};

#define N_PROPERTIES (sizeof properties / sizeof properties[0])

bool cf_module_property_known(const char *name)
{
	for (size_t i = 0; i < N_PROPERTIES; i++)
		if (!strcmp(properties[i].name, name))
			return true;
	return false;
}

const char *cf_module_skip(const struct cf_case *c, const struct profile *p, char *buf, size_t cap)
{
	if (!c->real_module) {
		snprintf(buf, cap, "only on %s: it needs that simulated firmware or module state",
			 c->profile);
		return buf;
	}
	for (size_t i = 0; i < N_PROPERTIES; i++) {
		if (strcmp(properties[i].name, c->real_module))
			continue;
		if (!p && !properties[i].needs_probe)
			return NULL;
		if (!p) {
			snprintf(buf, cap, "only on %s, or on a real module that %s: this one was not "
				 "identified (--no-probe)", c->profile, properties[i].says);
			return buf;
		}
		/* The pinned profile has a network: the case's expectation assumes one. */
		if (cf_profile_no_network(p)) {
			snprintf(buf, cap, "only on %s, or on a real module with a network: this one has "
				 "none (%s)", c->profile, p->sim != PROFILE_SIM_READY ? "no SIM ready"
				 : "not registered");
			return buf;
		}
		if (properties[i].has(p))
			return NULL;
		snprintf(buf, cap, "only on %s, or on a real module that %s: this one does not",
			 c->profile, properties[i].says);
		return buf;
	}
	snprintf(buf, cap, "unknown real_module %s", c->real_module); /* refused at load */
	return buf;
}

/* The last non-empty line of a tool's standard error: its own message, after any progress. */
static void last_line(const char *text, char *buf, size_t cap)
{
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(buf, cap, "%.*s", (int)(end - start), start);
}

struct profile *cf_module_identify(const char *bin_dir, const char *device, long baud,
				   char *why, size_t cap)
{
	char dir[] = "/tmp/sim800-cf-probe-XXXXXX";
	if (!mkdtemp(dir)) {
		snprintf(why, cap, "mkdtemp: %s", strerror(errno));
		return NULL;
	}
	char probe[4096], out[64], rate[24];
	snprintf(probe, sizeof probe, "%s/sim800-probe", bin_dir);
	snprintf(out, sizeof out, "%s/module.yaml", dir);
	snprintf(rate, sizeof rate, "%ld", baud);
	const char *const argv[] = {probe, "--device", device, "--baud", rate, "--out", out,
				    "--name", "real-module", NULL};
	/* A module that answers takes a few seconds; the probe bounds every command (10 s) and
	 * its first sync (15 s), this bounds a module that keeps answering slowly. */
	char *err = NULL;
	int rc = cf_tool_run(argv, 180, &err);
	struct profile *p = NULL;
	if (rc != 0) {
		char said[512];
		last_line(err ? err : "", said, sizeof said);
		if (rc == -2)
			snprintf(why, cap, "cannot identify the module on %s: sim800-probe took over "
				 "180 s", device);
		else
			snprintf(why, cap, "cannot identify the module on %s: %s", device,
				 said[0] ? said : "sim800-probe did not run");
	} else {
		struct profile_error perr;
		p = profile_yaml_load(out, profile_yaml_bundled_dir(), &perr);
		if (!p) {
			char msg[768];
			profile_error_format(&perr, msg, sizeof msg);
			snprintf(why, cap, "the module's probed profile does not load: %s", msg);
		}
	}
	free(err);
	unlink(out);
	rmdir(dir);
	return p;
}

void cf_module_describe(const struct profile *p, char *buf, size_t cap)
{
	static const char *const reg[] = {"not registered", "registered", "searching",
					  "registration denied", "registration unknown",
					  "registered roaming"};
	const char *net = "no network";
	if (p->sim != PROFILE_SIM_READY)
		net = "no SIM";
	else if (p->n_net > 0 && (unsigned)p->net[p->n_net - 1].reg < sizeof reg / sizeof reg[0])
		net = reg[p->net[p->n_net - 1].reg];
	snprintf(buf, cap, "%s (%s), %s, %s", p->ati, p->revision,
		 p->cap_ssl ? "TLS in the module" : "no TLS in the module", net);
}
