/*
 * fxerr.h - the one error enum of the project.
 *
 * Values are never renumbered: they appear in logs and in the audit data.
 * Fallible cross-module functions return fx_err and hand results back
 * through out-parameters.
 */
#ifndef FIXIT_FXERR_H
#define FIXIT_FXERR_H

#define FX_WUR __attribute__((warn_unused_result))

typedef enum fx_err {
	FX_OK = 0,
	FX_ENOMEM = 1,	  /* allocation failed */
	FX_EINVAL = 2,	  /* bad argument or malformed input */
	FX_ETOOBIG = 3,	  /* a size limit was reached */
	FX_EIO = 4,	  /* read/write/system call failed */
	FX_EDB = 5,	  /* SQLite failed */
	FX_ENOTFOUND = 6, /* no such object */
	FX_EAUTH = 7,	  /* authentication failed */
	FX_EPERM = 8,	  /* authenticated but not allowed */
	FX_ECONFLICT = 9, /* state does not allow this (already decided) */
	FX_ETIMEOUT = 10, /* deadline passed */
	FX_EHTTP = 11,	  /* HTTP transport failure */
	FX_ERETRY = 12,	  /* temporary failure, try again later */
	FX_EREMOTE = 13,  /* remote answered with a permanent error */
	FX_ECONFIG = 14,  /* configuration error */
	FX_ESTOPPED = 15, /* component is shutting down */
	FX_EEXEC = 16,	  /* executor command failed */
	FX_ERR__COUNT
} fx_err;

/* Static string, never NULL. */
const char *fx_strerror(fx_err e);

#endif
