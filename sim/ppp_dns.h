/* ppp_dns.h - answer one DNS query (wire format) from a name lookup, with libldns. */
#ifndef SIM_PPP_DNS_H
#define SIM_PPP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Name (no trailing dot, as typed by the host) -> IPv4 address in network order. */
typedef bool (*ppp_dns_lookup_fn)(void *ctx, const char *name, uint32_t *addr);

/*
 * Build the answer to the query in q[0..qlen) into out (at most cap bytes): A for a known name,
 * NODATA (NOERROR, no answer) for other types of a known name, NXDOMAIN for an unknown name,
 * FORMERR for anything that does not parse as a one-question query. Returns the answer's
 * length, or 0 when nothing should be sent (not a query, or no room).
 */
size_t ppp_dns_answer(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap,
		      ppp_dns_lookup_fn lookup, void *ctx);

#endif
