#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* Data transfer: send, recv, sendto, recvfrom, sendmsg, recvmsg. */
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"

_Static_assert(sizeof(struct iovec) == sizeof(wse_iovec_t), "iovec layout");
_Static_assert(offsetof(struct iovec, iov_len) == offsetof(wse_iovec_t, buf_len), "iovec layout");

#define RECV_FLAGS (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_NOSIGNAL)
#define SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL)

static int32_t riflags_of(int flags) {
    int32_t r = 0;
    if (flags & MSG_PEEK) r |= WSE_RIFLAGS_PEEK;
    if (flags & MSG_WAITALL) r |= WSE_RIFLAGS_WAITALL;
    return r;
}

/* Receives into iovs. With want_addr, a datagram socket reports the sender through
 * sock_recv_from; a stream socket reports no address (*addrlen = 0), as Linux does. */
static ssize_t do_recv(int fd, wse_iovec_t *iovs, int niov, int flags, struct sockaddr *addr,
                       socklen_t *addrlen, int *out_flags) {
    if (flags & ~RECV_FLAGS) return wse_fail(EOPNOTSUPP);
    if (niov < 0) return wse_fail(EINVAL);
    int want_addr = addr != NULL && addrlen != NULL;
    int use_from = 0;
    if (want_addr) {
        int ft = __wse_filetype(fd);
        if (ft < 0) return -1;
        if (ft == __WASI_FILETYPE_SOCKET_DGRAM) use_from = 1;
        else if (ft == __WASI_FILETYPE_SOCKET_STREAM) *addrlen = 0;
        else return wse_fail(ENOTSOCK);
    }
    __wasi_fdflags_t saved = 0;
    int changed = __wse_dontwait_begin(fd, flags, &saved);
    if (changed < 0) return -1;
    uint32_t nread = 0;
    uint16_t roflags = 0;
    int32_t rc;
    uint8_t storage[WSE_ADDR_STORAGE_LEN];
    uint32_t port = 0;
    if (use_from) {
        memset(storage, 0, sizeof(storage));
        wse_address_t a = {storage, sizeof(storage)};
        rc = wse_sock_recv_from(fd, iovs, niov, &a, riflags_of(flags), &port, &nread, &roflags);
    } else {
        rc = wse_sock_recv(fd, iovs, niov, riflags_of(flags), &nread, &roflags);
    }
    if (changed) __wse_dontwait_end(fd, saved);
    if (rc != 0) return wse_fail(rc);
    if (use_from) {
        int err = __wse_addr_from_abi(storage, __wse_recv_from_port(port), addr, addrlen);
        if (err) *addrlen = 0; /* data was received; an odd address must not lose it */
    }
    if (out_flags) *out_flags = (roflags & WSE_ROFLAGS_TRUNCATED) ? MSG_TRUNC : 0;
    if (nread > (uint32_t)SSIZE_MAX) nread = SSIZE_MAX;
    return (ssize_t)nread;
}

static ssize_t do_send(int fd, const wse_iovec_t *iovs, int niov, int flags,
                       const struct sockaddr *addr, socklen_t addrlen) {
    if (flags & ~SEND_FLAGS) return wse_fail(EOPNOTSUPP);
    if (niov < 0) return wse_fail(EINVAL);
    wse_out_addr_t a;
    int use_to = 0;
    if (addr != NULL) {
        int ft = __wse_filetype(fd);
        if (ft < 0) return -1;
        if (ft == __WASI_FILETYPE_SOCKET_DGRAM) {
            int err = __wse_addr_to_abi(addr, addrlen, &a);
            if (err) return wse_fail(err);
            use_to = 1;
        } else if (ft != __WASI_FILETYPE_SOCKET_STREAM) {
            return wse_fail(ENOTSOCK);
        } /* a connected stream ignores the destination, as on Linux */
    }
    __wasi_fdflags_t saved = 0;
    int changed = __wse_dontwait_begin(fd, flags, &saved);
    if (changed < 0) return -1;
    uint32_t nwritten = 0;
    int32_t rc = use_to ? wse_sock_send_to(fd, iovs, niov, &a.addr, (int32_t)a.port, 0, &nwritten)
                        : wse_sock_send(fd, iovs, niov, 0, &nwritten);
    if (changed) __wse_dontwait_end(fd, saved);
    if (rc != 0) return wse_fail(rc);
    if (nwritten > (uint32_t)SSIZE_MAX) nwritten = SSIZE_MAX;
    return (ssize_t)nwritten;
}

static size_t clamp_len(size_t len) {
    return len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    wse_iovec_t iov = {(uint8_t *)buf, (uint32_t)clamp_len(len)};
    return do_recv(fd, &iov, 1, flags, NULL, NULL, NULL);
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
    if (addr != NULL && addrlen == NULL) return wse_fail(EFAULT);
    wse_iovec_t iov = {(uint8_t *)buf, (uint32_t)clamp_len(len)};
    return do_recv(fd, &iov, 1, flags, addr, addrlen, NULL);
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    wse_iovec_t iov = {(uint8_t *)(uintptr_t)buf, (uint32_t)clamp_len(len)};
    return do_send(fd, &iov, 1, flags, NULL, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t addrlen) {
    wse_iovec_t iov = {(uint8_t *)(uintptr_t)buf, (uint32_t)clamp_len(len)};
    return do_send(fd, &iov, 1, flags, addr, addrlen);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    if (msg == NULL) return wse_fail(EFAULT);
    if (msg->msg_iovlen < 0) return wse_fail(EMSGSIZE);
    int out = 0;
    socklen_t namelen = msg->msg_namelen;
    ssize_t n = do_recv(fd, (wse_iovec_t *)(void *)msg->msg_iov, msg->msg_iovlen, flags,
                        msg->msg_name, msg->msg_name ? &namelen : NULL, &out);
    if (n < 0) return -1;
    msg->msg_namelen = msg->msg_name ? namelen : 0;
    msg->msg_controllen = 0; /* the ABI carries no ancillary data */
    msg->msg_flags = out;
    return n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    if (msg == NULL) return wse_fail(EFAULT);
    if (msg->msg_iovlen < 0) return wse_fail(EMSGSIZE);
    if (msg->msg_control != NULL && msg->msg_controllen > 0) return wse_fail(EOPNOTSUPP);
    return do_send(fd, (const wse_iovec_t *)(const void *)msg->msg_iov, msg->msg_iovlen, flags,
                   msg->msg_name, msg->msg_namelen);
}
