/* lwipopts.h - our lwIP configuration: NO_SYS raw API, IPv4 TCP/UDP, PPPoS client and server. */
#ifndef SIM800_LWIPOPTS_H
#define SIM800_LWIPOPTS_H

/*
 * One configuration for both roles (the simulator's PPP server, the driver's PPP client), so
 * one compiled lwIP serves both and every file that includes lwIP headers sees the same struct
 * layouts (cmake/lwip.cmake compiles lwIP with this header; never a prebuilt liblwip).
 * Single-threaded: lwIP is only ever called from the owning libev loop.
 */
#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

/* Memory from malloc, so sanitizers and valgrind see every pbuf and pcb, and no fixed pool
 * caps the number of modems or connections in one process. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEM_SIZE (1024 * 1024)

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 0
#define LWIP_ETHERNET 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
/* Needed for the IPCP DNS option (ppp_set_ipcp_dnsaddr, usepeerdns); names are resolved by our
 * own code per link (ldns), not through lwIP's process-wide resolver. */
#define LWIP_DNS 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_HAVE_LOOPIF 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_SINGLE_NETIF 0   /* one PPP netif per modem or per client link */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NUM_NETIF_CLIENT_DATA 1  /* slot lwip_port.h reserves for the input hook */
#define SO_REUSE 1            /* per-netif listeners may share a port (one per modem) */
#define LWIP_CALLBACK_API 1
#define LWIP_STATS 0
#define LWIP_PROVIDE_ERRNO 0

/* TCP sized for a serial link but with room for 1 MB transfers at pty speed. */
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 0
#define LWIP_TCP_KEEPALIVE 1
#define MEMP_NUM_TCP_PCB 256  /* counted even with MEMP_MEM_MALLOC: caps live connections */
#define MEMP_NUM_TCP_PCB_LISTEN 256
#define MEMP_NUM_UDP_PCB 256
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_SYS_TIMEOUT 256
#define PBUF_POOL_SIZE 256

/* PPP over serial, both ends; PAP and CHAP-MD5 (lwIP's bundled MD5), no MPPE/EAP. */
#define PPP_SUPPORT 1
#define PPPOS_SUPPORT 1
#define PPPOE_SUPPORT 0
#define PPPOL2TP_SUPPORT 0
#define PPP_SERVER 1
#define PPP_IPV4_SUPPORT 1
#define PPP_IPV6_SUPPORT 0
#define PAP_SUPPORT 1
#define CHAP_SUPPORT 1
#define MSCHAP_SUPPORT 0
#define EAP_SUPPORT 0
#define MPPE_SUPPORT 0
#define CCP_SUPPORT 0
#define VJ_SUPPORT 1
#define LQR_SUPPORT 0
#define PPP_NOTIFY_PHASE 1
#define PPP_MD5_RANDM 0
#define LWIP_USE_EXTERNAL_MBEDTLS 0
#define PPPOS_PCB_DYNAMIC_RX 0
#define MEMP_NUM_PPP_PCB 64   /* live PPP sessions per process */
#define MEMP_NUM_PPPOS_INTERFACES MEMP_NUM_PPP_PCB
#define LCP_ECHOINTERVAL 0    /* the host decides about echoes; the modem only answers */
/* 1 s between LCP/IPCP retransmits and after a Terminate-Request (pppd: 3 s, lwIP: 6 s):
 * negotiation recovers quickly from a lost frame and a hang-up ends within a second. */
#define FSM_DEFTIMEOUT 1
#define PPP_MAXIDLEFLAG 0     /* always start frames with a flag: hosts resync faster */

/* Randomness for LCP magic numbers, DNS ids and ports: the C library's arc4random. */
#define LWIP_RAND() ((u32_t)lwip_port_rand())
/* TCP initial sequence numbers per RFC 6528 (lwIP's default adds tcp_ticks to the last one:
 * predictable, RFC 6528 §2's attack): a 4 µs clock plus a keyed hash of the 4-tuple. */
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) lwip_port_tcp_isn((lip), (lport), (rip), (rport))

/* Server links accept every destination (tun2socks): see lwip_port.h. */
#define LWIP_HOOK_FILENAME "lwip_port.h"
#define LWIP_HOOK_IP4_INPUT(p, inp) lwip_port_ip4_input((p), (inp))

/* LWIP_DEBUG stays undefined (lwIP tests #ifdef); assertions stay on: a failed one is our bug. */

#endif
