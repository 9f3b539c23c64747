/* sim800ctl.c - the `sim800` CLI: options, bring-up, and one handler per command (info ... at). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: sim800 --device PATH [--baud N] [--timeout S] [--policy secure|module-tls-ok|plain-ok]\n"
	"              [--log FILE] [--json] [--apn APN] [--pin PIN] COMMAND ...\n"
	"commands:\n"
	"  info                          model, revision, IMEI, ICCID, capabilities (probed)\n"
	"  status                        SIM, registration, operator, signal, battery\n"
	"  http get URL [--out FILE]     GET through the path the policy allows\n"
	"  http post URL [--data STR|@FILE] [--content-type T] [--out FILE]\n"
	"  tcp HOST PORT [--send STR|@FILE] [--read N] [--udp]   CIP client (plaintext)\n"
	"  sms send NUMBER TEXT | sms list\n"
	"  ppp URL [--cafile F] [--insecure]   dial, fetch URL over PPP with host TLS, hang up\n"
	"  at CMD...                     send raw commands, print the answers\n"
	"options:\n"
	"  --baud N      serial speed (default 115200; ignored by a pty)\n"
	"  --timeout S   registration / network wait in seconds (default 60)\n"
	"  --policy P    secure (default): TLS the host can trust only (PPP + host TLS);\n"
	"                module-tls-ok: the module's TLS 1.0 without certificate checks allowed;\n"
	"                plain-ok: plaintext (http://, tcp) allowed too\n"
	"  --log FILE    write the wire log (every line sent and received)\n"
	"  --json        print exactly one JSON object on stdout\n"
	"  --apn APN     GPRS access point (default \"internet\")\n"
	"exit codes:\n"
	"  0 ok   1 module refused / failed   2 usage   3 device or no answer   4 timeout\n"
	"  5 policy refusal or TLS unsupported   6 network/data service error   7 PPP unavailable/failed\n";

/* ---------------------------------------------------------------------------------------- */

static const char *cap_name(enum sim800_cap c)
{
	return c == SIM800_CAP_LISTED ? "yes" : c == SIM800_CAP_NO ? "no" : "unknown";
}

/* Read "@FILE" or a literal string into a heap buffer (the CLI may allocate; the library
 * does not). */
static bool load_arg(const char *arg, uint8_t **buf, size_t *len)
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

/* Sync, echo off, verbose errors: enough for info and at. */
static enum sim800_err light_up(struct cli *c)
{
	enum sim800_err e = sim800_sync(&c->m, 10000);
	if (e != SIM800_OK)
		return e;
	if ((e = sim800_exec(&c->m, "ATE0", 0)) != SIM800_OK)
		return e;
	return sim800_exec(&c->m, "AT+CMEE=2", 0);
}

static void put_identity(struct cli *c, const struct sim800_info *in, const struct sim800_caps *caps,
			 bool ppp, bool http, bool sms)
{
	if (!c->json)
		return;
	json_t *fw = json_pack("{s:s,s:s,s:i,s:i}", "ati", in->ati, "revision", in->revision,
			       "major", in->fw.major, "minor", in->fw.minor);
	json_object_set_new(c->out, "firmware", fw);
	json_object_set_new(c->out, "capabilities",
			    json_pack("{s:s,s:s,s:b,s:b,s:b}", "ssl", cap_name(caps->cipssl),
				      "httpssl", cap_name(caps->httpssl), "ppp", ppp, "http", http,
				      "sms", sms));
}

/* Firmware and capabilities: ATI/CGMR and the probes (the decision uses the probes). */
static enum sim800_err identify(struct cli *c, struct sim800_info *in, struct sim800_caps *caps,
				bool *ppp)
{
	char why[160];
	*ppp = cli_ppp_available(why, sizeof why);
	enum sim800_err e = sim800_info_read(&c->m, in);
	if (e != SIM800_OK)
		return e;
	e = sim800_probe_caps(&c->m, caps);
	if (e != SIM800_OK)
		return e;
	put_identity(c, in, caps, *ppp, true, true);
	if (!*ppp)
		cli_note(c, "PPP unavailable: %s", why);
	return SIM800_OK;
}

/* ---------------------------------------------------------------------------------------- */

