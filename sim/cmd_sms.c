/* cmd_sms.c - SMS messages (27.005): +CMGS +CMGW +CMGR +CMGL +CMGD +CMGDA; the settings are in
 * cmd_smsconf.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_sms.h"
#include "cmd_util.h"
#include "respond.h"

/* Longest input after "> ": a 140-octet TPDU with SMSC in hex is 352, UCS2 text 280; more
 * than this is refused (+CMS ERROR) rather than buffered. */
#define SMS_PROMPT_MAX 1024

static const char *const stat_name[] = {
	[SMS_STAT_REC_UNREAD] = "REC UNREAD",
	[SMS_STAT_REC_READ] = "REC READ",
	[SMS_STAT_STO_UNSENT] = "STO UNSENT",
	[SMS_STAT_STO_SENT] = "STO SENT",
	[SMS_STAT_ALL] = "ALL",
};

bool cmd_sms_read_addr(struct svc_sms *s, struct at_tok *t, char *out, size_t cap)
{
	char raw[128], dec[128];
	size_t n;
	if (at_tok_next_string(t, raw, sizeof raw, &n) != AT_TOK_OK ||
	    !svc_sms_te_decode(s->cscs, raw, n, dec, sizeof dec))
		return false;
	size_t len = strlen(dec);
	if (len == 0 || len >= cap)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((dec[i] >= '0' && dec[i] <= '9') || (i == 0 && dec[i] == '+') ||
		      dec[i] == '*' || dec[i] == '#'))
			return false;
	memcpy(out, dec, len + 1);
	return true;
}

bool cmd_sms_read_toa(struct at_tok *t, char *addr, size_t cap, int *type)
{
	long v;
	if (at_tok_next_int_default(t, &v, addr[0] == '+' ? 145 : 129) != AT_TOK_OK || v < 128 ||
	    v > 255)
		return false;
	*type = (int)v;
	if (v == 145 && addr[0] != '+') {
		size_t len = strlen(addr);
		if (len + 2 > cap)
			return false;
		memmove(addr + 1, addr, len + 1);
		addr[0] = '+';
	}
	return true;
}

/* Ctrl-Z (or ESC) after the prompt of AT+CMGS / AT+CMGW. */
static void prompt_done(struct sim_modem *m, void *ctx, const uint8_t *data, size_t n,
			enum datamode_end how)
{
	(void)ctx;
	struct svc_sms *s = m->sms;
	if (!s)
		return;
	int bad = s->prompt.pdu ? 304 : 305; /* invalid PDU / text mode parameter */
	if (how == DATAMODE_ESC) {
		/* ESC "quits without sending" (MAN §4.2.5); the OK after it is UNCERTAIN. */
		modem_command_done(m, RES_OK);
		return;
	}
	if (how != DATAMODE_CTRLZ) {
		modem_command_done(m, RES_CMS(bad));
		return;
	}
	char to[32], text[SMS_TEXT_CAP];
	enum sms_coding coding;
	bool ok;
	if (s->prompt.pdu) {
		ok = svc_sms_pdu_decode((const char *)data, n, s->prompt.pdu_len, to, sizeof to,
					&coding, text, sizeof text);
	} else {
		snprintf(to, sizeof to, "%s", s->prompt.to);
		ok = svc_sms_data_decode(s, (const char *)data, n, &coding, text, sizeof text);
	}
	if (!ok) {
		modem_command_done(m, RES_CMS(bad));
		return;
	}
	if (!s->prompt.write) {
		svc_sms_submit(m, to, text);
		return;
	}
	struct sms_msg *msg = calloc(1, sizeof *msg);
	if (!msg || !(msg->text = strdup(text))) {
		free(msg);
		modem_command_done(m, RES_CMS(300));
		return;
	}
	msg->stat = s->prompt.stat;
	snprintf(msg->addr, sizeof msg->addr, "%s", to);
	msg->addr_type = to[0] == '+' ? 145 : 129;
	msg->coding = coding;
	int index = svc_sms_store(s, s->mem[1], msg);
	if (index == 0) {
		modem_command_done(m, RES_CMS(322)); /* memory full */
		return;
	}
	respond_infof(m, "+CMGW: %d", index);
	modem_command_done(m, RES_OK);
}

/* Send "> " (facts §0: CR LF '>' space, no line end) and collect input up to Ctrl-Z. */
static struct at_result open_prompt(struct sim_modem *m)
{
	modem_send(m, "\r\n> ", 4);
	const struct datamode_cfg cfg = {
		.max = SMS_PROMPT_MAX,
		.echo = m->v.echo, /* typed text is echoed like a command line: UNCERTAIN */
		.done = prompt_done,
	};
	datamode_start(m, &cfg);
	return RES_ASYNC;
}

