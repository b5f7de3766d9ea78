#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* A small built-in services and protocols database (the guest has no /etc/services or
 * /etc/protocols): getservbyname, getservbyport, getprotobyname, getprotobynumber. */
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

typedef struct {
    const char *name;
    unsigned short port;
    unsigned char tcp, udp;
} service_t;

static const service_t services[] = {
    {"echo", 7, 1, 1},        {"discard", 9, 1, 1},     {"daytime", 13, 1, 1},
    {"ftp-data", 20, 1, 0},   {"ftp", 21, 1, 0},        {"ssh", 22, 1, 0},
    {"telnet", 23, 1, 0},     {"smtp", 25, 1, 0},       {"time", 37, 1, 1},
    {"domain", 53, 1, 1},     {"tftp", 69, 0, 1},       {"gopher", 70, 1, 0},
    {"finger", 79, 1, 0},     {"http", 80, 1, 1},       {"kerberos", 88, 1, 1},
    {"pop3", 110, 1, 0},      {"sunrpc", 111, 1, 1},    {"auth", 113, 1, 0},
    {"nntp", 119, 1, 0},      {"ntp", 123, 0, 1},       {"imap2", 143, 1, 0},
    {"snmp", 161, 1, 1},      {"ldap", 389, 1, 1},      {"https", 443, 1, 1},
    {"submissions", 465, 1, 0}, {"syslog", 514, 0, 1},  {"submission", 587, 1, 0},
    {"ldaps", 636, 1, 1},     {"imaps", 993, 1, 0},     {"pop3s", 995, 1, 0},
    {"socks", 1080, 1, 0},    {"mysql", 3306, 1, 0},    {"postgresql", 5432, 1, 0},
    {"http-alt", 8080, 1, 0},
};
#define NSERVICES (sizeof(services) / sizeof(services[0]))

static int proto_ok(const service_t *s, const char *proto) {
    if (proto == NULL) return 1;
    if (strcmp(proto, "tcp") == 0) return s->tcp;
    if (strcmp(proto, "udp") == 0) return s->udp;
    return 0;
}

int __wse_service_port(const char *name, const char *proto) {
    for (size_t i = 0; i < NSERVICES; i++)
        if (strcmp(services[i].name, name) == 0 && proto_ok(&services[i], proto))
            return services[i].port;
    if (strcmp(name, "www") == 0 && proto_ok(&services[13], proto)) return 80;
    return -1;
}

const char *__wse_service_name(int port, const char *proto) {
    for (size_t i = 0; i < NSERVICES; i++)
        if (services[i].port == port && proto_ok(&services[i], proto)) return services[i].name;
    return NULL;
}

static struct servent serv_result;
static char *no_aliases[1];
static char serv_proto[4];

static struct servent *fill_serv(const char *name, int port, const char *proto) {
    const char *p = proto;
    if (p == NULL) p = "tcp";
    if (strcmp(p, "tcp") != 0 && strcmp(p, "udp") != 0) return NULL;
    memcpy(serv_proto, p, 4);
    serv_result.s_name = (char *)(uintptr_t)name;
    serv_result.s_aliases = no_aliases;
    serv_result.s_port = htons((uint16_t)port);
    serv_result.s_proto = serv_proto;
    return &serv_result;
}

struct servent *getservbyname(const char *name, const char *proto) {
    if (name == NULL) return NULL;
    int port = __wse_service_port(name, proto);
    if (port < 0) return NULL;
    return fill_serv(__wse_service_name(port, proto), port, proto);
}

struct servent *getservbyport(int port, const char *proto) {
    int p = ntohs((uint16_t)port);
    const char *name = __wse_service_name(p, proto);
    return name ? fill_serv(name, p, proto) : NULL;
}

typedef struct {
    const char *name;
    int number;
} proto_t;

static const proto_t protocols[] = {
    {"ip", IPPROTO_IP},       {"icmp", IPPROTO_ICMP}, {"tcp", IPPROTO_TCP},
    {"udp", IPPROTO_UDP},     {"ipv6", IPPROTO_IPV6}, {"ipv6-icmp", 58},
    {"raw", IPPROTO_RAW},
};

static struct protoent proto_result;

static struct protoent *fill_proto(const proto_t *p) {
    proto_result.p_name = (char *)(uintptr_t)p->name;
    proto_result.p_aliases = no_aliases;
    proto_result.p_proto = p->number;
    return &proto_result;
}

struct protoent *getprotobyname(const char *name) {
    if (name == NULL) return NULL;
    for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
        if (strcmp(protocols[i].name, name) == 0) return fill_proto(&protocols[i]);
    return NULL;
}

struct protoent *getprotobynumber(int number) {
    for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
        if (protocols[i].number == number) return fill_proto(&protocols[i]);
    return NULL;
}
