/* netmap.c - --allow ranges and the --host map (see netmap.h). */
#include "netmap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cidr {
	int family;
	uint8_t addr[16];
	unsigned bits;
};

struct host_entry {
	char *name;          /* lower case */
	int port;            /* -1: any port */
	char ip[64];
	int to_port;         /* -1: same port */
};

struct netmap {
	struct cidr *allow;
	size_t n_allow;
	bool default_allow;  /* the built-in 127.0.0.0/8 and ::1 are still in force */
	struct host_entry *hosts;
	size_t n_hosts;
};

static bool add_cidr(struct netmap *m, int family, const uint8_t *addr, unsigned bits)
{
	struct cidr *a = realloc(m->allow, (m->n_allow + 1) * sizeof *a);
	if (!a)
		return false;
	m->allow = a;
	struct cidr *c = &a[m->n_allow++];
	memset(c, 0, sizeof *c);
	c->family = family;
	memcpy(c->addr, addr, family == AF_INET ? 4 : 16);
	c->bits = bits;
	return true;
}

struct netmap *netmap_new(void)
{
	struct netmap *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	const uint8_t lo4[4] = {127, 0, 0, 0};
	uint8_t lo6[16] = {0};
	lo6[15] = 1;
	if (!add_cidr(m, AF_INET, lo4, 8) || !add_cidr(m, AF_INET6, lo6, 128)) {
		netmap_free(m);
		return NULL;
	}
	m->default_allow = true;
	return m;
}

void netmap_free(struct netmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_hosts; i++)
		free(m->hosts[i].name);
	free(m->hosts);
	free(m->allow);
	free(m);
}

void netmap_clear_allow(struct netmap *m)
{
	m->n_allow = 0;
	m->default_allow = false;
}

bool netmap_allow(struct netmap *m, const char *spec, char *why, size_t cap)
{
	char buf[128];
	if (strlen(spec) >= sizeof buf) {
		snprintf(why, cap, "--allow %s: too long", spec);
		return false;
	}
	strcpy(buf, spec);
	char *slash = strchr(buf, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		bits = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1)
			bits = -2;
	}
	uint8_t addr[16];
	int family = AF_INET;
	if (inet_pton(AF_INET, buf, addr) != 1) {
		family = AF_INET6;
		if (inet_pton(AF_INET6, buf, addr) != 1) {
			snprintf(why, cap, "--allow %s: not an IPv4 or IPv6 address", spec);
			return false;
		}
	}
	long max = family == AF_INET ? 32 : 128;
	if (bits == -1)
		bits = max;
	if (bits < 0 || bits > max) {
		snprintf(why, cap, "--allow %s: prefix length must be 0..%ld", spec, max);
		return false;
	}
	if (m->default_allow) {
		/* The first explicit range replaces the defaults (127.0.0.0/8, ::1). */
		m->n_allow = 0;
		m->default_allow = false;
	}
	if (!add_cidr(m, family, addr, (unsigned)bits)) {
		snprintf(why, cap, "out of memory");
		return false;
	}
	return true;
}

/* "addr" or "addr:port" or "[v6]" or "[v6]:port"; port -1 when absent. */
static bool split_host_port(const char *s, char *host, size_t cap, int *port, bool ip_required)
{
	const char *colon = NULL;
	*port = -1;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (size_t)(close - s - 1) >= cap)
			return false;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1])
			return false;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL; /* a bare IPv6 address: no port */
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n == 0 || n >= cap)
			return false;
		memcpy(host, s, n);
		host[n] = '\0';
	}
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || p < 1 || p > 65535)
			return false;
		*port = (int)p;
	}
	if (ip_required) {
		uint8_t a[16];
		if (inet_pton(AF_INET, host, a) != 1 && inet_pton(AF_INET6, host, a) != 1)
			return false;
	}
	return true;
}

