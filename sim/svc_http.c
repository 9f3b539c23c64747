/* svc_http.c - the bearer and HTTP application on libcurl's multi API (see svc_http.h). */
#include "svc_http.h"

#include <curl/curl.h>
#include <stdlib.h>

#include "modem.h"

struct http_multi {
	struct ev_loop *loop;
	CURLM *multi;
};

struct svc_http {
	int unused;
};

struct http_multi *http_multi_new(struct ev_loop *loop)
{
	struct http_multi *hm = calloc(1, sizeof *hm);
	if (!hm)
		return NULL;
	hm->loop = loop;
	hm->multi = curl_multi_init();
	if (!hm->multi) {
		free(hm);
		return NULL;
	}
	return hm;
}

void http_multi_free(struct http_multi *hm)
{
	if (!hm)
		return;
	curl_multi_cleanup(hm->multi);
	free(hm);
}

void svc_http_reset(struct sim_modem *m)
{
	free(m->http);
	m->http = NULL;
}
