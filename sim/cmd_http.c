/* cmd_http.c - bearer and HTTP application commands: +SAPBR, +HTTPINIT/PARA/DATA/ACTION/READ/
 * HEAD/STATUS/SSL/TERM. */
#include "dispatch.h"

const struct cmd_entry cmd_http_table[] = {
	{NULL, NULL, 0},
};
