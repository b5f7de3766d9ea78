/*
 * util-linux's libuuid for wasm32-wasi: the configuration that util-linux's own configure would
 * write to config.h. We compile just libuuid (see ../project.json), so this short header replaces
 * running the whole util-linux configure for a foreign target. It is force-included (-include)
 * before every source, as util-linux's build does with its generated config.h.
 */
#ifndef PYWASI_LIBUUID_CONFIG_H
#define PYWASI_LIBUUID_CONFIG_H

#define PACKAGE "util-linux"
#define PACKAGE_VERSION "2.38.1"

#define HAVE_UNISTD_H 1
#define HAVE_STDLIB_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_FILE_H 1
#define HAVE_ERR_H 1
#define HAVE_JRAND48 1
#define HAVE_NANOSLEEP 1
/* No network interfaces in the sandbox: without HAVE_NET_IF_H, time-based UUIDs use a random
 * node id with the multicast bit set (RFC 4122 4.5), as on hosts without a MAC address. */
/* No uuidd (no AF_UNIX daemon), no TLS (threads are not supported by this target). */

/* WASI has getentropy() but no getrandom(); randutils.c wants the latter. */
#define HAVE_GETRANDOM 1

#include "wasi-shims.h"

#endif
