#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* getsockopt / setsockopt: POSIX levels and names mapped onto the WasmEdge ABI. Unknown or
 * unsupported options fail with ENOPROTOOPT, also when the host refuses a level it does not know
 * with EINVAL (WasmEdge 0.14.1 does for TCP_NODELAY); nothing here ever aborts.
 *   SOL_SOCKET (0x7fffffff) -> ABI level 0, names per abi.h; SO_TYPE is answered locally
 *   IPPROTO_TCP TCP_NODELAY -> ABI level 6 name 15 (wasi-go's numbering)
 *   IPPROTO_IPV6 IPV6_V6ONLY -> ABI level 41 name 26 (our extension, see abi.h) */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "internal.h"

enum { VAL_INT, VAL_LINGER, VAL_TIMEVAL, VAL_LOCAL_TYPE };

typedef struct {
    int32_t level, name; /* ABI */
    int kind;
    int writable;
} optmap_t;

/* Returns 0 and fills *m, or ENOPROTOOPT. */
static int map_option(int level, int name, optmap_t *m) {
    m->kind = VAL_INT;
    m->writable = 1;
    if (level == SOL_SOCKET) {
        m->level = WSE_SOL_SOCKET;
        switch (name) {
        case SO_REUSEADDR: m->name = WSE_SO_REUSEADDR; return 0;
        case SO_TYPE: m->name = WSE_SO_TYPE; m->kind = VAL_LOCAL_TYPE; m->writable = 0; return 0;
        case SO_ERROR: m->name = WSE_SO_ERROR; m->writable = 0; return 0;
        case SO_DONTROUTE: m->name = WSE_SO_DONTROUTE; return 0;
        case SO_BROADCAST: m->name = WSE_SO_BROADCAST; return 0;
        case SO_SNDBUF: m->name = WSE_SO_SNDBUF; return 0;
        case SO_RCVBUF: m->name = WSE_SO_RCVBUF; return 0;
        case SO_KEEPALIVE: m->name = WSE_SO_KEEPALIVE; return 0;
        case SO_OOBINLINE: m->name = WSE_SO_OOBINLINE; return 0;
        case SO_LINGER: m->name = WSE_SO_LINGER; m->kind = VAL_LINGER; return 0;
        case SO_RCVLOWAT: m->name = WSE_SO_RCVLOWAT; return 0;
        case SO_RCVTIMEO: m->name = WSE_SO_RCVTIMEO; m->kind = VAL_TIMEVAL; return 0;
        case SO_SNDTIMEO: m->name = WSE_SO_SNDTIMEO; m->kind = VAL_TIMEVAL; return 0;
        case SO_ACCEPTCONN: m->name = WSE_SO_ACCEPTCONN; m->writable = 0; return 0;
        default: return ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP) {
        m->level = WSE_SOL_TCP;
        switch (name) {
        case TCP_NODELAY: m->name = WSE_TCP_NODELAY; return 0;
        default: return ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IPV6) {
        m->level = WSE_SOL_IPV6;
        switch (name) {
        case IPV6_V6ONLY: m->name = WSE_IPV6_V6ONLY; return 0;
        default: return ENOPROTOOPT;
        }
    }
    return ENOPROTOOPT;
}

/* The errno for a host's refusal: EINVAL at a level other than SOL_SOCKET means the host does
 * not know the option (our values are always well-formed), which POSIX spells ENOPROTOOPT, the
 * answer callers such as http.client tolerate. */
static int host_refusal(const optmap_t *m, int32_t rc) {
    return rc == EINVAL && m->level != WSE_SOL_SOCKET ? ENOPROTOOPT : rc;
}

static socklen_t value_size(int kind) {
    switch (kind) {
    case VAL_LINGER: return sizeof(struct linger);
    case VAL_TIMEVAL: return sizeof(struct timeval);
    default: return sizeof(int);
    }
}

/* The host's SO_RCVTIMEO/SO_SNDTIMEO value: {i64 sec, i64 usec}, the layout of WASI's (and
 * x86-64/aarch64 Linux's) struct timeval. */
_Static_assert(sizeof(struct timeval) == 16, "timeval layout");
_Static_assert(sizeof(struct linger) == 8, "linger layout");

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len) {
    if (val == NULL || len == NULL) return wse_fail(EFAULT);
    optmap_t m;
    int err = map_option(level, name, &m);
    if (err) return wse_fail(err);
    union {
        int i;
        struct linger l;
        struct timeval tv;
        uint8_t raw[16];
    } tmp;
    memset(&tmp, 0, sizeof(tmp));
    socklen_t size = value_size(m.kind);
    if (m.kind == VAL_LOCAL_TYPE) {
        /* answered from the fd's file type: works on every host */
        int ft = __wse_filetype(fd);
        if (ft < 0) return -1;
        if (ft == __WASI_FILETYPE_SOCKET_STREAM) tmp.i = SOCK_STREAM;
        else if (ft == __WASI_FILETYPE_SOCKET_DGRAM) tmp.i = SOCK_DGRAM;
        else return wse_fail(ENOTSOCK);
    } else {
        uint32_t got = size;
        int32_t rc = wse_sock_getsockopt(fd, m.level, m.name, &tmp, &got);
        if (rc != 0) return wse_fail(host_refusal(&m, rc));
        if (m.kind == VAL_INT && got < sizeof(int) && got > 0) {
            /* a host answering with a shorter integer: widen it */
            uint32_t v = 0;
            memcpy(&v, tmp.raw, got);
            tmp.i = (int)v;
        }
    }
    socklen_t n = *len < size ? *len : size;
    memcpy(val, &tmp, n);
    *len = size;
    return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    optmap_t m;
    int err = map_option(level, name, &m);
    if (err) return wse_fail(err);
    if (!m.writable) return wse_fail(ENOPROTOOPT);
    if (val == NULL) return wse_fail(EFAULT);
    socklen_t size = value_size(m.kind);
    if (len < size) return wse_fail(EINVAL);
    union {
        int i;
        struct linger l;
        struct timeval tv;
    } tmp;
    memcpy(&tmp, val, size);
    if (m.kind == VAL_TIMEVAL && (tmp.tv.tv_sec < 0 || tmp.tv.tv_usec < 0 ||
                                  tmp.tv.tv_usec >= 1000000))
        return wse_fail(EDOM);
    int32_t rc = wse_sock_setsockopt(fd, m.level, m.name, &tmp, (int32_t)size);
    return rc == 0 ? 0 : wse_fail(host_refusal(&m, rc));
}
