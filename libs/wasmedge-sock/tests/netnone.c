/* Under `--net none` every connect must be refused.   netnone HOST PORT */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)parse_int(argv[2]));
    CHECK(inet_pton(AF_INET, argv[1], &sin.sin_addr) == 1, "inet_pton");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        OK("socket() itself refused: errno %d (%s)", errno, strerror(errno));
    } else {
        errno = 0;
        int r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
        CHECK(r == -1, "connect to %s:%s succeeded under --net none", argv[1], argv[2]);
        CHECK(errno == EACCES || errno == EPERM || errno == ENOTCAPABLE,
              "connect refused with an unexpected errno");
        OK("connect refused: errno %d (%s)", errno, strerror(errno));
        close(fd);
    }
    struct addrinfo *res;
    int rc = getaddrinfo("localhost", "80", NULL, &res);
    CHECK(rc != 0, "getaddrinfo(localhost) succeeded under --net none");
    OK("getaddrinfo(localhost) refused: %s (errno %d)", gai_strerror(rc), errno);
    rc = getaddrinfo("127.0.0.1", "80", NULL, &res);
    CHECK(rc == 0, "numeric getaddrinfo needs no network");
    freeaddrinfo(res);
    OK("numeric getaddrinfo still works (no host call)");
    printf("PASS netnone\n");
    return 0;
}