bool netmap_host(struct netmap *m, const char *spec, char *why, size_t cap)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec) {
		snprintf(why, cap, "--host %s: expected NAME=IP or NAME:PORT=IP:PORT", spec);
		return false;
	}
	char left[256], name[256], ip[64];
	size_t n = (size_t)(eq - spec);
	if (n >= sizeof left) {
		snprintf(why, cap, "--host %s: name too long", spec);
		return false;
	}
	memcpy(left, spec, n);
	left[n] = '\0';
	struct host_entry e = {.port = -1, .to_port = -1};
	if (!split_host_port(left, name, sizeof name, &e.port, false)) {
		snprintf(why, cap, "--host %s: bad NAME[:PORT]", spec);
		return false;
	}
	if (!split_host_port(eq + 1, ip, sizeof ip, &e.to_port, true)) {
		snprintf(why, cap, "--host %s: bad IP[:PORT] (an IPv4 or IPv6 address)", spec);
		return false;
	}
	if (e.to_port >= 0 && e.port < 0) {
		snprintf(why, cap, "--host %s: a target port needs a NAME:PORT on the left", spec);
		return false;
	}
	for (char *p = name; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	strcpy(e.ip, ip);
	e.name = strdup(name);
	struct host_entry *h = e.name ? realloc(m->hosts, (m->n_hosts + 1) * sizeof *h) : NULL;
	if (!h) {
		free(e.name);
		snprintf(why, cap, "out of memory");
		return false;
	}
	m->hosts = h;
	m->hosts[m->n_hosts++] = e;
	return true;
}

bool netmap_hosts(struct netmap *m, char *const *specs, size_t n, char *why, size_t cap)
{
	for (size_t i = 0; i < n; i++)
		if (!netmap_host(m, specs[i], why, cap))
			return false;
	return true;
}

static bool match_cidr(const struct cidr *c, int family, const uint8_t *addr)
{
	if (c->family != family)
		return false;
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (addr[full] & mask);
}

bool netmap_addr_allowed(const struct netmap *m, const struct sockaddr *sa)
{
	const uint8_t *addr;
	int family = sa->sa_family;
	uint8_t v4[4];
	if (family == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(v4, a6->s6_addr + 12, 4);
			addr = v4;
			family = AF_INET;
		} else {
			addr = a6->s6_addr;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < m->n_allow; i++)
		if (match_cidr(&m->allow[i], family, addr))
			return true;
	return false;
}

static const struct host_entry *find(const struct netmap *m, const char *host, int port)
{
	const struct host_entry *any = NULL;
	for (size_t i = 0; i < m->n_hosts; i++) {
		const struct host_entry *e = &m->hosts[i];
		if (strcasecmp(e->name, host) != 0)
			continue;
		if (e->port == port)
			return e;
		if (e->port < 0 && !any)
			any = e;
	}
	return any;
}

enum netmap_res netmap_lookup(const struct netmap *m, const char *host, char *ip, size_t cap)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1) {
		snprintf(ip, cap, "%s", host);
		return NETMAP_OK;
	}
	const struct host_entry *e = find(m, host, -1);
	if (!e) {
		for (size_t i = 0; i < m->n_hosts && !e; i++)
			if (strcasecmp(m->hosts[i].name, host) == 0)
				e = &m->hosts[i];
	}
	if (e) {
		snprintf(ip, cap, "%s", e->ip);
		return NETMAP_OK;
	}
	if (strcasecmp(host, "localhost") == 0) {
		snprintf(ip, cap, "127.0.0.1");
		return NETMAP_OK;
	}
	return NETMAP_UNKNOWN_NAME;
}

enum netmap_res netmap_resolve(const struct netmap *m, const char *host, unsigned port,
			       struct sockaddr_storage *out, socklen_t *len, char *why, size_t cap)
{
	if (port == 0 || port > 65535) {
		snprintf(why, cap, "port %u out of range", port);
		return NETMAP_BAD_PORT;
	}
	char ip[64];
	unsigned to_port = port;
	uint8_t a[16];
	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1) {
		snprintf(ip, sizeof ip, "%s", host);
	} else {
		const struct host_entry *e = find(m, host, (int)port);
		if (e) {
			snprintf(ip, sizeof ip, "%s", e->ip);
			if (e->to_port > 0)
				to_port = (unsigned)e->to_port;
		} else if (strcasecmp(host, "localhost") == 0) {
			snprintf(ip, sizeof ip, "127.0.0.1");
		} else {
			snprintf(why, cap, "%s: unknown name (not in --host or the profile's hosts)", host);
			return NETMAP_UNKNOWN_NAME;
		}
	}
	memset(out, 0, sizeof *out);
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)to_port);
		*len = sizeof *s4;
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)to_port);
		*len = sizeof *s6;
	} else {
		snprintf(why, cap, "%s maps to %s, not an address", host, ip);
		return NETMAP_UNKNOWN_NAME;
	}
	if (!netmap_addr_allowed(m, (struct sockaddr *)out)) {
		snprintf(why, cap, "%s (%s) is outside every --allow range", host, ip);
		return NETMAP_NOT_ALLOWED;
	}
	return NETMAP_OK;
}
