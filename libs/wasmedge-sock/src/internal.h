/* Shared helpers of libwasmedge_sock (not installed). */
#ifndef WASMEDGE_SOCK_INTERNAL_H
#define WASMEDGE_SOCK_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <wasi/api.h>

#include "abi.h"

/* Sets errno and returns -1. */
static inline int wse_fail(int err) {
    errno = err;
    return -1;
}

/* Maps a host result: 0 stays 0, anything else becomes -1 with errno = the WASI errno
 * (wasi-libc's E* constants are the WASI numbers). */
static inline int wse_check(int32_t rc) {
    if (rc == 0) return 0;
    errno = (int)rc;
    return -1;
}

/* A sockaddr converted for sock_bind/sock_connect/sock_send_to. */
typedef struct {
    wse_address_t addr;
    uint32_t port; /* host order */
    uint8_t bytes[WSE_ADDR_STORAGE_LEN];
} wse_out_addr_t;

/* Converts a user sockaddr into the ABI form real WasmEdge accepts: a 4-byte (IPv4) or
 * 16-byte (IPv6) buffer plus a host-order port, or the 128-byte family+path form (AF_UNIX).
 * Returns 0 or an errno value. */
int __wse_addr_to_abi(const struct sockaddr *sa, socklen_t salen, wse_out_addr_t *out);

/* Converts a 128-byte ABI address storage + host-order port into a user sockaddr, copying at
 * most *salen bytes and storing the full length in *salen (POSIX truncation rules). sa and
 * salen may both be NULL. Returns 0 or an errno value. */
int __wse_addr_from_abi(const uint8_t storage[WSE_ADDR_STORAGE_LEN], uint32_t port,
                        struct sockaddr *sa, socklen_t *salen);

/* The host-order port of a sock_recv_from result: WasmEdge 0.14.1 reports it in network order
 * (recvfrom-port.c asks the host once which it does). */
uint32_t __wse_recv_from_port(uint32_t reported);

/* File type of fd (__WASI_FILETYPE_*), or -1 with errno set; for sockets this library made,
 * the type they were made with (socktype.c: WasmEdge calls every socket a stream). */
int __wse_filetype(int fd);
void __wse_remember_socket(int fd, int filetype);

/* MSG_DONTWAIT support: makes fd non-blocking for one call. begin returns 1 when it changed
 * the flags (then end must be called), 0 when nothing was needed, -1 on error (errno set). */
int __wse_dontwait_begin(int fd, int flags, __wasi_fdflags_t *saved);
void __wse_dontwait_end(int fd, __wasi_fdflags_t saved);

/* Services/protocols table lookups (services.c). */
int __wse_service_port(const char *name, const char *proto); /* -1 if unknown */
const char *__wse_service_name(int port, const char *proto); /* NULL if unknown */

#endif
