/* fuzz_ppp.c - libFuzzer target: PPP input from the host into a modem's data call (svc_ppp, lwIP). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_modem.h"
#include "profile_yaml.h"

/*
 * A modem is dialled into a PPP data call (CGDCONT, CGATT, ATD*99***1# -> CONNECT, the
 * modem's LCP Configure-Request follows), then the input goes in as data-mode bytes: HDLC
 * frames, LCP/IPCP/PAP/CHAP negotiation, IP packets for the relay (which may connect
 * nowhere: empty allow list), garbage. Byte 0 sets the bytes per delivery (1..32); FUZZ_MODEM_SEP
 * splits deliveries into separate loop settles (0xfe is also data, so it is kept in the
 * stream: only a settle is added after it).
 */

static const char dial[] = "ATE0\rAT+CGDCONT=1,\"IP\",\"internet\"\rAT+CGATT=1\rATD*99***1#\r";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct profile_error err;
	struct profile *p = profile_yaml_load("sim800-r14.18", SIM800_SOURCE_DIR "/profiles", &err);
	FUZZ_CHECK(p != NULL);
	struct fuzz_modem f;
	if (fuzz_modem_init(&f, p, 1, 1 + data[0] % 32, 0)) {
		fuzz_modem_feed(&f, 0, (const uint8_t *)dial, sizeof dial - 1);
		size_t start = 1;
		for (size_t i = 1; i <= size; i++) {
			if (i < size && data[i] != FUZZ_MODEM_SEP)
				continue;
			size_t end = i < size ? i + 1 : size;
			fuzz_modem_feed(&f, 0, data + start, end - start);
			start = end;
		}
		fuzz_modem_free(&f);
	}
	profile_free(p);
	return 0;
}
