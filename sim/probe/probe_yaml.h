/* probe_yaml.h - turn a module's recorded answers into a sim800-sim profile (libyaml emitter). */
#ifndef PROBE_YAML_H
#define PROBE_YAML_H

#include <stdbool.h>
#include <stddef.h>

#define PROBE_MAX_LINES 8
#define PROBE_LINE_MAX 256

/* One command and what the module answered. */
struct probe_answer {
	char command[32];                       /* as sent, "AT+CSQ" */
	char lines[PROBE_MAX_LINES][PROBE_LINE_MAX]; /* information lines, in order */
	size_t n_lines;
	char final[PROBE_LINE_MAX];             /* "OK", "ERROR", "+CME ERROR: 10", ... */
	bool answered;                          /* a final result came */
	unsigned ms;                            /* time from sending to the final */
};

struct probe_meta {
	const char *device;
	const char *name;      /* NULL: probed-<ATI> */
	long baud;
	bool echo;             /* the module echoed our commands */
	char when[64];
};

/* Write the profile to path (NULL: stdout). False with why on failure. */
bool probe_yaml_write(const char *path, const struct probe_meta *meta,
		      const struct probe_answer *a, size_t n, char *why, size_t why_cap);

#endif
