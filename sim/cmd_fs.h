/* cmd_fs.h - the flash file store behind AT+FS* and AT+SSLSETCERT (cmd_fs.c owns it). */
#ifndef SIM_CMD_FS_H
#define SIM_CMD_FS_H

#include "modem.h"

/* Free m->fs: files live in flash, so a power cycle keeps them; only the modem's end frees. */
void cmd_fs_free(struct sim_modem *m);

#endif
