/* cli_watch.c - how long the driver ever held the host in one wait (field-bugs.md
 * tim-http-action-vs-watchdog): a host with a watchdog feeds it in its port's wait. */
#include "cli.h"

#include <stddef.h>

static struct cli *cli_of(void *ctx)
{
	return (struct cli *)((char *)ctx - offsetof(struct cli, pp));
}

static int watched_wait(void *ctx, uint32_t timeout_ms)
{
	struct cli *c = cli_of(ctx);
	uint64_t t0 = c->port.now_ms(ctx);
	int r = c->inner_wait(ctx, timeout_ms);
	uint64_t took = c->port.now_ms(ctx) - t0;
	if (took > c->max_wait_ms)
		c->max_wait_ms = took;
	return r;
}

void cli_watch_start(struct cli *c)
{
	if (c->port.ctx != &c->pp)
		return; /* not the POSIX port the CLI opened: nothing to wrap */
	c->inner_wait = c->port.wait_readable;
	c->port.wait_readable = watched_wait;
}

json_t *cli_watch_json(const struct cli *c)
{
	return json_pack("{s:I}", "max_wait_ms", (json_int_t)c->max_wait_ms);
}
