/* cli_cmd_sms.c - CLI command sms: send a text, list the SIM's messages. */
#include "cli_cmd.h"

#include <string.h>

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

int cli_cmd_sms(struct cli *c, int argc, char **argv)
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
		e = cli_module_up(c);
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
