/* AF_UNIX stream.   unix PEER_PATH OWN_PATH
 * A Node server listens on PEER_PATH and echoes; the guest also listens on OWN_PATH. */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

static socklen_t make_addr(struct sockaddr_un *sun, const char *path) {
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    CHECK(strlen(path) < sizeof(sun->sun_path), "path too long: %s", path);
    strcpy(sun->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PEER_PATH OWN_PATH\n", argv[0]);
        return 2;
    }
    struct sockaddr_un sun;
    socklen_t len = make_addr(&sun, argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(fd >= 0, "socket(AF_UNIX, SOCK_STREAM)");
    CHECK(connect(fd, (struct sockaddr *)&sun, len) == 0, "connect %s", argv[1]);
    OK("connect AF_UNIX %s", argv[1]);
    CHECK(send(fd, "unix hello", 10, 0) == 10, "send");
    char buf[32];
    CHECK(recv(fd, buf, 10, MSG_WAITALL) == 10 && memcmp(buf, "unix hello", 10) == 0, "echo");
    OK("echo over AF_UNIX");
    struct sockaddr_un peer;
    socklen_t pl = sizeof(peer);
    CHECK(getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 && peer.sun_family == AF_UNIX,
          "getpeername family %d", peer.sun_family);
    OK("getpeername: AF_UNIX \"%s\"", pl > offsetof(struct sockaddr_un, sun_path) ? peer.sun_path : "");
    CHECK(shutdown(fd, SHUT_WR) == 0, "shutdown");
    CHECK(recv(fd, buf, sizeof(buf), 0) == 0, "EOF after shutdown");
    OK("shutdown(SHUT_WR) -> peer closed -> EOF");
    close(fd);

    /* guest-side listener */
    unlink(argv[2]);
    len = make_addr(&sun, argv[2]);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(bind(lfd, (struct sockaddr *)&sun, len) == 0, "bind %s", argv[2]);
    CHECK(listen(lfd, 4) == 0, "listen");
    struct sockaddr_un me;
    socklen_t ml = sizeof(me);
    CHECK(getsockname(lfd, (struct sockaddr *)&me, &ml) == 0 && me.sun_family == AF_UNIX &&
              strcmp(me.sun_path, argv[2]) == 0,
          "getsockname of the unix listener: \"%s\"", me.sun_path);
    OK("AF_UNIX listener on %s", me.sun_path);
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(c, (struct sockaddr *)&sun, len);
    CHECK(r == 0 || errno == EINPROGRESS, "connect to own unix listener");
    int a = accept(lfd, NULL, NULL);
    CHECK(a >= 0, "accept unix");
    CHECK(send(a, "x", 1, 0) == 1, "send on accepted unix socket");
    OK("guest AF_UNIX listener accepted a guest connection");
    close(a);
    close(c);
    close(lfd);
    unlink(argv[2]);

    /* A relative path names a file in the current directory, as on Linux. */
    char dir[sizeof(sun.sun_path)];
    CHECK(strlen(argv[2]) < sizeof(dir), "path too long: %s", argv[2]);
    strcpy(dir, argv[2]);
    char *slash = strrchr(dir, '/');
    CHECK(slash != NULL, "OWN_PATH must be absolute: %s", argv[2]);
    *slash = 0;
    CHECK(chdir(dir) == 0, "chdir %s", dir);
    len = make_addr(&sun, "relative.sock");
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(bind(lfd, (struct sockaddr *)&sun, len) == 0, "bind relative.sock in %s", dir);
    CHECK(listen(lfd, 4) == 0, "listen on relative.sock");
    CHECK(access("relative.sock", F_OK) == 0, "relative.sock exists in the current directory");
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&sun, len) == 0, "connect relative.sock");
    a = accept(lfd, NULL, NULL);
    CHECK(a >= 0 && send(c, "r", 1, 0) == 1 && recv(a, buf, 1, 0) == 1 && buf[0] == 'r',
          "a byte over the relative-path socket");
    OK("AF_UNIX bind and connect with a path relative to the current directory");
    close(a);
    close(c);
    close(lfd);
    unlink("relative.sock");
    printf("PASS unix\n");
    return 0;
}
