/* transcript.h - the wire transcript: JSON Lines of every chunk, command and note, per modem. */
#ifndef SIM_TRANSCRIPT_H
#define SIM_TRANSCRIPT_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One record per line (jansson):
 *   {"t":0.012345,"modem":0,"dir":"rx","data":"AT\\r"}        bytes from the host
 *   {"t":0.012400,"modem":0,"dir":"tx","data":"AT\\r\\r\\nOK\\r\\n"}  bytes to the host
 *   {"t":0.012350,"modem":0,"dir":"cmd","data":"+CSQ"}        a parsed command line (after AT)
 *   {"t":...,"modem":0,"dir":"note","data":"..."}            what the simulator did and why
 * t is seconds since the transcript was opened; records about the whole process have no "modem". data escapes bytes: printable ASCII as is,
 * "\\" for a backslash, \r \n \t, and \xNN for every other byte, so it round-trips exactly
 * (transcript_unescape). The process owns one transcript shared by all its modems; it is
 * flushed every second and when closed. Every function accepts t == NULL (no transcript).
 */
struct transcript;

struct transcript *transcript_open(struct ev_loop *loop, const char *path, char *why, size_t cap);
void transcript_close(struct transcript *t);
void transcript_chunk(struct transcript *t, int modem, const char *dir, const void *buf, size_t n);
void transcript_command(struct transcript *t, int modem, const char *line, size_t n);
void transcript_note(struct transcript *t, int modem, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void transcript_flush(struct transcript *t);

/* Escape n bytes into out (NUL-terminated); returns the length, or what it would need. */
size_t transcript_escape(const void *buf, size_t n, char *out, size_t cap);
/* Reverse of transcript_escape; returns bytes written to out, or -1 on a malformed escape. */
long transcript_unescape(const char *s, uint8_t *out, size_t cap);

#endif
