/* IPv6 loopback.   ipv6 PORT   (a Node echo server listens on [::1]:PORT) */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int port = parse_int(argv[1]);
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    sin6.sin6_addr = in6addr_loopback;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(fd >= 0, "socket(AF_INET6)");
    CHECK(connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0, "connect [::1]:%d", port);
    OK("connect [::1]:%d", port);
    struct sockaddr_in6 peer;
    socklen_t pl = sizeof(peer);
    CHECK(getpeername(fd, (struct sockaddr *)&peer, &pl) == 0, "getpeername");
    char txt[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof(txt));
    CHECK(peer.sin6_family == AF_INET6 && pl == sizeof(peer) && strcmp(txt, "::1") == 0 &&
              ntohs(peer.sin6_port) == port,
          "getpeername [%s]:%d family %d", txt, ntohs(peer.sin6_port), peer.sin6_family);
    OK("getpeername [%s]:%d", txt, port);
    CHECK(send(fd, "six", 3, 0) == 3, "send");
    char buf[8];
    CHECK(recv(fd, buf, 3, MSG_WAITALL) == 3 && memcmp(buf, "six", 3) == 0, "echo");
    OK("echo over IPv6");
    close(fd);

    /* a guest IPv6 listener, connected from the guest itself */
    int lfd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 l6;
    memset(&l6, 0, sizeof(l6));
    l6.sin6_family = AF_INET6;
    l6.sin6_addr = in6addr_loopback;
    int one = 1;
    if (setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0) {
        int v = 0;
        socklen_t vl = sizeof(v);
        CHECK(getsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl) == 0 && v == 1, "IPV6_V6ONLY reads back %d", v);
        OK("IPV6_V6ONLY set and read back");
    } else {
        CHECK(errno == ENOPROTOOPT, "IPV6_V6ONLY failed with an unexpected errno");
        OK("IPV6_V6ONLY: the host does not support it (ENOPROTOOPT)");
    }
    CHECK(bind(lfd, (struct sockaddr *)&l6, sizeof(l6)) == 0 && listen(lfd, 4) == 0, "bind/listen [::1]:0");
    socklen_t ll = sizeof(l6);
    CHECK(getsockname(lfd, (struct sockaddr *)&l6, &ll) == 0 && l6.sin6_family == AF_INET6 &&
              ntohs(l6.sin6_port) != 0, "getsockname of the v6 listener");
    int c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(c, (struct sockaddr *)&l6, sizeof(l6));
    CHECK(r == 0 || errno == EINPROGRESS, "connect to own listener");
    struct sockaddr_in6 from;
    socklen_t fl = sizeof(from);
    int a = accept(lfd, (struct sockaddr *)&from, &fl);
    CHECK(a >= 0 && from.sin6_family == AF_INET6, "accept v6");
    OK("guest IPv6 listener on port %d accepted a guest connection", ntohs(l6.sin6_port));
    close(a);
    close(c);
    close(lfd);
    printf("PASS ipv6\n");
    return 0;
}
