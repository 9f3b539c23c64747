/* at_client_v250.c - follow the V.250 settings (ATV, ATE, ATZ, AT&F) of the commands we send. */
#include "at_client_int.h"

/* ATV/ATE/ATZ/AT&F in the basic part of a command line we sent: keep m->v0 and m->echo true
 * to the module's state. "AT+CIFSR;E0" style chains are followed across ';'. */
void at_client_track_v250(struct sim800 *m, const char *text)
{
	const char *p = text + 2;
	while (*p) {
		char c = *p;
		if (c == '+' || c == '*' || c == '#' || c == '%' || c == '^') {
			/* extended command: skip to the next ';' outside quotes */
			bool q = false;
			while (*p && (q || *p != ';')) {
				if (*p == '"')
					q = !q;
				p++;
			}
			continue;
		}
		if (c == ';' || c == ' ') {
			p++;
			continue;
		}
		if (c == '&') {
			p++;
			if ((*p | 0x20) == 'f') {
				m->v0 = false;
				m->echo = true;
			}
			if (*p)
				p++;
		} else {
			int letter = c | 0x20;
			p++;
			int v = -1;
			if (*p >= '0' && *p <= '9')
				v = *p - '0';
			if (letter == 'v')
				m->v0 = v == 0;
			else if (letter == 'e')
				m->echo = v == 1;
			else if (letter == 'z') {
				m->v0 = false;
				m->echo = true;
			}
		}
		while (*p && ((*p >= '0' && *p <= '9') || *p == '=' || *p == '?'))
			p++;
	}
}

/* Does text switch the result code format? Then "0\r" may answer it (V.250: the new format
 * applies to the command's own result). */
bool at_client_sets_v(const char *text)
{
	for (const char *p = text + 2; *p && *p != '+' && *p != ';'; p++)
		if ((*p | 0x20) == 'v' || (*p | 0x20) == 'z' || *p == '&')
			return true;
	return false;
}
