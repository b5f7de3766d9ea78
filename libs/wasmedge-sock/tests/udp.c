/* UDP: sendto/recvfrom with a Node echo peer, and a datagram to ourselves.
 *   udp HOST PORT      the peer answers every datagram with "echo:" + payload */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = parse_int(argv[2]);
    struct sockaddr_in to;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET, host, &to.sin_addr) == 1, "inet_pton");

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(fd >= 0, "socket(SOCK_DGRAM)");
    int v = 0;
    socklen_t l = sizeof(v);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM, "SO_TYPE %d", v);
    OK("SO_TYPE == SOCK_DGRAM");
    int one = 1;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) == 0, "SO_BROADCAST");
    OK("SO_BROADCAST accepted");

    const char *msg = "datagram from wasm";
    ssize_t n = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof(to));
    CHECK(n == (ssize_t)strlen(msg), "sendto returned %zd", n);
    OK("sendto %s:%d (%zd bytes)", host, port, n);

    struct pollfd p = {fd, POLLIN, 0};
    CHECK(poll(&p, 1, 5000) == 1, "no reply within 5 s");
    char buf[128];
    struct sockaddr_in from;
    socklen_t fl = sizeof(from);
    memset(&from, 0, sizeof(from));
    n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
    CHECK(n == (ssize_t)(5 + strlen(msg)) && memcmp(buf, "echo:", 5) == 0 &&
              memcmp(buf + 5, msg, strlen(msg)) == 0,
          "reply \"%.*s\"", (int)(n > 0 ? n : 0), buf);
    char txt[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, txt, sizeof(txt));
    CHECK(fl == sizeof(from) && from.sin_family == AF_INET && ntohs(from.sin_port) == port &&
              strcmp(txt, host) == 0,
          "recvfrom reported %s:%d family %d len %u", txt, ntohs(from.sin_port), from.sin_family,
          (unsigned)fl);
    OK("recvfrom got the echo from %s:%d", txt, port);

    /* a second socket bound to an ephemeral port; send to it and read the sender back */
    int fd2 = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me;
    memset(&me, 0, sizeof(me));
    me.sin_family = AF_INET;
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd2, (struct sockaddr *)&me, sizeof(me)) == 0, "bind 127.0.0.1:0");
    socklen_t ml = sizeof(me);
    CHECK(getsockname(fd2, (struct sockaddr *)&me, &ml) == 0 && ntohs(me.sin_port) != 0, "getsockname");
    struct sockaddr_in fd_addr;
    socklen_t al = sizeof(fd_addr);
    CHECK(getsockname(fd, (struct sockaddr *)&fd_addr, &al) == 0, "getsockname of the first socket");
    CHECK(sendto(fd, "self", 4, 0, (struct sockaddr *)&me, sizeof(me)) == 4, "sendto self");
    p.fd = fd2;
    CHECK(poll(&p, 1, 5000) == 1, "datagram to self did not arrive");
    fl = sizeof(from);
    n = recvfrom(fd2, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
    CHECK(n == 4 && memcmp(buf, "self", 4) == 0, "self datagram %zd", n);
    CHECK(from.sin_port == fd_addr.sin_port, "sender port %d, expected %d", ntohs(from.sin_port),
          ntohs(fd_addr.sin_port));
    OK("datagram between two guest sockets, sender port %d reported", ntohs(from.sin_port));

    /* recvmsg/sendmsg with an iovec pair */
    struct iovec iov[2] = {{(void *)"ab", 2}, {(void *)"cd", 2}};
    struct msghdr mh;
    memset(&mh, 0, sizeof(mh));
    mh.msg_name = &me;
    mh.msg_namelen = sizeof(me);
    mh.msg_iov = iov;
    mh.msg_iovlen = 2;
    CHECK(sendmsg(fd, &mh, 0) == 4, "sendmsg");
    char r1[3] = {0}, r2[8] = {0};
    struct iovec riov[2] = {{r1, 2}, {r2, 8}};
    struct msghdr rh;
    memset(&rh, 0, sizeof(rh));
    rh.msg_name = &from;
    rh.msg_namelen = sizeof(from);
    rh.msg_iov = riov;
    rh.msg_iovlen = 2;
    CHECK(poll(&p, 1, 5000) == 1, "sendmsg datagram did not arrive");
    n = recvmsg(fd2, &rh, 0);
    CHECK(n == 4 && memcmp(r1, "ab", 2) == 0 && memcmp(r2, "cd", 2) == 0 &&
              rh.msg_namelen == sizeof(from) && from.sin_port == fd_addr.sin_port,
          "recvmsg %zd \"%s\" \"%s\"", n, r1, r2);
    OK("sendmsg/recvmsg scatter-gather with addresses");
    close(fd2);
    close(fd);
    printf("PASS udp\n");
    return 0;
}
