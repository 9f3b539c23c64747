/* at_urc.c - prefix -> handler registry; routes lines no command claimed, logs the rest. */
#include "at_urc.h"

#include "at_client.h"
#include "at_result.h"

#include <string.h>

enum builtin_match { B_EXACT, B_PREFIX };

/* URCs the driver itself understands or must recognise as URCs (MAN §19.3, sim800-facts §3).
 * The WARNNING spelling is the module's; WARNING is matched too in case a firmware fixes it. */
static const struct builtin_urc {
	const char *text;
	enum builtin_match how;
	int event; /* enum sim800_event, 0 = known but no event */
} builtin_table[] = {
	{"RDY", B_EXACT, SIM800_EV_RESET},
	{"+CFUN: 1", B_EXACT, SIM800_EV_RESET},
	{"Call Ready", B_EXACT, SIM800_EV_CALL_READY},
	{"SMS Ready", B_EXACT, SIM800_EV_SMS_READY},
	{"NORMAL POWER DOWN", B_EXACT, SIM800_EV_POWER_DOWN},
	{"UNDER-VOLTAGE POWER DOWN", B_PREFIX, SIM800_EV_POWER_DOWN},
	{"OVER-VOLTAGE POWER DOWN", B_PREFIX, SIM800_EV_POWER_DOWN},
	{"UNDER-VOLTAGE WARNNING", B_EXACT, SIM800_EV_VOLTAGE_WARNING},
	{"OVER-VOLTAGE WARNNING", B_EXACT, SIM800_EV_VOLTAGE_WARNING},
	{"UNDER-VOLTAGE WARNING", B_EXACT, SIM800_EV_VOLTAGE_WARNING},
	{"OVER-VOLTAGE WARNING", B_EXACT, SIM800_EV_VOLTAGE_WARNING},
	{"CHARGE-ONLY MODE", B_EXACT, 0},
	{"NO CARRIER", B_EXACT, SIM800_EV_NO_CARRIER},
	{"RING", B_EXACT, 0},
	{"MO RING", B_EXACT, 0},
	{"MO CONNECTED", B_EXACT, 0},
	{"DST:", B_PREFIX, 0},
	{"CLOSED", B_EXACT, 0},
	{"CONNECT OK", B_EXACT, 0},
	{"CONNECT FAIL", B_EXACT, 0},
	{"ALREADY CONNECT", B_EXACT, 0},
	{"REMOTE IP:", B_PREFIX, 0},
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

void at_urc_log(struct sim800 *m, enum sim800_log_kind kind, const char *text, size_t len)
{
	if (!m->cfg.log || m->in_callback)
		return;
	m->in_callback = true;
	m->cfg.log(m->cfg.user, kind, text, len);
	m->in_callback = false;
}

/* "0, CLOSED" (CIPMUX=1) -> offset of "CLOSED"; 0 when there is no "<n>, ". */
static size_t mux_skip(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == 0 || i + 1 >= len || line[i] != ',')
		return 0;
	i++;
	while (i < len && line[i] == ' ')
		i++;
	return i;
}

static const struct builtin_urc *find_builtin(const char *line, size_t len)
{
	size_t skip = mux_skip(line, len);
	for (int pass = 0; pass < 2; pass++) {
		const char *s = line + (pass ? skip : 0);
		size_t n = len - (pass ? skip : 0);
		if (pass && !skip)
			break;
		for (size_t i = 0; i < N_ELEM(builtin_table); i++) {
			const struct builtin_urc *b = &builtin_table[i];
			size_t bl = strlen(b->text);
			if (n < bl || memcmp(s, b->text, bl) != 0)
				continue;
			if (b->how == B_EXACT && n != bl)
				continue;
			return b;
		}
	}
	return NULL;
}

static bool user_match(const struct sim800_urc_reg *r, const char *line, size_t len)
{
	return r->prefix && len >= r->prefix_len && memcmp(line, r->prefix, r->prefix_len) == 0;
}

