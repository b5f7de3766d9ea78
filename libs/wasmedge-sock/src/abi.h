/*
 * Raw imports of the WasmEdge socket extension (module "wasi_snapshot_preview1").
 *
 * Import set: the "V2" generation for every call that has two shapes, i.e.
 *   sock_accept        (fd, fdflags, fd_out*)                         3 params = preview1's
 *   sock_recv_from     (fd, iovs*, iovs_len, addr*, riflags, port_out*, nread_out*, roflags_out*)  8
 *   sock_getlocaladdr  (fd, addr*, port_out*)                         3 params, 128-byte buffer
 *   sock_getpeeraddr   (fd, addr*, port_out*)                         3 params, 128-byte buffer
 * and the only shape of all the others. Real WasmEdge binds `<name>_v2` for these four because
 * their wasm types differ from V1's; wasi-go detects V2 from the same arities.
 * sock_accept/sock_recv/sock_send/sock_shutdown have exactly wasi-libc's preview1 types, so the
 * imports of wasi-libc (if any survive linking) and ours agree.
 *
 * All parameters are i32, every result is a WASI errno (0 = success).
 */
#ifndef WASMEDGE_SOCK_ABI_H
#define WASMEDGE_SOCK_ABI_H

#include <stdint.h>
#include <stddef.h>

#define WSE_IMPORT(name) \
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(#name)))

/* ---- ABI enums ---- */
enum {
    WSE_AF_UNSPEC = 0, WSE_AF_INET4 = 1, WSE_AF_INET6 = 2, WSE_AF_UNIX = 3,
};
enum { WSE_SOCK_ANY = 0, WSE_SOCK_DGRAM = 1, WSE_SOCK_STREAM = 2 };
enum { WSE_PROTO_IP = 0, WSE_PROTO_TCP = 1, WSE_PROTO_UDP = 2 };
enum {
    WSE_AI_PASSIVE = 1, WSE_AI_CANONNAME = 2, WSE_AI_NUMERICHOST = 4, WSE_AI_NUMERICSERV = 8,
    WSE_AI_V4MAPPED = 16, WSE_AI_ALL = 32, WSE_AI_ADDRCONFIG = 64,
};
enum { WSE_RIFLAGS_PEEK = 1, WSE_RIFLAGS_WAITALL = 2 };
enum { WSE_ROFLAGS_TRUNCATED = 1 };
enum { WSE_SHUT_RD = 1, WSE_SHUT_WR = 2 };
enum { WSE_FDFLAGS_NONBLOCK = 4 };

/* socket option levels and names */
enum { WSE_SOL_SOCKET = 0, WSE_SOL_TCP = 6 };
enum {
    WSE_SO_REUSEADDR = 0, WSE_SO_TYPE = 1, WSE_SO_ERROR = 2, WSE_SO_DONTROUTE = 3,
    WSE_SO_BROADCAST = 4, WSE_SO_SNDBUF = 5, WSE_SO_RCVBUF = 6, WSE_SO_KEEPALIVE = 7,
    WSE_SO_OOBINLINE = 8, WSE_SO_LINGER = 9, WSE_SO_RCVLOWAT = 10, WSE_SO_RCVTIMEO = 11,
    WSE_SO_SNDTIMEO = 12, WSE_SO_ACCEPTCONN = 13, WSE_SO_BINDTODEVICE = 14,
};
enum { WSE_TCP_NODELAY = 15 };
/* Extension (no upstream host knows it; ours does): level 41 = IPPROTO_IPV6 with Linux's option
 * number 26 = IPV6_V6ONLY, int value. Hosts without it answer an errno, which we pass on. */
enum { WSE_SOL_IPV6 = 41, WSE_IPV6_V6ONLY = 26 };

/* getaddrinfo error codes (WasmEdge extension of the WASI errno space) */
enum {
    WSE_EAI_ADDRFAMILY = 77, WSE_EAI_AGAIN = 78, WSE_EAI_BADFLAGS = 79, WSE_EAI_FAIL = 80,
    WSE_EAI_FAMILY = 81, WSE_EAI_MEMORY = 82, WSE_EAI_NODATA = 83, WSE_EAI_NONAME = 84,
    WSE_EAI_SERVICE = 85, WSE_EAI_SOCKTYPE = 86, WSE_EAI_SYSTEM = 87,
};

/* ---- layouts (little-endian, 4-byte aligned) ---- */

/* {u32 buf, u32 buf_len}: also the layout of iovec/ciovec */
typedef struct {
    uint8_t *buf;
    uint32_t buf_len;
} wse_address_t;

/* 128-byte address storage used by getlocaladdr/getpeeraddr/recv_from (and by AF_UNIX
 * bind/connect/send_to): u16 family @0, then address bytes or NUL-terminated path @2 */
#define WSE_ADDR_STORAGE_LEN 128
#define WSE_ADDR_DATA_OFF 2

typedef struct {
    uint8_t *buf;
    uint32_t buf_len;
} wse_iovec_t;

/* the sockaddr of an ABI addrinfo: u8 family @0, u32 data_len @4, u32 data* @8 */
typedef struct {
    uint8_t family;
    uint8_t pad_[3];
    uint32_t data_len;
    uint8_t *data;
} wse_sockaddr_t;

typedef struct wse_addrinfo {
    uint16_t flags;
    uint8_t family;
    uint8_t socktype;
    uint8_t protocol;
    uint8_t pad_[3];
    uint32_t addrlen;
    wse_sockaddr_t *addr;
    char *canonname;
    uint32_t canonname_len;
    struct wse_addrinfo *next;
} wse_addrinfo_t;

_Static_assert(sizeof(void *) == 4, "wasm32 only");
_Static_assert(sizeof(wse_address_t) == 8, "address layout");
_Static_assert(sizeof(wse_sockaddr_t) == 12, "ABI sockaddr layout");
_Static_assert(offsetof(wse_sockaddr_t, data_len) == 4, "ABI sockaddr layout");
_Static_assert(offsetof(wse_sockaddr_t, data) == 8, "ABI sockaddr layout");
_Static_assert(sizeof(wse_addrinfo_t) == 28, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, protocol) == 4, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, addrlen) == 8, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, addr) == 12, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, canonname) == 16, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, canonname_len) == 20, "ABI addrinfo layout");
_Static_assert(offsetof(wse_addrinfo_t, next) == 24, "ABI addrinfo layout");

