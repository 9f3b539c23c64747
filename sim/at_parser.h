/* at_parser.h - split an AT command line into basic and extended commands (V.250 syntax). */
#ifndef SIM_AT_PARSER_H
#define SIM_AT_PARSER_H

#include <stddef.h>

enum at_op {
	AT_OP_EXEC,  /* AT+CSQ, ATZ, ATI */
	AT_OP_READ,  /* AT+CREG?, ATS0? */
	AT_OP_TEST,  /* AT+CREG=? */
	AT_OP_SET,   /* AT+CREG=1, ATE0, ATS0=2, ATD*99# */
};

#define AT_NAME_MAX 24

struct at_cmd {
	char name[AT_NAME_MAX];  /* upper case: "E", "&F", "S", "D", "+CSQ" */
	enum at_op op;
	const char *args;        /* SET: text after '=' (or the digits of a basic command,
				    or the dial string); points into the parser's line */
	size_t args_len;
	int sreg;                /* S-register number for name "S" */
	const char *text;        /* the whole command as written, e.g. "+CSPN?" */
	size_t text_len;
	size_t column;           /* offset in the line (after "AT") */
};

struct at_parser {
	const char *line;        /* borrowed; must outlive the parser */
	size_t len;
	size_t pos;
	size_t err_column;       /* where AT_PARSE_ERROR was found */
	const char *err;         /* what was wrong */
};

enum at_parse_res { AT_PARSE_CMD, AT_PARSE_END, AT_PARSE_ERROR };

void at_parser_init(struct at_parser *p, const char *line, size_t len);
/*
 * The next command. Extended commands ('+') run to an unquoted ';' or the end of the line;
 * basic commands are one letter (or '&' + letter) with optional digits, S<n>=<v>, S<n>?, or
 * D<dial string> (to ';' inclusive or the end). Spaces between commands are ignored.
 */
enum at_parse_res at_parser_next(struct at_parser *p, struct at_cmd *cmd);
/* "" / "?" / "=?" / "=" for the op: the form suffix used by profile delays. */
const char *at_op_suffix(enum at_op op);

#endif
