/* tls_cap.c - OpenSSL client contexts capped at a profile's TLS versions (see tls_cap.h). */
#include "tls_cap.h"

#include <openssl/err.h>
#include <stdio.h>

int tls_cap_version(enum profile_tls v)
{
	switch (v) {
	case PROFILE_TLS_SSL3: return SSL3_VERSION;
	case PROFILE_TLS_1_0: return TLS1_VERSION;
	case PROFILE_TLS_1_1: return TLS1_1_VERSION;
	case PROFILE_TLS_1_2: return TLS1_2_VERSION;
	case PROFILE_TLS_1_3: return TLS1_3_VERSION;
	case PROFILE_TLS_NONE: break;
	}
	return 0;
}

SSL_CTX *tls_cap_client_ctx(const struct profile *p, char *why, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(why, cap, "SSL_CTX_new failed");
		return NULL;
	}
	/* Old protocol versions and SHA-1 signatures need security level 0 in OpenSSL 3. */
	SSL_CTX_set_security_level(ctx, 0);
	if (!SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") ||
	    !SSL_CTX_set_min_proto_version(ctx, tls_cap_version(p->tls_min)) ||
	    !SSL_CTX_set_max_proto_version(ctx, tls_cap_version(p->tls_max))) {
		unsigned long e = ERR_get_error();
		snprintf(why, cap, "cannot limit TLS to %s..%s: %s", profile_tls_name(p->tls_min),
			 profile_tls_name(p->tls_max), e ? ERR_reason_error_string(e) : "unknown");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}
