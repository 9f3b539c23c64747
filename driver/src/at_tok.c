/* at_tok.c - typed iterator over AT argument lists (see at_tok.h). */
#include "at_tok.h"

#include <limits.h>
#include <string.h>

static void skip_spaces(struct at_tok *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

void at_tok_init(struct at_tok *t, const char *s, size_t len)
{
	t->p = s;
	t->start = s;
	t->end = s + len;
	t->depth = 0;
	t->first = true;
}

size_t at_tok_column(const struct at_tok *t)
{
	return (size_t)(t->p - t->start);
}

bool at_tok_at_end(const struct at_tok *t)
{
	const char *p = t->p;
	while (p < t->end && (*p == ' ' || *p == '\t'))
		p++;
	return p >= t->end;
}

/*
 * Position at the start of the next parameter: consume the ',' that separates it from the
 * previous one. Returns AT_TOK_END when nothing is left, AT_TOK_EMPTY for an omitted one.
 */
static enum at_tok_res begin_param(struct at_tok *t)
{
	skip_spaces(t);
	if (!t->first) {
		if (t->p >= t->end || *t->p == ')')
			return AT_TOK_END;
		if (*t->p != ',')
			return AT_TOK_BADTYPE;
		t->p++;
		skip_spaces(t);
	} else if (t->p >= t->end) {
		return AT_TOK_END;
	}
	t->first = false;
	if (t->p >= t->end || *t->p == ',' || *t->p == ')')
		return AT_TOK_EMPTY;
	return AT_TOK_OK;
}

enum at_tok_res at_tok_next_int(struct at_tok *t, long *out)
{
	const char *save = t->p;
	bool save_first = t->first;
	enum at_tok_res r = begin_param(t);
	if (r != AT_TOK_OK)
		return r;
	bool neg = false;
	if (*t->p == '+' || *t->p == '-') {
		neg = *t->p == '-';
		t->p++;
	}
	if (t->p >= t->end || *t->p < '0' || *t->p > '9') {
		t->p = save;
		t->first = save_first;
		return AT_TOK_BADTYPE;
	}
	long v = 0;
	while (t->p < t->end && *t->p >= '0' && *t->p <= '9') {
		int d = *t->p - '0';
		if (v > (LONG_MAX - d) / 10) {
			t->p = save;
			t->first = save_first;
			return AT_TOK_TOOLONG;
		}
		v = v * 10 + d;
		t->p++;
	}
	skip_spaces(t);
	if (t->p < t->end && *t->p != ',' && *t->p != ')') {
		t->p = save;
		t->first = save_first;
		return AT_TOK_BADTYPE;
	}
	*out = neg ? -v : v;
	return AT_TOK_OK;
}

enum at_tok_res at_tok_next_int_default(struct at_tok *t, long *out, long def)
{
	enum at_tok_res r = at_tok_next_int(t, out);
	if (r == AT_TOK_END || r == AT_TOK_EMPTY) {
		*out = def;
		return AT_TOK_OK;
	}
	return r;
}

static enum at_tok_res copy_out(const char *s, size_t n, char *buf, size_t cap, size_t *len)
{
	if (len)
		*len = n;
	if (!buf)
		return AT_TOK_OK;
	if (n + 1 > cap)
		return AT_TOK_TOOLONG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return AT_TOK_OK;
}

enum at_tok_res at_tok_next_string(struct at_tok *t, char *buf, size_t cap, size_t *len)
{
	const char *save = t->p;
	bool save_first = t->first;
	enum at_tok_res r = begin_param(t);
	if (r != AT_TOK_OK)
		return r;
	if (*t->p != '"')
		goto bad;
	const char *s = ++t->p;
	while (t->p < t->end && *t->p != '"')
		t->p++;
	if (t->p >= t->end)
		goto bad;
	size_t n = (size_t)(t->p - s);
	t->p++;
	skip_spaces(t);
	if (t->p < t->end && *t->p != ',' && *t->p != ')')
		goto bad;
	r = copy_out(s, n, buf, cap, len);
	if (r != AT_TOK_OK)
		goto restore;
	return AT_TOK_OK;
bad:
	r = AT_TOK_BADTYPE;
restore:
	t->p = save;
	t->first = save_first;
	return r;
}

enum at_tok_res at_tok_next_any(struct at_tok *t, char *buf, size_t cap, size_t *len)
{
	const char *save = t->p;
	bool save_first = t->first;
	enum at_tok_res r = begin_param(t);
	if (r != AT_TOK_OK)
		return r;
	if (*t->p == '"') {
		t->p = save;
		t->first = save_first;
		return at_tok_next_string(t, buf, cap, len);
	}
	const char *s = t->p;
	while (t->p < t->end && *t->p != ',' && *t->p != ')' && *t->p != '"')
		t->p++;
	if (t->p < t->end && *t->p == '"') {
		t->p = save;
		t->first = save_first;
		return AT_TOK_BADTYPE;
	}
	const char *e = t->p;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	r = copy_out(s, (size_t)(e - s), buf, cap, len);
	if (r != AT_TOK_OK) {
		t->p = save;
		t->first = save_first;
	}
	return r;
}

enum at_tok_res at_tok_skip(struct at_tok *t)
{
	const char *save = t->p;
	bool save_first = t->first;
	enum at_tok_res r = begin_param(t);
	if (r != AT_TOK_OK)
		return r;
	int depth = 0;
	bool quoted = false;
	while (t->p < t->end) {
		char c = *t->p;
		if (quoted) {
			if (c == '"')
				quoted = false;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (depth == 0)
				break;
			depth--;
		} else if (c == ',' && depth == 0) {
			break;
		}
		t->p++;
	}
	if (quoted || depth != 0) {
		t->p = save;
		t->first = save_first;
		return AT_TOK_BADTYPE;
	}
	return AT_TOK_OK;
}

enum at_tok_res at_tok_open_list(struct at_tok *t)
{
	const char *save = t->p;
	bool save_first = t->first;
	enum at_tok_res r = begin_param(t);
	if (r != AT_TOK_OK)
		return r;
	if (*t->p != '(') {
		t->p = save;
		t->first = save_first;
		return AT_TOK_BADTYPE;
	}
	t->p++;
	t->depth++;
	t->first = true;
	return AT_TOK_OK;
}

enum at_tok_res at_tok_close_list(struct at_tok *t)
{
	skip_spaces(t);
	if (t->depth == 0 || t->p >= t->end || *t->p != ')')
		return AT_TOK_BADTYPE;
	t->p++;
	t->depth--;
	t->first = false;
	return AT_TOK_OK;
}

const char *at_tok_rest(struct at_tok *t, size_t *len)
{
	const char *s = t->p;
	*len = (size_t)(t->end - t->p);
	t->p = t->end;
	return s;
}