static int cmd_info(struct cli *c)
{
	enum sim800_err e = light_up(c);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	struct sim800_info in;
	struct sim800_caps caps;
	bool ppp;
	if ((e = identify(c, &in, &caps, &ppp)) != SIM800_OK)
		return cli_fail(c, e);
	bool http = sim800_exec(&c->m, "AT+HTTPACTION=?", 0) == SIM800_OK;
	bool sms = sim800_exec(&c->m, "AT+CMGF=?", 0) == SIM800_OK;
	char iccid[32] = "", imsi[20] = "";
	sim800_read_iccid(&c->m, iccid, sizeof iccid);
	sim800_read_imsi(&c->m, imsi, sizeof imsi);
	if (c->json) {
		put_identity(c, &in, &caps, ppp, http, sms);
		json_object_set_new(c->out, "info",
				    json_pack("{s:s,s:s,s:s,s:s,s:s}", "manufacturer", in.manufacturer,
					      "model", in.model, "imei", in.imei, "iccid", iccid,
					      "imsi", imsi));
	} else {
		printf("model:        %s %s\n", in.manufacturer, in.model);
		printf("ati:          %s\n", in.ati);
		printf("revision:     %s (R%d.%02d)\n", in.revision, in.fw.major, in.fw.minor);
		printf("imei:         %s\niccid:        %s\nimsi:         %s\n", in.imei, iccid, imsi);
		printf("tcp ssl:      %s (AT+CIPSSL=?)\nhttp ssl:     %s (AT+HTTPSSL)\n",
		       cap_name(caps.cipssl), cap_name(caps.httpssl));
		printf("http:         %s\nsms:          %s\nppp (host):   %s\n", http ? "yes" : "no",
		       sms ? "yes" : "no", ppp ? "yes" : "no");
	}
	return CLI_EXIT_OK;
}

static const char *const sim_names[] = {"unknown", "ready", "pin", "puk", "not-inserted",
					"not-ready"};

static int cmd_status(struct cli *c)
{
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	struct sim800_net_status st;
	memset(&st, 0, sizeof st);
	enum sim800_err e = sim800_bringup(&c->m, &bc, &st);
	if (e == SIM800_OK || e == SIM800_ERR_NOT_REGISTERED || e == SIM800_ERR_REG_DENIED) {
		if (e != SIM800_OK)
			sim800_csq(&c->m, &st.rssi, &st.ber);
		if (c->json)
			json_object_set_new(
				c->out, "status",
				json_pack("{s:s,s:i,s:b,s:s,s:i,s:i,s:i}", "sim",
					  sim_names[st.sim <= 5 ? st.sim : 0], "creg", (int)st.reg,
					  "registered", st.reg == 1 || st.reg == 5, "operator",
					  st.oper, "rssi", st.rssi, "ber", st.ber, "battery_mv",
					  st.battery_mv));
		else
			printf("sim:          %s\nregistration: %d (%s)\noperator:     %s\n"
			       "signal:       rssi %d, ber %d\nbattery:      %d mV\n",
			       sim_names[st.sim <= 5 ? st.sim : 0], (int)st.reg,
			       st.reg == 1 ? "home" : st.reg == 5 ? "roaming" : "not registered",
			       st.oper, st.rssi, st.ber, st.battery_mv);
	}
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}

/* Registration and capabilities before any data service. */
static enum sim800_err data_up(struct cli *c, struct sim800_caps *caps, bool *ppp)
{
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	enum sim800_err e = sim800_bringup(&c->m, &bc, NULL);
	if (e != SIM800_OK)
		return e;
	struct sim800_info in;
	return identify(c, &in, caps, ppp);
}

