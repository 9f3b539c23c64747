/* profile_tree.c - libyaml events -> located tree of mappings, sequences and scalars. */
#include "profile_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* The parse in progress: the open collections, innermost last. */
struct tree_builder {
	const char *file;
	const char *buf; /* the input, to place reader errors (they carry an offset) */
	size_t len;
	struct profile_error *err;
	struct profile_tree_node *root;
	struct profile_tree_node *stack[PROFILE_TREE_MAX_DEPTH];
	size_t depth;
	bool documents_done; /* one document has ended: a second one is an error */
};

void profile_tree_appendf(char *dst, size_t cap, size_t *len, const char *fmt, ...)
{
	if (*len >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		dst[*len] = '\0';
	else
		*len = (size_t)n >= cap - *len ? cap - 1 : *len + (size_t)n;
}

/*
 * The key path of where the parser is: every open collection contributes the key or index of
 * the child being built. The innermost one contributes the pending key (mapping) or the next
 * index (sequence), since the node in question is not attached yet.
 */
static void builder_path(const struct tree_builder *b, char *dst, size_t cap)
{
	size_t len = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < b->depth; i++) {
		const struct profile_tree_node *c = b->stack[i];
		bool inner = i + 1 == b->depth;
		if (c->kind == PROFILE_TREE_SEQ) {
			profile_tree_appendf(dst, cap, &len, "[%zu]",
					     inner ? c->n_kids : c->n_kids - 1);
			continue;
		}
		const struct profile_tree_node *key = NULL;
		if (c->n_kids % 2 == 1)
			key = c->kids[c->n_kids - 1];
		else if (!inner && c->n_kids >= 2)
			key = c->kids[c->n_kids - 2];
		if (key)
			profile_tree_appendf(dst, cap, &len, "%s%s", len ? "." : "", key->text);
	}
}

static bool builder_fail(struct tree_builder *b, unsigned line, unsigned column, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));

static bool builder_fail(struct tree_builder *b, unsigned line, unsigned column, const char *fmt,
			 ...)
{
	struct profile_error *e = b->err;
	snprintf(e->file, sizeof(e->file), "%s", b->file);
	e->line = line;
	e->column = column;
	builder_path(b, e->path, sizeof(e->path));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return false;
}

