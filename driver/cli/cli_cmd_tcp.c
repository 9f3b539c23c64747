/* cli_cmd_tcp.c - CLI command tcp: a CIP client connection (or the module's TLS), send, read N bytes, close. */
#include "cli_cmd.h"

#include <stdlib.h>
#include <string.h>

void cli_tcp_done(struct cli *c, bool opened)
{
	struct sim800_last said = *sim800_last(&c->m);
	if (opened)
		sim800_tcp_close(&c->m, 0);
	if (c->m.svc.cip_up)
		sim800_cip_down(&c->m);
	c->m.last = said;
}

int cli_cmd_tcp(struct cli *c, int argc, char **argv)
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
	bool udp = false, tls = false;
	for (int i = 2; i < argc; i++) {
		bool more = i + 1 < argc;
		if (strcmp(argv[i], "--send") == 0 && more) {
			free(data);
			if (!cli_load_arg(argv[++i], &data, &data_len)) {
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
		} else if (strcmp(argv[i], "--tls") == 0) {
			tls = true; /* AT+CIPSSL=1: TLS 1.0 in the module, allowed by module-tls-ok */
		} else {
			free(data);
			return CLI_EXIT_USAGE;
		}
	}
	struct sim800_plan plan;
	/* The module's answer to CIPSSL is not known yet: plan as if listed, tcp_open fails
	 * with TLS_UNSUPPORTED where it is not. */
	sim800_policy_plan(c->policy, tls, tls ? SIM800_CAP_LISTED : SIM800_CAP_UNKNOWN, false,
			   &plan);
	if (plan.n == 0) {
		snprintf(c->detail, sizeof c->detail, "tcp %s: %s", tls ? "with TLS" : "sends in clear",
			 plan.why);
		cli_put_transport(c, &plan, json_array(), SIM800_PATH_NONE);
		free(data);
		return cli_fail(c, plan.refusal);
	}
	struct sim800_caps caps;
	bool ppp;
	enum sim800_err e = cli_data_up(c, &caps, &ppp);
	size_t sent = 0;
	bool peer_closed = false;
	c->body_out = c->json ? NULL : stdout;
	cli_body_begin(c);
	if (e == SIM800_OK)
		e = sim800_cip_up(&c->m, c->apn, NULL, NULL, false);
	json_t *tried = json_array();
	enum sim800_path path = tls ? SIM800_PATH_MODULE_TLS : SIM800_PATH_MODULE_PLAIN;
	json_array_append_new(tried, json_string(sim800_path_name(path)));
	cli_put_transport(c, &plan, tried, path);
	bool opened = false;
	if (e == SIM800_OK) {
		e = sim800_tcp_open(&c->m, 0, udp, host, (unsigned)port, tls, c->timeout_ms);
		/* OK and then no result at all: the module's IP stack may be wedged, and only
		 * CIPSHUT and a fresh bring-up (sim800_cip_up starts with CIPSHUT) clear it
		 * (reg-stuck-connect-needs-shut). Once: a refusal (CONNECT FAIL) is an answer. */
		if (e == SIM800_ERR_TIMEOUT) {
			e = sim800_cip_up(&c->m, c->apn, NULL, NULL, false);
			if (e == SIM800_OK)
				e = sim800_tcp_open(&c->m, 0, udp, host, (unsigned)port, tls,
						    c->timeout_ms);
		}
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
	cli_tcp_done(c, opened);
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
