#include <stddef.h>

#include "fxerr.h"
#include "banned.h"

static const char *const msgs[FX_ERR__COUNT] = {
	[FX_OK] = "success",
	[FX_ENOMEM] = "out of memory",
	[FX_EINVAL] = "invalid input",
	[FX_ETOOBIG] = "size limit exceeded",
	[FX_EIO] = "i/o error",
	[FX_EDB] = "database error",
	[FX_ENOTFOUND] = "not found",
	[FX_EAUTH] = "authentication failed",
	[FX_EPERM] = "permission denied",
	[FX_ECONFLICT] = "conflicting state",
	[FX_ETIMEOUT] = "timed out",
	[FX_EHTTP] = "http transport error",
	[FX_ERETRY] = "temporary failure",
	[FX_EREMOTE] = "remote error",
	[FX_ECONFIG] = "configuration error",
	[FX_ESTOPPED] = "stopped",
	[FX_EEXEC] = "executor failed",
};

const char *
fx_strerror(fx_err e)
{
	if ((unsigned)e >= FX_ERR__COUNT || msgs[e] == NULL)
		return "unknown error";
	return msgs[e];
}
