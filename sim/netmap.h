/* netmap.h - where simulated modems may connect: --allow CIDRs and the --host name/port map. */
#ifndef SIM_NETMAP_H
#define SIM_NETMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * One per process, filled from the command line before any modem starts and read-only after.
 * The simulator never uses the host's resolver: a name resolves only through this map (plus
 * "localhost"), so tests can use real-looking URLs and nothing leaves the machine unless an
 * --allow range says so. It must never become an open relay: every connect is checked against
 * the allowed ranges (default 127.0.0.0/8 and ::1) after mapping.
 */
struct netmap;

struct netmap *netmap_new(void);
void netmap_free(struct netmap *m);
/* Add "CIDR" (a.b.c.d/n, an IPv6 prefix, or a bare address); the first call replaces the
 * default ranges. False with why on bad syntax. */
bool netmap_allow(struct netmap *m, const char *cidr, char *why, size_t cap);
/* Add "NAME=IP" or "NAME:PORT=IP:PORT" (IPv6 in brackets); false with why on bad syntax. */
bool netmap_host(struct netmap *m, const char *spec, char *why, size_t cap);
/* netmap_host() for each of n specs; false with why (naming the spec) at the first bad one. */
bool netmap_hosts(struct netmap *m, char *const *specs, size_t n, char *why, size_t cap);
/* Drop the default allow list (only explicit --allow ranges apply). */
void netmap_clear_allow(struct netmap *m);

enum netmap_res {
	NETMAP_OK,
	NETMAP_UNKNOWN_NAME,   /* DNS failure: the name is not in the map */
	NETMAP_NOT_ALLOWED,    /* the address is outside every --allow range */
	NETMAP_BAD_PORT,
};

/*
 * Resolve host:port (a literal IPv4/IPv6 address or a mapped name) into *out and check it
 * against the allowed ranges. A NAME:PORT entry wins over a NAME entry. On failure why says
 * what happened (for transcripts).
 */
enum netmap_res netmap_resolve(const struct netmap *m, const char *host, unsigned port,
			       struct sockaddr_storage *out, socklen_t *len, char *why, size_t cap);
/* Only the name part: the address a name maps to (for AT+CDNSGIP), as text. */
enum netmap_res netmap_lookup(const struct netmap *m, const char *host, char *ip, size_t cap);
bool netmap_addr_allowed(const struct netmap *m, const struct sockaddr *sa);

#endif