/* ---- imports ---- */
int32_t wse_sock_open(int32_t af, int32_t socktype, int32_t *fd_out) WSE_IMPORT(sock_open);
int32_t wse_sock_bind(int32_t fd, wse_address_t *addr, int32_t port) WSE_IMPORT(sock_bind);
int32_t wse_sock_connect(int32_t fd, wse_address_t *addr, int32_t port) WSE_IMPORT(sock_connect);
int32_t wse_sock_listen(int32_t fd, int32_t backlog) WSE_IMPORT(sock_listen);
/* V2 (= preview1) shape */
int32_t wse_sock_accept(int32_t fd, int32_t fdflags, int32_t *fd_out) WSE_IMPORT(sock_accept);
int32_t wse_sock_recv(int32_t fd, wse_iovec_t *iovs, int32_t iovs_len, int32_t riflags,
                      uint32_t *nread_out, uint16_t *roflags_out) WSE_IMPORT(sock_recv);
int32_t wse_sock_send(int32_t fd, const wse_iovec_t *iovs, int32_t iovs_len, int32_t siflags,
                      uint32_t *nwritten_out) WSE_IMPORT(sock_send);
/* V2 shape (with port_out) */
int32_t wse_sock_recv_from(int32_t fd, wse_iovec_t *iovs, int32_t iovs_len, wse_address_t *addr,
                           int32_t riflags, uint32_t *port_out, uint32_t *nread_out,
                           uint16_t *roflags_out) WSE_IMPORT(sock_recv_from);
int32_t wse_sock_send_to(int32_t fd, const wse_iovec_t *iovs, int32_t iovs_len,
                         wse_address_t *addr, int32_t port, int32_t siflags,
                         uint32_t *nwritten_out) WSE_IMPORT(sock_send_to);
int32_t wse_sock_shutdown(int32_t fd, int32_t how) WSE_IMPORT(sock_shutdown);
/* length by pointer (WasmEdge shape) */
int32_t wse_sock_getsockopt(int32_t fd, int32_t level, int32_t name, void *val,
                            uint32_t *len) WSE_IMPORT(sock_getsockopt);
int32_t wse_sock_setsockopt(int32_t fd, int32_t level, int32_t name, const void *val,
                            int32_t len) WSE_IMPORT(sock_setsockopt);
/* V2 shape: 128-byte buffer, family inside it */
int32_t wse_sock_getlocaladdr(int32_t fd, wse_address_t *addr, uint32_t *port_out)
    WSE_IMPORT(sock_getlocaladdr);
int32_t wse_sock_getpeeraddr(int32_t fd, wse_address_t *addr, uint32_t *port_out)
    WSE_IMPORT(sock_getpeeraddr);
int32_t wse_sock_getaddrinfo(const char *node, int32_t node_len, const char *svc,
                             int32_t svc_len, const wse_addrinfo_t *hints,
                             wse_addrinfo_t **res, int32_t max, uint32_t *res_len_out)
    WSE_IMPORT(sock_getaddrinfo);

#endif
