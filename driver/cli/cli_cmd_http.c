/* cli_cmd_http.c - CLI commands http and ppp: the transport plan, fallbacks, the body. */
#include "cli_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Read "@FILE" or a literal string into a heap buffer (the CLI may allocate; the library
 * does not). */
bool cli_load_arg(const char *arg, uint8_t **buf, size_t *len)
{
	if (arg[0] != '@') {
		*len = strlen(arg);
		*buf = malloc(*len + 1);
		if (!*buf)
			return false;
		memcpy(*buf, arg, *len + 1);
		return true;
	}
	FILE *f = fopen(arg + 1, "rb");
	if (!f)
		return false;
	size_t cap = 4096, n = 0;
	uint8_t *p = malloc(cap);
	while (p) {
		if (n == cap) {
			uint8_t *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
		}
		size_t r = fread(p + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*buf = p;
	*len = n;
	return p != NULL;
}

static void on_body(void *user, const uint8_t *buf, size_t n)
{
	cli_body_feed(user, buf, n);
}

void cli_put_transport(struct cli *c, const struct sim800_plan *plan, json_t *tried,
		       enum sim800_path chosen)
{
	if (!c->json) {
		json_decref(tried);
		return;
	}
	json_object_set_new(c->out, "transport",
			    json_pack("{s:s,s:o,s:s,s:s}", "chosen", sim800_path_name(chosen),
				      "tried", tried, "plan", plan->why, "policy",
				      sim800_policy_name(c->policy)));
}

struct http_opts {
	const char *method; /* "GET" / "POST" */
	const char *url;
	uint8_t *data;
	size_t data_len;
	const char *ctype;
	const char *out;
	const char *cafile;
	bool insecure;
	bool force_ppp;     /* the ppp command: PPP paths only */
};

static int run_http(struct cli *c, struct http_opts *o)
{
	struct cli_url u;
	if (!cli_url_parse(o->url, &u)) {
		snprintf(c->detail, sizeof c->detail, "bad URL: %s", o->url);
		return cli_fail(c, SIM800_ERR_INVAL);
	}
	struct sim800_caps caps;
	bool ppp;
	enum sim800_err e = cli_data_up(c, &caps, &ppp);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	struct sim800_plan plan;
	sim800_policy_plan(c->policy, u.tls, o->force_ppp ? SIM800_CAP_NO : caps.httpssl, ppp,
			   &plan);
	if (o->force_ppp) {
		/* `ppp URL`: only the PPP paths are wanted. */
		int k = 0;
		for (int i = 0; i < plan.n; i++)
			if (plan.path[i] == SIM800_PATH_PPP_HOST_TLS || plan.path[i] == SIM800_PATH_PPP_PLAIN)
				plan.path[k++] = plan.path[i];
		plan.n = k;
		if (k == 0 && !ppp) {
			char why[160];
			cli_ppp_available(why, sizeof why);
			snprintf(c->detail, sizeof c->detail, "PPP unavailable: %s", why);
			cli_put_transport(c, &plan, json_array(), SIM800_PATH_NONE);
			return cli_fail(c, SIM800_ERR_PPP_UNAVAILABLE);
		}
	}
	cli_note(c, "transport plan: %s", plan.why);
	json_t *tried = json_array();
	if (plan.n == 0) {
		snprintf(c->detail, sizeof c->detail, "%s", plan.why);
		cli_put_transport(c, &plan, tried, SIM800_PATH_NONE);
		return cli_fail(c, plan.refusal);
	}
	FILE *outf = NULL;
	if (o->out && !(outf = fopen(o->out, "wb"))) {
		snprintf(c->detail, sizeof c->detail, "%s: %s", o->out, strerror(errno));
		json_decref(tried);
		return cli_fail(c, SIM800_ERR_INVAL);
	}
	c->body_out = outf ? outf : (c->json ? NULL : stdout);
	struct sim800_http_res res;
	memset(&res, 0, sizeof res);
	enum sim800_path chosen = SIM800_PATH_NONE;
	bool bearer = false;
	for (int i = 0; i < plan.n; i++) {
		enum sim800_path p = plan.path[i];
		json_array_append_new(tried, json_string(sim800_path_name(p)));
		cli_note(c, "trying %s", sim800_path_name(p));
		cli_body_begin(c);
		if (p == SIM800_PATH_MODULE_TLS)
			cli_warn(c, "module TLS: TLS 1.0 at best, server certificate not checked");
		if (p == SIM800_PATH_MODULE_PLAIN || p == SIM800_PATH_MODULE_TLS) {
			if (!bearer) {
				e = sim800_bearer_open(&c->m, c->apn);
				if (e != SIM800_OK)
					break;
				bearer = true;
			}
			struct sim800_http_req rq = {
				.method = strcmp(o->method, "POST") == 0 ? SIM800_HTTP_POST : SIM800_HTTP_GET,
				.url = o->url, .body = o->data, .body_len = o->data_len,
				.content_type = o->ctype, .timeout_ms = 0, .on_body = on_body, .user = c,
			};
			e = sim800_http_request(&c->m, &rq, &res);
		} else {
			int status = 0;
			e = cli_ppp_fetch(c, &u, o->method, o->data, o->data_len, o->ctype, o->cafile,
					  o->insecure, &status);
			res.status = status;
			res.length = (long)c->body_len;
			res.received = c->body_len;
		}
		chosen = p;
		if (e == SIM800_OK)
			break;
		bool tls_fail = e == SIM800_ERR_TLS_HANDSHAKE || e == SIM800_ERR_TLS_UNSUPPORTED;
		bool ppp_gone = e == SIM800_ERR_PPP_UNAVAILABLE;
		if (i + 1 < plan.n && (tls_fail || ppp_gone)) {
			cli_warn(c, "%s failed (%s; module said \"%s\"), falling back to %s",
				 sim800_path_name(p), sim800_strerror(e), sim800_last(&c->m)->line,
				 sim800_path_name(plan.path[i + 1]));
			continue;
		}
		break;
	}
	char hex[65] = "";
	cli_body_end(c, hex);
	if (outf)
		fclose(outf);
	c->body_out = NULL;
	cli_put_transport(c, &plan, tried, chosen);
	if (c->json && (e == SIM800_OK || res.status)) {
		json_t *h = json_pack("{s:i,s:I,s:I,s:s,s:b}", "status", res.status, "length",
				      (json_int_t)res.length, "received", (json_int_t)c->body_len,
				      "sha256", hex, "module_tls", res.module_tls);
		bool text = c->body_head_len == c->body_len;
		for (size_t i = 0; text && i < c->body_head_len; i++)
			if ((unsigned char)c->body_head[i] < 0x09 || (unsigned char)c->body_head[i] >= 0x7f)
				text = false;
		if (text)
			json_object_set_new(h, "body", json_stringn(c->body_head, c->body_head_len));
		json_object_set_new(c->out, "http", h);
	}
	if (e != SIM800_OK)
		return cli_fail(c, e);
	if (!c->json)
		fprintf(stderr, "sim800: HTTP %d, %zu bytes via %s, sha256 %s\n", res.status,
			c->body_len, sim800_path_name(chosen), hex);
	return CLI_EXIT_OK;
}

int cli_cmd_http(struct cli *c, int argc, char **argv, bool ppp_only)
{
	struct http_opts o = {.method = "GET"};
	int i = 0;
	if (!ppp_only) {
		if (argc < 2)
			return CLI_EXIT_USAGE;
		if (strcmp(argv[0], "post") == 0)
			o.method = "POST";
		else if (strcmp(argv[0], "get") != 0)
			return CLI_EXIT_USAGE;
		i = 1;
	} else if (argc < 1) {
		return CLI_EXIT_USAGE;
	}
	o.url = argv[i++];
	o.force_ppp = ppp_only;
	for (; i < argc; i++) {
		bool more = i + 1 < argc;
		if (strcmp(argv[i], "--data") == 0 && more) {
			free(o.data);
			if (!cli_load_arg(argv[++i], &o.data, &o.data_len)) {
				snprintf(c->detail, sizeof c->detail, "cannot read %s", argv[i]);
				return cli_fail(c, SIM800_ERR_INVAL);
			}
			o.method = "POST";
		} else if (strcmp(argv[i], "--content-type") == 0 && more) {
			o.ctype = argv[++i];
		} else if (strcmp(argv[i], "--out") == 0 && more) {
			o.out = argv[++i];
		} else if (strcmp(argv[i], "--cafile") == 0 && more) {
			o.cafile = argv[++i];
		} else if (strcmp(argv[i], "--insecure") == 0) {
			o.insecure = true;
		} else {
			free(o.data);
			return CLI_EXIT_USAGE;
		}
	}
	int rc = run_http(c, &o);
	free(o.data);
	return rc;
}
