/* tool_args.c - the command line shared by sim800-probe and sim800-proxy (tool_args.h). */
#include "tool_args.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim800.h"

#define MAX_STRS 4    /* a tool's own string options */
#define STR_BASE 256  /* getopt values of those: past every character */

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
			if (*end || *baud < 0 || *baud > 4000000 ||
			    (*baud != 0 && !sim800_port_posix_rate_ok((unsigned)*baud))) {
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