/* AT+CMGS / AT+CMGW arguments: text mode "<da>"[,<toda>[,<stat>]], PDU mode <length>[,<stat>]. */
static struct at_result prompt_cmd(struct sim_modem *m, const struct at_cmd *c, bool write)
{
	SMS_OR_ERROR(m, s);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op == AT_OP_READ || (c->op == AT_OP_EXEC && (!write || s->cmgf == 0)))
		return RES_ERROR;
	struct at_tok t;
	cmd_tok(c, &t);
	s->prompt.write = write;
	s->prompt.pdu = s->cmgf == 0;
	s->prompt.to[0] = '\0';
	s->prompt.stat = SMS_STAT_STO_UNSENT;
	long v;
	if (s->prompt.pdu) {
		if (at_tok_next_int(&t, &v) != AT_TOK_OK || v < 7 || v > 164)
			return RES_ERROR;
		s->prompt.pdu_len = (size_t)v;
	} else if (c->op == AT_OP_SET) {
		int type;
		if (!cmd_sms_read_addr(s, &t, s->prompt.to, sizeof s->prompt.to) ||
		    !cmd_sms_read_toa(&t, s->prompt.to, sizeof s->prompt.to, &type))
			return RES_ERROR;
	}
	if (write && c->op == AT_OP_SET) {
		char st[16];
		if (s->prompt.pdu && at_tok_next_int_default(&t, &v, 2) == AT_TOK_OK && v >= 2 &&
		    v <= 3)
			s->prompt.stat = (enum sms_stat)v;
		else if (!s->prompt.pdu &&
			 at_tok_next_string(&t, st, sizeof st, NULL) == AT_TOK_OK &&
			 strcasecmp(st, "STO SENT") == 0)
			s->prompt.stat = SMS_STAT_STO_SENT;
	}
	if (!at_tok_at_end(&t))
		return RES_ERROR;
	return open_prompt(m);
}

static struct at_result cmd_cmgs(struct sim_modem *m, const struct at_cmd *c)
{
	return prompt_cmd(m, c, false);
}

static struct at_result cmd_cmgw(struct sim_modem *m, const struct at_cmd *c)
{
	return prompt_cmd(m, c, true);
}

/* snprintf at out + *n; false once the text no longer fits. */
static bool appendf(char *out, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool appendf(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n >= cap)
		return false;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return false;
	*n += (size_t)k;
	return true;
}

/*
 * One message as +CMGR (index 0) or +CMGL shows it: header, CR LF, data (27.005 §3.4.2-3).
 * Text mode: <stat>,<oa/da>,<alpha>[,<scts>] and, with AT+CSDH=1, the details; PDU mode:
 * <stat>,<alpha>,<length> with an empty quoted alpha (UNCERTAIN on SIM800).
 */
static bool format_msg(struct svc_sms *s, const struct sms_msg *msg, int index, char *out,
		       size_t cap, size_t *len)
{
	char data[2 * SMS_TEXT_CAP], addr[128], sca[128];
	size_t dlen, n = 0;
	bool ok = index ? appendf(out, cap, &n, "+CMGL: %d,", index)
			: appendf(out, cap, &n, "+CMGR: ");
	bool rec = msg->stat == SMS_STAT_REC_UNREAD || msg->stat == SMS_STAT_REC_READ;
	if (s->cmgf == 0) {
		size_t tpdu;
		ok = ok && svc_sms_pdu_encode(s, msg, data, sizeof data, &tpdu) &&
		     appendf(out, cap, &n, "%d,\"\",%zu", (int)msg->stat, tpdu);
		dlen = strlen(data);
	} else {
		ok = ok && svc_sms_te_encode(s->cscs, msg->addr, addr, sizeof addr, NULL) &&
		     svc_sms_te_encode(s->cscs, s->sca, sca, sizeof sca, NULL) &&
		     svc_sms_data_encode(s, msg, data, sizeof data, &dlen) &&
		     appendf(out, cap, &n, "\"%s\",\"%s\",\"\"", stat_name[msg->stat], addr);
		/* <scts>: received only; +CMGL keeps the empty field, +CMGR drops it. */
		if (rec)
			ok = ok && appendf(out, cap, &n, ",\"%s\"", msg->scts);
		else if (index)
			ok = ok && appendf(out, cap, &n, ",");
		size_t dl = svc_sms_data_length(msg);
		if (s->csdh && index)
			ok = ok && appendf(out, cap, &n, ",%d,%zu", msg->addr_type, dl);
		else if (s->csdh && rec)
			ok = ok && appendf(out, cap, &n, ",%d,4,0,%d,\"%s\",%d,%zu", msg->addr_type,
					   (int)msg->coding, sca, s->sca_type, dl);
		else if (s->csdh)
			ok = ok && appendf(out, cap, &n, ",%d,%d,%d,%d,%d,\"%s\",%d,%zu",
					   msg->addr_type, s->fo, s->pid, (int)msg->coding, s->vp,
					   sca, s->sca_type, dl);
	}
	if (!ok || !appendf(out, cap, &n, "\r\n") || n + dlen >= cap)
		return false;
	memcpy(out + n, data, dlen); /* may hold NULs (GSM '@') */
	*len = n + dlen;
	return true;
}

