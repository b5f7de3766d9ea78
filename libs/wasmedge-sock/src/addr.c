#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* Conversion between POSIX socket addresses and the WasmEdge ABI address buffers. */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

int __wse_addr_to_abi(const struct sockaddr *sa, socklen_t salen, wse_out_addr_t *out) {
    if (sa == NULL) return EFAULT;
    if (salen < sizeof(sa_family_t)) return EINVAL;
    memset(out, 0, sizeof(*out));
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        if (salen < offsetof(struct sockaddr_in, sin_addr) + sizeof(struct in_addr)) return EINVAL;
        memcpy(out->bytes, &sin->sin_addr, 4);
        out->addr.buf = out->bytes;
        out->addr.buf_len = 4;
        out->port = ntohs(sin->sin_port);
        return 0;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        if (salen < offsetof(struct sockaddr_in6, sin6_addr) + sizeof(struct in6_addr))
            return EINVAL;
        memcpy(out->bytes, &sin6->sin6_addr, 16);
        out->addr.buf = out->bytes;
        out->addr.buf_len = 16;
        out->port = ntohs(sin6->sin6_port);
        return 0;
    }
    case AF_UNIX: {
        const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        if (salen <= off) return EINVAL; /* unnamed: nothing to bind/connect to */
        size_t max = salen - off;
        if (max > sizeof(sun->sun_path)) max = sizeof(sun->sun_path);
        size_t n = strnlen(sun->sun_path, max);
        if (n == 0) return EINVAL; /* abstract namespace is not supported */
        uint8_t *path = out->bytes + WSE_ADDR_DATA_OFF;
        const size_t room = WSE_ADDR_STORAGE_LEN - WSE_ADDR_DATA_OFF; /* path and its NUL */
        size_t dir = 0;
        if (sun->sun_path[0] != '/') {
            /* The host resolves a path from the root: the current directory is wasi-libc's,
             * which the host does not know, so a relative path is made absolute here. */
            if (getcwd((char *)path, room) == NULL) return errno == ERANGE ? ENAMETOOLONG : errno;
            dir = strlen((const char *)path);
            if (dir == 0 || path[dir - 1] != '/') {
                if (dir + 1 >= room) return ENAMETOOLONG;
                path[dir++] = '/';
            }
        }
        if (dir + n + 1 > room) return ENAMETOOLONG;
        uint16_t fam = WSE_AF_UNIX;
        memcpy(out->bytes, &fam, 2);
        memcpy(path + dir, sun->sun_path, n);
        path[dir + n] = 0;
        out->addr.buf = out->bytes;
        out->addr.buf_len = WSE_ADDR_STORAGE_LEN;
        out->port = 0;
        return 0;
    }
    default:
        return EAFNOSUPPORT;
    }
}

static void copy_out(const void *src, socklen_t len, struct sockaddr *sa, socklen_t *salen) {
    if (sa == NULL || salen == NULL) return;
    socklen_t n = *salen < len ? *salen : len;
    memcpy(sa, src, n);
    *salen = len;
}

int __wse_addr_from_abi(const uint8_t storage[WSE_ADDR_STORAGE_LEN], uint32_t port,
                        struct sockaddr *sa, socklen_t *salen) {
    if ((sa == NULL) != (salen == NULL)) return EFAULT;
    uint16_t fam;
    memcpy(&fam, storage, 2);
    const uint8_t *data = storage + WSE_ADDR_DATA_OFF;
    switch (fam) {
    case WSE_AF_INET4: {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)port);
        memcpy(&sin.sin_addr, data, 4);
        copy_out(&sin, sizeof(sin), sa, salen);
        return 0;
    }
    case WSE_AF_INET6: {
        struct sockaddr_in6 sin6;
        memset(&sin6, 0, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)port);
        memcpy(&sin6.sin6_addr, data, 16);
        copy_out(&sin6, sizeof(sin6), sa, salen);
        return 0;
    }
    case WSE_AF_UNIX: {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        size_t max = WSE_ADDR_STORAGE_LEN - WSE_ADDR_DATA_OFF;
        if (max > sizeof(sun.sun_path) - 1) max = sizeof(sun.sun_path) - 1;
        size_t n = strnlen((const char *)data, max);
        memcpy(sun.sun_path, data, n);
        /* Linux reports family + path + NUL, or just the family for an unnamed socket */
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (n ? n + 1 : 0));
        copy_out(&sun, len, sa, salen);
        return 0;
    }
    case WSE_AF_UNSPEC: {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof(ss));
        ss.ss_family = AF_UNSPEC;
        copy_out(&ss, sizeof(sa_family_t), sa, salen);
        return 0;
    }
    default:
        return EAFNOSUPPORT;
    }
}

int __wse_dontwait_begin(int fd, int flags, __wasi_fdflags_t *saved) {
    if (!(flags & MSG_DONTWAIT)) return 0;
    __wasi_fdstat_t st;
    __wasi_errno_t rc = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (rc != 0) return wse_fail(rc);
    if (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) return 0;
    rc = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, st.fs_flags | __WASI_FDFLAGS_NONBLOCK);
    if (rc != 0) return wse_fail(rc);
    *saved = st.fs_flags;
    return 1;
}

void __wse_dontwait_end(int fd, __wasi_fdflags_t saved) {
    int err = errno;
    (void)__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, saved);
    errno = err;
}
