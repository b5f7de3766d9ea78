/* socketpair(AF_UNIX, SOCK_STREAM / SOCK_DGRAM) and shutdown on it. */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair(STREAM)");
    CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && (fcntl(sv[1], F_GETFL) & O_NONBLOCK),
          "SOCK_NONBLOCK on both ends");
    char buf[16];
    errno = 0;
    CHECK(recv(sv[1], buf, sizeof(buf), 0) == -1 && errno == EAGAIN, "empty pair must be EAGAIN");
    CHECK(send(sv[0], "ping", 4, 0) == 4, "send");
    int fl = fcntl(sv[1], F_GETFL);
    fcntl(sv[1], F_SETFL, fl & ~O_NONBLOCK);
    CHECK(recv(sv[1], buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "ping", 4) == 0, "recv ping");
    CHECK(send(sv[1], "pong", 4, 0) == 4, "send back");
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) & ~O_NONBLOCK);
    CHECK(recv(sv[0], buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "pong", 4) == 0, "recv pong");
    CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown");
    CHECK(recv(sv[1], buf, sizeof(buf), 0) == 0, "EOF after shutdown");
    OK("socketpair(AF_UNIX, SOCK_STREAM): both directions, SOCK_NONBLOCK, EOF after SHUT_WR");
    close(sv[0]);
    close(sv[1]);

    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair(DGRAM)");
    CHECK(send(sv[0], "d1", 2, 0) == 2 && send(sv[1], "d2", 2, 0) == 2, "send datagrams");
    CHECK(recv(sv[1], buf, sizeof(buf), 0) == 2 && memcmp(buf, "d1", 2) == 0, "recv d1");
    CHECK(recv(sv[0], buf, sizeof(buf), 0) == 2 && memcmp(buf, "d2", 2) == 0, "recv d2");
    OK("socketpair(AF_UNIX, SOCK_DGRAM)");
    close(sv[0]);
    close(sv[1]);
    errno = 0;
    CHECK(socketpair(AF_INET, SOCK_STREAM, 0, sv) == -1 && errno == EOPNOTSUPP, "AF_INET pair");
    OK("socketpair(AF_INET) -> EOPNOTSUPP");
    printf("PASS socketpair\n");
    return 0;
}