static void put_transport(struct cli *c, const struct sim800_plan *plan, json_t *tried,
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
	enum sim800_err e = data_up(c, &caps, &ppp);
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
			put_transport(c, &plan, json_array(), SIM800_PATH_NONE);
			return cli_fail(c, SIM800_ERR_PPP_UNAVAILABLE);
		}
	}
	cli_note(c, "transport plan: %s", plan.why);
	json_t *tried = json_array();
	if (plan.n == 0) {
		snprintf(c->detail, sizeof c->detail, "%s", plan.why);
		put_transport(c, &plan, tried, SIM800_PATH_NONE);
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
	put_transport(c, &plan, tried, chosen);
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

static int cmd_http(struct cli *c, int argc, char **argv, bool ppp_only)
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
			if (!load_arg(argv[++i], &o.data, &o.data_len)) {
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

static int cmd_tcp(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return CLI_EXIT_USAGE;
	const char *host = argv[0];
	char *end;
	long port = strtol(argv[1], &end, 10);
	if (*end || port < 1 || port > 65535)
		return CLI_EXIT_USAGE;
	uint8_t *data = NULL;
	size_t data_len = 0;
	long want = 0;
	bool udp = false;
	for (int i = 2; i < argc; i++) {
		bool more = i + 1 < argc;
		if (strcmp(argv[i], "--send") == 0 && more) {
			free(data);
			if (!load_arg(argv[++i], &data, &data_len)) {
				snprintf(c->detail, sizeof c->detail, "cannot read %s", argv[i]);
				return cli_fail(c, SIM800_ERR_INVAL);
			}
		} else if (strcmp(argv[i], "--read") == 0 && more) {
			want = strtol(argv[++i], &end, 10);
			if (*end || want < 0) {
				free(data);
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--udp") == 0) {
			udp = true;
		} else {
			free(data);
			return CLI_EXIT_USAGE;
		}
	}
	struct sim800_plan plan;
	sim800_policy_plan(c->policy, false, SIM800_CAP_UNKNOWN, false, &plan);
	if (plan.n == 0) {
		snprintf(c->detail, sizeof c->detail, "tcp sends in clear: %s", plan.why);
		put_transport(c, &plan, json_array(), SIM800_PATH_NONE);
		free(data);
		return cli_fail(c, plan.refusal);
	}
	struct sim800_caps caps;
	bool ppp;
	enum sim800_err e = data_up(c, &caps, &ppp);
	size_t sent = 0;
	bool peer_closed = false;
	c->body_out = c->json ? NULL : stdout;
	cli_body_begin(c);
	if (e == SIM800_OK)
		e = sim800_cip_up(&c->m, c->apn, NULL, NULL, false);
	json_t *tried = json_array();
	json_array_append_new(tried, json_string("module-plain"));
	put_transport(c, &plan, tried, SIM800_PATH_MODULE_PLAIN);
	bool opened = false;
	if (e == SIM800_OK) {
		e = sim800_tcp_open(&c->m, 0, udp, host, (unsigned)port, false, c->timeout_ms);
		opened = e == SIM800_OK;
	}
	if (e == SIM800_OK && data_len)
		e = sim800_tcp_send(&c->m, 0, data, data_len, &sent);
	uint8_t buf[1460];
	uint64_t deadline = c->port.now_ms(c->port.ctx) + c->timeout_ms;
	while (e == SIM800_OK && (long)c->body_len < want) {
		uint64_t now = c->port.now_ms(c->port.ctx);
		if (now >= deadline) {
			e = SIM800_ERR_TIMEOUT;
			snprintf(c->detail, sizeof c->detail, "%zu of %ld bytes before the deadline",
				 c->body_len, want);
			break;
		}
		size_t left = (size_t)want - c->body_len, got = 0;
		e = sim800_tcp_recv(&c->m, 0, buf, left < sizeof buf ? left : sizeof buf, &got,
				    (uint32_t)(deadline - now));
		cli_body_feed(c, buf, got);
		if (e == SIM800_ERR_CLOSED) {
			peer_closed = true;
			opened = false;
			e = c->body_len >= (size_t)want ? SIM800_OK : SIM800_ERR_CLOSED;
			if (e != SIM800_OK)
				snprintf(c->detail, sizeof c->detail,
					 "peer closed after %zu of %ld bytes", c->body_len, want);
		}
	}
	char hex[65];
	cli_body_end(c, hex);
	c->body_out = NULL;
	struct sim800_last said = *sim800_last(&c->m);
	if (opened)
		sim800_tcp_close(&c->m, 0);
	if (c->m.svc.cip_up)
		sim800_cip_down(&c->m);
	c->m.last = said;
	if (c->json)
		json_object_set_new(c->out, "tcp",
				    json_pack("{s:I,s:I,s:s,s:b,s:s}", "sent", (json_int_t)sent,
					      "received", (json_int_t)c->body_len, "sha256", hex,
					      "peer_closed", peer_closed, "ip", c->m.svc.ip));
	free(data);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	if (!c->json)
		fprintf(stderr, "sim800: sent %zu, received %zu bytes (sha256 %s)\n", sent,
			c->body_len, hex);
	return CLI_EXIT_OK;
}

static void sms_item(void *user, const struct sim800_sms *s)
{
	struct cli *c = user;
	if (c->json)
		json_array_append_new(json_object_get(c->out, "messages"),
				      json_pack("{s:i,s:s,s:s,s:s,s:s}", "index", s->index, "stat",
						s->stat, "number", s->number, "time", s->time, "text",
						s->text));
	else
		printf("%d %s %s %s\n  %s\n", s->index, s->stat, s->number, s->time, s->text);
}

static int cmd_sms(struct cli *c, int argc, char **argv)
{
	if (argc < 1)
		return CLI_EXIT_USAGE;
	bool send = strcmp(argv[0], "send") == 0;
	if (send ? argc != 3 : (strcmp(argv[0], "list") != 0 || argc != 1))
		return CLI_EXIT_USAGE;
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	enum sim800_err e;
	if (send) {
		/* Registration first: an SMS before it fails late (sms-send-before-registration). */
		e = sim800_bringup(&c->m, &bc, NULL);
	} else {
		/* Reading the SIM's store needs the SIM, not the network: a unit that lost its
		 * network can still read its inbox. */
		enum sim800_sim sim = SIM800_SIM_UNKNOWN;
		e = sim800_sync(&c->m, 10000);
		if (e == SIM800_OK)
			e = sim800_exec(&c->m, "ATE0", 0);
		if (e == SIM800_OK)
			e = sim800_exec(&c->m, "AT+CMEE=2", 0);
		if (e == SIM800_OK)
			e = sim800_sim_status(&c->m, &sim);
		if (e == SIM800_OK && sim == SIM800_SIM_NOT_INSERTED)
			e = SIM800_ERR_SIM_NOT_INSERTED;
		else if (e == SIM800_OK && (sim == SIM800_SIM_PIN || sim == SIM800_SIM_PUK))
			e = sim == SIM800_SIM_PIN ? SIM800_ERR_SIM_PIN : SIM800_ERR_SIM_PUK;
	}
	if (e != SIM800_OK)
		return cli_fail(c, e);
	if (send) {
		int mr = -1;
		e = sim800_sms_send(&c->m, argv[1], argv[2], &mr, c->timeout_ms);
		if (e != SIM800_OK)
			return cli_fail(c, e);
		if (c->json)
			json_object_set_new(c->out, "sms", json_pack("{s:i}", "mr", mr));
		else
			printf("sent, message reference %d\n", mr);
		return CLI_EXIT_OK;
	}
	if (c->json)
		json_object_set_new(c->out, "messages", json_array());
	e = sim800_sms_list(&c->m, sms_item, c, c->timeout_ms);
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}

struct at_ctx {
	struct cli *c;
	json_t *lines;
};

static bool any_line(const char *line, size_t len)
{
	(void)line;
	(void)len;
	return true;
}

static void at_line(void *user, const char *line, size_t len)
{
	struct at_ctx *a = user;
	if (a->c->json)
		json_array_append_new(a->lines, json_stringn(line, len));
	else
		printf("%.*s\n", (int)len, line);
}

static int cmd_at(struct cli *c, int argc, char **argv)
{
	if (argc < 1)
		return CLI_EXIT_USAGE;
	enum sim800_err e = sim800_sync(&c->m, 10000);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	json_t *arr = json_array();
	if (c->json)
		json_object_set_new(c->out, "at", arr);
	for (int i = 0; i < argc; i++) {
		struct at_ctx a = {c, json_array()};
		/* Every line is shown, URC-shaped ones too: this is the raw view. */
		struct sim800_cmd cmd = {.text = argv[i], .match = any_line, .on_info = at_line,
					 .user = &a};
		e = sim800_cmd_run(&c->m, &cmd);
		const struct sim800_last *l = sim800_last(&c->m);
		if (c->json)
			json_array_append_new(arr, json_pack("{s:s,s:o,s:s,s:s}", "cmd", argv[i],
							     "lines", a.lines, "final", l->line,
							     "result", sim800_err_name(e)));
		else {
			json_decref(a.lines);
			printf("%s\n", l->line[0] ? l->line : "(no final)");
		}
		if (e != SIM800_OK)
			break;
	}
	if (!c->json)
		json_decref(arr);
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}

/* ---------------------------------------------------------------------------------------- */

static int bad_usage(struct cli *c, const char *what)
{
	if (c->json) {
		json_object_set_new(c->out, "ok", json_false());
		json_object_set_new(c->out, "error",
				    json_pack("{s:s,s:s,s:n,s:n}", "code", "USAGE", "text", what,
					      "module", "cme"));
	} else {
		fprintf(stderr, "sim800: %s\n%s", what, usage);
	}
	return CLI_EXIT_USAGE;
}

static int dispatch(struct cli *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	if (strcmp(cmd, "info") == 0 && argc == 1)
		return cmd_info(c);
	if (strcmp(cmd, "status") == 0 && argc == 1)
		return cmd_status(c);
	if (strcmp(cmd, "http") == 0)
		return cmd_http(c, argc - 1, argv + 1, false);
	if (strcmp(cmd, "tcp") == 0)
		return cmd_tcp(c, argc - 1, argv + 1);
	if (strcmp(cmd, "sms") == 0)
		return cmd_sms(c, argc - 1, argv + 1);
	if (strcmp(cmd, "ppp") == 0)
		return cmd_http(c, argc - 1, argv + 1, true);
	if (strcmp(cmd, "at") == 0)
		return cmd_at(c, argc - 1, argv + 1);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof c);
	c.baud = 115200;
	c.timeout_ms = 60000;
	c.policy = SIM800_POLICY_SECURE;
	c.apn = "internet";
	c.pp.fd = -1;
	const char *logpath = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(o, "--json") == 0) {
			c.json = true;
		} else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			fputs(usage, stdout);
			return CLI_EXIT_OK;
		} else if (!more) {
			break;
		} else if (strcmp(o, "--device") == 0) {
			c.device = argv[++i];
		} else if (strcmp(o, "--baud") == 0) {
			c.baud = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(o, "--timeout") == 0) {
			double s = strtod(argv[++i], NULL);
			c.timeout_ms = s > 0 ? (uint32_t)(s * 1000) : 60000;
		} else if (strcmp(o, "--policy") == 0) {
			if (!sim800_policy_parse(argv[++i], &c.policy)) {
				fprintf(stderr, "sim800: --policy: secure, module-tls-ok or plain-ok\n");
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(o, "--log") == 0) {
			logpath = argv[++i];
		} else if (strcmp(o, "--apn") == 0) {
			c.apn = argv[++i];
		} else if (strcmp(o, "--pin") == 0) {
			c.pin = argv[++i];
		} else {
			break;
		}
	}
	c.out = json_object();
	c.warnings = json_array();
	int rc;
	if (i < argc && argv[i][0] == '-') {
		rc = bad_usage(&c, "unknown option");
	} else if (!c.device || i >= argc) {
		rc = bad_usage(&c, !c.device ? "--device is required" : "no command");
	} else {
		json_object_set_new(c.out, "command", json_string(argv[i]));
		json_object_set_new(c.out, "policy", json_string(sim800_policy_name(c.policy)));
		if (logpath && !(c.log = fopen(logpath, "w"))) {
			fprintf(stderr, "sim800: %s: %s\n", logpath, strerror(errno));
			json_decref(c.out);
			json_decref(c.warnings);
			return CLI_EXIT_USAGE;
		}
		enum sim800_err e = sim800_port_posix_open(&c.pp, c.device, c.baud, &c.port);
		if (e != SIM800_OK) {
			snprintf(c.detail, sizeof c.detail, "%s: %s", c.device, strerror(errno));
			rc = cli_fail(&c, e == SIM800_ERR_INVAL ? SIM800_ERR_INVAL : SIM800_ERR_IO);
			if (rc == CLI_EXIT_USAGE)
				rc = CLI_EXIT_DEVICE;
		} else {
			struct sim800_config cfg = {.user = &c, .log = cli_log_cb};
			sim800_init(&c.m, &c.port, &cfg);
			rc = dispatch(&c, argc - i, argv + i);
			if (rc == CLI_EXIT_USAGE && !json_object_get(c.out, "error"))
				rc = bad_usage(&c, "bad command arguments");
			sim800_port_posix_close(&c.pp);
		}
	}
	if (c.json) {
		if (!json_object_get(c.out, "ok"))
			json_object_set_new(c.out, "ok", json_boolean(rc == CLI_EXIT_OK));
		if (!json_object_get(c.out, "error"))
			json_object_set_new(c.out, "error", json_null());
		json_object_set_new(c.out, "exit", json_integer(rc));
		json_object_set(c.out, "warnings", c.warnings);
		json_dumpf(c.out, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	json_decref(c.warnings);
	json_decref(c.out);
	if (c.sha)
		EVP_MD_CTX_free(c.sha);
	if (c.log)
		fclose(c.log);
	return rc;
}
