/* dispatch.h - run a command line: name -> handler over the cmd_* tables, profile gating, finals. */
#ifndef SIM_DISPATCH_H
#define SIM_DISPATCH_H

#include "modem.h"

/* Capabilities a command needs from the profile; without them it is an unknown command. */
enum cmd_cap {
	CMD_CAP_SSL = 1u << 0,
	CMD_CAP_HTTPSSL = 1u << 1,
	CMD_CAP_HTTP = 1u << 2,
	CMD_CAP_PPP = 1u << 3,
	CMD_CAP_SMS = 1u << 4,
	CMD_CAP_CMUX = 1u << 5,
};

typedef struct at_result (*cmd_fn)(struct sim_modem *m, const struct at_cmd *c);

/* One command: "+CSQ", "E", "&F", "S". Tables end with an entry whose name is NULL. */
struct cmd_entry {
	const char *name;
	cmd_fn fn;
	unsigned caps;   /* enum cmd_cap bits */
};

/* Each cmd_<family>.c exports one table. */
extern const struct cmd_entry cmd_basic_table[];
extern const struct cmd_entry cmd_info_table[];
extern const struct cmd_entry cmd_net_table[];
extern const struct cmd_entry cmd_dial_table[];
extern const struct cmd_entry cmd_tcpip_table[];
extern const struct cmd_entry cmd_http_table[];
extern const struct cmd_entry cmd_sms_table[];
extern const struct cmd_entry cmd_smsconf_table[];
extern const struct cmd_entry cmd_call_table[];
extern const struct cmd_entry cmd_gprs_table[];
extern const struct cmd_entry cmd_fs_table[];

/* Start executing a command line (the text after "AT"); the final result follows. */
void dispatch_line(struct sim_modem *m, const char *line, size_t len);
/* An asynchronous handler finished (see modem_command_done). */
void dispatch_done(struct sim_modem *m, struct at_result r);
/* Stop whatever runs (power off); no final result is sent. */
void dispatch_abort(struct sim_modem *m);
/* The handler for a name, or NULL. */
const struct cmd_entry *dispatch_find(const char *name);

#endif