/* libyaml reports reader errors (bad UTF-8, control bytes) as a byte offset, not a mark. */
static void offset_to_mark(const char *buf, size_t len, size_t offset, unsigned *line,
			   unsigned *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static bool fail_libyaml(struct tree_builder *b, const yaml_parser_t *parser)
{
	unsigned line, column;
	if (parser->error == YAML_READER_ERROR) {
		offset_to_mark(b->buf, b->len, parser->problem_offset, &line, &column);
	} else {
		line = (unsigned)parser->problem_mark.line + 1;
		column = (unsigned)parser->problem_mark.column + 1;
	}
	if (parser->error == YAML_MEMORY_ERROR)
		return builder_fail(b, line, column, "out of memory");
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	if (parser->context)
		return builder_fail(b, line, column, "invalid YAML: %s (%s)", problem,
				    parser->context);
	return builder_fail(b, line, column, "invalid YAML: %s", problem);
}

void profile_tree_free(struct profile_tree_node *n)
{
	if (!n)
		return;
	/* Depth is bounded by PROFILE_TREE_MAX_DEPTH, so recursion is safe here. */
	for (size_t i = 0; i < n->n_kids; i++)
		profile_tree_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static bool append_kid(struct profile_tree_node *parent, struct profile_tree_node *kid)
{
	if (parent->n_kids == parent->cap_kids) {
		size_t cap = parent->cap_kids ? parent->cap_kids * 2 : 8;
		struct profile_tree_node **k = realloc(parent->kids, cap * sizeof(*k));
		if (!k)
			return false;
		parent->kids = k;
		parent->cap_kids = cap;
	}
	parent->kids[parent->n_kids++] = kid;
	return true;
}

static bool same_text(const struct profile_tree_node *a, const struct profile_tree_node *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Attach a new node where the parser is; on failure the node is freed. */
static bool builder_attach(struct tree_builder *b, struct profile_tree_node *n)
{
	if (b->depth == 0) {
		b->root = n;
		return true;
	}
	struct profile_tree_node *parent = b->stack[b->depth - 1];
	bool ok = true;
	if (parent->kind == PROFILE_TREE_MAP && parent->n_kids % 2 == 0) {
		if (n->kind != PROFILE_TREE_SCALAR) {
			ok = builder_fail(b, n->line, n->column,
					  "mapping keys must be plain strings");
		} else if (parent->n_kids / 2 >= PROFILE_TREE_MAX_ITEMS) {
			ok = builder_fail(b, n->line, n->column, "more than %u keys in one mapping",
					  PROFILE_TREE_MAX_ITEMS);
		}
		for (size_t i = 0; ok && i < parent->n_kids; i += 2) {
			const struct profile_tree_node *k = parent->kids[i];
			if (!same_text(k, n))
				continue;
			ok = builder_fail(b, n->line, n->column,
					  "duplicate key \"%s\" (first at line %u, column %u)",
					  n->text, k->line, k->column);
			/* Name the duplicate key in the path too: it is the offending one. */
			size_t plen = strlen(b->err->path);
			profile_tree_appendf(b->err->path, sizeof(b->err->path), &plen, "%s%s",
					     plen ? "." : "", n->text);
		}
	} else if (parent->kind == PROFILE_TREE_SEQ && parent->n_kids >= PROFILE_TREE_MAX_ITEMS) {
		ok = builder_fail(b, n->line, n->column, "more than %u items in one sequence",
				  PROFILE_TREE_MAX_ITEMS);
	}
	if (ok && !append_kid(parent, n))
		ok = builder_fail(b, n->line, n->column, "out of memory");
	if (!ok)
		profile_tree_free(n);
	return ok;
}

static struct profile_tree_node *new_node(enum profile_tree_kind kind, const char *file,
					  const yaml_mark_t *mark)
{
	struct profile_tree_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->file = file;
	n->line = (unsigned)mark->line + 1;
	n->column = (unsigned)mark->column + 1;
	return n;
}

/* Anchors, aliases and tags are refused: profiles are plain data, and merging is extends:. */
static bool check_plain_node(struct tree_builder *b, const yaml_event_t *ev,
			     const yaml_char_t *anchor, const yaml_char_t *tag)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned column = (unsigned)ev->start_mark.column + 1;
	if (anchor)
		return builder_fail(b, line, column,
				    "anchors (&%s) are not supported; use extends: to share values",
				    (const char *)anchor);
	if (tag)
		return builder_fail(b, line, column, "tags (%s) are not supported",
				    (const char *)tag);
	return true;
}

static bool on_scalar(struct tree_builder *b, const yaml_event_t *ev)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned column = (unsigned)ev->start_mark.column + 1;
	if (!check_plain_node(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag))
		return false;
	if (ev->data.scalar.length > PROFILE_TREE_MAX_STRING)
		return builder_fail(b, line, column, "string longer than %u bytes",
				    PROFILE_TREE_MAX_STRING);
	struct profile_tree_node *n = new_node(PROFILE_TREE_SCALAR, b->file, &ev->start_mark);
	char *text = malloc(ev->data.scalar.length + 1);
	if (!n || !text) {
		free(n);
		free(text);
		return builder_fail(b, line, column, "out of memory");
	}
	memcpy(text, ev->data.scalar.value, ev->data.scalar.length);
	text[ev->data.scalar.length] = '\0';
	n->text = text;
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	/* A NUL inside a quoted "\0" would silently cut every later use of the string. */
	if (strlen(text) != n->len) {
		profile_tree_free(n);
		return builder_fail(b, line, column, "NUL character in a string");
	}
	return builder_attach(b, n);
}

static bool on_start(struct tree_builder *b, const yaml_event_t *ev, enum profile_tree_kind kind)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned column = (unsigned)ev->start_mark.column + 1;
	const yaml_char_t *anchor = kind == PROFILE_TREE_MAP ? ev->data.mapping_start.anchor
							     : ev->data.sequence_start.anchor;
	const yaml_char_t *tag =
		kind == PROFILE_TREE_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	if (!check_plain_node(b, ev, anchor, tag))
		return false;
	if (b->depth == PROFILE_TREE_MAX_DEPTH)
		return builder_fail(b, line, column, "nested deeper than %u levels",
				    PROFILE_TREE_MAX_DEPTH);
	struct profile_tree_node *n = new_node(kind, b->file, &ev->start_mark);
	if (!n)
		return builder_fail(b, line, column, "out of memory");
	if (!builder_attach(b, n))
		return false;
	b->stack[b->depth++] = n;
	return true;
}

