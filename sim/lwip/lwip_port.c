/* lwip_port.c - lwIP's sys_now on the monotonic clock, LWIP_RAND, and the input hook dispatch. */
#include "lwip_port.h"

#include <stdlib.h>
#include <time.h>

#include "lwip/netif.h"
#include "lwip/sys.h"

/* lwIP timers (PPP retransmits, TCP) run on real monotonic time, like the libev loop. */
u32_t sys_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u32_t)((u64_t)ts.tv_sec * 1000u + (u64_t)ts.tv_nsec / 1000000u);
}

/* PPP's magic-number seeding wants a tick count too; milliseconds do. */
u32_t sys_jiffies(void)
{
	return sys_now();
}

u32_t lwip_port_rand(void)
{
	return arc4random();
}

int lwip_port_ip4_input(struct pbuf *p, struct netif *inp)
{
	const struct lwip_port_input *h = netif_get_client_data(inp, LWIP_PORT_INPUT_SLOT);
	return h && h->input ? h->input(h->ctx, p, inp) : 0;
}
