/* at_errors.c - +CME/+CMS ERROR code tables, texts exactly as sim800-facts.md §2.3/§2.4 list them. */
#include "at_errors.h"

#include <stddef.h>
#include <string.h>

struct at_error_text {
	int code;
	const char *text;
};

/* MAN §19.1 (capitalisation exactly as the manual lists it). */
static const struct at_error_text cme[] = {
	{0, "phone failure"},
	{1, "no connection to phone"},
	{2, "phone-adaptor link reserved"},
	{3, "operation not allowed"},
	{4, "operation not supported"},
	{5, "PH-SIM PIN required"},
	{6, "PH-FSIM PIN required"},
	{7, "PH-FSIM PUK required"},
	{10, "SIM not inserted"},
	{11, "SIM PIN required"},
	{12, "SIM PUK required"},
	{13, "SIM failure"},
	{14, "SIM busy"},
	{15, "SIM wrong"},
	{16, "incorrect password"},
	{17, "SIM PIN2 required"},
	{18, "SIM PUK2 required"},
	{20, "memory full"},
	{21, "invalid index"},
	{22, "not found"},
	{23, "memory failure"},
	{24, "text string too long"},
	{25, "invalid characters in text string"},
	{26, "dial string too long"},
	{27, "invalid characters in dial string"},
	{30, "no network service"},
	{31, "network timeout"},
	{32, "network not allowed - emergency call only"},
	{40, "network personalization PIN required"},
	{41, "network personalization PUK required"},
	{42, "network subset personalization PIN required"},
	{43, "network subset personalization PUK required"},
	{44, "service provider personalization PIN required"},
	{45, "service provider personalization PUK required"},
	{46, "corporate personalization PIN required"},
	{47, "corporate personalization PUK required"},
	{99, "resource limitation"},
	{100, "unknown"},
	{103, "Illegal MS"},
	{106, "Illegal ME"},
	{107, "GPRS services not allowed"},
	{111, "PLMN not allowed"},
	{112, "Location area not allowed"},
	{113, "Roaming not allowed in this location area"},
	{132, "service option not supported"},
	{133, "requested service option not subscribed"},
	{134, "service option temporarily out of order"},
	{148, "unspecified GPRS error"},
	{149, "PDP authentication failure"},
	{150, "invalid mobile class"},
	{160, "DNS resolve failed"},
	{161, "Socket open failed"},
	{180, "gprs is not attached"},
	{181, "tcpip stack is busy"},
	{600, "No Error"},
	{601, "Unrecognized Command"},
	{602, "Return Value Error"},
	{603, "Syntax Error"},
	{604, "Unspecified Error"},
	{605, "Data Transfer Already"},
	{606, "Action Already"},
	{607, "Not At Cmd"},
	{608, "Multi Cmd too long"},
	{609, "Abort Cops"},
	{610, "No Call Disc"},
	{614, "AT Not Allowed By Customer"},
	{772, "SIM powered down"},
	{791, "Param count not enough"},
	{792, "Param count beyond"},
	{793, "Param value range beyond"},
	{794, "Param type not match"},
	{795, "Param format invalid"},
	{796, "Get a null param"},
	{797, "CFUN state is 0 or 4"},
};

/* MAN §19.2 (selection from the facts file). */
static const struct at_error_text cms[] = {
	{38, "Network out of order"},
	{50, "Requested facility not subscribed"},
	{300, "ME failure"},
	{301, "SMS reserved"},
	{302, "operation not allowed"},
	{303, "operation not supported"},
	{304, "invalid PDU mode"},
	{305, "invalid text mode"},
	{310, "SIM not inserted"},
	{311, "SIM pin necessary"},
	{312, "PH SIM pin necessary"},
	{313, "SIM failure"},
	{314, "SIM busy"},
	{315, "SIM wrong"},
	{316, "SIM PUK required"},
	{317, "SIM PIN2 required"},
	{318, "SIM PUK2 required"},
	{320, "memory failure"},
	{321, "invalid memory index"},
	{322, "memory full"},
	{323, "invalid input parameter"},
	{324, "invalid input format"},
	{325, "invalid input value"},
	{330, "SMSC address unknown"},
	{331, "no network"},
	{332, "network timeout"},
	{340, "no cnma ack"},
	{500, "Unknown"},
	{512, "SMS no error"},
	{532, "Doing SIM refresh"},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *find_text(const struct at_error_text *t, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].text;
	return NULL;
}

static int find_code(const struct at_error_text *t, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].text, text) == 0)
			return t[i].code;
	return -1;
}

const char *at_errors_cme_text(int code)
{
	return find_text(cme, N_OF(cme), code);
}

const char *at_errors_cms_text(int code)
{
	return find_text(cms, N_OF(cms), code);
}

int at_errors_cme_code(const char *text)
{
	return find_code(cme, N_OF(cme), text);
}

int at_errors_cms_code(const char *text)
{
	return find_code(cms, N_OF(cms), text);
}
