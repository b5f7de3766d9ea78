/* The library's memory of which sockets are datagram ones (src/socktype.c), which sendto and
 * SO_TYPE rely on where the host calls every socket a stream (WasmEdge 0.14.1): after many UDP
 * sockets (the set grows and prunes), closes, and fds reused by TCP sockets, SO_TYPE must match
 * what each socket is, and sendto on every UDP socket must reach its peer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define N 100

static int so_type(int fd) {
    int type = -1;
    socklen_t len = sizeof type;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0, "SO_TYPE of fd %d", fd);
    return type;
}

int main(void) {
    int fds[N];
    for (int i = 0; i < N; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
        CHECK(fds[i] >= 0, "UDP socket %d", i);
    }
    OK("%d UDP sockets", N);
    for (int i = 0; i < N; i += 2) close(fds[i]);
    for (int i = 0; i < N; i += 2) { /* most reuse the fds just closed */
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(fds[i] >= 0, "TCP socket %d", i);
    }
    for (int i = 0; i < N; i++) {
        int want = i % 2 ? SOCK_DGRAM : SOCK_STREAM;
        CHECK(so_type(fds[i]) == want, "fd %d is %s", fds[i], want == SOCK_DGRAM ? "UDP" : "TCP");
    }
    OK("SO_TYPE right for %d UDP and %d TCP sockets, fds reused", N / 2, N / 2);

    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int sink = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(sink >= 0 && bind(sink, (struct sockaddr *)&at, sizeof at) == 0, "bind the receiver");
    socklen_t len = sizeof at;
    CHECK(getsockname(sink, (struct sockaddr *)&at, &len) == 0, "receiver's port");
    for (int i = 1; i < N; i += 2) {
        char byte = (char)i;
        CHECK(sendto(fds[i], &byte, 1, 0, (struct sockaddr *)&at, sizeof at) == 1, "sendto from fd %d", fds[i]);
        char got = 0;
        CHECK(recv(sink, &got, 1, 0) == 1 && got == byte, "datagram %d arrives", i);
    }
    OK("sendto from each of the %d UDP sockets reaches the receiver", N / 2);
    for (int i = 0; i < N; i++) close(fds[i]);
    close(sink);
    printf("PASS socktype\n");
    return 0;
}
