/* tree_json.h - a located YAML tree (profile_tree) as JSON: for scenarios and conformance cases. */
#ifndef SIM_TREE_JSON_H
#define SIM_TREE_JSON_H

#include <jansson.h>

#include "profile_tree.h"

/* Mappings become objects, sequences arrays; plain scalars that are integers, numbers or
 * true/false become those JSON types, everything else (quoted scalars too) a string. */
json_t *tree_json(const struct profile_tree_node *n);

#endif
