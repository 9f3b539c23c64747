/* cc.h - lwIP compiler/platform glue for Linux (glibc, gcc/clang): ours, not lwIP's port. */
#ifndef SIM800_LWIP_ARCH_CC_H
#define SIM800_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

/* glibc provides the errno values and struct timeval lwIP would otherwise define. */
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_NO_CTYPE_H 0

/* lwIP's packed structs (ip_hdr, tcp_hdr, vj.c's vj_u16_t/vj_u32_t...) are overlays on packet
 * bytes and on each other, which C's strict aliasing forbids. vj_uncompress_tcp zeroes
 * cs_ip's checksum through struct ip_hdr and then sums the header through struct vj_u16_t:
 * at -O2 GCC deleted the zeroing as a dead store, every VJ-compressed segment got a bad IP
 * checksum and was dropped, and TCP crawled on uncompressed retransmissions (test_ppp in the
 * RelWithDebInfo build). may_alias makes those accesses alias everything, as lwIP assumes. */
#if defined(__GNUC__) || defined(__clang__)
#define PACK_STRUCT_STRUCT __attribute__((packed, may_alias))
#endif

/* Diagnostics go to stderr; an lwIP assertion is a bug in our use of it, so abort. */
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion: %s (%s:%d)\n", (x), \
	__FILE__, __LINE__); abort(); } while (0)

#endif
