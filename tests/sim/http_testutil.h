/* http_testutil.h - helpers of the HTTP application tests: fixture log, AT sequences, a group. */
#ifndef HTTP_TESTUTIL_H
#define HTTP_TESTUTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "fxproc.h"
#include "http_rig.h"
#include "simproc.h"

#define ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define WAIT_S 20.0

/* The group's sim800-fixtures (the state ht_group_setup made). */
struct fxproc *ht_fx_of(void **state);
/* The fixture's /bytes/N body: byte i is ALPHABET[i % 62] (malloc'd, NUL-terminated). */
char *ht_pattern(size_t n);
void ht_sha256_hex(const void *p, size_t n, char out[65]);
/* Request records of the fixture log for one path: how many, and the last (new reference). */
size_t ht_requests(const struct fxproc *f, const char *path, json_t **last);
/* A request header of a log record, name case-insensitive; NULL if absent. */
const char *ht_header(json_t *rec, const char *name);

/* AT+SAPBR: GPRS, APN "internet", open. */
void ht_bearer_open(struct http_rig *r, size_t i);
/* AT+HTTPINIT, CID 1, the URL. */
void ht_http_begin(struct http_rig *r, size_t i, const char *url);
void ht_url_for(char *buf, size_t cap, const char *scheme, unsigned port, const char *path);
/* AT+HTTPPARA="URL" for 127.0.0.1:<port><path>. */
void ht_set_url(struct http_rig *r, size_t i, const char *scheme, unsigned port, const char *path);
/* AT+HTTPACTION=<method>: OK, then a URC that starts with prefix (length not checked). */
void ht_action_prefix(struct http_rig *r, size_t i, int method, const char *prefix);
/* AT+HTTPACTION=<method>: OK at once, the URC later; both checked byte for byte. */
void ht_action(struct http_rig *r, size_t i, int method, const char *urc);
/* "\r\n+HTTPREAD: <n>\r\n<data>\r\nOK\r\n" */
void ht_expect_read(struct http_rig *r, size_t i, const char *cmd, const char *data, size_t n);

/* cmocka group fixtures: one sim800-fixtures for the group. */
int ht_group_setup(void **state);
int ht_group_teardown(void **state);

#endif