/* "<index>[,<n>]" with 0 <= n <= hi (AT+CMGR mode, AT+CMGD delflag). */
static bool index_and_opt(const struct at_cmd *c, long *index, long *opt, long hi)
{
	struct at_tok t;
	cmd_tok(c, &t);
	return at_tok_next_int(&t, index) == AT_TOK_OK &&
	       at_tok_next_int_default(&t, opt, 0) == AT_TOK_OK && *opt >= 0 && *opt <= hi &&
	       at_tok_at_end(&t);
}

/* AT+CMGR=<index>[,<mode>]: mode 1 leaves the status alone (SIM800 extension, MAN §4.2.4). */
static struct at_result cmd_cmgr(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	if (c->op == AT_OP_TEST)
		return RES_OK;
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	long index, mode;
	if (!index_and_opt(c, &index, &mode, 1))
		return RES_ERROR;
	if (index < 1 || index > SMS_SLOTS)
		return RES_CMS(321); /* invalid memory index */
	struct sms_msg *msg = s->store[s->mem[0]][index - 1];
	if (!msg)
		return RES_OK; /* an empty slot: OK with nothing (UNCERTAIN; 27.005 leaves it open) */
	char out[3 * SMS_TEXT_CAP];
	size_t len;
	if (!format_msg(s, msg, 0, out, sizeof out, &len))
		return RES_CMS(300);
	respond_info(m, out, len);
	if (mode == 0 && msg->stat == SMS_STAT_REC_UNREAD)
		msg->stat = SMS_STAT_REC_READ;
	return RES_OK;
}

/* <stat> as text ("REC UNREAD") in text mode or as a number in PDU mode; -1 if invalid. */
static int read_stat(const struct svc_sms *s, struct at_tok *t)
{
	if (s->cmgf == 0) {
		long v;
		if (at_tok_next_int_default(t, &v, 0) != AT_TOK_OK || v < 0 || v > 4)
			return -1;
		return (int)v;
	}
	char name[16];
	enum at_tok_res r = at_tok_next_string(t, name, sizeof name, NULL);
	if (r == AT_TOK_END || r == AT_TOK_EMPTY)
		return SMS_STAT_REC_UNREAD; /* 27.005 default */
	if (r != AT_TOK_OK)
		return -1;
	for (int i = 0; i <= SMS_STAT_ALL; i++)
		if (strcasecmp(name, stat_name[i]) == 0)
			return i;
	return -1;
}

static struct at_result cmd_cmgl(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	if (c->op == AT_OP_TEST) {
		if (s->cmgf == 0)
			respond_infof(m, "+CMGL: (0-4)");
		else
			respond_infof(m, "+CMGL: (\"REC UNREAD\",\"REC READ\",\"STO UNSENT\","
					 "\"STO SENT\",\"ALL\")");
		return RES_OK;
	}
	if (c->op == AT_OP_READ)
		return RES_ERROR;
	struct at_tok t;
	cmd_tok(c, &t);
	int stat = read_stat(s, &t);
	long mode;
	if (stat < 0 || at_tok_next_int_default(&t, &mode, 0) != AT_TOK_OK || mode < 0 ||
	    mode > 1 || !at_tok_at_end(&t))
		return RES_ERROR;
	bool first = true;
	for (int i = 0; i < SMS_SLOTS; i++) {
		struct sms_msg *msg = s->store[s->mem[0]][i];
		if (!msg || (stat != SMS_STAT_ALL && (int)msg->stat != stat))
			continue;
		char out[3 * SMS_TEXT_CAP];
		size_t len;
		if (!format_msg(s, msg, i + 1, out, sizeof out, &len))
			continue;
		/* One CR LF between entries (27.005 §3.4.2: "<data>[<CR><LF>+CMGL: ..."). */
		if (first) {
			respond_info(m, out, len);
		} else {
			modem_send(m, out, len);
			modem_send(m, "\r\n", 2);
		}
		first = false;
		if (mode == 0 && msg->stat == SMS_STAT_REC_UNREAD)
			msg->stat = SMS_STAT_REC_READ;
	}
	return RES_OK;
}

/* Delete the messages of mem whose status is in the mask (bit per enum sms_stat). */
static void delete_where(struct svc_sms *s, enum sms_mem mem, unsigned mask)
{
	for (int i = 0; i < SMS_SLOTS; i++) {
		struct sms_msg *msg = s->store[mem][i];
		if (msg && (mask & 1u << msg->stat)) {
			svc_sms_msg_free(msg);
			s->store[mem][i] = NULL;
		}
	}
}

