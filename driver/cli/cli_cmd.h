/* cli_cmd.h - the sim800 CLI's command handlers (cli_cmd_*.c), called by sim800ctl.c. */
#ifndef SIM800_CLI_CMD_H
#define SIM800_CLI_CMD_H

#include "cli.h"

/* Each returns an enum cli_exit; CLI_EXIT_USAGE for bad arguments (main prints the usage).
 * argv starts after the command word. */
int cli_cmd_info(struct cli *c);                       /* cli_cmd_module.c */
int cli_cmd_status(struct cli *c);
int cli_cmd_at(struct cli *c, int argc, char **argv);
int cli_cmd_dial(struct cli *c);                       /* dial, then "+++" and ATH */
int cli_cmd_location(struct cli *c);
int cli_cmd_http(struct cli *c, int argc, char **argv, bool ppp_only); /* cli_cmd_http.c */
int cli_cmd_tcp(struct cli *c, int argc, char **argv);  /* cli_cmd_tcp.c */
int cli_cmd_sms(struct cli *c, int argc, char **argv);  /* cli_cmd_sms.c */
int cli_cmd_cert(struct cli *c, int argc, char **argv); /* cli_cmd_cert.c */
int cli_cmd_mqtt(struct cli *c, int argc, char **argv); /* cli_cmd_mqtt.c */
/* Close link 0 (if opened) and the CIP stack, keeping what the module said last for the
 * report (cli_cmd_tcp.c). */
void cli_tcp_done(struct cli *c, bool opened);

/* Sync, echo off, verbose errors: for work on the module itself, no network (cli_cmd_module.c). */
enum sim800_err cli_module_up(struct cli *c);
/* Registration and capabilities before any data service (cli_cmd_module.c). */
enum sim800_err cli_data_up(struct cli *c, struct sim800_caps *caps, bool *ppp);
/* Read "@FILE" or a literal string into a heap buffer the caller frees (cli_cmd_http.c). */
bool cli_load_arg(const char *arg, uint8_t **buf, size_t *len);
/* The "transport" JSON member: the plan, the paths tried (taken), the one chosen. */
void cli_put_transport(struct cli *c, const struct sim800_plan *plan, json_t *tried,
		       enum sim800_path chosen);

#endif
