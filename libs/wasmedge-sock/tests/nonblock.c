/* Non-blocking connect, poll, SO_ERROR and timeouts.
 *   nonblock HOST OPEN_PORT CLOSED_PORT SILENT_PORT
 * OPEN_PORT accepts, CLOSED_PORT refuses, SILENT_PORT accepts and never writes. */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static struct sockaddr_in addr_of(const char *host, int port) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET, host, &sin.sin_addr) == 1, "inet_pton %s", host);
    return sin;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Non-blocking connect; returns the SO_ERROR after completion. */
static int nb_connect(const char *host, int port, int *fd_out) {
    struct sockaddr_in sin = addr_of(host, port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0, "socket(SOCK_NONBLOCK)");
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_NONBLOCK), "SOCK_NONBLOCK not visible through fcntl (flags %#x)", fl);
    *fd_out = fd;
    int r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
    if (r == 0) return 0;
    if (errno != EINPROGRESS) return errno; /* refused right away is allowed too */
    struct pollfd p = {fd, POLLOUT, 0};
    int pr = poll(&p, 1, 10000);
    CHECK(pr == 1, "poll(POLLOUT) after EINPROGRESS returned %d", pr);
    int err = -1;
    socklen_t l = sizeof(err);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0, "getsockopt(SO_ERROR)");
    return err;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s HOST OPEN_PORT CLOSED_PORT SILENT_PORT\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int open_port = parse_int(argv[2]), closed_port = parse_int(argv[3]),
        silent_port = parse_int(argv[4]);

    int fd;
    int err = nb_connect(host, open_port, &fd);
    CHECK(err == 0, "non-blocking connect to the open port: SO_ERROR %d (%s)", err, strerror(err));
    struct sockaddr_in peer;
    socklen_t pl = sizeof(peer);
    CHECK(getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 && ntohs(peer.sin_port) == open_port,
          "getpeername after non-blocking connect");
    OK("non-blocking connect + poll(POLLOUT) + SO_ERROR == 0");
    CHECK(send(fd, "abc", 3, 0) == 3, "send on the non-blocking socket");
    close(fd);

    err = nb_connect(host, closed_port, &fd);
    CHECK(err == ECONNREFUSED, "non-blocking connect to a closed port: SO_ERROR %d (%s)", err,
          strerror(err));
    OK("non-blocking connect to a closed port: ECONNREFUSED");
    close(fd);

    struct sockaddr_in sin = addr_of(host, closed_port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    CHECK(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 && errno == ECONNREFUSED,
          "blocking connect to a closed port");
    OK("blocking connect to a closed port: ECONNREFUSED");
    close(fd);

    /* receive timeout through poll on a silent peer */
    sin = addr_of(host, silent_port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0, "connect to the silent port");
    struct pollfd p = {fd, POLLIN, 0};
    double t0 = now_ms();
    int pr = poll(&p, 1, 300);
    double dt = now_ms() - t0;
    CHECK(pr == 0 && p.revents == 0, "poll(POLLIN, 300ms) on a silent peer returned %d revents %#x", pr,
          p.revents);
    CHECK(dt >= 250 && dt < 5000, "poll timeout took %.0f ms, expected ~300", dt);
    OK("poll(POLLIN, 300 ms) timed out after %.0f ms", dt);

    char c;
    errno = 0;
    CHECK(recv(fd, &c, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN, "recv(MSG_DONTWAIT) must be EAGAIN");
    int fl = fcntl(fd, F_GETFL);
    CHECK(!(fl & O_NONBLOCK), "MSG_DONTWAIT left the socket non-blocking");
    OK("recv(MSG_DONTWAIT) on a blocking socket: EAGAIN, socket stays blocking");
    CHECK(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "fcntl(O_NONBLOCK)");
    errno = 0;
    CHECK(recv(fd, &c, 1, 0) == -1 && errno == EAGAIN, "recv on O_NONBLOCK must be EAGAIN");
    OK("fcntl(O_NONBLOCK) then recv: EAGAIN");
    p.revents = 0;
    p.events = POLLOUT;
    pr = poll(&p, 1, 1000);
    CHECK(pr == 1 && (p.revents & POLLOUT), "connected socket must poll writable (%d, %#x)", pr, p.revents);
    OK("connected socket polls writable");
    close(fd);
    printf("PASS nonblock\n");
    return 0;
}
