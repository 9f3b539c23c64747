/* cli_url.c - split an http(s) URL into scheme, host, port and path for the CLI. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

bool cli_url_parse(const char *url, struct cli_url *out)
{
	memset(out, 0, sizeof(*out));
	const char *p;
	if (strncmp(url, "https://", 8) == 0) {
		out->tls = true;
		out->port = 443;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		out->port = 80;
		p = url + 7;
	} else {
		return false;
	}
	size_t hl = strcspn(p, ":/?#");
	if (hl == 0 || hl >= sizeof out->host)
		return false;
	memcpy(out->host, p, hl);
	p += hl;
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (end == p + 1 || port < 1 || port > 65535)
			return false;
		out->port = (unsigned)port;
		p = end;
	}
	if (*p == '\0') {
		strcpy(out->path, "/");
	} else {
		if (strlen(p) >= sizeof out->path)
			return false;
		if (*p == '/')
			strcpy(out->path, p);
		else {
			out->path[0] = '/';
			strcpy(out->path + 1, p);
		}
	}
	for (const char *q = url; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == '"' || *q == '\\')
			return false;
	return true;
}
