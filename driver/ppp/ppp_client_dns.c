/* ppp_client_dns.c - DNS queries through the PPP client's link (ldns messages over lwIP UDP). */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "lwip_port.h"
#include "ppp_client_int.h"

#define DNS_TIMEOUT 5.0      /* seconds */

struct dnsq {
	struct ppp_client *c;
	struct dnsq *next;
	struct udp_pcb *pcb;
	uint16_t id;
	ppp_client_dns_cb cb;
	void *ctx;
	ev_timer timeout;
};

static void dnsq_free(struct dnsq *q)
{
	for (struct dnsq **pp = &q->c->queries; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	ev_timer_stop(q->c->loop, &q->timeout);
	udp_remove(q->pcb);
	free(q);
}

static void dnsq_done(struct dnsq *q, enum ppp_client_err err, uint32_t addr)
{
	ppp_client_dns_cb cb = q->cb;
	void *ctx = q->ctx;
	dnsq_free(q);
	cb(ctx, err, addr);
}

static void dns_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	dnsq_done((struct dnsq *)((char *)w - offsetof(struct dnsq, timeout)), PPP_CLIENT_ETIMEOUT, 0);
}

static void dns_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	(void)pcb;
	(void)addr;
	(void)port;
	struct dnsq *q = arg;
	uint8_t buf[1500];
	u16_t n = pbuf_copy_partial(p, buf, sizeof buf, 0);
	pbuf_free(p);
	ldns_pkt *ans = NULL;
	if (ldns_wire2pkt(&ans, buf, n) != LDNS_STATUS_OK)
		return;
	if (ldns_pkt_id(ans) != q->id || !ldns_pkt_qr(ans)) {
		ldns_pkt_free(ans);
		return;
	}
	uint32_t a = 0;
	ldns_rr_list *list = ldns_pkt_answer(ans);
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rr_rd_count(rr) == 1 &&
		    ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 4) {
			memcpy(&a, ldns_rdf_data(ldns_rr_rdf(rr, 0)), 4);
			break;
		}
	}
	ldns_pkt_free(ans);
	dnsq_done(q, a ? PPP_CLIENT_OK : PPP_CLIENT_ENAME, a);
}

bool ppp_client_resolve(struct ppp_client *c, const char *name, ppp_client_dns_cb cb, void *ctx)
{
	uint32_t server = ppp_client_dns(c);
	if (!server)
		return false;
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	ldns_pkt *qp = dname ? ldns_pkt_query_new(dname, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD)
			     : NULL;
	if (!qp) {
		ldns_rdf_deep_free(dname);
		return false;
	}
	struct dnsq *q = calloc(1, sizeof *q);
	uint8_t *wire = NULL;
	size_t len = 0;
	if (q) {
		q->id = (uint16_t)lwip_port_rand();
		ldns_pkt_set_id(qp, q->id);
	}
	bool ok = q && ldns_pkt2wire(&wire, qp, &len) == LDNS_STATUS_OK;
	ldns_pkt_free(qp);
	if (ok)
		q->pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!ok || !q->pcb) {
		free(wire);
		free(q);
		return false;
	}
	q->c = c;
	q->cb = cb;
	q->ctx = ctx;
	udp_bind_netif(q->pcb, &c->nif);
	udp_recv(q->pcb, dns_recv_cb, q);
	ip_addr_t srv;
	ip_addr_set_ip4_u32(&srv, server);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p) {
		memcpy(p->payload, wire, len);
		udp_sendto_if(q->pcb, p, &srv, 53, &c->nif);
		pbuf_free(p);
	}
	free(wire);
	ev_timer_init(&q->timeout, dns_timeout_cb, DNS_TIMEOUT, 0.);
	ev_timer_start(c->loop, &q->timeout);
	q->next = c->queries;
	c->queries = q;
	return true;
}

void ppp_client_dns_free_all(struct ppp_client *c)
{
	while (c->queries)
		dnsq_free(c->queries);
}
