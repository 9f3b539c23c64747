/* cmd_fs.c - flash files (+FSCREATE/FSWRITE/FSFLSIZE/FSDEL) and the SSL certificate commands (+SSLOPT, +SSLSETCERT). */
#include "cmd_fs.h"

#include <stdlib.h>
#include <string.h>

#include "cmd_util.h"
#include "datamode.h"
#include "dispatch.h"
#include "respond.h"
#include "transcript.h"

/*
 * sim800-facts.md §5.2 (TinyGSM SIM800_SslSetCert): AT+FSCREATE=<file> -> OK;
 * AT+FSWRITE=<file>,<mode>,<size>,<timeout> -> "\r\n> " -> exactly <size> bytes -> OK;
 * AT+SSLSETCERT="<file>" -> OK, then +SSLSETCERT: <n>. Not in MAN V1.09: everything beyond
 * those bytes is UNCERTAIN and chosen here: FSCREATE of an existing file is OK (kept), FSWRITE
 * mode 0 overwrites and 1 appends, at most FS_FILE_MAX bytes a file, an input timeout writes
 * nothing and answers ERROR, and +SSLSETCERT: 0 means the file exists and is not empty, 1
 * anything else. The certificate is only recorded: the TLS client never presents it.
 */
#define FS_FILES 8
#define FS_NAME_MAX 64
#define FS_FILE_MAX 10240 /* one certificate chain; UNCERTAIN (the module's limit is unknown) */

struct fs_file {
	char name[FS_NAME_MAX];
	uint8_t *data; /* owned */
	size_t len;
	bool used;
};

struct cmd_fs {
	struct fs_file file[FS_FILES];
	int sslopt[2];          /* AT+SSLOPT: [0] ignore invalid certificate, [1] client auth */
	char cert[FS_NAME_MAX]; /* the file AT+SSLSETCERT took */
	int setcert_result;     /* +SSLSETCERT: <n> after the OK */
	int write_file;         /* the file an AT+FSWRITE is filling */
	bool write_append;
};

static struct cmd_fs *fs_get(struct sim_modem *m)
{
	if (!m->fs) {
		m->fs = calloc(1, sizeof *m->fs);
		if (m->fs)
			m->fs->sslopt[0] = 1; /* "ignore invalid certificate" is the default (facts §6.3) */
	}
	return m->fs;
}

void cmd_fs_free(struct sim_modem *m)
{
	if (!m->fs)
		return;
	for (int i = 0; i < FS_FILES; i++)
		free(m->fs->file[i].data);
	free(m->fs);
	m->fs = NULL;
}

static struct fs_file *fs_find(struct cmd_fs *fs, const char *name)
{
	for (int i = 0; i < FS_FILES; i++)
		if (fs->file[i].used && strcmp(fs->file[i].name, name) == 0)
			return &fs->file[i];
	return NULL;
}

/* The file name argument: quoted or not (TinyGSM writes C:\USER\CERT.CRT unquoted). */
static bool name_arg(struct at_tok *t, char *out)
{
	return at_tok_next_any(t, out, FS_NAME_MAX, NULL) == AT_TOK_OK && out[0];
}

/* The existing file a command's only argument names, or NULL. */
static struct fs_file *file_arg(struct sim_modem *m, const struct at_cmd *c)
{
	struct cmd_fs *fs = fs_get(m);
	struct at_tok t;
	char name[FS_NAME_MAX];
	cmd_tok(c, &t);
	return fs && name_arg(&t, name) && at_tok_at_end(&t) ? fs_find(fs, name) : NULL;
}

static struct at_result cmd_fscreate(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct cmd_fs *fs = fs_get(m);
	struct at_tok t;
	char name[FS_NAME_MAX];
	cmd_tok(c, &t);
	if (!fs || !name_arg(&t, name) || !at_tok_at_end(&t))
		return RES_ERROR;
	if (fs_find(fs, name))
		return RES_OK;
	for (int i = 0; i < FS_FILES; i++)
		if (!fs->file[i].used) {
			fs->file[i] = (struct fs_file){.used = true};
			memcpy(fs->file[i].name, name, sizeof name);
			return RES_OK;
		}
	return RES_ERROR; /* no room */
}

static void fswrite_done(struct sim_modem *m, void *ctx, const uint8_t *data, size_t n,
			 enum datamode_end how)
{
	(void)ctx;
	struct cmd_fs *fs = m->fs;
	struct fs_file *f = fs ? &fs->file[fs->write_file] : NULL;
	if (!f || !f->used || how != DATAMODE_COMPLETE) {
		modem_command_done(m, RES_ERROR);
		return;
	}
	size_t base = fs->write_append ? f->len : 0;
	uint8_t *p = realloc(f->data, base + n ? base + n : 1);
	if (!p) {
		modem_command_done(m, RES_ERROR);
		return;
	}
	memcpy(p + base, data, n);
	f->data = p;
	f->len = base + n;
	transcript_note(m->log, m->index, "FSWRITE: %zu bytes to %s (%zu in all)", n, f->name, f->len);
	modem_command_done(m, RES_OK);
}

