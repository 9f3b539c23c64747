/* sim800_policy.c - which transport may carry a request: the user's policy x what the module answered. */
#include "sim800.h"

#include <stdio.h>
#include <string.h>

static const char *const policy_names[] = {"secure", "module-tls-ok", "plain-ok"};
static const char *const path_names[] = {
	/* SIM800_PATH_NONE */         "none",
	/* SIM800_PATH_MODULE_PLAIN */ "module-plain",
	/* SIM800_PATH_MODULE_TLS */   "module-tls",
	/* SIM800_PATH_PPP_HOST_TLS */ "ppp-host-tls",
	/* SIM800_PATH_PPP_PLAIN */    "ppp-plain",
};

bool sim800_policy_parse(const char *s, enum sim800_policy *out)
{
	for (size_t i = 0; s && i < sizeof policy_names / sizeof policy_names[0]; i++)
		if (strcmp(s, policy_names[i]) == 0) {
			*out = (enum sim800_policy)i;
			return true;
		}
	return false;
}

const char *sim800_policy_name(enum sim800_policy p)
{
	return (unsigned)p < 3 ? policy_names[p] : "?";
}

const char *sim800_path_name(enum sim800_path p)
{
	return (unsigned)p < 5 ? path_names[p] : "?";
}

static void add(struct sim800_plan *out, enum sim800_path p)
{
	if (out->n < SIM800_PLAN_MAX)
		out->path[out->n++] = p;
}

void sim800_policy_plan(enum sim800_policy pol, bool tls, enum sim800_cap module_tls, bool ppp,
			struct sim800_plan *out)
{
	memset(out, 0, sizeof(*out));
	if (!tls) {
		/* Plaintext is never chosen unless the user said so. */
		if (pol != SIM800_POLICY_PLAIN_OK) {
			out->refusal = SIM800_ERR_POLICY;
			snprintf(out->why, sizeof out->why,
				 "policy %s forbids plaintext; use https or --policy plain-ok",
				 sim800_policy_name(pol));
			return;
		}
		add(out, SIM800_PATH_MODULE_PLAIN);
		if (ppp)
			add(out, SIM800_PATH_PPP_PLAIN);
		snprintf(out->why, sizeof out->why, "plain-ok: module plaintext%s",
			 ppp ? ", then PPP" : "");
		return;
	}
	if (pol == SIM800_POLICY_SECURE) {
		/* Module SSL is TLS 1.0 without certificate checks (sim800-facts §6.3): not a TLS
		 * the host can trust, whatever the firmware answers. */
		if (ppp) {
			add(out, SIM800_PATH_PPP_HOST_TLS);
			snprintf(out->why, sizeof out->why, "secure: PPP with host TLS");
		} else {
			out->refusal = SIM800_ERR_POLICY;
			snprintf(out->why, sizeof out->why,
				 "secure: needs PPP with host TLS (unavailable); module TLS 1.0 "
				 "without certificate checks is not allowed");
		}
		return;
	}
	if (module_tls == SIM800_CAP_LISTED)
		add(out, SIM800_PATH_MODULE_TLS);
	if (ppp)
		add(out, SIM800_PATH_PPP_HOST_TLS);
	if (out->n == 0) {
		/* id-r1308-cipssl-test-error: fail fast, never plaintext to port 443. */
		out->refusal = SIM800_ERR_TLS_UNSUPPORTED;
		snprintf(out->why, sizeof out->why,
			 "%s: module has no TLS (probe: %s) and PPP is unavailable",
			 sim800_policy_name(pol), module_tls == SIM800_CAP_NO ? "ERROR" : "unknown");
		return;
	}
	snprintf(out->why, sizeof out->why, "%s: %s%s", sim800_policy_name(pol),
		 module_tls == SIM800_CAP_LISTED
			 ? "module TLS (WARNING: TLS 1.0, no certificate checks)"
			 : "module has no TLS",
		 ppp ? ", then PPP with host TLS" : "");
}