#define BIT(st) (1u << (st))

static struct at_result cmd_cmgd(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	/* <delflag> 0..4 (27.005 §3.5.4): index only, read, read+sent, read+sent+unsent, all. */
	static const unsigned flag_mask[] = {
		0,
		BIT(SMS_STAT_REC_READ),
		BIT(SMS_STAT_REC_READ) | BIT(SMS_STAT_STO_SENT),
		BIT(SMS_STAT_REC_READ) | BIT(SMS_STAT_STO_SENT) | BIT(SMS_STAT_STO_UNSENT),
		BIT(SMS_STAT_REC_READ) | BIT(SMS_STAT_STO_SENT) | BIT(SMS_STAT_STO_UNSENT) |
			BIT(SMS_STAT_REC_UNREAD),
	};
	enum sms_mem mem = s->mem[0];
	if (c->op == AT_OP_TEST) {
		/* "(<indexes in use>),(0-4)" (27.005 §3.5.4). */
		char list[4 * SMS_SLOTS + 4];
		size_t n = 0;
		for (int i = 0; i < SMS_SLOTS; i++)
			if (s->store[mem][i])
				n += (size_t)snprintf(list + n, sizeof list - n, "%s%d", n ? "," : "",
						      i + 1);
		list[n] = '\0';
		respond_infof(m, "+CMGD: (%s),(0-4)", list);
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	long index, flag;
	if (!index_and_opt(c, &index, &flag, 4))
		return RES_ERROR;
	if (flag > 0) {
		delete_where(s, mem, flag_mask[flag]); /* the index is ignored (27.005) */
		return RES_OK;
	}
	if (index < 1 || index > SMS_SLOTS)
		return RES_CMS(321);
	svc_sms_msg_free(s->store[mem][index - 1]);
	s->store[mem][index - 1] = NULL;
	return RES_OK;
}

/* AT+CMGDA (MAN §6.2.25): text mode "DEL READ" ... "DEL ALL", PDU mode 1..6, same order. */
static struct at_result cmd_cmgda(struct sim_modem *m, const struct at_cmd *c)
{
	SMS_OR_ERROR(m, s);
	static const char *const names[] = {"DEL READ", "DEL UNREAD", "DEL SENT",
					    "DEL UNSENT", "DEL INBOX", "DEL ALL"};
	static const unsigned masks[] = {
		BIT(SMS_STAT_REC_READ),
		BIT(SMS_STAT_REC_UNREAD),
		BIT(SMS_STAT_STO_SENT),
		BIT(SMS_STAT_STO_UNSENT),
		BIT(SMS_STAT_REC_READ) | BIT(SMS_STAT_REC_UNREAD),
		BIT(SMS_STAT_REC_READ) | BIT(SMS_STAT_REC_UNREAD) | BIT(SMS_STAT_STO_SENT) |
			BIT(SMS_STAT_STO_UNSENT),
	};
	if (c->op == AT_OP_TEST) {
		if (s->cmgf == 0)
			respond_infof(m, "+CMGDA: (1-6)");
		else
			respond_infof(m, "+CMGDA: (\"DEL READ\",\"DEL UNREAD\",\"DEL SENT\","
					 "\"DEL UNSENT\",\"DEL INBOX\",\"DEL ALL\")");
		return RES_OK;
	}
	if (c->op != AT_OP_SET)
		return RES_ERROR;
	struct at_tok t;
	cmd_tok(c, &t);
	int type = -1;
	if (s->cmgf == 0) {
		long v;
		if (at_tok_next_int(&t, &v) == AT_TOK_OK && v >= 1 && v <= 6)
			type = (int)v - 1;
	} else {
		char name[16];
		if (at_tok_next_string(&t, name, sizeof name, NULL) == AT_TOK_OK)
			for (int i = 0; i < 6; i++)
				if (strcasecmp(name, names[i]) == 0)
					type = i;
	}
	if (type < 0 || !at_tok_at_end(&t))
		return RES_ERROR;
	delete_where(s, s->mem[0], masks[type]);
	return RES_OK;
}

const struct cmd_entry cmd_sms_table[] = {
	{"+CMGS", cmd_cmgs, CMD_CAP_SMS},
	{"+CMGW", cmd_cmgw, CMD_CAP_SMS},
	{"+CMGR", cmd_cmgr, CMD_CAP_SMS},
	{"+CMGL", cmd_cmgl, CMD_CAP_SMS},
	{"+CMGD", cmd_cmgd, CMD_CAP_SMS},
	{"+CMGDA", cmd_cmgda, CMD_CAP_SMS},
	{NULL, NULL, 0},
};
