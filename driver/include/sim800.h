/* sim800.h - the public header of the portable SIM800 driver (libsim800): includes the rest. */
#ifndef SIM800_H
#define SIM800_H

/*
 * Overview
 * --------
 * A `struct sim800` is one modem. The caller provides its storage (static, stack or heap: the
 * library never allocates), fills a `struct sim800_port` with four callbacks (write, read,
 * clock, wait) and calls sim800_init(). Every call then blocks the caller at most until the
 * deadline it was given (or the per-command default from sim800-facts.md §9), waiting only
 * through port.wait_readable(), so the same code runs on a pty, a real tty, an MCU UART or the
 * in-memory mock of the unit tests.
 *
 * Allocation: none. All buffers live inside `struct sim800` (sizes in sim800_at.h) or on the stack of
 * the call (a few hundred bytes at most). Strings passed in (command text, URC prefixes,
 * payloads) are borrowed: a command's strings only for the duration of the call, a URC prefix
 * for as long as it stays registered.
 *
 * Threads: one `struct sim800` must be used from one thread at a time. Different modems are
 * independent (no global state in the library).
 *
 * Callbacks (URC handlers, log, events, info-line callbacks) run inside the library call that
 * read the line (a command or sim800_poll()). The line pointer is valid only during the
 * callback. A callback must not run another command on the same modem: that returns
 * SIM800_ERR_BUSY.
 */

#include "sim800_at.h"       /* errors, port, struct sim800, commands, URCs */
#include "sim800_services.h" /* info, SIM/network, TCP, HTTP, SMS, PPP, transport policy */

#endif
