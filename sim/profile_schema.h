/* profile_schema.h - check a merged profile tree against the schema and build a struct profile. */
#ifndef SIM_PROFILE_SCHEMA_H
#define SIM_PROFILE_SCHEMA_H

#include "profile.h"
#include "profile_tree.h"
#include "profile_yaml.h"

/*
 * Internal to the profile loader. root is the tree after extends: merging; source is the file
 * the profile was asked from (copied into source_path). Every key, type, range and default is
 * the one profiles/README.md lists. Returns a new profile (the caller frees it with
 * profile_free), or NULL with *err naming the offending node and its key path. The tree is
 * only read.
 */
struct profile *profile_schema_build(const struct profile_tree_node *root, const char *source,
				     struct profile_error *err);

#endif
