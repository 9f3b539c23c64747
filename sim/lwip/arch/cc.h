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

/* Diagnostics go to stderr; an lwIP assertion is a bug in our use of it, so abort. */
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion: %s (%s:%d)\n", (x), \
	__FILE__, __LINE__); abort(); } while (0)

#endif