/* AT+FSWRITE=<file>,<mode 0 overwrite|1 append>,<size>,<timeout s> */
static struct at_result cmd_fswrite(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct cmd_fs *fs = fs_get(m);
	struct at_tok t;
	char name[FS_NAME_MAX];
	long mode, size, secs;
	cmd_tok(c, &t);
	if (!fs || !name_arg(&t, name) || at_tok_next_int(&t, &mode) != AT_TOK_OK ||
	    at_tok_next_int(&t, &size) != AT_TOK_OK || at_tok_next_int(&t, &secs) != AT_TOK_OK ||
	    !at_tok_at_end(&t) || mode < 0 || mode > 1 || size < 1 || secs < 1 || secs > 100)
		return RES_ERROR;
	struct fs_file *f = fs_find(fs, name);
	if (!f || (size_t)size + (mode ? f->len : 0) > FS_FILE_MAX)
		return RES_ERROR;
	fs->write_file = (int)(f - fs->file);
	fs->write_append = mode == 1;
	modem_send(m, "\r\n> ", 4); /* as CIPSEND's prompt, no line end (facts §0) */
	const struct datamode_cfg cfg = {
		.length = (size_t)size,
		.timeout = (double)secs,
		.echo = false,
		.done = fswrite_done,
	};
	return datamode_start(m, &cfg) ? RES_ASYNC : RES_ERROR;
}

static struct at_result cmd_fsflsize(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct fs_file *f = file_arg(m, c);
	if (!f)
		return RES_ERROR;
	respond_infof(m, "+FSFLSIZE: %zu", f->len);
	return RES_OK;
}

static struct at_result cmd_fsdel(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct fs_file *f = file_arg(m, c);
	if (!f)
		return RES_ERROR;
	free(f->data);
	*f = (struct fs_file){0};
	return RES_OK;
}

/* AT+SSLOPT=<opt 0|1>,<enable 0|1> (TinyGSM comment, facts §5.2). */
static struct at_result cmd_sslopt(struct sim_modem *m, const struct at_cmd *c)
{
	struct cmd_fs *fs = fs_get(m);
	if (!fs)
		return RES_ERROR;
	if (c->op == AT_OP_READ) {
		respond_infof(m, "+SSLOPT: 0,%d", fs->sslopt[0]);
		respond_infof(m, "+SSLOPT: 1,%d", fs->sslopt[1]);
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct at_tok t;
	long opt, on;
	cmd_tok(c, &t);
	if (at_tok_next_int(&t, &opt) != AT_TOK_OK || at_tok_next_int(&t, &on) != AT_TOK_OK ||
	    !at_tok_at_end(&t) || opt < 0 || opt > 1 || on < 0 || on > 1)
		return RES_ERROR;
	fs->sslopt[opt] = (int)on;
	return RES_OK;
}

static void setcert_urc(struct sim_modem *m)
{
	if (m->fs)
		modem_urc(m, "+SSLSETCERT: %d", m->fs->setcert_result);
}

/* AT+SSLSETCERT=<file>[,<password>]: OK, then +SSLSETCERT: <n> (facts §5.2). */
static struct at_result cmd_sslsetcert(struct sim_modem *m, const struct at_cmd *c)
{
	if (c->op != AT_OP_SET)
		return c->op == AT_OP_TEST ? RES_OK : RES_ERROR;
	struct cmd_fs *fs = fs_get(m);
	struct at_tok t;
	char name[FS_NAME_MAX], pwd[FS_NAME_MAX];
	cmd_tok(c, &t);
	if (!fs || !name_arg(&t, name))
		return RES_ERROR;
	if (!at_tok_at_end(&t) &&
	    (at_tok_next_any(&t, pwd, sizeof pwd, NULL) != AT_TOK_OK || !at_tok_at_end(&t)))
		return RES_ERROR;
	struct fs_file *f = fs_find(fs, name);
	fs->setcert_result = f && f->len > 0 ? 0 : 1;
	if (!fs->setcert_result)
		memcpy(fs->cert, name, sizeof name);
	m->disp.after_final = setcert_urc;
	return RES_OK;
}

const struct cmd_entry cmd_fs_table[] = {
	{"+FSCREATE", cmd_fscreate, 0},
	{"+FSWRITE", cmd_fswrite, 0},
	{"+FSFLSIZE", cmd_fsflsize, 0},
	{"+FSDEL", cmd_fsdel, 0},
	{"+SSLOPT", cmd_sslopt, CMD_CAP_SSL},
	{"+SSLSETCERT", cmd_sslsetcert, CMD_CAP_SSL},
	{NULL, NULL, 0},
};
