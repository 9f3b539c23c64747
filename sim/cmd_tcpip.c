/* cmd_tcpip.c - the CIP commands: +CSTT +CIICR +CIFSR +CIPSTART +CIPSEND +CIPCLOSE +CIPSHUT ... */
#include "dispatch.h"

const struct cmd_entry cmd_tcpip_table[] = {
	{NULL, NULL, 0},
};
