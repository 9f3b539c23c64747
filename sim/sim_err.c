/* sim_err.c - descriptions of enum sim_err, one commented entry per code. */
#include "sim_err.h"

static const char *const sim_err_text[SIM_ERR_COUNT_] = {
	/* SIM_OK */ "no error",
	/* SIM_ERR_NOMEM */ "out of memory",
	/* SIM_ERR_IO */ "input/output error",
	/* SIM_ERR_PTY */ "cannot create a pseudo-terminal",
	/* SIM_ERR_LINK */ "cannot create the --link symlink",
	/* SIM_ERR_USAGE */ "invalid usage",
	/* SIM_ERR_PROFILE */ "cannot load the profile",
	/* SIM_ERR_TRANSCRIPT */ "cannot write the transcript",
};

const char *sim_strerror(enum sim_err e)
{
	if ((unsigned)e >= SIM_ERR_COUNT_)
		return "unknown error";
	return sim_err_text[e];
}
