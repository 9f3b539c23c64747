/* cli_cmd_cert.c - CLI command tls-cert: a certificate file into the module's flash, set with AT+SSLSETCERT. */
#include "cli_cmd.h"

#include <stdlib.h>
#include <string.h>

/* tls-cert @FILE|TEXT [--name NAME] [--client-auth]. No registration needed: flash and SSL
 * settings are local to the module. */
int cli_cmd_cert(struct cli *c, int argc, char **argv)
{
	if (argc < 1)
		return CLI_EXIT_USAGE;
	const char *name = "C:\\USER\\CERT.CRT"; /* TinyGSM's SIM800_SslSetCert example */
	bool client_auth = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--client-auth") == 0)
			client_auth = true;
		else
			return CLI_EXIT_USAGE;
	}
	uint8_t *cert = NULL;
	size_t len = 0;
	if (!cli_load_arg(argv[0], &cert, &len)) {
		snprintf(c->detail, sizeof c->detail, "cannot read %s", argv[0]);
		return cli_fail(c, SIM800_ERR_INVAL);
	}
	struct sim800_caps caps;
	enum sim800_err e = cli_module_up(c);
	if (e == SIM800_OK)
		e = sim800_probe_caps(&c->m, &caps);
	if (e == SIM800_OK)
		e = sim800_tls_set_cert(&c->m, name, cert, len, client_auth);
	free(cert);
	if (c->json)
		json_object_set_new(c->out, "tls_cert",
				    json_pack("{s:s,s:I,s:b,s:b}", "name", name, "size", (json_int_t)len,
					      "client_auth", client_auth, "set", e == SIM800_OK));
	return e == SIM800_OK ? CLI_EXIT_OK : cli_fail(c, e);
}
