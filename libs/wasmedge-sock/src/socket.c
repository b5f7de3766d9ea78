#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* Socket lifecycle: socket, socketpair, bind, connect, listen, accept, accept4, shutdown,
 * getsockname, getpeername. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

static int set_nonblock(int fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t rc = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (rc == 0 && !(st.fs_flags & __WASI_FDFLAGS_NONBLOCK))
        rc = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, st.fs_flags | __WASI_FDFLAGS_NONBLOCK);
    return rc == 0 ? 0 : wse_fail(rc);
}

int socket(int domain, int type, int protocol) {
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int32_t af;
    switch (domain) {
    case AF_INET: af = WSE_AF_INET4; break;
    case AF_INET6: af = WSE_AF_INET6; break;
    case AF_UNIX: af = WSE_AF_UNIX; break;
    default: return wse_fail(EAFNOSUPPORT);
    }
    int32_t st;
    switch (kind) {
    case SOCK_STREAM:
        st = WSE_SOCK_STREAM;
        if (protocol != 0 && !(domain != AF_UNIX && protocol == IPPROTO_TCP))
            return wse_fail(EPROTONOSUPPORT);
        break;
    case SOCK_DGRAM:
        st = WSE_SOCK_DGRAM;
        if (protocol != 0 && !(domain != AF_UNIX && protocol == IPPROTO_UDP))
            return wse_fail(EPROTONOSUPPORT);
        break;
    default:
        return wse_fail(EINVAL);
    }
    int32_t fd = -1;
    if (wse_check(wse_sock_open(af, st, &fd)) < 0) return -1;
    __wse_remember_socket(fd, kind == SOCK_DGRAM ? __WASI_FILETYPE_SOCKET_DGRAM : __WASI_FILETYPE_SOCKET_STREAM);
    /* SOCK_CLOEXEC: there is no exec in WASI, nothing to do. */
    if (flags & SOCK_NONBLOCK) {
        if (set_nonblock(fd) < 0) {
            int err = errno;
            close(fd);
            return wse_fail(err);
        }
    }
    return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    wse_out_addr_t a;
    int err = __wse_addr_to_abi(addr, len, &a);
    if (err) return wse_fail(err);
    return wse_check(wse_sock_bind(fd, &a.addr, (int32_t)a.port));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    wse_out_addr_t a;
    int err = __wse_addr_to_abi(addr, len, &a);
    if (err) return wse_fail(err);
    return wse_check(wse_sock_connect(fd, &a.addr, (int32_t)a.port));
}

int listen(int fd, int backlog) {
    if (backlog < 0) backlog = 0;
    if (backlog > SOMAXCONN) backlog = SOMAXCONN;
    return wse_check(wse_sock_listen(fd, backlog));
}

static int local_or_peer(int fd, int peer, struct sockaddr *addr, socklen_t *len) {
    if (addr == NULL || len == NULL) return wse_fail(EFAULT);
    uint8_t storage[WSE_ADDR_STORAGE_LEN];
    memset(storage, 0, sizeof(storage));
    wse_address_t a = {storage, sizeof(storage)};
    uint32_t port = 0;
    int32_t rc = peer ? wse_sock_getpeeraddr(fd, &a, &port) : wse_sock_getlocaladdr(fd, &a, &port);
    if (rc != 0) return wse_fail(rc);
    int err = __wse_addr_from_abi(storage, port, addr, len);
    return err ? wse_fail(err) : 0;
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return local_or_peer(fd, 0, addr, len);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return local_or_peer(fd, 1, addr, len);
}

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len, int flags) {
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return wse_fail(EINVAL);
    if ((addr == NULL) != (len == NULL)) return wse_fail(EFAULT);
    int32_t nfd = -1;
    int32_t fdflags = (flags & SOCK_NONBLOCK) ? WSE_FDFLAGS_NONBLOCK : 0;
    if (wse_check(wse_sock_accept(fd, fdflags, &nfd)) < 0) return -1;
    __wse_remember_socket(nfd, __WASI_FILETYPE_SOCKET_STREAM);
    if (addr != NULL) {
        int saved = errno;
        if (getpeername(nfd, addr, len) < 0) {
            /* the connection exists; report an address of the right family but no details */
            socklen_t want = *len;
            memset(addr, 0, want);
            if (want >= sizeof(sa_family_t)) {
                sa_family_t fam = AF_UNSPEC;
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                if (getsockname(nfd, (struct sockaddr *)&ss, &sl) == 0) fam = ss.ss_family;
                addr->sa_family = fam;
            }
            *len = sizeof(sa_family_t);
            errno = saved;
        }
    }
    return nfd;
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return accept4(fd, addr, len, 0);
}

