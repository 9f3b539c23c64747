/* profile.c - queries over a loaded firmware profile, and freeing it (see profile.h). */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

/* Indexed by enum profile_tls; the same words profiles/README.md lists for capabilities.tls. */
static const char *const profile_tls_names[] = {
	/* PROFILE_TLS_NONE */ "none",
	/* PROFILE_TLS_SSL3 */ "ssl3",
	/* PROFILE_TLS_1_0 */ "tls1.0",
	/* PROFILE_TLS_1_1 */ "tls1.1",
	/* PROFILE_TLS_1_2 */ "tls1.2",
	/* PROFILE_TLS_1_3 */ "tls1.3",
};

const char *profile_tls_name(enum profile_tls v)
{
	if ((size_t)v >= sizeof(profile_tls_names) / sizeof(profile_tls_names[0]))
		return NULL;
	return profile_tls_names[v];
}

static void free_strings(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->source_path);
	free(p->ati);
	free(p->manufacturer);
	free(p->model);
	free(p->revision);
	free_strings(p->gsv, p->n_gsv);
	free(p->imei);
	free(p->iccid);
	free(p->imsi);
	free(p->unknown_answer);
	free(p->ppp_connect);
	for (size_t i = 0; p->boot_urcs && i < p->n_boot_urcs; i++)
		free(p->boot_urcs[i].text);
	free(p->boot_urcs);
	for (size_t i = 0; p->delays && i < p->n_delays; i++)
		free(p->delays[i].command);
	free(p->delays);
	free(p->sim_pin);
	free(p->operator_name);
	for (size_t i = 0; p->net && i < p->n_net; i++) {
		free(p->net[i].lac);
		free(p->net[i].ci);
	}
	free(p->net);
	for (size_t i = 0; p->replay && i < p->n_replay; i++) {
		free(p->replay[i].command);
		free_strings(p->replay[i].lines, p->replay[i].n_lines);
	}
	free(p->replay);
	free_strings(p->hosts, p->n_hosts);
	free(p->scenario);
	free(p);
}

/* ASCII only: command names are ASCII, and the C locale must not change matching. */
static char ascii_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Length of the name part of a command text: up to the first '=' or '?' (V.250 forms). */
static size_t name_length(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] != '=' && s[i] != '?')
		i++;
	return i;
}

unsigned profile_delay_for(const struct profile *p, const char *name, const char *form)
{
	if (!p)
		return 0;
	if (!name)
		return p->delay_default_ms;
	if (!form)
		form = "";
	size_t nlen = strlen(name);
	const struct profile_delay *any_form = NULL;
	for (size_t i = 0; i < p->n_delays; i++) {
		const char *cmd = p->delays[i].command;
		size_t clen = strlen(cmd);
		size_t cname = name_length(cmd, clen);
		if (cname != nlen)
			continue;
		size_t j = 0;
		while (j < nlen && ascii_upper(cmd[j]) == ascii_upper(name[j]))
			j++;
		if (j < nlen)
			continue;
		/* A suffix-less key ("+CSQ") covers every form; an exact form wins over it. */
		if (cmd[cname] == '\0')
			any_form = &p->delays[i];
		else if (strcmp(cmd + cname, form) == 0)
			return p->delays[i].ms;
	}
	return any_form ? any_form->ms : p->delay_default_ms;
}

const struct profile_replay *profile_replay_find(const struct profile *p, const char *text,
						 size_t len)
{
	if (!p || !text)
		return NULL;
	for (size_t i = 0; i < p->n_replay; i++) {
		const char *cmd = p->replay[i].command;
		if (strlen(cmd) != len)
			continue;
		/* Names are case-insensitive (V.250), arguments are data: "+CSPN?" = "+cspn?". */
		size_t cname = name_length(cmd, len);
		size_t j = 0;
		while (j < cname && ascii_upper(cmd[j]) == ascii_upper(text[j]))
			j++;
		if (j == cname && memcmp(cmd + cname, text + cname, len - cname) == 0)
			return &p->replay[i];
	}
	return NULL;
}

const struct profile_net_step *profile_net_at(const struct profile *p, unsigned t_ms)
{
	if (!p || p->n_net == 0)
		return NULL;
	/* Steps are in time order (the loader checks); before the first step, the first holds. */
	const struct profile_net_step *cur = &p->net[0];
	for (size_t i = 1; i < p->n_net && p->net[i].after_ms <= t_ms; i++)
		cur = &p->net[i];
	return cur;
}
