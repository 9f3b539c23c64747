/* cf_case.c - conformance cases as data: the YAML files in conformance/cases -> struct cf_case. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cf.h"
#include "profile_tree.h"
#include "tree_json.h"

typedef struct profile_tree_node node_t;

static bool fail(char *why, size_t cap, const char *file, const node_t *n, const char *msg,
		 const char *arg)
{
	char m[256];
	snprintf(m, sizeof m, msg, arg);
	snprintf(why, cap, "%s:%u:%u: %s", file, n ? n->line : 0, n ? n->column : 0, m);
	return false;
}

static char *text_of(const node_t *map, const char *key)
{
	const node_t *v = profile_tree_get(map, key);
	return v && v->kind == PROFILE_TREE_SCALAR ? strdup(v->text) : NULL;
}

static const char *const case_keys[] = {"id", "title", "group", "facts", "time_limit_s", "needs",
					"setup", "during", "scenario", "request", "expect",
					"profile", "real_module", "expected_s", "baud", NULL};

/* Every check named must exist, also inside any_of's alternatives: a typo would otherwise
 * pass or fail for the wrong reason. */
static bool checks_valid(const char *file, const node_t *list, char *why, size_t cap)
{
	if (list->kind != PROFILE_TREE_SEQ)
		return fail(why, cap, file, list, "%s", "expect: each entry is a list of checks");
	for (size_t k = 0; k < list->n_kids; k++) {
		const node_t *chk = profile_tree_get(list->kids[k], "check");
		if (!chk)
			return fail(why, cap, file, list->kids[k], "%s", "a check needs \"check\"");
		bool known = false;
		for (size_t j = 0; cf_check_name(j) && !known; j++)
			known = strcmp(cf_check_name(j), chk->text) == 0;
		if (!known)
			return fail(why, cap, file, chk, "unknown check \"%s\"", chk->text);
		if (strcmp(chk->text, "any_of") != 0)
			continue;
		const node_t *of = profile_tree_get(list->kids[k], "of");
		if (!of || of->kind != PROFILE_TREE_SEQ || of->n_kids == 0)
			return fail(why, cap, file, of ? of : chk, "%s",
				    "any_of: \"of\" is a list of check lists");
		for (size_t a = 0; a < of->n_kids; a++)
			if (!checks_valid(file, of->kids[a], why, cap))
				return false;
	}
	return true;
}

static bool load_case(const char *file, const node_t *n, struct cf_case *c, char *why, size_t cap)
{
	if (n->kind != PROFILE_TREE_MAP)
		return fail(why, cap, file, n, "%s", "a case is a mapping");
	for (size_t i = 0; i + 1 < n->n_kids; i += 2) {
		bool known = false;
		for (size_t k = 0; case_keys[k] && !known; k++)
			known = strcmp(case_keys[k], n->kids[i]->text) == 0;
		if (!known)
			return fail(why, cap, file, n->kids[i], "unknown key \"%s\"", n->kids[i]->text);
	}
	c->file = strdup(file);
	c->line = n->line;
	c->id = text_of(n, "id");
	c->title = text_of(n, "title");
	c->group = text_of(n, "group");
	c->profile = text_of(n, "profile");
	c->real_module = text_of(n, "real_module");
	if (!c->id || !c->title || !c->group)
		return fail(why, cap, file, n, "%s", "id, title and group are required");
	const node_t *rm = profile_tree_get(n, "real_module");
	if (rm && (!c->profile || !c->real_module || !cf_module_property_known(c->real_module)))
		return fail(why, cap, file, rm, "%s", c->profile
			    ? "real_module: any, ssl, no_ssl, autobaud or roaming"
			    : "real_module goes with profile: it says when a pinned case runs on a real module");
	const node_t *req = profile_tree_get(n, "request");
	const node_t *exp = profile_tree_get(n, "expect");
	if (!req || req->kind != PROFILE_TREE_MAP || !profile_tree_get(req, "action"))
		return fail(why, cap, file, req ? req : n, "%s", "request: a mapping with an action");
	if (!exp || exp->kind != PROFILE_TREE_MAP || !profile_tree_get(exp, "default"))
		return fail(why, cap, file, exp ? exp : n, "%s", "expect: a mapping with a default list");
	c->request = tree_json(req);
	c->expect = tree_json(exp);
	for (size_t i = 0; i + 1 < exp->n_kids; i += 2)
		if (!checks_valid(file, exp->kids[i + 1], why, cap))
			return false;
	const node_t *v;
	c->facts = (v = profile_tree_get(n, "facts")) ? tree_json(v) : json_array();
	c->needs = (v = profile_tree_get(n, "needs")) ? tree_json(v) : json_array();
	c->setup = (v = profile_tree_get(n, "setup")) ? tree_json(v) : json_array();
	c->during = (v = profile_tree_get(n, "during")) ? tree_json(v) : json_array();
	c->scenario = (v = profile_tree_get(n, "scenario")) ? tree_json(v) : json_array();
	c->time_limit = 60;
	if ((v = profile_tree_get(n, "time_limit_s"))) {
		char *end;
		c->time_limit = strtod(v->text, &end);
		if (*end || c->time_limit <= 0 || c->time_limit > 3600)
			return fail(why, cap, file, v, "%s", "time_limit_s: seconds from 0 to 3600");
	}
	c->expected = 1;
	if ((v = profile_tree_get(n, "expected_s"))) {
		char *end;
		c->expected = strtod(v->text, &end);
		if (*end || c->expected <= 0 || c->expected > c->time_limit)
			return fail(why, cap, file, v, "%s", "expected_s: seconds, above 0 and within the limit");
	}
	if ((v = profile_tree_get(n, "baud"))) {
		char *end;
		c->baud = strtol(v->text, &end, 10);
		if (*end || c->baud < 300 || c->baud > 4000000)
			return fail(why, cap, file, v, "%s", "baud: a line rate from 300 to 4000000");
	}
	if (!json_is_array(c->needs) || !json_is_array(c->setup) || !json_is_array(c->during) ||
	    !json_is_array(c->scenario))
		return fail(why, cap, file, n, "%s", "needs, setup, during and scenario are lists");
	return true;
}

