/* TCP server test: the guest listens, a Node client connects.
 *   tcp_server [HOST]   binds HOST:0 (default 127.0.0.1), prints "PORT <n>", accepts one
 *                       connection (after poll says it is pending), reads "hello server",
 *                       answers "hello client", then expects EOF. */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    CHECK(lfd >= 0, "socket(SOCK_NONBLOCK|SOCK_CLOEXEC)");
    int one = 1;
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    CHECK(inet_pton(AF_INET, host, &sin.sin_addr) == 1, "inet_pton %s", host);
    CHECK(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0, "bind %s:0", host);
    CHECK(listen(lfd, 16) == 0, "listen");
    socklen_t sl = sizeof(sin);
    CHECK(getsockname(lfd, (struct sockaddr *)&sin, &sl) == 0, "getsockname");
    int port = ntohs(sin.sin_port);
    CHECK(port != 0, "bound port is 0");
    int v = 0;
    socklen_t l = sizeof(v);
    CHECK(getsockopt(lfd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v == 1, "SO_ACCEPTCONN = %d", v);
    OK("listening on %s:%d, SO_ACCEPTCONN == 1", host, port);

    /* non-blocking listener with nothing pending */
    errno = 0;
    CHECK(accept(lfd, NULL, NULL) == -1 && errno == EAGAIN, "accept on an idle non-blocking listener");
    OK("accept on an idle non-blocking listener: EAGAIN");

    printf("PORT %d\n", port);
    fflush(stdout);

    struct pollfd p = {lfd, POLLIN, 0};
    int r = poll(&p, 1, 10000);
    CHECK(r == 1 && (p.revents & POLLIN), "poll(listener, POLLIN) = %d revents %#x", r, p.revents);
    OK("poll reports the pending connection");

    struct sockaddr_in peer;
    socklen_t pl = sizeof(peer);
    int cfd = accept4(lfd, (struct sockaddr *)&peer, &pl, 0);
    CHECK(cfd >= 0, "accept4");
    char txt[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer.sin_addr, txt, sizeof(txt));
    CHECK(peer.sin_family == AF_INET && pl == sizeof(peer) && strcmp(txt, "127.0.0.1") == 0 &&
              ntohs(peer.sin_port) != 0,
          "accepted peer %s:%d len %u", txt, ntohs(peer.sin_port), (unsigned)pl);
    OK("accepted %s:%d", txt, ntohs(peer.sin_port));

    /* the accepted socket is blocking even though the listener is not */
    char buf[64];
    size_t got = 0;
    while (got < 12) {
        ssize_t n = recv(cfd, buf + got, sizeof(buf) - got, 0);
        CHECK(n > 0, "recv from client");
        got += (size_t)n;
    }
    CHECK(got == 12 && memcmp(buf, "hello server", 12) == 0, "client sent \"%.*s\"", (int)got, buf);
    OK("received \"hello server\" (blocking recv on the accepted fd)");
    CHECK(send(cfd, "hello client", 12, 0) == 12, "send reply");
    ssize_t n = recv(cfd, buf, sizeof(buf), 0);
    CHECK(n == 0, "expected EOF from client, got %zd", n);
    OK("client closed: recv returns 0");
    close(cfd);
    close(lfd);
    printf("PASS tcp_server\n");
    return 0;
}
