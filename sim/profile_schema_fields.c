/* profile_schema_fields.c - the profile schema's typed field reader: kinds, ranges, string rules. */
#include "profile_schema_int.h"

#include <stdlib.h>
#include <string.h>

size_t schema_path_key(struct schema *sc, const char *key)
{
	size_t mark = sc->path_len;
	profile_tree_appendf(sc->path, sizeof(sc->path), &sc->path_len, "%s%s", mark ? "." : "",
			     key);
	return mark;
}

size_t schema_path_index(struct schema *sc, size_t i)
{
	size_t mark = sc->path_len;
	profile_tree_appendf(sc->path, sizeof(sc->path), &sc->path_len, "[%zu]", i);
	return mark;
}

void schema_path_pop(struct schema *sc, size_t mark)
{
	sc->path_len = mark;
	sc->path[mark] = '\0';
}

const struct str_rule schema_rule_line = { STR_LINE, 1, PROFILE_TREE_MAX_STRING,
					   "a non-empty line" };
const struct str_rule schema_rule_any_line = { STR_LINE, 0, PROFILE_TREE_MAX_STRING, "a line" };
const struct str_rule schema_rule_text = { STR_TEXT, 0, PROFILE_TREE_MAX_STRING, "text" };
const struct str_rule schema_rule_imei = { STR_DIGITS, 15, 15, "15 decimal digits" };
const struct str_rule schema_rule_imsi = { STR_DIGITS, 6, 15, "6 to 15 decimal digits" };
const struct str_rule schema_rule_iccid = { STR_HEX, 18, 22, "18 to 22 hex digits" };
const struct str_rule schema_rule_pin = { STR_DIGITS, 4, 8, "4 to 8 decimal digits" };
const struct str_rule schema_rule_cell = { STR_HEX, 1, 8, "1 to 8 hex digits" };

static void list_words(char *buf, size_t cap, const char *const *w, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; w[i] && i < n; i++)
		profile_tree_appendf(buf, cap, &len, "%s%s", i ? ", " : "", w[i]);
}

static bool read_long(struct schema *sc, const node_t *n, const struct field *f, long *out)
{
	char what[PROFILE_TREE_SHOW_MAX];
	const char *s = n->kind == PROFILE_TREE_SCALAR ? n->text : NULL;
	bool neg = s && s[0] == '-';
	const char *d = s ? s + neg : NULL;
	/* Decimal only: YAML 1.1 would read 010 as octal and 0x10 as hex; we want neither. */
	bool ok = n->plain && d && d[0] >= '0' && d[0] <= '9' && !(d[0] == '0' && d[1]);
	long v = 0;
	for (size_t i = 0; ok && d[i]; i++) {
		if (d[i] < '0' || d[i] > '9')
			ok = false;
		else if (v > 100000000L)
			v = 1000000000L; /* saturate: already out of every range */
		else
			v = v * 10 + (d[i] - '0');
	}
	if (!ok)
		return fail(sc, n, "expected a decimal integer, got %s",
			    profile_tree_describe(n, what, sizeof(what)));
	v = neg ? -v : v;
	bool in = v >= f->lo && v <= f->hi;
	for (size_t i = 0; !in && f->also && f->also[i] >= 0; i++)
		in = v == f->also[i];
	if (in) {
		*out = v;
		return true;
	}
	char range[160];
	size_t len = 0;
	if (f->lo == f->hi)
		profile_tree_appendf(range, sizeof(range), &len, "%ld", f->lo);
	else
		profile_tree_appendf(range, sizeof(range), &len, "%ld..%ld", f->lo, f->hi);
	for (size_t i = 0; f->also && f->also[i] >= 0; i++)
		profile_tree_appendf(range, sizeof(range), &len, "%s%ld", i ? ", " : " or ",
				     f->also[i]);
	return fail(sc, n, "%s is out of range (%s)", n->text, range);
}

bool schema_read_string(struct schema *sc, const node_t *n, const struct str_rule *r, char **out)
{
	char what[PROFILE_TREE_SHOW_MAX];
	if (n->kind != PROFILE_TREE_SCALAR)
		return fail(sc, n, "expected %s, got %s", r->what,
			    profile_tree_describe(n, what, sizeof(what)));
	bool ok = n->len >= r->min && n->len <= r->max;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char c = (unsigned char)n->text[i];
		bool digit = c >= '0' && c <= '9';
		switch (r->cls) {
		case STR_LINE:
			ok = c >= 0x20 && c != 0x7f;
			break;
		case STR_TEXT:
			ok = (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t';
			break;
		case STR_DIGITS:
			ok = digit;
			break;
		case STR_HEX:
			ok = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			break;
		}
	}
	if (!ok)
		return fail(sc, n, "expected %s, got %s", r->what,
			    profile_tree_describe(n, what, sizeof(what)));
	*out = malloc(n->len + 1);
	if (!*out)
		return fail(sc, n, "out of memory");
	memcpy(*out, n->text, n->len + 1);
	return true;
}

