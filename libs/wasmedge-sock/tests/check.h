/* Tiny helpers shared by the socket test programs: every check prints what it verified, and the
 * first failure prints a clear message (with errno) and exits with status 1. */
#ifndef WSE_TEST_CHECK_H
#define WSE_TEST_CHECK_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            int e_ = errno;                                                                  \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                             \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fprintf(stderr, " [check: %s] (errno %d: %s)\n", #cond, e_, strerror(e_));       \
            fflush(stdout);                                                                  \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

#define OK(...)                                                                              \
    do {                                                                                     \
        printf("ok - ");                                                                     \
        printf(__VA_ARGS__);                                                                 \
        printf("\n");                                                                        \
        fflush(stdout);                                                                      \
    } while (0)

/* CRC-32 (IEEE 802.3, the zlib one): the Node peers compute it natively with zlib.crc32.
 * Start with crc = 0, feed chunks, the result is the CRC of the whole stream. */
static inline uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n) {
    static uint32_t table[256];
    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static inline int parse_int(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end != 0) {
        fprintf(stderr, "FAIL: not a number: %s\n", s);
        exit(2);
    }
    return (int)v;
}

#endif
