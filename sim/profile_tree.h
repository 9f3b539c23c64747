/* profile_tree.h - one YAML file as a small tree of located nodes, built from libyaml events. */
#ifndef SIM_PROFILE_TREE_H
#define SIM_PROFILE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "profile_yaml.h"

/*
 * Internal to the profile loader (profile_yaml.c); the simulator proper never sees a tree.
 * The tree keeps only what a profile needs: mappings, sequences and scalars, each with the
 * place it was written, so that every later error can name file:line:column.
 */

#define PROFILE_TREE_MAX_STRING 4096u /* bytes in one scalar (keys included) */
#define PROFILE_TREE_MAX_ITEMS	4096u /* items in one sequence, pairs in one mapping */
#define PROFILE_TREE_MAX_DEPTH	32u   /* nesting; a profile needs 4, the rest is an attack */

enum profile_tree_kind {
	PROFILE_TREE_MAP,
	PROFILE_TREE_SEQ,
	PROFILE_TREE_SCALAR,
};

struct profile_tree_node {
	enum profile_tree_kind kind;
	const char *file; /* borrowed: the caller keeps it alive longer than the tree */
	unsigned line;	  /* 1-based, of the node's first character */
	unsigned column;  /* 1-based */
	bool plain;	  /* scalar without quotes or block style: may be int/bool/null */
	char *text;	  /* scalar: its text, NUL-terminated; NULL for collections */
	size_t len;	  /* scalar: bytes in text */
	struct profile_tree_node **kids; /* sequence: items; mapping: key, value, key, value... */
	size_t n_kids;
	size_t cap_kids;
};

/*
 * Parse buf[len] (one YAML document) into a tree whose nodes name file. Anchors, aliases, tags,
 * non-scalar keys, duplicate keys, more than one document and an empty stream are errors, as
 * are the limits above. Returns NULL and fills *err on error. The caller frees the tree.
 */
struct profile_tree_node *profile_tree_parse(const char *buf, size_t len, const char *file,
					     struct profile_error *err);

/* Free a node and everything below it. NULL is a no-op. */
void profile_tree_free(struct profile_tree_node *n);

/* The value of key in a mapping, or NULL when absent (or map is not a mapping). */
struct profile_tree_node *profile_tree_get(const struct profile_tree_node *map, const char *key);

/* True for a plain empty, "~" or "null" scalar: the YAML null, "use the default". */
bool profile_tree_is_null(const struct profile_tree_node *n);

/*
 * Merge base into over (both mappings), the way extends: works: a key only in base moves into
 * over, a key in both whose values are both mappings merges recursively, and otherwise over's
 * value stays. Keys listed in skip (NULL-terminated, may be NULL) are never taken from base.
 * Moved nodes leave base (their slots become NULL); base is still freed by the caller.
 * Returns false only when out of memory; both trees stay valid for freeing.
 */
bool profile_tree_merge(struct profile_tree_node *over, struct profile_tree_node *base,
			const char *const *skip);

/*
 * printf onto dst[*len] within cap bytes, advancing *len; output past cap is cut, because a
 * cut key path or message is still better than none. Shared by the loader's path building.
 */
void profile_tree_appendf(char *dst, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Room for what profile_tree_quote and profile_tree_describe write. */
#define PROFILE_TREE_SHOW_MAX 96u

/* A scalar's text for a message: in double quotes, cut short, control bytes shown as '?'. */
const char *profile_tree_quote(const struct profile_tree_node *n, char *buf, size_t cap);

/* A node for a message: "a mapping", "a sequence", "null", "\"abc\"", "the quoted string ...". */
const char *profile_tree_describe(const struct profile_tree_node *n, char *buf, size_t cap);

/* Fill *err with at's place, path and the message; returns false for `return fail(...)`. */
bool profile_tree_fail(struct profile_error *err, const struct profile_tree_node *at,
		       const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
