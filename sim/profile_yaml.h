/* profile_yaml.h - load a firmware profile from YAML (libyaml), with extends: and exact errors. */
#ifndef SIM_PROFILE_YAML_H
#define SIM_PROFILE_YAML_H

#include <stddef.h>

#include "profile.h"

/* Where a load failed. file:line:column are 1-based; path is the key path, e.g. "identity.ati". */
struct profile_error {
	char file[512];
	unsigned line;
	unsigned column;
	char path[256];
	char message[512];
};

/*
 * Load a profile by bundled name ("sim800-r14.18", looked up as <dir>/<name>.yaml) or by path
 * (anything containing '/' or ending in ".yaml"/".yml"). A profile may say `extends: NAME|PATH`
 * (relative paths are relative to the extending file); the child's keys override the parent's,
 * mappings merge key by key, sequences are replaced whole. Unknown keys, wrong types, missing
 * required keys, broken YAML and extends cycles are errors: NULL is returned, *err says where,
 * and nothing is half-loaded. The caller owns the result (profile_free).
 */
struct profile *profile_yaml_load(const char *name_or_path, const char *dir,
				  struct profile_error *err);

/* Format an error as "file:line:column: path: message" into buf. */
void profile_error_format(const struct profile_error *err, char *buf, size_t cap);

/*
 * The directory of the bundled profiles: $SIM800_PROFILE_DIR if set, else the source tree's
 * profiles/ compiled in as SIM800_PROFILE_DIR.
 */
const char *profile_yaml_bundled_dir(void);

/*
 * Call fn(name, path, ctx) for every *.yaml in dir, sorted by name. Returns the count, or -1 if
 * dir cannot be read.
 */
int profile_yaml_list(const char *dir, void (*fn)(const char *name, const char *path, void *ctx),
		      void *ctx);

#endif
