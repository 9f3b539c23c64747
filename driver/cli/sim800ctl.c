/* sim800ctl.c - the `sim800` CLI: usage, options, the device, and dispatch to cli_cmd_*.c. */
#include "cli_cmd.h"

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
	"  tcp HOST PORT [--send STR|@FILE] [--read N] [--udp|--tls]   CIP client\n"
	"  sms send NUMBER TEXT | sms list\n"
	"  mqtt HOST PORT [--keepalive S] [--pings N]   MQTT CONNECT and pings (plaintext)\n"
	"  tls-cert STR|@FILE [--name NAME] [--client-auth]   certificate into flash, SSLSETCERT\n"
	"  ppp URL [--cafile F] [--insecure]   dial, fetch URL over PPP with host TLS, hang up\n"
	"  dial                          ATD*99***1# up to CONNECT, then \"+++\" and ATH\n"
	"  at CMD...                     send raw commands, print the answers\n"
	"  location                      the serving cell's location (AT+CIPGSMLOC)\n"
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
		return cli_cmd_info(c);
	if (strcmp(cmd, "status") == 0 && argc == 1)
		return cli_cmd_status(c);
	if (strcmp(cmd, "http") == 0)
		return cli_cmd_http(c, argc - 1, argv + 1, false);
	if (strcmp(cmd, "tcp") == 0)
		return cli_cmd_tcp(c, argc - 1, argv + 1);
	if (strcmp(cmd, "sms") == 0)
		return cli_cmd_sms(c, argc - 1, argv + 1);
	if (strcmp(cmd, "ppp") == 0)
		return cli_cmd_http(c, argc - 1, argv + 1, true);
	if (strcmp(cmd, "at") == 0)
		return cli_cmd_at(c, argc - 1, argv + 1);
	if (strcmp(cmd, "dial") == 0 && argc == 1)
		return cli_cmd_dial(c);
	if (strcmp(cmd, "location") == 0)
		return argc == 1 ? cli_cmd_location(c) : CLI_EXIT_USAGE;
	if (strcmp(cmd, "mqtt") == 0)
		return cli_cmd_mqtt(c, argc - 1, argv + 1);
	if (strcmp(cmd, "tls-cert") == 0)
		return cli_cmd_cert(c, argc - 1, argv + 1);
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
			struct sim800_config cfg = {.user = &c, .log = cli_log_cb, .line_rate = c.baud};
			cli_watch_start(&c);
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
		json_object_set_new(c.out, "timing", cli_watch_json(&c));
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
