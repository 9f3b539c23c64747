/* ppp_client_udp.c - UDP sockets through the PPP client's link (lwIP udp pcbs on its netif). */
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "ppp_client_int.h"

/* 1500-byte MTU (lwipopts.h) less the IPv4 and UDP headers: one packet, never fragments. */
#define UDP_PAYLOAD_MAX 1472u

struct ppp_client_udp {
	struct ppp_client *c;
	struct ppp_client_udp *next;
	struct udp_pcb *pcb;
	ppp_client_udp_cb cb;
	void *ctx;
};

static void recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	(void)pcb;
	struct ppp_client_udp *u = arg;
	uint8_t buf[UDP_PAYLOAD_MAX];
	u16_t n = pbuf_copy_partial(p, buf, sizeof buf, 0);
	pbuf_free(p);
	u->cb(u->ctx, ip4_addr_get_u32(ip_2_ip4(addr)), port, buf, n);
}

struct ppp_client_udp *ppp_client_udp_open(struct ppp_client *c, ppp_client_udp_cb cb, void *ctx)
{
	if (ppp_client_state(c) != PPP_CLIENT_UP)
		return NULL;
	struct ppp_client_udp *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!u->pcb || udp_bind(u->pcb, IP4_ADDR_ANY, 0) != ERR_OK) {
		if (u->pcb)
			udp_remove(u->pcb);
		free(u);
		return NULL;
	}
	udp_bind_netif(u->pcb, &c->nif);
	udp_recv(u->pcb, recv_cb, u);
	u->c = c;
	u->cb = cb;
	u->ctx = ctx;
	u->next = c->udps;
	c->udps = u;
	return u;
}

enum ppp_client_err ppp_client_udp_send(struct ppp_client_udp *u, uint32_t addr, uint16_t port,
					const void *buf, size_t n)
{
	if (n > UDP_PAYLOAD_MAX)
		return PPP_CLIENT_ETOOBIG;
	if (ppp_client_state(u->c) != PPP_CLIENT_UP)
		return PPP_CLIENT_ELINK;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!p)
		return PPP_CLIENT_ENOMEM;
	memcpy(p->payload, buf, n);
	ip_addr_t to;
	ip_addr_set_ip4_u32(&to, addr);
	err_t e = udp_sendto_if(u->pcb, p, &to, port, &u->c->nif);
	pbuf_free(p);
	return e == ERR_OK ? PPP_CLIENT_OK : e == ERR_MEM ? PPP_CLIENT_ENOMEM : PPP_CLIENT_ELINK;
}

void ppp_client_udp_free(struct ppp_client_udp *u)
{
	if (!u)
		return;
	for (struct ppp_client_udp **pp = &u->c->udps; *pp; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	udp_remove(u->pcb);
	free(u);
}
