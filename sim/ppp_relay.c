/* ppp_relay.c - relay core: names and destinations, per-port pcbs, input hook, lifetime (see .h). */
#include "ppp_relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "lwip_port.h"
#include "netmap.h"
#include "ppp_relay_int.h"

void ppp_relay_note(struct ppp_relay *r, const char *fmt, ...)
{
	if (!r->log)
		return;
	char buf[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->log(r->log_ctx, buf);
}

/* ---- names and destinations ------------------------------------------------------------- */

/* DNS lookup for ppp_dns: a fake address per mapped name (ppp_relay.h says why). */
bool ppp_relay_dns_lookup(void *ctx, const char *name, uint32_t *addr)
{
	struct ppp_relay *r = ctx;
	char ip[64];
	if (netmap_lookup(r->map, name, ip, sizeof ip) != NETMAP_OK)
		return false;
	size_t i;
	for (i = 0; i < r->n_names; i++)
		if (strcasecmp(r->names[i], name) == 0)
			break;
	if (i == r->n_names) {
		if (i >= FAKE_COUNT)
			return false;
		if (r->n_names == r->cap_names) {
			size_t cap = r->cap_names ? r->cap_names * 2 : 16;
			char **n = realloc(r->names, cap * sizeof *n);
			if (!n)
				return false;
			r->names = n;
			r->cap_names = cap;
		}
		r->names[i] = strdup(name);
		if (!r->names[i])
			return false;
		r->n_names++;
	}
	*addr = htonl(FAKE_BASE + 1 + (uint32_t)i);
	return true;
}

/* Where a host connection to dst:port goes: the mapped name behind a fake address, or the
 * literal address; either way netmap decides (allowed ranges, NAME:PORT entries). */
enum netmap_res ppp_relay_map_dest(struct ppp_relay *r, const ip_addr_t *dst, u16_t port,
				   struct sockaddr_storage *sa, socklen_t *len, char *label,
				   size_t label_cap)
{
	uint32_t h = ntohl(ip4_addr_get_u32(ip_2_ip4(dst)));
	char host[256];
	if (h > FAKE_BASE && h - FAKE_BASE - 1 < r->n_names)
		snprintf(host, sizeof host, "%s", r->names[h - FAKE_BASE - 1]);
	else
		ip4addr_ntoa_r(ip_2_ip4(dst), host, sizeof host);
	snprintf(label, label_cap, "%s:%u", host, (unsigned)port);
	char why[160];
	enum netmap_res res = netmap_resolve(r->map, host, port, sa, len, why, sizeof why);
	if (res != NETMAP_OK)
		ppp_relay_note(r, "%s refused: %s", label, why);
	return res;
}

bool ppp_relay_is_dns_addr(const struct ppp_relay *r, const ip_addr_t *a)
{
	uint32_t v = ip4_addr_get_u32(ip_2_ip4(a));
	return v != 0 && (v == r->dns[0] || v == r->dns[1]);
}

int ppp_relay_open_socket(const struct sockaddr_storage *sa, socklen_t len, int type)
{
	int fd = socket(sa->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (type == SOCK_STREAM) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	if (connect(fd, (const struct sockaddr *)sa, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- per-port pcbs ---------------------------------------------------------------------- */

static struct port_pcb *port_get(struct ppp_relay *r, u16_t port)
{
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i].port == port)
			return &r->ports[i];
	if (r->n_ports == r->cap_ports) {
		size_t cap = r->cap_ports ? r->cap_ports * 2 : 8;
		struct port_pcb *n = realloc(r->ports, cap * sizeof *n);
		if (!n)
			return NULL;
		r->ports = n;
		r->cap_ports = cap;
	}
	struct port_pcb *pp = &r->ports[r->n_ports++];
	memset(pp, 0, sizeof *pp);
	pp->port = port;
	return pp;
}

/*
 * lwIP refuses a second listener on the same port and address even on another netif (tcp_listen
 * with SO_REUSE), so the TCP listeners are shared by every session of the process: one per
 * port, found in lwIP's own listen list by its accept callback, serving whichever netif the SYN
 * came in on (ppp_relay_tcp_accept). The last session to end closes them (ppp_relay_free).
 */
static bool tcp_listener(u16_t port)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (l->local_port == port && l->accept == ppp_relay_tcp_accept)
			return true;
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return false;
	ip_set_option(pcb, SOF_REUSEADDR);
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		tcp_abort(pcb);
		return false;
	}
	struct tcp_pcb *l = tcp_listen_with_backlog(pcb, 16);
	if (!l) {
		tcp_abort(pcb);
		return false;
	}
	tcp_arg(l, NULL);
	tcp_accept(l, ppp_relay_tcp_accept);
	return true;
}

/* The relay of a netif, if it is one of ours. */
struct ppp_relay *ppp_relay_of(struct netif *nif)
{
	const struct lwip_port_input *h = nif ? netif_get_client_data(nif, LWIP_PORT_INPUT_SLOT) : NULL;
	return h && h->input == ppp_relay_input ? h->ctx : NULL;
}

static struct udp_pcb *udp_port(struct ppp_relay *r, u16_t port)
{
	struct port_pcb *pp = port_get(r, port);
	if (!pp)
		return NULL;
	if (pp->udp)
		return pp->udp;
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return NULL;
	ip_set_option(pcb, SOF_REUSEADDR);
	udp_bind_netif(pcb, r->nif);
	if (udp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		udp_remove(pcb);
		return NULL;
	}
	udp_recv(pcb, ppp_relay_udp_recv, r);
	pp->udp = pcb;
	return pcb;
}

/* ---- input hook ------------------------------------------------------------------------- */

/* A SYN to dst:port: refused destinations get RST now (nothing leaves); allowed ones find a
 * listener. False when the packet was answered with RST and must be dropped. */
static bool tcp_syn(struct ppp_relay *r, const ip_addr_t *src, const ip_addr_t *dst,
		    const struct tcp_hdr *th)
{
	u16_t dport = lwip_ntohs(th->dest), sport = lwip_ntohs(th->src);
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char label[300];
	if (ppp_relay_map_dest(r, dst, dport, &sa, &len, label, sizeof label) == NETMAP_OK &&
	    tcp_listener(dport))
		return true;
	tcp_rst(NULL, 0, lwip_ntohl(th->seqno) + 1, dst, src, dport, sport);
	return false;
}

int ppp_relay_input(void *ctx, struct pbuf *p, struct netif *inp)
{
	struct ppp_relay *r = ctx;
	if (p->len < IP_HLEN)
		return 0; /* lwIP drops it */
	const struct ip_hdr *ih = p->payload;
	u16_t hlen = IPH_HL_BYTES(ih), len = lwip_ntohs(IPH_LEN(ih));
	if (IPH_V(ih) != 4 || hlen < IP_HLEN || hlen > p->len || len > p->tot_len || len < hlen)
		return 0;
	ip4_addr_t d;
	ip4_addr_copy(d, ih->dest);
	if (ip4_addr_ismulticast(&d) || ip4_addr_isbroadcast(&d, inp) || ip4_addr_isany_val(d))
		return 0;
	u8_t proto = IPH_PROTO(ih);
	if (proto != IP_PROTO_TCP && proto != IP_PROTO_UDP) {
		/* ICMP to the modem's own address is lwIP's (ping the gateway); the rest of the
		 * world is not reachable by anything but TCP and UDP. */
		if (ip4_addr_cmp(&d, netif_ip4_addr(inp)))
			return 0;
		pbuf_free(p);
		return 1;
	}
	if (inet_chksum(ih, hlen) != 0 || hlen != IP_HLEN ||
	    (IPH_OFFSET(ih) & PP_HTONS(IP_OFFMASK | IP_MF)) != 0) {
		/* Bad header, options or fragments: hosts on a PPP link send none of these for
		 * TCP/UDP (DF + MSS); dropping is what a strict router may do. */
		pbuf_free(p);
		return 1;
	}
	if (len < p->tot_len)
		pbuf_realloc(p, len);

	/* What ip4_input would have set for the upper layers, then deliver as if local. */
	ip_addr_copy_from_ip4(ip_data.current_iphdr_dest, ih->dest);
	ip_addr_copy_from_ip4(ip_data.current_iphdr_src, ih->src);
	ip_data.current_netif = inp;
	ip_data.current_input_netif = inp;
	ip_data.current_ip4_header = ih;
	ip_data.current_ip_header_tot_len = hlen;
	pbuf_remove_header(p, hlen);

	if (proto == IP_PROTO_TCP) {
		const struct tcp_hdr *th = p->payload;
		bool pass = true;
		if (p->len >= TCP_HLEN && (TCPH_FLAGS(th) & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
			pass = tcp_syn(r, ip_current_src_addr(), ip_current_dest_addr(), th);
		if (pass)
			tcp_input(p, inp);
		else
			pbuf_free(p);
	} else {
		const struct udp_hdr *uh = p->payload;
		if (p->len >= UDP_HLEN && udp_port(r, lwip_ntohs(uh->dest)))
			udp_input(p, inp);
		else
			pbuf_free(p);
	}

	ip_data.current_netif = NULL;
	ip_data.current_input_netif = NULL;
	ip_data.current_ip4_header = NULL;
	ip_data.current_ip_header_tot_len = 0;
	ip4_addr_set_any(ip4_current_src_addr());
	ip4_addr_set_any(ip4_current_dest_addr());
	return 1;
}

/* ---- lifetime --------------------------------------------------------------------------- */

struct ppp_relay *ppp_relay_new(struct ev_loop *loop, struct netif *nif, const struct netmap *map,
				const uint32_t dns[2], ppp_relay_log_fn log, void *log_ctx)
{
	struct ppp_relay *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->loop = loop;
	r->nif = nif;
	r->map = map;
	r->dns[0] = dns[0];
	r->dns[1] = dns[1];
	r->log = log;
	r->log_ctx = log_ctx;
	ev_timer_init(&r->udp_gc, ppp_relay_udp_gc, UDP_IDLE / 4, UDP_IDLE / 4);
	ev_timer_start(loop, &r->udp_gc);
	/* DNS is answered even before the host sends to port 53 of another address. */
	udp_port(r, DNS_PORT);
	return r;
}

void ppp_relay_free(struct ppp_relay *r)
{
	if (!r)
		return;
	ppp_relay_tcp_abort_all(r);
	ppp_relay_udp_free_all(r);
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i].udp)
			udp_remove(r->ports[i].udp);
	/* The last session closes the shared listeners. */
	bool others = false;
	struct netif *nif;
	NETIF_FOREACH(nif)
		if (nif != r->nif && ppp_relay_of(nif))
			others = true;
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l && !others;) {
		struct tcp_pcb_listen *next = l->next;
		if (l->accept == ppp_relay_tcp_accept)
			tcp_close((struct tcp_pcb *)l);
		l = next;
	}
	lwip_port_netif_gone(r->nif);
	free(r->ports);
	for (size_t i = 0; i < r->n_names; i++)
		free(r->names[i]);
	free(r->names);
	ev_timer_stop(r->loop, &r->udp_gc);
	free(r);
}
