/* lwip_port.c - lwIP's sys_now on the monotonic clock, LWIP_RAND, TCP ISNs, the input hook. */
#include "lwip_port.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "netif/ppp/pppos.h"
#include "netif/ppp/ppp_impl.h"
#include "netif/ppp/lcp.h"

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

u32_t lwip_port_tcp_isn(const struct ip4_addr *lip, u16_t lport, const struct ip4_addr *rip,
			u16_t rport)
{
	/* RFC 6528's secret is per boot: here per process, shared by every link (lwIP itself is
	 * one instance per process). Not modem state; set once, read-only after. */
	static unsigned char key[32];
	static bool keyed;
	if (!keyed) {
		arc4random_buf(key, sizeof key);
		keyed = true;
	}
	unsigned char in[12], md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	memcpy(in, &lip->addr, 4);
	memcpy(in + 4, &rip->addr, 4);
	memcpy(in + 8, &lport, 2);
	memcpy(in + 10, &rport, 2);
	u32_t f = 0;
	if (HMAC(EVP_sha256(), key, sizeof key, in, sizeof in, md, &md_len) && md_len >= 4)
		memcpy(&f, md, 4);
	else
		f = arc4random(); /* no hash: still unpredictable, only not monotonic per tuple */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	u32_t m = (u32_t)(((u64_t)ts.tv_sec * 1000000u + (u64_t)ts.tv_nsec / 1000u) / 4u);
	return m + f;
}

int lwip_port_ip4_input(struct pbuf *p, struct netif *inp)
{
	const struct lwip_port_input *h = netif_get_client_data(inp, LWIP_PORT_INPUT_SLOT);
	return h && h->input ? h->input(h->ctx, p, inp) : 0;
}

/* lwIP has no "initialised" flag we can read, except its timeout list: lwip_init() registers
 * cyclic timers that re-arm forever, so a non-empty list means it ran. */
void lwip_port_init(void)
{
	if (sys_timeouts_sleeptime() == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		lwip_init();
}

double lwip_port_check_timeouts(void)
{
	sys_check_timeouts();
	u32_t ms = sys_timeouts_sleeptime();
	double s = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 0.1 : ms / 1000.0;
	return s < 0.001 ? 0.001 : s > 0.1 ? 0.1 : s;
}

void lwip_port_netif_gone(struct netif *nif)
{
	u8_t idx = netif_get_index(nif);
	struct tcp_pcb **lists[] = {&tcp_active_pcbs, &tcp_tw_pcbs};
	for (size_t l = 0; l < 2; l++) {
		struct tcp_pcb *pcb = *lists[l];
		while (pcb) {
			if (pcb->netif_idx != idx) {
				pcb = pcb->next;
				continue;
			}
			tcp_arg(pcb, NULL);
			tcp_recv(pcb, NULL);
			tcp_sent(pcb, NULL);
			tcp_err(pcb, NULL);
			tcp_abort(pcb);
			pcb = *lists[l]; /* the list changed: start over */
		}
	}
}

void lwip_port_ppp_free(struct ppp_pcb_s *pcb)
{
	if (pcb->phase != PPP_PHASE_DEAD)
		ppp_close(pcb, 1);
	if (pcb->phase != PPP_PHASE_DEAD) {
		/* Mid-negotiation ppp_close only starts an LCP terminate that waits for timeouts;
		 * the carrier is gone, so end it now as lwIP's own carrier-lost path does. */
		lcp_lowerdown(pcb);
		link_terminated(pcb);
	}
	ppp_free(pcb);
}
