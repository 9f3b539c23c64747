/* sim_err.h - error codes of the simulator and their descriptions. */
#ifndef SIM_ERR_H
#define SIM_ERR_H

enum sim_err {
	SIM_OK = 0,
	SIM_ERR_NOMEM,
	SIM_ERR_IO,
	SIM_ERR_PTY,
	SIM_ERR_LINK,
	SIM_ERR_USAGE,
	SIM_ERR_PROFILE,
	SIM_ERR_TRANSCRIPT,
	SIM_ERR_COUNT_ /* number of codes; keep last */
};

const char *sim_strerror(enum sim_err e);

#endif
