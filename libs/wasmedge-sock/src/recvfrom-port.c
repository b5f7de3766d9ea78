#define _GNU_SOURCE 1
/* The byte order of the port sock_recv_from reports.
 *
 * The ABI gives ports in host order everywhere (sock_bind, sock_connect, sock_send_to,
 * sock_getlocaladdr, sock_getpeeraddr), and our Node host does so in sock_recv_from too. WasmEdge
 * 0.14.1 copies sin_port from recvfrom(2) without ntohs() there (lib/host/wasi/inode-linux.cpp,
 * INode::sockRecvFrom), so a UDP reply from port 35403 (0x8a4b) reads as 19338 (0x4b8a).
 *
 * Which kind of host this is cannot be told from one received port, so the first recvfrom that
 * reports an address asks the host once: a datagram sent to our own socket, whose port
 * sock_getlocaladdr told us, comes back with the port as this host reports it. */
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

enum { ORDER_UNKNOWN = -1, ORDER_HOST = 0, ORDER_SWAPPED = 1 };

/* The guest is single-threaded (no wasi-threads build uses this library yet); at worst two
 * threads would both probe and agree. */
static int recv_from_order = ORDER_UNKNOWN;

static uint16_t swap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }

/* One self-addressed datagram on a fresh loopback socket; ORDER_UNKNOWN if the host would not
 * carry it (a network policy, no loopback) or its port reads the same both ways. */
static int probe_once(void) {
    int result = ORDER_UNKNOWN;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return result;
    struct sockaddr_in self = {.sin_family = AF_INET, .sin_port = 0};
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(self);
    if (bind(fd, (struct sockaddr *)&self, sizeof(self)) != 0 ||
        getsockname(fd, (struct sockaddr *)&self, &len) != 0)
        goto out;
    uint16_t port = ntohs(self.sin_port);
    if (port == swap16(port)) goto out; /* 0x1f1f: says nothing; the caller tries again */
    char byte = 'p';
    if (sendto(fd, &byte, 1, 0, (struct sockaddr *)&self, sizeof(self)) != 1) goto out;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 1000) != 1) goto out;
    uint8_t storage[WSE_ADDR_STORAGE_LEN] = {0};
    wse_address_t a = {storage, sizeof(storage)};
    wse_iovec_t iov = {(uint8_t *)&byte, 1};
    uint32_t got = 0, nread = 0;
    uint16_t roflags = 0;
    if (wse_sock_recv_from(fd, &iov, 1, &a, 0, &got, &nread, &roflags) != 0) goto out;
    if (got == port) result = ORDER_HOST;
    else if (got == swap16(port)) result = ORDER_SWAPPED;
out:
    close(fd);
    return result;
}

uint32_t __wse_recv_from_port(uint32_t reported) {
    if (reported == 0 || reported > 0xffff) return reported;
    if (recv_from_order == ORDER_UNKNOWN) {
        int order = ORDER_UNKNOWN;
        for (int tries = 0; tries < 3 && order == ORDER_UNKNOWN; tries++) order = probe_once();
        /* A host that cannot even talk to itself gets the ABI's own rule: host order. */
        recv_from_order = order == ORDER_UNKNOWN ? ORDER_HOST : order;
    }
    return recv_from_order == ORDER_SWAPPED ? swap16((uint16_t)reported) : reported;
}
