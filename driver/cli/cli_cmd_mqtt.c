/* cli_cmd_mqtt.c - CLI command mqtt: an MQTT 3.1.1 CONNECT and keep-alive pings over the module's TCP. */
#include "cli_cmd.h"

#include <stdlib.h>
#include <string.h>

/*
 * Enough MQTT to check a session survives the line: CONNECT -> CONNACK, then PINGREQ ->
 * PINGRESP every half keep-alive, then DISCONNECT (field bug cip-mqtt-fails-at-9600: at
 * 9600 baud each round costs AT+CIPSEND, +CIPRXGET and their answers; a client that polls
 * too much misses the broker's 1.5 x keep-alive and is dropped).
 */

static uint64_t now_ms(struct cli *c)
{
	return c->port.now_ms(c->port.ctx);
}

/* Exactly n bytes from the link before the deadline. */
static enum sim800_err read_n(struct cli *c, uint8_t *buf, size_t n, uint64_t deadline)
{
	size_t have = 0;
	while (have < n) {
		uint64_t t = now_ms(c);
		if (t >= deadline)
			return SIM800_ERR_TIMEOUT;
		size_t got = 0;
		enum sim800_err e = sim800_tcp_recv(&c->m, 0, buf + have, n - have, &got,
						    (uint32_t)(deadline - t));
		if (e != SIM800_OK)
			return e;
		have += got;
	}
	return SIM800_OK;
}

static enum sim800_err session(struct cli *c, unsigned keepalive, unsigned pings,
			       unsigned *done, int *connack)
{
	static const char id[] = "sim800-cf";
	uint8_t p[32] = {0x10, (uint8_t)(10 + 2 + sizeof id - 1), 0, 4, 'M', 'Q', 'T', 'T', 4, 2,
			 (uint8_t)(keepalive >> 8), (uint8_t)keepalive, 0, sizeof id - 1};
	memcpy(p + 14, id, sizeof id - 1);
	size_t sent;
	enum sim800_err e = sim800_tcp_send(&c->m, 0, p, 14 + sizeof id - 1, &sent);
	uint8_t in[4];
	if (e == SIM800_OK)
		e = read_n(c, in, 4, now_ms(c) + keepalive * 1000u);
	if (e != SIM800_OK)
		return e;
	if (in[0] != 0x20 || in[1] != 2)
		return SIM800_ERR_PARSE;
	*connack = in[3];
	if (in[3] != 0)
		return SIM800_ERR_CLOSED; /* refused: the broker closes */
	for (*done = 0; *done < pings; (*done)++) {
		/* Half a keep-alive of silence, serving URCs, then a ping. */
		uint64_t next = now_ms(c) + keepalive * 500u;
		while (now_ms(c) < next) {
			size_t got = 0;
			e = sim800_tcp_recv(&c->m, 0, in, sizeof in, &got, (uint32_t)(next - now_ms(c)));
			if (e != SIM800_OK)
				return e;
			if (got)
				return SIM800_ERR_PARSE; /* nothing unasked for in this session */
		}
		if ((e = sim800_tcp_send(&c->m, 0, "\xc0\x00", 2, &sent)) != SIM800_OK)
			return e;
		if ((e = read_n(c, in, 2, now_ms(c) + keepalive * 500u)) != SIM800_OK)
			return e;
		if (in[0] != 0xd0 || in[1] != 0)
			return SIM800_ERR_PARSE;
	}
	return sim800_tcp_send(&c->m, 0, "\xe0\x00", 2, &sent); /* DISCONNECT */
}

int cli_cmd_mqtt(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return CLI_EXIT_USAGE;
	char *end;
	long port = strtol(argv[1], &end, 10), keepalive = 10, pings = 1;
	if (*end || port < 1 || port > 65535)
		return CLI_EXIT_USAGE;
	for (int i = 2; i + 1 < argc; i += 2) {
		long *v = !strcmp(argv[i], "--keepalive") ? &keepalive
			  : !strcmp(argv[i], "--pings")   ? &pings : NULL;
		if (!v)
			return CLI_EXIT_USAGE;
		*v = strtol(argv[i + 1], &end, 10);
		if (*end)
			return CLI_EXIT_USAGE;
	}
	if (argc % 2 || keepalive < 2 || keepalive > 65535 || pings < 0 || pings > 100)
		return CLI_EXIT_USAGE;
	struct sim800_plan plan;
	sim800_policy_plan(c->policy, false, SIM800_CAP_UNKNOWN, false, &plan);
	if (plan.n == 0) {
		snprintf(c->detail, sizeof c->detail, "mqtt sends in clear: %s", plan.why);
		return cli_fail(c, plan.refusal);
	}
	struct sim800_caps caps;
	bool ppp;
	enum sim800_err e = cli_data_up(c, &caps, &ppp);
	if (e == SIM800_OK)
		e = sim800_cip_up(&c->m, c->apn, NULL, NULL, false);
	bool opened = false;
	if (e == SIM800_OK)
		opened = (e = sim800_tcp_open(&c->m, 0, false, argv[0], (unsigned)port, false,
					      c->timeout_ms)) == SIM800_OK;
	unsigned done = 0;
	int connack = -1;
	if (e == SIM800_OK)
		e = session(c, (unsigned)keepalive, (unsigned)pings, &done, &connack);
	cli_tcp_done(c, opened);
	if (c->json)
		json_object_set_new(c->out, "mqtt", json_pack("{s:i,s:i,s:i}", "connack", connack,
							      "pings", (int)done, "keepalive_s",
							      (int)keepalive));
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}
