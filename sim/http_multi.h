/* http_multi.h - libcurl's multi interface on a libev loop: run many transfers without blocking. */
#ifndef SIM_HTTP_MULTI_H
#define SIM_HTTP_MULTI_H

#include <stdbool.h>

#include <curl/curl.h>

#include "svc_http.h" /* http_multi_new / http_multi_free */

/*
 * The multi (struct http_multi) belongs to main and is shared by every modem of the process.
 * It borrows each easy handle between http_multi_add and the done callback (or
 * http_multi_remove): the caller keeps ownership and frees the handle itself. Sockets and
 * timers are libev watchers owned by the multi; nothing here blocks.
 */

/* Called once when a transfer ends, from the loop (never from inside a libcurl callback), after
 * the handle has left the multi: the callee may free it or start another transfer. */
typedef void (*http_multi_done_fn)(void *ctx, CURL *easy, CURLcode result);

/* Start a transfer. False if libcurl refuses (the handle is then not in the multi). */
bool http_multi_add(struct http_multi *hm, CURL *easy, http_multi_done_fn done, void *ctx);
/* Abort a transfer that has not ended yet; done is not called. Safe on a handle not added. */
void http_multi_remove(struct http_multi *hm, CURL *easy);

#endif