bool at_urc_is_urc(const struct sim800 *m, const char *line, size_t len)
{
	for (size_t i = 0; i < SIM800_URC_MAX; i++)
		if (user_match(&m->urc[i], line, len))
			return true;
	if (find_builtin(line, len))
		return true;
	/* "+CREG: 1", "*PSUTTZ: ...": answers of the ANY_INFO commands never start so. */
	if (len > 1 && (line[0] == '+' || line[0] == '*'))
		return true;
	return false;
}

/* Apply a built-in event to the modem state and tell the user. */
static void apply_event(struct sim800 *m, int ev)
{
	switch (ev) {
	case SIM800_EV_RESET:
		/* After a reboot the module is back at its saved profile: echo on, V1, CMEE
		 * unknown; nothing it said before can still be answered. */
		m->reset_seen = true;
		m->resets++;
		m->booting = true;
		m->powered_down = false;
		m->call_ready = false;
		m->sms_ready = false;
		m->echo = true;
		m->v0 = false;
		m->cmee = -1;
		at_urc_log(m, SIM800_LOG_NOTE, "module reset detected", 21);
		break;
	case SIM800_EV_CALL_READY:
		m->call_ready = true;
		break;
	case SIM800_EV_NO_CARRIER:
		m->carrier_drops++;
		break;
	case SIM800_EV_SMS_READY:
		m->sms_ready = true;
		break;
	case SIM800_EV_POWER_DOWN:
		m->powered_down = true;
		break;
	default:
		break;
	}
	if (ev && m->cfg.on_event && !m->in_callback) {
		m->in_callback = true;
		m->cfg.on_event(m->cfg.user, m, (enum sim800_event)ev);
		m->in_callback = false;
	}
}

int at_urc_dispatch(struct sim800 *m, const char *line, size_t len)
{
	const struct builtin_urc *b = find_builtin(line, len);
	int ev = b ? b->event : 0;
	/* +CFUN: 1 is also the module's answer to our own AT+CFUN=1: a reboot only otherwise. */
	if (ev == SIM800_EV_RESET && line[0] == '+') {
		const char *cur = at_client_current_cmd(m);
		if (cur && at_result_has_prefix(cur, strlen(cur), "AT+CFUN"))
			ev = 0;
	}
	bool handled = ev != 0;
	if (ev == SIM800_EV_RESET && line[0] == '+' && m->booting)
		ev = 0; /* +CFUN: 1 right after RDY: the same reboot */
	if (ev)
		apply_event(m, ev);
	/* The driver's own services (CIP links, HTTPACTION, SMS) see every URC first. */
	if (at_svc_urc(m, line, len))
		handled = true;
	for (size_t i = 0; i < SIM800_URC_MAX; i++) {
		struct sim800_urc_reg *r = &m->urc[i];
		if (!user_match(r, line, len) || m->in_callback)
			continue;
		sim800_urc_fn fn = r->fn;
		void *user = r->user;
		m->in_callback = true;
		fn(m, line, len, user);
		m->in_callback = false;
		handled = true;
	}
	if (!handled)
		at_urc_log(m, SIM800_LOG_UNHANDLED, line, len);
	return ev;
}

enum sim800_err sim800_urc_register(struct sim800 *m, const char *prefix, sim800_urc_fn fn,
				    void *user)
{
	if (!m || !prefix || !*prefix || !fn)
		return SIM800_ERR_INVAL;
	for (size_t i = 0; i < SIM800_URC_MAX; i++) {
		struct sim800_urc_reg *r = &m->urc[i];
		if (r->prefix)
			continue;
		r->prefix = prefix;
		r->prefix_len = strlen(prefix);
		r->fn = fn;
		r->user = user;
		return SIM800_OK;
	}
	return SIM800_ERR_TOOLONG;
}

enum sim800_err sim800_urc_unregister(struct sim800 *m, const char *prefix, sim800_urc_fn fn)
{
	if (!m || !prefix)
		return SIM800_ERR_INVAL;
	for (size_t i = 0; i < SIM800_URC_MAX; i++) {
		struct sim800_urc_reg *r = &m->urc[i];
		if (r->prefix && r->fn == fn && strcmp(r->prefix, prefix) == 0) {
			memset(r, 0, sizeof(*r));
			return SIM800_OK;
		}
	}
	return SIM800_ERR_INVAL;
}