bool schema_read_value(struct schema *sc, const node_t *v, const struct field *f)
{
	char what[PROFILE_TREE_SHOW_MAX], words[160];
	long num;
	switch (f->type) {
	case F_STR:
		return schema_read_string(sc, v, f->rule, f->out);
	case F_UINT:
		if (!read_long(sc, v, f, &num))
			return false;
		*(unsigned *)f->out = (unsigned)num;
		return true;
	case F_INT:
		if (!read_long(sc, v, f, &num))
			return false;
		*(int *)f->out = (int)num;
		return true;
	case F_BOOL:
	case F_TRIBOOL: {
		bool t = v->kind == PROFILE_TREE_SCALAR && v->plain && strcmp(v->text, "true") == 0;
		bool fa =
			v->kind == PROFILE_TREE_SCALAR && v->plain && strcmp(v->text, "false") == 0;
		if (!t && !fa)
			return fail(sc, v, "expected true or false, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		if (f->type == F_BOOL)
			*(bool *)f->out = t;
		else
			*(int *)f->out = t;
		return true;
	}
	case F_WORD:
		for (int i = 0; v->kind == PROFILE_TREE_SCALAR && f->words[i]; i++) {
			if (strcmp(v->text, f->words[i]) == 0) {
				*(int *)f->out = i;
				return true;
			}
		}
		list_words(words, sizeof(words), f->words, 64);
		if (v->kind != PROFILE_TREE_SCALAR)
			return fail(sc, v, "expected one of: %s, got %s", words,
				    profile_tree_describe(v, what, sizeof(what)));
		return fail(sc, v, "unknown value %s (expected one of: %s)",
			    profile_tree_quote(v, what, sizeof(what)), words);
	case F_MAP:
		if (v->kind != PROFILE_TREE_MAP)
			return fail(sc, v, "expected a mapping, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		return true;
	case F_SEQ:
		if (v->kind != PROFILE_TREE_SEQ)
			return fail(sc, v, "expected a sequence, got %s",
				    profile_tree_describe(v, what, sizeof(what)));
		return true;
	case F_LINK:
		return true;
	}
	return true;
}

/*
 * Check map's keys against the field table and read every present field; absent and null
 * fields keep what *out holds (the default). Unknown keys and missing required ones fail.
 */
bool schema_read_fields(struct schema *sc, const node_t *map, const struct field *f, size_t n)
{
	for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
		const node_t *key = map->kids[i];
		size_t j = 0;
		while (j < n && strcmp(f[j].key, key->text) != 0)
			j++;
		if (j < n)
			continue;
		char expected[sizeof(sc->err->message) / 2];
		size_t len = 0;
		expected[0] = '\0';
		for (j = 0; j < n; j++)
			profile_tree_appendf(expected, sizeof(expected), &len, "%s%s",
					     j ? ", " : "", f[j].key);
		char what[PROFILE_TREE_SHOW_MAX];
		schema_path_key(sc, key->text);
		return fail(sc, key, "unknown key %s (expected one of: %s)",
			    profile_tree_quote(key, what, sizeof(what)), expected);
	}
	for (size_t j = 0; j < n; j++) {
		const node_t *v = profile_tree_get(map, f[j].key);
		size_t mark = schema_path_key(sc, f[j].key);
		if ((!v || profile_tree_is_null(v)) && f[j].required)
			return fail(sc, map, "missing required key \"%s\"", f[j].key);
		if (v && !profile_tree_is_null(v) && !schema_read_value(sc, v, &f[j]))
			return false;
		schema_path_pop(sc, mark);
	}
	return true;
}

const node_t *schema_value_of(const node_t *map, const char *key)
{
	const node_t *v = profile_tree_get(map, key);
	return v && !profile_tree_is_null(v) ? v : NULL;
}

bool schema_read_lines(struct schema *sc, const node_t *seq, const struct str_rule *r, char ***out,
		       size_t *n_out)
{
	if (seq->n_kids == 0)
		return true;
	*out = calloc(seq->n_kids, sizeof(**out));
	if (!*out)
		return fail(sc, seq, "out of memory");
	*n_out = seq->n_kids;
	for (size_t i = 0; i < seq->n_kids; i++) {
		size_t mark = schema_path_index(sc, i);
		if (!schema_read_string(sc, seq->kids[i], r, &(*out)[i]))
			return false;
		schema_path_pop(sc, mark);
	}
	return true;
}

/* The previous after_ms of a timeline, for the "in time order" rule. */
bool schema_check_order(struct schema *sc, const node_t *item, unsigned prev, unsigned cur)
{
	if (cur >= prev)
		return true;
	size_t mark = schema_path_key(sc, "after_ms");
	fail(sc, profile_tree_get(item, "after_ms"),
	     "after_ms %u is before the previous entry's %u (entries must be in time order)", cur,
	     prev);
	schema_path_pop(sc, mark);
	return false;
}

/* Check a sequence item is a mapping, with the item's index in the path. */
bool schema_item_map(struct schema *sc, const node_t *item)
{
	char what[PROFILE_TREE_SHOW_MAX];
	if (item->kind == PROFILE_TREE_MAP)
		return true;
	return fail(sc, item, "expected a mapping, got %s",
		    profile_tree_describe(item, what, sizeof(what)));
}
