/* ppp_dns.c - DNS answers for PPP hosts from the network map (libldns does the wire format). */
#include "ppp_dns.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

/* A short TTL: the map is fixed while running, but answers are per session (fake addresses). */
#define PPP_DNS_TTL 60

/* Serialize p into out; 0 if it does not fit. */
static size_t to_wire(const ldns_pkt *p, uint8_t *out, size_t cap)
{
	uint8_t *wire = NULL;
	size_t len = 0;
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK || len > cap) {
		free(wire);
		return 0;
	}
	memcpy(out, wire, len);
	free(wire);
	return len;
}

/* FORMERR echoing only the id: the query could not be read. */
static size_t formerr(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap)
{
	if (qlen < 12 || cap < 12 || (q[2] & 0x80))
		return 0; /* too short to answer, or itself a response: stay silent */
	memset(out, 0, 12);
	out[0] = q[0];
	out[1] = q[1];
	out[2] = 0x80 | (q[2] & 0x78); /* QR, same opcode */
	out[3] = LDNS_RCODE_FORMERR;
	return 12;
}

/* The question's name as the host wrote it, without the root dot. */
static bool qname_text(const ldns_rdf *owner, char *buf, size_t cap)
{
	char *s = ldns_rdf2str(owner);
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	bool ok = n > 0 && n < cap;
	if (ok)
		memcpy(buf, s, n + 1);
	free(s);
	return ok;
}

size_t ppp_dns_answer(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap,
		      ppp_dns_lookup_fn lookup, void *ctx)
{
	ldns_pkt *query = NULL;
	if (ldns_wire2pkt(&query, q, qlen) != LDNS_STATUS_OK)
		return formerr(q, qlen, out, cap);
	size_t n = 0;
	if (ldns_pkt_qr(query)) {
		ldns_pkt_free(query);
		return 0;
	}
	if (ldns_pkt_get_opcode(query) != LDNS_PACKET_QUERY || ldns_pkt_qdcount(query) != 1) {
		ldns_pkt_free(query);
		return formerr(q, qlen, out, cap);
	}
	const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	char name[256];
	if (!question || !qname_text(ldns_rr_owner(question), name, sizeof name)) {
		ldns_pkt_free(query);
		return formerr(q, qlen, out, cap);
	}

	ldns_pkt *ans = ldns_pkt_new();
	if (!ans) {
		ldns_pkt_free(query);
		return 0;
	}
	ldns_pkt_set_id(ans, ldns_pkt_id(query));
	ldns_pkt_set_qr(ans, true);
	ldns_pkt_set_rd(ans, ldns_pkt_rd(query));
	ldns_pkt_set_ra(ans, true);
	ldns_pkt_set_opcode(ans, LDNS_PACKET_QUERY);
	ldns_pkt_push_rr(ans, LDNS_SECTION_QUESTION, ldns_rr_clone(question));

	uint32_t addr;
	if (!lookup(ctx, name, &addr)) {
		ldns_pkt_set_rcode(ans, LDNS_RCODE_NXDOMAIN);
	} else {
		ldns_pkt_set_rcode(ans, LDNS_RCODE_NOERROR);
		if (ldns_rr_get_type(question) == LDNS_RR_TYPE_A ||
		    ldns_rr_get_type(question) == LDNS_RR_TYPE_ANY) {
			ldns_rr *rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_A);
			if (rr) {
				ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(question)));
				ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
				ldns_rr_set_ttl(rr, PPP_DNS_TTL);
				ldns_rr_set_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, &addr), 0);
				ldns_pkt_push_rr(ans, LDNS_SECTION_ANSWER, rr);
			}
		}
		/* Other types (AAAA...): NOERROR with no answer, so hosts fall back to A. */
	}
	n = to_wire(ans, out, cap);
	ldns_pkt_free(ans);
	ldns_pkt_free(query);
	return n;
}
