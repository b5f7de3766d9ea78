/* Many sockets at once: the fd table is not capped at FD_SETSIZE (1,024), running out of fds
 * answers EMFILE (never ENOBUFS, never an abort), the table works again once some are closed,
 * and poll() serves sockets opened after a thousand others.
 *
 *   many_fds LIMIT     opens at most LIMIT sockets; prints "open N" */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define KEEP 1100 /* sockets left open for the poll check: past FD_SETSIZE on a lowest-fd host */

int main(int argc, char **argv) {
    int limit = argc > 1 ? atoi(argv[1]) : 0;
    CHECK(limit > KEEP, "usage: many_fds LIMIT (LIMIT > %d)", KEEP);
    int *fds = malloc(sizeof(int) * (size_t)limit);
    CHECK(fds != NULL, "malloc");
    int n = 0;
    errno = 0;
    while (n < limit) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) break;
        fds[n++] = fd;
    }
    int err = errno;
    printf("open %d\n", n);
    CHECK(n < limit, "opened %d sockets and did not run out", n);
    CHECK(err == EMFILE, "after %d sockets: errno %d (%s), expected EMFILE", n, err, strerror(err));
    OK("%d sockets open; the next socket() fails with EMFILE", n);

    int keep = n < KEEP ? n / 2 : KEEP;
    for (int i = keep; i < n; i++) CHECK(close(fds[i]) == 0, "close socket %d (fd %d)", i, fds[i]);
    OK("closed all but %d", keep);

    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair after closing");
    OK("socketpair works again: fds %d and %d", sv[0], sv[1]);
    CHECK(send(sv[0], "x", 1, 0) == 1, "send");
    /* One poll() over every socket still open (80 bytes each in wasi-libc's poll: more than a
     * small stack holds, libs/wasi-libc/patches/0005) and the pair's end that has data. */
    struct pollfd *p = calloc((size_t)keep + 1, sizeof(*p));
    CHECK(p != NULL, "calloc");
    for (int i = 0; i < keep; i++) p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    p[keep] = (struct pollfd){.fd = sv[1], .events = POLLIN};
    int ready = poll(p, (nfds_t)keep + 1, 5000);
    int others = 0;
    for (int i = 0; i < keep; i++) others += p[i].revents != 0;
    CHECK(ready == 1 && (p[keep].revents & POLLIN) && others == 0, "poll: %d ready, %d idle ones with revents",
          ready, others);
    free(p);
    char c = 0;
    CHECK(recv(sv[1], &c, 1, 0) == 1 && c == 'x', "recv after poll");
    OK("poll() over %d sockets (the last fd %d): only the one with data is ready", keep + 1, sv[1]);

    close(sv[0]);
    close(sv[1]);
    for (int i = 0; i < keep; i++) close(fds[i]);
    free(fds);
    printf("PASS many_fds\n");
    return 0;
}