/* One event; false (with *err filled) stops the parse. *done is set at the stream's end. */
static bool on_event(struct tree_builder *b, const yaml_event_t *ev, bool *done)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned column = (unsigned)ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->documents_done)
			return builder_fail(b, line, column,
					    "more than one YAML document in the file");
		return true;
	case YAML_DOCUMENT_END_EVENT:
		b->documents_done = true;
		return true;
	case YAML_ALIAS_EVENT:
		return builder_fail(b, line, column,
				    "aliases (*%s) are not supported; use extends: to share values",
				    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, PROFILE_TREE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, PROFILE_TREE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return true;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return true;
	default:
		return true;
	}
}

struct profile_tree_node *profile_tree_parse(const char *buf, size_t len, const char *file,
					     struct profile_error *err)
{
	struct tree_builder b = { .file = file, .buf = buf, .len = len, .err = err };
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		builder_fail(&b, 0, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	bool ok = true;
	bool done = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			ok = fail_libyaml(&b, &parser);
			break;
		}
		ok = on_event(&b, &ev, &done);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (ok && !b.root)
		ok = builder_fail(&b, 1, 1, "empty file: no YAML document");
	if (!ok) {
		profile_tree_free(b.root);
		return NULL;
	}
	return b.root;
}

struct profile_tree_node *profile_tree_get(const struct profile_tree_node *map, const char *key)
{
	if (!map || map->kind != PROFILE_TREE_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
		const struct profile_tree_node *k = map->kids[i];
		if (k && k->len == klen && memcmp(k->text, key, klen) == 0)
			return map->kids[i + 1];
	}
	return NULL;
}

bool profile_tree_is_null(const struct profile_tree_node *n)
{
	if (!n || n->kind != PROFILE_TREE_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
	       strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

static bool skipped(const char *const *skip, const char *key)
{
	for (size_t i = 0; skip && skip[i]; i++)
		if (strcmp(skip[i], key) == 0)
			return true;
	return false;
}

bool profile_tree_merge(struct profile_tree_node *over, struct profile_tree_node *base,
			const char *const *skip)
{
	for (size_t i = 0; i + 1 < base->n_kids; i += 2) {
		struct profile_tree_node *key = base->kids[i];
		struct profile_tree_node *val = base->kids[i + 1];
		if (!key || skipped(skip, key->text))
			continue;
		struct profile_tree_node *mine = profile_tree_get(over, key->text);
		if (!mine) {
			/* Grow first so that a failed append leaves both trees whole. */
			if (!append_kid(over, key))
				return false;
			if (!append_kid(over, val)) {
				over->n_kids--;
				return false;
			}
			base->kids[i] = NULL;
			base->kids[i + 1] = NULL;
		} else if (mine->kind == PROFILE_TREE_MAP && val->kind == PROFILE_TREE_MAP) {
			if (!profile_tree_merge(mine, val, NULL))
				return false;
		}
	}
	return true;
}

const char *profile_tree_quote(const struct profile_tree_node *n, char *buf, size_t cap)
{
	char text[48];
	size_t i = 0;
	for (; i < n->len && i + 1 < sizeof(text); i++) {
		unsigned char ch = (unsigned char)n->text[i];
		text[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	text[i] = '\0';
	snprintf(buf, cap, "\"%s%s\"", text, i < n->len ? "..." : "");
	return buf;
}

const char *profile_tree_describe(const struct profile_tree_node *n, char *buf, size_t cap)
{
	if (n->kind == PROFILE_TREE_MAP)
		return "a mapping";
	if (n->kind == PROFILE_TREE_SEQ)
		return "a sequence";
	if (profile_tree_is_null(n))
		return "null";
	if (n->plain)
		return profile_tree_quote(n, buf, cap);
	/* Say "quoted": a quoted 3000 is a string, and the reader must see why it is refused. */
	char q[56];
	snprintf(buf, cap, "the quoted string %s", profile_tree_quote(n, q, sizeof(q)));
	return buf;
}

bool profile_tree_fail(struct profile_error *err, const struct profile_tree_node *at,
		       const char *path, const char *fmt, ...)
{
	snprintf(err->file, sizeof(err->file), "%s", at->file);
	err->line = at->line;
	err->column = at->column;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return false;
}
