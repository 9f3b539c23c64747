/* cli_cmd_module.c - CLI commands about the module itself: info, status, at. */
#include "cli_cmd.h"

#include <string.h>

static const char *cap_name(enum sim800_cap c)
{
	return c == SIM800_CAP_LISTED ? "yes" : c == SIM800_CAP_NO ? "no" : "unknown";
}

/* Sync, echo off, verbose errors: enough for info and at. */
static enum sim800_err light_up(struct cli *c)
{
	enum sim800_err e = sim800_sync_any_mode(&c->m, 10000);
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

int cli_cmd_info(struct cli *c)
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

int cli_cmd_status(struct cli *c)
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
enum sim800_err cli_module_up(struct cli *c)
{
	enum sim800_err e = sim800_sync_any_mode(&c->m, 10000);
	if (e == SIM800_OK)
		e = sim800_exec(&c->m, "ATE0", 0);
	if (e == SIM800_OK)
		e = sim800_exec(&c->m, "AT+CMEE=2", 0);
	return e;
}

enum sim800_err cli_data_up(struct cli *c, struct sim800_caps *caps, bool *ppp)
{
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	enum sim800_err e = sim800_bringup(&c->m, &bc, NULL);
	if (e != SIM800_OK)
		return e;
	struct sim800_info in;
	return identify(c, &in, caps, ppp);
}

/* dial: registration, ATD*99***1# up to CONNECT, then straight back out with the guarded
 * "+++" and ATH: the escape path of a PPP session, without the PPP client (ADAPTERS.md
 * action dial; field-bugs.md ppp-exit-no-carrier-missed, ppp-escape-guard-time). */
int cli_cmd_dial(struct cli *c)
{
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	enum sim800_err e = sim800_bringup(&c->m, &bc, NULL);
	if (e == SIM800_OK)
		e = sim800_ppp_dial(&c->m, c->apn);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	cli_note(c, "CONNECT; leaving data mode");
	e = sim800_ppp_hangup(&c->m);
	if (c->json)
		json_object_set_new(c->out, "dial", json_pack("{s:b}", "connected", 1));
	else
		printf("connected, then hung up: %s\n", sim800_err_name(e));
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}

/* location: registration, bearer 1, AT+CIPGSMLOC. */
int cli_cmd_location(struct cli *c)
{
	struct sim800_bringup_cfg bc = {.reg_timeout_ms = c->timeout_ms, .pin = c->pin};
	enum sim800_err e = sim800_bringup(&c->m, &bc, NULL);
	if (e == SIM800_OK)
		e = sim800_bearer_open(&c->m, c->apn);
	struct sim800_location loc;
	if (e == SIM800_OK)
		e = sim800_gsm_location(&c->m, &loc);
	if (e != SIM800_OK)
		return cli_fail(c, e);
	if (c->json)
		json_object_set_new(c->out, "location",
				    json_pack("{s:i,s:f,s:f,s:s,s:s}", "code", loc.code, "lon", loc.lon,
					      "lat", loc.lat, "date", loc.date, "time", loc.time));
	else
		printf("%.6f,%.6f %s %s\n", loc.lon, loc.lat, loc.date, loc.time);
	return CLI_EXIT_OK;
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

int cli_cmd_at(struct cli *c, int argc, char **argv)
{
	if (argc < 1)
		return CLI_EXIT_USAGE;
	enum sim800_err e = sim800_sync_any_mode(&c->m, 10000);
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

