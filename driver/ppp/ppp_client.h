/* ppp_client.h - a PPP client over a tty fd (lwIP PPPoS): DNS, TCP and TLS through the link. */
#ifndef SIM800_PPP_CLIENT_H
#define SIM800_PPP_CLIENT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/*
 * The host side of ATD*99#: after the modem said CONNECT (dialling is the caller's business),
 * ppp_client_new runs PPP on the fd and the host gets its own TCP/IP (lwIP, one instance per
 * process, one netif per link: several links may run in one process) and its own TLS
 * (OpenSSL, TLS 1.2/1.3 through memory BIOs), whatever the modem's firmware can do.
 * Everything runs on the caller's libev loop; callbacks come from it. The fd is borrowed: the
 * caller keeps it open until ppp_client_free and closes it afterwards.
 */
struct ppp_client;
struct ppp_client_conn;

enum ppp_client_err {
	PPP_CLIENT_OK = 0,
	PPP_CLIENT_ENOMEM,     /* allocation failed */
	PPP_CLIENT_ELINK,      /* the PPP link is not up, or went down */
	PPP_CLIENT_ENAME,      /* DNS: no such name (NXDOMAIN) or no address */
	PPP_CLIENT_ETIMEOUT,   /* DNS: no answer */
	PPP_CLIENT_EREFUSED,   /* TCP: connection refused or reset */
	PPP_CLIENT_ETLS,       /* TLS handshake or record failure */
	PPP_CLIENT_ETOOBIG,    /* UDP: datagram longer than one IP packet on the link */
};
const char *ppp_client_strerror(enum ppp_client_err e);

enum ppp_client_state {
	PPP_CLIENT_NEGOTIATING,  /* LCP/IPCP under way */
	PPP_CLIENT_UP,           /* IPCP up: address and DNS known */
	PPP_CLIENT_DOWN,         /* the link ended (peer terminate, ppp_client_close) */
};

/* Start LCP on fd (raw tty or pty, non-blocking is set here). NULL on allocation failure. */
struct ppp_client *ppp_client_new(struct ev_loop *loop, int fd);
/* Bytes of the link that were read before the client existed (what followed CONNECT in the
 * AT reader's last read: sim800_take_data). Call right after ppp_client_new. */
void ppp_client_input(struct ppp_client *c, const uint8_t *buf, size_t n);
enum ppp_client_state ppp_client_state(const struct ppp_client *c);
/* IPCP results, network byte order (0 until up). */
uint32_t ppp_client_addr(const struct ppp_client *c);
uint32_t ppp_client_dns(const struct ppp_client *c);
/* LCP Terminate-Request; the state becomes DOWN when the peer acknowledges (or times out). */
void ppp_client_close(struct ppp_client *c);
/* Stop reading/writing the fd: the caller wants the line for AT commands ("+++"). PPP output is
 * dropped while paused; ppp_client_resume after ATO's CONNECT. */
void ppp_client_pause(struct ppp_client *c);
void ppp_client_resume(struct ppp_client *c);
/* Free the link and every connection still open (no callbacks after this). */
void ppp_client_free(struct ppp_client *c);

/* Resolve name through the link's DNS server (IPCP). cb gets the IPv4 address in network
 * order, or an error. False if the query could not be sent (cb will not run). */
typedef void (*ppp_client_dns_cb)(void *ctx, enum ppp_client_err err, uint32_t addr);
bool ppp_client_resolve(struct ppp_client *c, const char *name, ppp_client_dns_cb cb, void *ctx);

struct ppp_client_conn_cb {
	void (*connected)(void *ctx);  /* TCP up and, with TLS, the handshake done */
	void (*data)(void *ctx, const uint8_t *buf, size_t n);  /* plaintext */
	/* The peer closed (err OK) or the connection failed; the conn is still to be freed. */
	void (*closed)(void *ctx, enum ppp_client_err err);
};

/* TCP to addr:port (network order address). With tls non-NULL, a TLS client on top; sni (may
 * be NULL) is the server's name: sent as SNI and, when tls verifies peers, the name the
 * certificate must carry (an address literal is matched against IP SANs). cb and ctx must outlive the conn. NULL when the link is down or out of memory. */
struct ppp_client_conn *ppp_client_connect(struct ppp_client *c, uint32_t addr, uint16_t port,
					   SSL_CTX *tls, const char *sni,
					   const struct ppp_client_conn_cb *cb, void *ctx);
/* Queue bytes (all of them; buffered as needed). Only after connected. */
enum ppp_client_err ppp_client_conn_write(struct ppp_client_conn *k, const void *buf, size_t n);
/* Bytes queued but not yet acknowledged by the peer's TCP. */
size_t ppp_client_conn_pending(const struct ppp_client_conn *k);
/* Send FIN once the queue is out (TLS: close_notify first). */
void ppp_client_conn_shutdown(struct ppp_client_conn *k);
/* The negotiated TLS version text ("TLSv1.2"), or NULL. */
const char *ppp_client_conn_tls_version(const struct ppp_client_conn *k);
/* Close (RST if still open) and free. */
void ppp_client_conn_free(struct ppp_client_conn *k);

/* UDP through the link (ppp_client_udp.c): one local port, datagrams to and from anywhere. */
struct ppp_client_udp;
/* A datagram arrived from addr (network order):port. */
typedef void (*ppp_client_udp_cb)(void *ctx, uint32_t addr, uint16_t port, const uint8_t *buf,
				  size_t n);
/* Bind an ephemeral port on the link; NULL when the link is down or out of memory. cb and ctx
 * must outlive the socket. ppp_client_free frees sockets still open. */
struct ppp_client_udp *ppp_client_udp_open(struct ppp_client *c, ppp_client_udp_cb cb, void *ctx);
/* One datagram of n bytes (at most 1472: no IP fragments) to addr (network order):port. */
enum ppp_client_err ppp_client_udp_send(struct ppp_client_udp *u, uint32_t addr, uint16_t port,
					const void *buf, size_t n);
void ppp_client_udp_free(struct ppp_client_udp *u);

#endif
