/* tool_args.c - the command line shared by sim800-probe and sim800-proxy (tool_args.h). */
#include "tool_args.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_STRS 4    /* a tool's own string options */
#define STR_BASE 256  /* getopt values of those: past every character */

speed_t tool_args_speed(long baud)
{
	static const struct {
		long baud;
		speed_t speed;
	} table[] = {
		{1200, B1200},     {2400, B2400},     {4800, B4800},     {9600, B9600},
		{19200, B19200},   {38400, B38400},   {57600, B57600},   {115200, B115200},
		{230400, B230400}, {460800, B460800}, {921600, B921600},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].baud == baud)
			return table[i].speed;
	return 0;
}

int tool_args_parse(int argc, char **argv, const char *prog, const char *usage,
		    const struct tool_args_str *strs, size_t n_strs, const char **device, long *baud)
{
	struct option opts[MAX_STRS + 5] = {
		{"device", required_argument, NULL, 'd'},
		{"baud", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
	};
	if (n_strs > MAX_STRS)
		n_strs = MAX_STRS;
	for (size_t i = 0; i < n_strs; i++)
		opts[4 + i] = (struct option){strs[i].name, required_argument, NULL, STR_BASE + (int)i};
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		char *end;
		switch (c) {
		case 'd':
			*device = optarg;
			break;
		case 'b':
			*baud = strtol(optarg, &end, 10);
			if (*end || (*baud != 0 && !tool_args_speed(*baud))) {
				fprintf(stderr, "%s: --baud %s: not a supported rate\n", prog, optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'v':
			printf("%s 0.1.0\n", prog);
			return 0;
		default:
			if (c >= STR_BASE && c < STR_BASE + (int)n_strs) {
				*strs[c - STR_BASE].out = optarg;
				break;
			}
			fprintf(stderr, "%s: unknown option %s\nTry '%s --help'.\n", prog,
				argv[optind - 1], prog);
			return 2;
		}
	}
	return -1;
}
