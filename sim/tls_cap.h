/* tls_cap.h - OpenSSL client contexts capped at what a profile's firmware speaks (no cert checks). */
#ifndef SIM_TLS_CAP_H
#define SIM_TLS_CAP_H

#include <openssl/ssl.h>
#include <stddef.h>

#include "profile.h"

/*
 * A client SSL_CTX that speaks only the profile's tls_min..tls_max (R14.18: SSL3..TLS 1.0; SSL3
 * is not compiled into Debian's OpenSSL, so TLS 1.0 is what remains), with the security level
 * and cipher list that allow those versions, and no certificate verification: the SIM800 never
 * validates certificates (sim800-facts.md §6.3). NULL with why when OpenSSL refuses.
 */
SSL_CTX *tls_cap_client_ctx(const struct profile *p, char *why, size_t cap);
/* The OpenSSL protocol version constant for a profile version (0 = none). */
int tls_cap_version(enum profile_tls v);

#endif
