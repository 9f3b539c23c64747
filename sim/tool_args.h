/* tool_args.h - the command line shared by sim800-probe and sim800-proxy: options, baud rates. */
#ifndef SIM_TOOL_ARGS_H
#define SIM_TOOL_ARGS_H

#include <stddef.h>

/* One of a tool's own options: --name VALUE, stored in *out (argv's string, not copied). */
struct tool_args_str {
	const char *name;
	const char **out;
};

/*
 * Parse --device PATH, --baud N, --help, --version and the tool's own string options. *device
 * and *baud keep what the caller preset unless given. --baud takes 0 (leave the line as it is)
 * or a rate the driver's port takes (sim800_port_posix_rate_ok). Returns -1 to go on (optind is the first operand), else the
 * exit status: 0 after --help (usage on stdout) or --version, 2 after a usage error (said on
 * stderr as "<prog>: ...").
 */
int tool_args_parse(int argc, char **argv, const char *prog, const char *usage,
		    const struct tool_args_str *strs, size_t n_strs, const char **device, long *baud);

#endif
