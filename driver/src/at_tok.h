/* at_tok.h - typed iterator over AT argument lists: numbers, quoted and bare strings, lists. */
#ifndef SIM800_AT_TOK_H
#define SIM800_AT_TOK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Shared by the simulator (parsing what a host sends after '=') and by the driver (parsing the
 * part of a response line after "+XXX: "). Parameters are separated by ','; spaces around a
 * parameter are skipped; a parameter may be omitted (",,"). Nothing is allocated: strings are
 * copied into caller buffers. Modelled on oFono's GAtResultIter, without sscanf.
 */

enum at_tok_res {
	AT_TOK_OK = 0,   /* a value was read */
	AT_TOK_END,      /* no more parameters */
	AT_TOK_EMPTY,    /* the parameter is present but omitted (",,") */
	AT_TOK_BADTYPE,  /* the parameter is not of the asked type */
	AT_TOK_TOOLONG,  /* the value does not fit the caller's buffer or range */
};

struct at_tok {
	const char *p;      /* next unread character */
	const char *end;    /* one past the last character */
	const char *start;  /* beginning, for column numbers in errors */
	int depth;          /* open '(' lists */
	bool first;         /* no parameter consumed yet (no ',' expected) */
};

void at_tok_init(struct at_tok *t, const char *s, size_t len);
/* Column (0-based) of the next unread character, for error messages. */
size_t at_tok_column(const struct at_tok *t);
/* True when every parameter has been consumed (only spaces remain). */
bool at_tok_at_end(const struct at_tok *t);

/* Decimal integer, optionally signed. */
enum at_tok_res at_tok_next_int(struct at_tok *t, long *out);
/* Like at_tok_next_int, but an omitted or missing parameter yields def. */
enum at_tok_res at_tok_next_int_default(struct at_tok *t, long *out, long def);
/* A "quoted" string: the quotes are removed; NUL-terminated in buf; *len may be NULL. */
enum at_tok_res at_tok_next_string(struct at_tok *t, char *buf, size_t cap, size_t *len);
/* A quoted or a bare string (bare: up to ',' or ')', trailing spaces trimmed). */
enum at_tok_res at_tok_next_any(struct at_tok *t, char *buf, size_t cap, size_t *len);
/* Skip one parameter of any type. */
enum at_tok_res at_tok_skip(struct at_tok *t);
/* '(' and ')' around a list such as "(0-1)" or "(2,"vodafone")". */
enum at_tok_res at_tok_open_list(struct at_tok *t);
enum at_tok_res at_tok_close_list(struct at_tok *t);
/* Rest of the input unparsed (e.g. a dial string); advances to the end. */
const char *at_tok_rest(struct at_tok *t, size_t *len);

#endif
