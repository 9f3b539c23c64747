/* svc_tcp.h - the CIP TCP/UDP stack behind AT+CIPSTART/CIPSEND: real non-blocking sockets. */
#ifndef SIM_SVC_TCP_H
#define SIM_SVC_TCP_H

struct sim_modem;

/* Close every connection and forget the CIP state (power off, reboot, destroy). */
void svc_tcp_reset(struct sim_modem *m);

#endif
