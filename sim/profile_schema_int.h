/* profile_schema_int.h - shared by profile_schema*.c: conversion state, field tables, reader. */
#ifndef SIM_PROFILE_SCHEMA_INT_H
#define SIM_PROFILE_SCHEMA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "profile_tree.h"

#define MS_MAX 86400000L /* one day: any longer delay is a typo */

typedef struct profile_tree_node node_t;

/* One conversion: where errors go, and the key path of the node being converted. */
struct schema {
	struct profile_error *err;
	const char *source;
	const node_t *root; /* for errors that have no better node (out of memory) */
	char path[sizeof(((struct profile_error *)0)->path)];
	size_t path_len;
};

#define fail(sc, at, ...) profile_tree_fail((sc)->err, (at), (sc)->path, __VA_ARGS__)

enum str_class {
	STR_LINE,   /* one line: no control characters (it goes on the wire) */
	STR_TEXT,   /* free text: newlines and tabs allowed */
	STR_DIGITS, /* 0-9 only */
	STR_HEX,    /* 0-9 a-f A-F */
};

struct str_rule {
	enum str_class cls;
	size_t min, max;  /* length in bytes */
	const char *what; /* for messages: "15 decimal digits" */
};

/* Common string rules (profile_schema_fields.c). */
extern const struct str_rule schema_rule_line, schema_rule_any_line, schema_rule_text;
extern const struct str_rule schema_rule_imei, schema_rule_imsi, schema_rule_iccid;
extern const struct str_rule schema_rule_pin, schema_rule_cell;

enum field_type {
	F_STR,	   /* char **: a new copy */
	F_UINT,	   /* unsigned * */
	F_INT,	   /* int * */
	F_BOOL,	   /* bool * */
	F_TRIBOOL, /* int *: 0/1, untouched when absent (callers preset -1) */
	F_WORD,	   /* int *: index into words */
	F_MAP,	   /* checked for kind and presence only; the caller converts it */
	F_SEQ,
	F_LINK, /* extends:, already followed by load_file */
};

struct field {
	const char *key;
	enum field_type type;
	bool required;
	long lo, hi;		     /* F_UINT/F_INT range */
	const long *also;	     /* F_UINT/F_INT: more allowed values, ending in -1 */
	const char *const *words;    /* F_WORD: NULL-terminated; the index is the value */
	const struct str_rule *rule; /* F_STR */
	void *out;
};

#define N_FIELDS(f) (sizeof(f) / sizeof((f)[0]))

/* Key path of the node being converted: push a key or an index, pop back to the mark. */
size_t schema_path_key(struct schema *sc, const char *key);
size_t schema_path_index(struct schema *sc, size_t i);
void schema_path_pop(struct schema *sc, size_t mark);

bool schema_read_string(struct schema *sc, const node_t *n, const struct str_rule *r, char **out);
bool schema_read_value(struct schema *sc, const node_t *v, const struct field *f);
/*
 * Check map's keys against the field table and read every present field; absent and null
 * fields keep what *out holds (the default). Unknown keys and missing required ones fail.
 */
bool schema_read_fields(struct schema *sc, const node_t *map, const struct field *f, size_t n);
/* A present, non-null value of a key that schema_read_fields has already type-checked. */
const node_t *schema_value_of(const node_t *map, const char *key);
/* A sequence of strings, each checked against r, into a new array. */
bool schema_read_lines(struct schema *sc, const node_t *seq, const struct str_rule *r,
		       char ***out, size_t *n_out);
/* The previous after_ms of a timeline, for the "in time order" rule. */
bool schema_check_order(struct schema *sc, const node_t *item, unsigned prev, unsigned cur);
/* Check a sequence item is a mapping, with the item's index in the path. */
bool schema_item_map(struct schema *sc, const node_t *item);

/* profile_schema_net.c: boot, network and its timeline, replay, hosts. */
bool schema_conv_boot(struct schema *sc, const node_t *m, struct profile *p);
bool schema_conv_network(struct schema *sc, const node_t *m, struct profile *p);
bool schema_conv_replay(struct schema *sc, const node_t *seq, struct profile *p);
bool schema_conv_hosts(struct schema *sc, const node_t *m, struct profile *p);

#endif
