#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* IPv4 helpers wasi-libc lacks: inet_addr, inet_network, inet_ntoa. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>

in_addr_t inet_addr(const char *s) {
    struct in_addr a;
    if (s == NULL || !inet_aton(s, &a)) return INADDR_NONE;
    return a.s_addr;
}

in_addr_t inet_network(const char *s) {
    in_addr_t a = inet_addr(s);
    return a == INADDR_NONE ? INADDR_NONE : ntohl(a);
}

char *inet_ntoa(struct in_addr in) {
    static char buf[INET_ADDRSTRLEN];
    const unsigned char *b = (const unsigned char *)&in.s_addr;
    snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}
