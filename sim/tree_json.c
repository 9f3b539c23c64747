/* tree_json.c - a located YAML tree (profile_tree) as JSON (see tree_json.h). */
#include "tree_json.h"

#include <stdlib.h>
#include <string.h>

json_t *tree_json(const struct profile_tree_node *n)
{
	if (n->kind == PROFILE_TREE_MAP) {
		json_t *o = json_object();
		for (size_t i = 0; i + 1 < n->n_kids; i += 2)
			json_object_set_new(o, n->kids[i]->text, tree_json(n->kids[i + 1]));
		return o;
	}
	if (n->kind == PROFILE_TREE_SEQ) {
		json_t *a = json_array();
		for (size_t i = 0; i < n->n_kids; i++)
			json_array_append_new(a, tree_json(n->kids[i]));
		return a;
	}
	if (n->plain) {
		char *end;
		long long v = strtoll(n->text, &end, 10);
		if (*n->text && !*end)
			return json_integer(v);
		double d = strtod(n->text, &end);
		if (*n->text && !*end)
			return json_real(d);
		if (!strcmp(n->text, "true") || !strcmp(n->text, "false"))
			return json_boolean(!strcmp(n->text, "true"));
		if (!strcmp(n->text, "null") || !strcmp(n->text, "~") || !*n->text)
			return json_null();
	}
	return json_string(n->text);
}
