/*
 * Socket throughput / latency client for the benchmark. The same source builds natively
 * (cc -O2 -std=c11 throughput.c) and for wasm32-wasi (with libwasmedge_sock), so both can run
 * against the same peer.
 *
 *   throughput HOST PORT send MIB [CHUNK]   write MIB MiB, shutdown(SHUT_WR), wait for the peer's
 *                                           reply and EOF (peer: count bytes, answer on EOF)
 *   throughput HOST PORT recv [CHUNK]       read until EOF (peer: write N bytes and close)
 *   throughput HOST PORT echo COUNT SIZE    COUNT round trips of SIZE bytes (peer: echo)
 *   throughput HOST PORT connect COUNT      COUNT connect+1-byte-echo+close cycles (peer: echo)
 *
 * Prints one JSON line: {"mode":...,"bytes":...,"ops":...,"seconds":...,"mib_per_s":...,
 * "us_per_op":...}. Exit status 1 on any error, with a message on stderr.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "throughput: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_storage peer;
static socklen_t peer_len;

static void resolve(const char *host, const char *port) {
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "throughput: getaddrinfo(%s, %s): %s\n", host, port, gai_strerror(rc));
        exit(1);
    }
    memcpy(&peer, res->ai_addr, res->ai_addrlen);
    peer_len = res->ai_addrlen;
    freeaddrinfo(res);
}

static int dial(void) {
    int fd = socket(peer.ss_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&peer, peer_len) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("send");
        }
        p += w;
        n -= (size_t)w;
    }
}

static void read_exact(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("recv");
        if (r == 0) {
            fprintf(stderr, "throughput: unexpected EOF\n");
            exit(1);
        }
        p += r;
        n -= (size_t)r;
    }
}

static void report(const char *mode, double bytes, long ops, double secs) {
    printf("{\"mode\":\"%s\",\"bytes\":%.0f,\"ops\":%ld,\"seconds\":%.6f,\"mib_per_s\":%.3f,"
           "\"us_per_op\":%.3f}\n",
           mode, bytes, ops, secs, secs > 0 ? bytes / 1048576.0 / secs : 0.0,
           ops > 0 ? secs * 1e6 / (double)ops : 0.0);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT send MIB [CHUNK] | recv [CHUNK] | echo COUNT SIZE | connect COUNT\n",
                argv[0]);
        return 2;
    }
    resolve(argv[1], argv[2]);
    const char *mode = argv[3];
    if (strcmp(mode, "send") == 0 && argc >= 5) {
        size_t total = (size_t)atol(argv[4]) << 20;
        size_t chunk = argc >= 6 ? (size_t)atol(argv[5]) : 65536;
        char *buf = malloc(chunk);
        if (!buf) die("malloc");
        for (size_t i = 0; i < chunk; i++) buf[i] = (char)(i * 131u + 7u);
        int fd = dial();
        double t0 = now_s();
        for (size_t sent = 0; sent < total;) {
            size_t n = total - sent < chunk ? total - sent : chunk;
            write_all(fd, buf, n);
            sent += n;
        }
        if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
        char reply[64];
        ssize_t r;
        while ((r = recv(fd, reply, sizeof(reply), 0)) > 0) {
        }
        if (r < 0) die("recv reply");
        double t1 = now_s();
        close(fd);
        report(mode, (double)total, (long)(total / chunk), t1 - t0);
    } else if (strcmp(mode, "recv") == 0) {
        size_t chunk = argc >= 5 ? (size_t)atol(argv[4]) : 65536;
        char *buf = malloc(chunk);
        if (!buf) die("malloc");
        int fd = dial();
        double t0 = now_s();
        double total = 0;
        long ops = 0;
        for (;;) {
            ssize_t r = recv(fd, buf, chunk, 0);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) die("recv");
            if (r == 0) break;
            total += (double)r;
            ops++;
        }
        double t1 = now_s();
        close(fd);
        report(mode, total, ops, t1 - t0);
    } else if (strcmp(mode, "echo") == 0 && argc >= 6) {
        long count = atol(argv[4]);
        size_t size = (size_t)atol(argv[5]);
        char *out = malloc(size ? size : 1), *in = malloc(size ? size : 1);
        if (!out || !in) die("malloc");
        memset(out, 'e', size);
        int fd = dial();
        double t0 = now_s();
        for (long i = 0; i < count; i++) {
            write_all(fd, out, size);
            read_exact(fd, in, size);
        }
        double t1 = now_s();
        close(fd);
        report(mode, (double)size * (double)count * 2, count, t1 - t0);
    } else if (strcmp(mode, "connect") == 0 && argc >= 5) {
        long count = atol(argv[4]);
        double t0 = now_s();
        for (long i = 0; i < count; i++) {
            int fd = dial();
            char c = 'c';
            write_all(fd, &c, 1);
            read_exact(fd, &c, 1);
            close(fd);
        }
        double t1 = now_s();
        report(mode, (double)count * 2, count, t1 - t0);
    } else {
        fprintf(stderr, "throughput: bad arguments\n");
        return 2;
    }
    return 0;
}