static void free_case(struct cf_case *c)
{
	free(c->id);
	free(c->title);
	free(c->group);
	free(c->file);
	free(c->profile);
	free(c->real_module);
	json_decref(c->facts);
	json_decref(c->needs);
	json_decref(c->setup);
	json_decref(c->during);
	json_decref(c->scenario);
	json_decref(c->request);
	json_decref(c->expect);
}

void cf_cases_free(struct cf_cases *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free_case(&cs->c[i]);
	free(cs->c);
	cs->c = NULL;
	cs->n = 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool load_file(const char *path, struct cf_cases *cs, char *why, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(why, cap, path, NULL, "%s", "cannot open");
	char *buf = malloc(1 << 20);
	size_t len = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	struct profile_error err;
	node_t *root = buf ? profile_tree_parse(buf, len, path, &err) : NULL;
	free(buf);
	if (!root) {
		snprintf(why, cap, "%s:%u:%u: %s", path, err.line, err.column, err.message);
		return false;
	}
	const node_t *list = profile_tree_get(root, "cases");
	bool ok = list && list->kind == PROFILE_TREE_SEQ;
	if (!ok)
		fail(why, cap, path, root, "%s", "expected a top-level \"cases:\" list");
	for (size_t i = 0; ok && i < list->n_kids; i++) {
		struct cf_case *c = realloc(cs->c, (cs->n + 1) * sizeof *c);
		if (!c) {
			ok = false;
			break;
		}
		cs->c = c;
		memset(&cs->c[cs->n], 0, sizeof *c);
		cs->n++;
		ok = load_case(path, list->kids[i], &cs->c[cs->n - 1], why, cap);
		for (size_t k = 0; ok && k + 1 < cs->n; k++)
			if (strcmp(cs->c[k].id, cs->c[cs->n - 1].id) == 0)
				ok = fail(why, cap, path, list->kids[i], "duplicate case id \"%s\"",
					  cs->c[k].id);
	}
	profile_tree_free(root);
	return ok;
}

bool cf_cases_load(const char *dir, struct cf_cases *out, char *why, size_t cap)
{
	memset(out, 0, sizeof *out);
	DIR *d = opendir(dir);
	if (!d)
		return fail(why, cap, dir, NULL, "%s", "cannot read the case directory");
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (ok)
			ok = load_file(path, out, why, cap);
		free(names[i]);
	}
	if (!ok)
		cf_cases_free(out);
	return ok;
}

bool cf_case_needs(const struct cf_case *c, const char *what)
{
	size_t i;
	json_t *v;
	json_array_foreach(c->needs, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), what))
			return true;
	return false;
}

/* A firmware profile whose module never gets a network: no SIM, or a timeline that ends
 * unregistered (searching, denied). */
bool cf_profile_no_network(const struct profile *p)
{
	if (p->sim != PROFILE_SIM_READY || p->n_net == 0)
		return p->sim != PROFILE_SIM_READY;
	enum profile_reg last = p->net[p->n_net - 1].reg;
	return last != PROFILE_REG_HOME && last != PROFILE_REG_ROAMING;
}

/* The module's network state as an expectation key: what a real module's probe also gives. */
static const char *state_key(const struct profile *p)
{
	if (p->sim == PROFILE_SIM_NOT_INSERTED)
		return "no_sim";
	if (p->sim != PROFILE_SIM_READY || p->n_net == 0)
		return NULL;
	switch (p->net[p->n_net - 1].reg) {
	case PROFILE_REG_DENIED: return "denied";
	case PROFILE_REG_SEARCHING: return "searching";
	case PROFILE_REG_ROAMING: return "roaming";
	default: return NULL;
	}
}

const json_t *cf_case_expect(const struct cf_case *c, const struct profile *p)
{
	const json_t *e;
	const char *state = p ? state_key(p) : NULL;
	if (p && (e = json_object_get(c->expect, p->name)))
		return e;
	if (state && (e = json_object_get(c->expect, state)))
		return e;
	if (p && cf_profile_no_network(p) && (e = json_object_get(c->expect, "no_network")))
		return e;
	if (p && (e = json_object_get(c->expect, p->cap_ssl ? "ssl" : "no_ssl")))
		return e;
	return json_object_get(c->expect, "default");
}
