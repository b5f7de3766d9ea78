/*
 * <sys/socket.h> for wasm32-wasi with the WasmEdge socket extension (libwasmedge_sock).
 *
 * Extends wasi-libc's header (via #include_next) with the declarations and constants that
 * wasi-libc hides behind `__wasilibc_unmodified_upstream`.  Values that wasi-libc already
 * defines (AF_* = 0..3, SOCK_STREAM 6, SOCK_DGRAM 5, SOL_SOCKET 0x7fffffff, SO_TYPE 3,
 * MSG_PEEK 1, MSG_WAITALL 2, SHUT_* 1..3, SOCK_NONBLOCK/SOCK_CLOEXEC) are kept as they are;
 * the library translates them to the host ABI.
 */
#ifndef WASMEDGE_SOCK_SYS_SOCKET_H
#define WASMEDGE_SOCK_SYS_SOCKET_H
#pragma GCC system_header /* like the sysroot headers it extends: no -pedantic noise */

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- protocol families (same values as the address families) ---- */
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef PF_UNSPEC
#define PF_UNSPEC AF_UNSPEC
#define PF_INET   AF_INET
#define PF_INET6  AF_INET6
#define PF_UNIX   AF_UNIX
#define PF_LOCAL  AF_UNIX
#endif

/* ---- SOL_SOCKET option names (Linux numbering; SO_TYPE 3 comes from wasi-libc) ---- */
#ifndef SO_REUSEADDR
#define SO_REUSEADDR    2
#endif
#ifndef SO_ERROR
#define SO_ERROR        4
#endif
#ifndef SO_DONTROUTE
#define SO_DONTROUTE    5
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST    6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF       7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF       8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE    9
#endif
#ifndef SO_OOBINLINE
#define SO_OOBINLINE    10
#endif
#ifndef SO_LINGER
#define SO_LINGER       13
#endif
#ifndef SO_RCVLOWAT
#define SO_RCVLOWAT     18
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO     20
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO     21
#endif
#ifndef SO_BINDTODEVICE
#define SO_BINDTODEVICE 25
#endif
#ifndef SO_ACCEPTCONN
#define SO_ACCEPTCONN   30
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

/* ---- message flags (MSG_PEEK 1 / MSG_WAITALL 2 come from wasi-libc) ---- */
/* wasi-libc defines MSG_TRUNC as __WASI_RIFLAGS_RECV_DATA_TRUNCATED, which its <wasi/api.h>
 * does not define (any use fails to compile) and which would equal MSG_PEEK. Use Linux's value;
 * recvmsg() reports it in msg_flags when the host says the datagram was truncated. */
#undef MSG_TRUNC
#define MSG_TRUNC    0x0020
#ifndef MSG_CTRUNC
#define MSG_CTRUNC   0x0008
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif

/* ---- ancillary data: the layout only; the host ABI carries no control messages ---- */
struct cmsghdr {
    socklen_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};

#define __WSE_CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#ifndef CMSG_ALIGN
#define CMSG_ALIGN(len) __WSE_CMSG_ALIGN(len)
#endif
#define CMSG_DATA(cmsg) ((unsigned char *)((struct cmsghdr *)(cmsg) + 1))
#define CMSG_SPACE(len) (__WSE_CMSG_ALIGN(len) + __WSE_CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len)   (__WSE_CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_FIRSTHDR(mhdr) \
    ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr) \
         ? (struct cmsghdr *)(mhdr)->msg_control : (struct cmsghdr *)0)
#define CMSG_NXTHDR(mhdr, cmsg) \
    (((cmsg)->cmsg_len < sizeof(struct cmsghdr) || \
      __WSE_CMSG_ALIGN((cmsg)->cmsg_len) + sizeof(struct cmsghdr) >= \
          (size_t)((unsigned char *)(mhdr)->msg_control + (mhdr)->msg_controllen - \
                   (unsigned char *)(cmsg))) \
         ? (struct cmsghdr *)0 \
         : (struct cmsghdr *)((unsigned char *)(cmsg) + __WSE_CMSG_ALIGN((cmsg)->cmsg_len)))

/* ---- functions wasi-libc does not declare (accept, accept4, send, recv, shutdown and
 *      getsockopt are declared by wasi-libc; the library provides its own definitions) ---- */
int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict,
                 socklen_t *__restrict);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
int setsockopt(int, int, int, const void *, socklen_t);

#ifdef __cplusplus
}
#endif

#endif