int shutdown(int fd, int how) {
    int32_t h;
    switch (how) {
    case SHUT_RD: h = WSE_SHUT_RD; break;
    case SHUT_WR: h = WSE_SHUT_WR; break;
    case SHUT_RDWR: h = WSE_SHUT_RD | WSE_SHUT_WR; break;
    default: return wse_fail(EINVAL);
    }
    return wse_check(wse_sock_shutdown(fd, h));
}

/*
 * The host ABI has no socketpair: build one from two loopback IPv4 sockets (TCP for
 * SOCK_STREAM, connected UDP for SOCK_DGRAM). Offered for AF_UNIX, like Linux; the ends
 * therefore report AF_INET addresses.
 */
static int loopback_addr(int fd, struct sockaddr_in *sin) {
    socklen_t l = sizeof(*sin);
    return getsockname(fd, (struct sockaddr *)sin, &l);
}

static int pair_stream(int sv[2]) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) return -1;
    int a = -1, b = -1;
    if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0 ||
        loopback_addr(lfd, &sin) < 0)
        goto fail;
    a = socket(AF_INET, SOCK_STREAM, 0);
    if (a < 0 || connect(a, (struct sockaddr *)&sin, sizeof(sin)) < 0) goto fail;
    struct sockaddr_in mine;
    if (loopback_addr(a, &mine) < 0) goto fail;
    for (int tries = 0; tries < 8; tries++) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof(peer);
        b = accept(lfd, (struct sockaddr *)&peer, &pl);
        if (b < 0) goto fail;
        /* only accept our own connection, not a stranger's racing in */
        if (peer.sin_port == mine.sin_port && peer.sin_addr.s_addr == mine.sin_addr.s_addr) break;
        close(b);
        b = -1;
    }
    if (b < 0) {
        errno = ECONNABORTED;
        goto fail;
    }
    close(lfd);
    sv[0] = a;
    sv[1] = b;
    return 0;
fail: {
    int err = errno;
    if (a >= 0) close(a);
    close(lfd);
    return wse_fail(err);
}
}

static int pair_dgram(int sv[2]) {
    struct sockaddr_in sin, sa, sb;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int a = socket(AF_INET, SOCK_DGRAM, 0);
    if (a < 0) return -1;
    int b = socket(AF_INET, SOCK_DGRAM, 0);
    if (b < 0) goto fail;
    if (bind(a, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        bind(b, (struct sockaddr *)&sin, sizeof(sin)) < 0 || loopback_addr(a, &sa) < 0 ||
        loopback_addr(b, &sb) < 0 || connect(a, (struct sockaddr *)&sb, sizeof(sb)) < 0 ||
        connect(b, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        goto fail;
    sv[0] = a;
    sv[1] = b;
    return 0;
fail: {
    int err = errno;
    close(a);
    if (b >= 0) close(b);
    return wse_fail(err);
}
}

int socketpair(int domain, int type, int protocol, int sv[2]) {
    if (sv == NULL) return wse_fail(EFAULT);
    if (domain != AF_UNIX) return wse_fail(EOPNOTSUPP);
    if (protocol != 0) return wse_fail(EPROTONOSUPPORT);
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int rc;
    if (kind == SOCK_STREAM)
        rc = pair_stream(sv);
    else if (kind == SOCK_DGRAM)
        rc = pair_dgram(sv);
    else
        return wse_fail(EOPNOTSUPP);
    if (rc < 0) return -1;
    if (flags & SOCK_NONBLOCK) {
        if (set_nonblock(sv[0]) < 0 || set_nonblock(sv[1]) < 0) {
            int err = errno;
            close(sv[0]);
            close(sv[1]);
            return wse_fail(err);
        }
    }
    return 0;
}
