/* Name and service resolution.   dns [HOSTNAME_EXPECTED] */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static const char *addr_text(const struct addrinfo *ai, char *buf, size_t len) {
    const void *a = ai->ai_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
    return inet_ntop(ai->ai_family, a, buf, (socklen_t)len);
}

static int port_of(const struct addrinfo *ai) {
    return ntohs(ai->ai_family == AF_INET ? ((const struct sockaddr_in *)ai->ai_addr)->sin_port
                                          : ((const struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
}

int main(int argc, char **argv) {
    struct addrinfo hints, *res = NULL;
    char txt[INET6_ADDRSTRLEN];

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo("localhost", "8080", &hints, &res);
    CHECK(rc == 0, "getaddrinfo(localhost): %d %s", rc, gai_strerror(rc));
    int count = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next, count++) {
        addr_text(ai, txt, sizeof(txt));
        CHECK(ai->ai_socktype == SOCK_STREAM && ai->ai_protocol == IPPROTO_TCP, "socktype/protocol");
        CHECK(port_of(ai) == 8080, "port %d", port_of(ai));
        CHECK(strcmp(txt, "::1") == 0 || strncmp(txt, "127.", 4) == 0, "localhost resolved to %s", txt);
        CHECK(ai->ai_addrlen == (ai->ai_family == AF_INET ? sizeof(struct sockaddr_in)
                                                          : sizeof(struct sockaddr_in6)),
              "ai_addrlen %u", (unsigned)ai->ai_addrlen);
        OK("getaddrinfo(localhost, 8080) -> %s port %d", txt, port_of(ai));
    }
    CHECK(count > 0, "no results for localhost");
    freeaddrinfo(res);

    hints.ai_family = AF_INET;
    rc = getaddrinfo("localhost", NULL, &hints, &res);
    CHECK(rc == 0 && res->ai_family == AF_INET, "getaddrinfo(localhost, AF_INET): %s", gai_strerror(rc));
    OK("getaddrinfo(localhost, AF_INET) -> %s", addr_text(res, txt, sizeof(txt)));
    freeaddrinfo(res);

    memset(&hints, 0, sizeof(hints));
    rc = getaddrinfo("127.0.0.1", "http", &hints, &res);
    CHECK(rc == 0, "getaddrinfo(127.0.0.1, http): %s", gai_strerror(rc));
    count = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) count++;
    CHECK(res->ai_family == AF_INET && port_of(res) == 80 && count == 2,
          "numeric v4: family %d port %d entries %d", res->ai_family, port_of(res), count);
    OK("getaddrinfo(127.0.0.1, http) -> port 80, STREAM + DGRAM entries");
    freeaddrinfo(res);

    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_DGRAM;
    rc = getaddrinfo("::1", "53", &hints, &res);
    CHECK(rc == 0 && res->ai_family == AF_INET6 && port_of(res) == 53 && res->ai_next == NULL &&
              res->ai_protocol == IPPROTO_UDP,
          "getaddrinfo(::1): %s", gai_strerror(rc));
    OK("getaddrinfo(::1, 53, NUMERICHOST|DGRAM) -> %s", addr_text(res, txt, sizeof(txt)));
    freeaddrinfo(res);

    rc = getaddrinfo("localhost", "80", &hints, &res);
    CHECK(rc == EAI_NONAME, "AI_NUMERICHOST with a name: %d %s", rc, gai_strerror(rc));
    OK("AI_NUMERICHOST with a name -> EAI_NONAME");

    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(NULL, "9000", &hints, &res);
    CHECK(rc == 0 && strcmp(addr_text(res, txt, sizeof(txt)), "0.0.0.0") == 0 && port_of(res) == 9000,
          "passive NULL host");
    OK("getaddrinfo(NULL, 9000, AI_PASSIVE) -> 0.0.0.0");
    freeaddrinfo(res);

    memset(&hints, 0, sizeof(hints));
    rc = getaddrinfo("no-such-host.invalid", "80", &hints, &res);
    CHECK(rc == EAI_NONAME, "unknown host: %d %s", rc, gai_strerror(rc));
    OK("unknown host -> EAI_NONAME (%s)", gai_strerror(rc));
    rc = getaddrinfo("localhost", "no-such-service", &hints, &res);
    CHECK(rc == EAI_SERVICE, "unknown service: %d", rc);
    OK("unknown service -> EAI_SERVICE");
    hints.ai_family = 99;
    CHECK(getaddrinfo("localhost", "80", &hints, &res) == EAI_FAMILY, "bad family");
    OK("bad family -> EAI_FAMILY");

    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(8080);
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    rc = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), serv, sizeof(serv),
                     NI_NUMERICHOST | NI_NUMERICSERV);
    CHECK(rc == 0 && strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "8080") == 0,
          "getnameinfo numeric: %d %s %s", rc, host, serv);
    OK("getnameinfo(127.0.0.1:8080, numeric) -> %s %s", host, serv);
    rc = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0, NI_NAMEREQD);
    CHECK(rc == 0 && strcmp(host, "localhost") == 0, "getnameinfo loopback: %d %s", rc, host);
    OK("getnameinfo(127.0.0.1, NI_NAMEREQD) -> %s", host);
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    rc = getnameinfo((struct sockaddr *)&sin6, sizeof(sin6), host, sizeof(host), NULL, 0, 0);
    CHECK(rc == 0 && strcmp(host, "localhost") == 0, "getnameinfo ::1: %d %s", rc, host);
    OK("getnameinfo(::1) -> %s", host);
    inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
    rc = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0, 0);
    CHECK(rc == 0 && strcmp(host, "192.0.2.7") == 0, "getnameinfo no name: %d %s", rc, host);
    rc = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0, NI_NAMEREQD);
    CHECK(rc == EAI_NONAME, "NI_NAMEREQD: %d", rc);
    OK("getnameinfo of an address without a name: numeric, NI_NAMEREQD -> EAI_NONAME");

    struct in_addr lo4;
    inet_pton(AF_INET, "127.0.0.1", &lo4);
    struct hostent *rh = gethostbyaddr(&lo4, sizeof(lo4), AF_INET);
    CHECK(rh && strcmp(rh->h_name, "localhost") == 0 && rh->h_addrtype == AF_INET &&
              rh->h_length == 4 && rh->h_addr_list[0] && !rh->h_addr_list[1] &&
              memcmp(rh->h_addr_list[0], &lo4, 4) == 0 && rh->h_aliases[0] == NULL,
          "gethostbyaddr(127.0.0.1)");
    rh = gethostbyaddr(&in6addr_loopback, sizeof(in6addr_loopback), AF_INET6);
    CHECK(rh && strcmp(rh->h_name, "localhost") == 0 && rh->h_addrtype == AF_INET6 &&
              rh->h_length == 16,
          "gethostbyaddr(::1)");
    inet_pton(AF_INET, "192.0.2.7", &lo4);
    h_errno = 0;
    CHECK(gethostbyaddr(&lo4, sizeof(lo4), AF_INET) == NULL && h_errno == HOST_NOT_FOUND,
          "gethostbyaddr(192.0.2.7): h_errno %d", h_errno);
    OK("gethostbyaddr: loopback -> localhost, others -> HOST_NOT_FOUND");

    char hn[256];
    CHECK(gethostname(hn, sizeof(hn)) == 0 && hn[0] != 0, "gethostname");
    if (argc > 1) CHECK(strcmp(hn, argv[1]) == 0, "gethostname %s, expected %s", hn, argv[1]);
    OK("gethostname -> %s", hn);

    struct hostent *he = gethostbyname("localhost");
    CHECK(he != NULL && he->h_addrtype == AF_INET && he->h_length == 4 && he->h_addr_list[0] != NULL,
          "gethostbyname(localhost), h_errno %d", h_errno);
    inet_ntop(AF_INET, he->h_addr_list[0], txt, sizeof(txt));
    CHECK(strncmp(txt, "127.", 4) == 0, "gethostbyname(localhost) = %s", txt);
    OK("gethostbyname(localhost) -> %s (name %s)", txt, he->h_name);
    CHECK(gethostbyname("no-such-host.invalid") == NULL && h_errno == HOST_NOT_FOUND, "h_errno %d", h_errno);
    OK("gethostbyname(unknown) -> NULL, HOST_NOT_FOUND");

    struct servent *se = getservbyname("https", "tcp");
    CHECK(se && ntohs((uint16_t)se->s_port) == 443, "getservbyname(https)");
    struct protoent *pe = getprotobyname("udp");
    CHECK(pe && pe->p_proto == IPPROTO_UDP, "getprotobyname(udp)");
    CHECK(inet_addr("10.1.2.3") == htonl(0x0a010203), "inet_addr");
    struct in_addr ia = {htonl(0xc0a80001)};
    CHECK(strcmp(inet_ntoa(ia), "192.168.0.1") == 0, "inet_ntoa");
    OK("getservbyname, getprotobyname, inet_addr, inet_ntoa");
    printf("PASS dns\n");
    return 0;
}
