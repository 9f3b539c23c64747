/* cf_report.c - the run as JSON (jansson), JUnit XML for CI systems, and a self-contained HTML page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"

static const char *const verdict_name[] = {"pass", "fail", "skip"};

static void counts(const struct cf_run *r, size_t t, size_t n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (size_t i = 0; i < r->n_cases; i++)
		n[r->results[t][i].v]++;
}

bool cf_report_json(const struct cf_run *r, const char *path, char *why, size_t cap)
{
	json_t *root = json_pack("{s:s,s:[]}", "driver", r->driver, "targets");
	json_t *targets = json_object_get(root, "targets");
	for (size_t t = 0; t < r->n_targets; t++) {
		size_t n[3];
		counts(r, t, n);
		json_t *cases = json_array();
		for (size_t i = 0; i < r->n_cases; i++) {
			const struct cf_result *x = &r->results[t][i];
			json_array_append_new(cases, json_pack("{s:s,s:s,s:s,s:s,s:s?,s:f,s:O?,s:O}",
				"id", x->c->id, "title", x->c->title, "group", x->c->group,
				"verdict", verdict_name[x->v], "message", x->message, "seconds", x->seconds,
				"outcome", x->outcome, "facts", x->c->facts));
		}
		json_t *tj = json_pack("{s:s,s:b,s:i,s:i,s:i,s:o}", "target", r->targets[t].name,
			"real", r->targets[t].real, "pass", (int)n[0], "fail", (int)n[1], "skip",
			(int)n[2], "cases", cases);
		/* What the module says it is: the profile's, or a real module's probed answers. */
		const struct profile *p = r->targets[t].profile;
		if (p)
			json_object_set_new(tj, "firmware", json_pack("{s:s,s:s,s:b}", "ati", p->ati,
				"revision", p->revision, "ssl", p->cap_ssl));
		json_array_append_new(targets, tj);
	}
	int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc != 0)
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
	return rc == 0;
}

static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* XML 1.0 allows no control characters but tab, CR and LF. */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

bool cf_report_junit(const struct cf_run *r, const char *path, char *why, size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sim800-conformance\">\n", f);
	for (size_t t = 0; t < r->n_targets; t++) {
		size_t n[3];
		double total = 0;
		counts(r, t, n);
		for (size_t i = 0; i < r->n_cases; i++)
			total += r->results[t][i].seconds;
		/* One testsuite per driver x profile (issue 6). */
		fputs("  <testsuite name=\"", f);
		xml(f, r->driver);
		fputs(" x ", f);
		xml(f, r->targets[t].name);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
			r->n_cases, n[1], n[2], total);
		for (size_t i = 0; i < r->n_cases; i++) {
			const struct cf_result *x = &r->results[t][i];
			fputs("    <testcase classname=\"", f);
			xml(f, x->c->group);
			fputs("\" name=\"", f);
			xml(f, x->c->id);
			fprintf(f, "\" time=\"%.3f\">", x->seconds);
			if (x->v == CF_FAIL) {
				fputs("\n      <failure message=\"", f);
				xml(f, x->message);
				fputs("\">", f);
				xml(f, x->c->title);
				fputs("</failure>\n      <system-out>", f);
				xml(f, x->wire);
				fputs("</system-out>\n      <system-err>", f);
				xml(f, x->stderr_text);
				fputs("</system-err>\n    ", f);
			} else if (x->v == CF_SKIP) {
				fputs("\n      <skipped message=\"", f);
				xml(f, x->message);
				fputs("\"/>\n    ", f);
			}
			fputs("</testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	if (fclose(f) != 0) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
	"h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}"
	"td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;font-size:.9em}"
	"th{background:#f4f4f4}.pass{background:#c8efc8}.fail{background:#f7c1c1}"
	".skip{background:#eee;color:#666}td.pass,td.fail,td.skip{text-align:center}"
	"details{margin:.6em 0;border:1px solid #ddd;padding:.4em .8em;border-radius:4px}"
	"summary{cursor:pointer;font-weight:600}pre{background:#f8f8f8;padding:.6em;"
	"overflow:auto;max-height:24em;font-size:.8em}.msg{color:#a00}";

bool cf_report_html(const struct cf_run *r, const char *path, char *why, size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>sim800 conformance</title><style>%s</style></head><body>\n", css);
	fputs("<h1>sim800 conformance: ", f);
	xml(f, r->driver);
	fputs("</h1>\n<table id=\"summary\"><tr><th>target</th><th>firmware</th><th>pass</th>"
	      "<th>fail</th><th>skip</th></tr>\n", f);
	for (size_t t = 0; t < r->n_targets; t++) {
		size_t n[3];
		counts(r, t, n);
		fputs("<tr><td>", f);
		xml(f, r->targets[t].name);
		/* The profile's identity, or what a real module told the probe. */
		const struct profile *p = r->targets[t].profile;
		char fw[512] = "";
		if (p)
			snprintf(fw, sizeof fw, "%s, %s, %s", p->ati, p->revision,
				 p->cap_ssl ? "TLS in the module" : "no TLS in the module");
		fputs("</td><td>", f);
		xml(f, fw);
		fprintf(f, "</td><td class=\"pass\">%zu</td><td class=\"%s\">%zu</td><td class=\"skip\">%zu</td></tr>\n",
			n[0], n[1] ? "fail" : "pass", n[1], n[2]);
	}
	fputs("</table>\n<h2>Matrix</h2>\n<table id=\"matrix\"><tr><th>case</th>", f);
	for (size_t t = 0; t < r->n_targets; t++) {
		fputs("<th>", f);
		xml(f, r->targets[t].name);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < r->n_cases; i++) {
		fputs("<tr><td title=\"", f);
		xml(f, r->results[0][i].c->title);
		fputs("\">", f);
		xml(f, r->results[0][i].c->id);
		fputs("</td>", f);
		for (size_t t = 0; t < r->n_targets; t++) {
			const struct cf_result *x = &r->results[t][i];
			fprintf(f, "<td class=\"%s\" title=\"", verdict_name[x->v]);
			xml(f, x->message);
			fprintf(f, "\">%s</td>", verdict_name[x->v]);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2>Failures</h2>\n", f);
	bool any = false;
	for (size_t t = 0; t < r->n_targets; t++)
		for (size_t i = 0; i < r->n_cases; i++) {
			const struct cf_result *x = &r->results[t][i];
			if (x->v != CF_FAIL)
				continue;
			any = true;
			fputs("<details><summary>", f);
			xml(f, x->c->id);
			fputs(" on ", f);
			xml(f, r->targets[t].name);
			fputs("</summary><p>", f);
			xml(f, x->c->title);
			fputs("</p><p class=\"msg\">", f);
			xml(f, x->message);
			fputs("</p><p>Facts: ", f);
			char *facts = json_dumps(x->c->facts, JSON_ENCODE_ANY);
			xml(f, facts);
			free(facts);
			fputs("</p><p>Driver outcome (actual):</p><pre>", f);
			char *o = x->outcome ? json_dumps(x->outcome, JSON_INDENT(2)) : NULL;
			xml(f, o ? o : "(none)");
			free(o);
			fputs("</pre><p>Adapter stderr:</p><pre>", f);
			xml(f, x->stderr_text);
			fputs("</pre><p>Wire transcript:</p><pre>", f);
			xml(f, x->wire);
			fputs("</pre></details>\n", f);
		}
	if (!any)
		fputs("<p>None.</p>\n", f);
	fputs("</body></html>\n", f);
	if (fclose(f) != 0) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}
