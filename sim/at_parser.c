/* at_parser.c - split an AT command line into basic and extended commands (see at_parser.h). */
#include "at_parser.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

void at_parser_init(struct at_parser *p, const char *line, size_t len)
{
	memset(p, 0, sizeof *p);
	p->line = line;
	p->len = len;
}

const char *at_op_suffix(enum at_op op)
{
	static const char *const suffix[] = {
		[AT_OP_EXEC] = "", [AT_OP_READ] = "?", [AT_OP_TEST] = "=?", [AT_OP_SET] = "=",
	};
	return suffix[op];
}

static enum at_parse_res fail(struct at_parser *p, size_t col, const char *why)
{
	p->err_column = col;
	p->err = why;
	p->pos = p->len;
	return AT_PARSE_ERROR;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* After a command: nothing, or ';' (consumed). Anything else is a syntax error. */
static enum at_parse_res end_of_command(struct at_parser *p, struct at_cmd *cmd, size_t start)
{
	cmd->text = p->line + start;
	cmd->text_len = p->pos - start;
	while (p->pos < p->len && p->line[p->pos] == ' ')
		p->pos++;
	if (p->pos < p->len && p->line[p->pos] == ';')
		p->pos++;
	return AT_PARSE_CMD;
}

static enum at_parse_res extended(struct at_parser *p, struct at_cmd *cmd, size_t start)
{
	size_t n = 0;
	cmd->name[n++] = p->line[p->pos++];
	while (p->pos < p->len && is_name_char(p->line[p->pos])) {
		if (n + 1 >= AT_NAME_MAX)
			return fail(p, p->pos, "command name too long");
		cmd->name[n++] = (char)toupper((unsigned char)p->line[p->pos++]);
	}
	cmd->name[n] = '\0';
	if (n == 1)
		return fail(p, start, "no command name after '+'");
	const char *s = p->line + p->pos;
	size_t left = p->len - p->pos;
	if (left >= 2 && s[0] == '=' && s[1] == '?') {
		cmd->op = AT_OP_TEST;
		p->pos += 2;
	} else if (left >= 1 && s[0] == '?') {
		cmd->op = AT_OP_READ;
		p->pos += 1;
	} else if (left >= 1 && s[0] == '=') {
		cmd->op = AT_OP_SET;
		p->pos += 1;
		size_t a = p->pos;
		bool quoted = false;
		while (p->pos < p->len && (quoted || p->line[p->pos] != ';')) {
			if (p->line[p->pos] == '"')
				quoted = !quoted;
			p->pos++;
		}
		if (quoted)
			return fail(p, a, "unterminated string");
		cmd->args = p->line + a;
		cmd->args_len = p->pos - a;
		cmd->text = p->line + start;
		cmd->text_len = p->pos - start;
		if (p->pos < p->len)
			p->pos++; /* ';' */
		return AT_PARSE_CMD;
	} else {
		cmd->op = AT_OP_EXEC;
	}
	if (p->pos < p->len && p->line[p->pos] != ';' && p->line[p->pos] != ' ')
		return fail(p, p->pos, "unexpected character after command");
	return end_of_command(p, cmd, start);
}

static void digits(struct at_parser *p, struct at_cmd *cmd)
{
	size_t a = p->pos;
	while (p->pos < p->len && isdigit((unsigned char)p->line[p->pos]))
		p->pos++;
	cmd->args = p->line + a;
	cmd->args_len = p->pos - a;
	cmd->op = cmd->args_len ? AT_OP_SET : AT_OP_EXEC;
}

static enum at_parse_res s_register(struct at_parser *p, struct at_cmd *cmd, size_t start)
{
	size_t a = p->pos;
	int reg = 0;
	while (p->pos < p->len && isdigit((unsigned char)p->line[p->pos])) {
		reg = reg * 10 + (p->line[p->pos++] - '0');
		if (reg > 255)
			return fail(p, a, "S-register number out of range");
	}
	if (p->pos == a)
		return fail(p, a, "S without a register number");
	cmd->sreg = reg;
	if (p->pos < p->len && p->line[p->pos] == '?') {
		p->pos++;
		cmd->op = AT_OP_READ;
	} else if (p->pos + 1 < p->len && p->line[p->pos] == '=' && p->line[p->pos + 1] == '?') {
		p->pos += 2;
		cmd->op = AT_OP_TEST;
	} else if (p->pos < p->len && p->line[p->pos] == '=') {
		p->pos++;
		size_t v = p->pos;
		while (p->pos < p->len && isdigit((unsigned char)p->line[p->pos]))
			p->pos++;
		cmd->op = AT_OP_SET;
		cmd->args = p->line + v;
		cmd->args_len = p->pos - v;
	} else {
		return fail(p, p->pos, "S-register needs '?' or '='");
	}
	return end_of_command(p, cmd, start);
}

enum at_parse_res at_parser_next(struct at_parser *p, struct at_cmd *cmd)
{
	memset(cmd, 0, sizeof *cmd);
	cmd->args = "";
	while (p->pos < p->len && (p->line[p->pos] == ' ' || p->line[p->pos] == ';'))
		p->pos++;
	if (p->pos >= p->len)
		return AT_PARSE_END;
	size_t start = p->pos;
	cmd->column = start;
	char c = p->line[p->pos];
	if (c == '+')
		return extended(p, cmd, start);
	char u = (char)toupper((unsigned char)c);
	if (u == '&') {
		p->pos++;
		if (p->pos >= p->len || !isalpha((unsigned char)p->line[p->pos]))
			return fail(p, start, "'&' without a letter");
		cmd->name[0] = '&';
		cmd->name[1] = (char)toupper((unsigned char)p->line[p->pos++]);
		digits(p, cmd);
		return end_of_command(p, cmd, start);
	}
	if (!isalpha((unsigned char)c))
		return fail(p, start, "invalid character");
	p->pos++;
	cmd->name[0] = u;
	if (u == 'S')
		return s_register(p, cmd, start);
	if (u == 'D') {
		/* The dial string runs to ';' (a voice call, kept in args) or the end of the line. */
		size_t a = p->pos;
		while (p->pos < p->len && p->line[p->pos] != ';')
			p->pos++;
		if (p->pos < p->len)
			p->pos++;
		cmd->op = AT_OP_SET;
		cmd->args = p->line + a;
		cmd->args_len = p->pos - a;
		cmd->text = p->line + start;
		cmd->text_len = p->pos - start;
		return AT_PARSE_CMD;
	}
	digits(p, cmd);
	if (p->pos < p->len && p->line[p->pos] == '?') {
		/* e.g. "ATE?" is not V.250 syntax, but keep the form so replay entries can match. */
		if (cmd->op == AT_OP_EXEC) {
			p->pos++;
			cmd->op = AT_OP_READ;
		}
	}
	return end_of_command(p, cmd, start);
}
