#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/*
 * Name resolution: getaddrinfo, freeaddrinfo, gai_strerror, getnameinfo, gethostbyname,
 * gethostbyaddr, h_errno, hstrerror, herror.
 *
 * Numeric hosts, NULL hosts and services are resolved inside the guest; only host names go
 * to the host's sock_getaddrinfo, which is called with a preallocated chain of entries
 * (the guest owns the memory; the host fills up to MAX_RESULTS in place).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_RESULTS 16
#define DATA_LEN 32   /* >= 26, the IPv6 sa_data WasmEdge writes */
#define CANON_LEN 256
#define MAX_SOCKTYPES 2

typedef struct {
    int family;       /* AF_INET / AF_INET6 */
    uint8_t addr[16]; /* 4 or 16 bytes */
    uint32_t scope;
} resolved_t;

typedef struct {
    int count;
    resolved_t a[MAX_RESULTS];
} addr_list_t;

static void add_addr(addr_list_t *l, int family, const void *bytes, uint32_t scope) {
    size_t n = family == AF_INET ? 4 : 16;
    for (int i = 0; i < l->count; i++)
        if (l->a[i].family == family && memcmp(l->a[i].addr, bytes, n) == 0) return;
    if (l->count >= MAX_RESULTS) return;
    resolved_t *r = &l->a[l->count++];
    memset(r, 0, sizeof(*r));
    r->family = family;
    memcpy(r->addr, bytes, n);
    r->scope = scope;
}

/* ---- host call ---- */

typedef struct {
    wse_addrinfo_t ai[MAX_RESULTS];
    wse_sockaddr_t sa[MAX_RESULTS];
    uint8_t data[MAX_RESULTS][DATA_LEN];
    char canon[MAX_RESULTS][CANON_LEN];
} host_block_t;

static int eai_from_host(int32_t rc) {
    switch (rc) {
    case WSE_EAI_ADDRFAMILY: return EAI_ADDRFAMILY;
    case WSE_EAI_AGAIN: return EAI_AGAIN;
    case WSE_EAI_BADFLAGS: return EAI_BADFLAGS;
    case WSE_EAI_FAIL: return EAI_FAIL;
    case WSE_EAI_FAMILY: return EAI_FAMILY;
    case WSE_EAI_MEMORY: return EAI_MEMORY;
    case WSE_EAI_NODATA: return EAI_NODATA;
    case WSE_EAI_NONAME: return EAI_NONAME;
    case WSE_EAI_SERVICE: return EAI_SERVICE;
    case WSE_EAI_SOCKTYPE: return EAI_SOCKTYPE;
    case WSE_EAI_SYSTEM: errno = EIO; return EAI_SYSTEM;
    default: errno = (int)rc; return EAI_SYSTEM; /* e.g. ENOTCAPABLE without network */
    }
}

static int host_resolve(const char *node, int flags, int family, int socktype, int protocol,
                        addr_list_t *out, char **canon) {
    host_block_t *b = calloc(1, sizeof(*b));
    if (b == NULL) return EAI_MEMORY;
    for (int i = 0; i < MAX_RESULTS; i++) {
        b->sa[i].data = b->data[i];
        b->sa[i].data_len = DATA_LEN;
        b->ai[i].addr = &b->sa[i];
        b->ai[i].addrlen = sizeof(wse_sockaddr_t);
        b->ai[i].canonname = b->canon[i];
        b->ai[i].canonname_len = CANON_LEN;
        b->ai[i].next = i + 1 < MAX_RESULTS ? &b->ai[i + 1] : NULL;
    }
    wse_addrinfo_t hints;
    memset(&hints, 0, sizeof(hints));
    if (flags & AI_CANONNAME) hints.flags |= WSE_AI_CANONNAME;
    if (flags & AI_V4MAPPED) hints.flags |= WSE_AI_V4MAPPED;
    if (flags & AI_ALL) hints.flags |= WSE_AI_ALL;
    if (flags & AI_ADDRCONFIG) hints.flags |= WSE_AI_ADDRCONFIG;
    hints.family = family == AF_INET ? WSE_AF_INET4 : family == AF_INET6 ? WSE_AF_INET6 : WSE_AF_UNSPEC;
    hints.socktype = socktype == SOCK_DGRAM ? WSE_SOCK_DGRAM : WSE_SOCK_STREAM;
    hints.protocol = protocol == IPPROTO_TCP ? WSE_PROTO_TCP
                     : protocol == IPPROTO_UDP ? WSE_PROTO_UDP : WSE_PROTO_IP;
    wse_addrinfo_t *first = &b->ai[0];
    uint32_t n = 0;
    int32_t rc = wse_sock_getaddrinfo(node, (int32_t)strlen(node), NULL, 0, &hints, &first,
                                      MAX_RESULTS, &n);
    if (rc != 0) {
        int e = eai_from_host(rc);
        free(b);
        return e;
    }
    if (n > MAX_RESULTS) n = MAX_RESULTS;
    for (uint32_t i = 0; i < n; i++) {
        const wse_sockaddr_t *sa = &b->sa[i];
        int fam = sa->family ? sa->family : b->ai[i].family;
        uint32_t dl = sa->data_len > DATA_LEN ? DATA_LEN : sa->data_len;
        const uint8_t *d = b->data[i];
        /* WasmEdge writes the native sockaddr from sin_port on: port(2, BE) + address for
         * IPv4; port(2) + flowinfo(4) + address(16) + scope_id(4) for IPv6 */
        if (fam == WSE_AF_INET4 && dl >= 6) {
            add_addr(out, AF_INET, d + 2, 0);
        } else if (fam == WSE_AF_INET6 && dl >= 22) {
            uint32_t scope = 0;
            if (dl >= 26) memcpy(&scope, d + 22, 4);
            add_addr(out, AF_INET6, d + 6, scope);
        }
    }
    if ((flags & AI_CANONNAME) && n > 0) {
        char *c = b->canon[0];
        uint32_t cl = b->ai[0].canonname_len;
        if (cl < CANON_LEN) c[cl] = 0;
        c[CANON_LEN - 1] = 0;
        if (*c) {
            *canon = strdup(c);
            if (*canon == NULL) {
                free(b);
                return EAI_MEMORY;
            }
        }
    }
    free(b);
    return out->count > 0 ? 0 : EAI_NONAME;
}

/* ---- getaddrinfo ---- */

static int parse_numeric_port(const char *s, int *port) {
    if (*s == 0) return 0;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        v = v * 10 + (*p - '0');
        if (v > 65535) return -1;
    }
    *port = (int)v;
    return 1;
}

static struct addrinfo *new_entry(const resolved_t *r, int flags, int socktype, int protocol, int port) {
    struct entry {
        struct addrinfo ai;
        union {
            struct sockaddr_in sin;
            struct sockaddr_in6 sin6;
        } sa;
    } *e = calloc(1, sizeof(*e));
    if (e == NULL) return NULL;
    e->ai.ai_flags = flags;
    e->ai.ai_family = r->family;
    e->ai.ai_socktype = socktype;
    e->ai.ai_protocol = protocol ? protocol : socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    e->ai.ai_addr = (struct sockaddr *)&e->sa;
    if (r->family == AF_INET) {
        e->sa.sin.sin_family = AF_INET;
        e->sa.sin.sin_port = htons((uint16_t)port);
        memcpy(&e->sa.sin.sin_addr, r->addr, 4);
        e->ai.ai_addrlen = sizeof(struct sockaddr_in);
    } else {
        e->sa.sin6.sin6_family = AF_INET6;
        e->sa.sin6.sin6_port = htons((uint16_t)port);
        memcpy(&e->sa.sin6.sin6_addr, r->addr, 16);
        e->sa.sin6.sin6_scope_id = r->scope;
        e->ai.ai_addrlen = sizeof(struct sockaddr_in6);
    }
    return &e->ai;
}

void freeaddrinfo(struct addrinfo *ai) {
    while (ai != NULL) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai); /* the sockaddr lives in the same block */
        ai = next;
    }
}

/* Numeric host: 1 = parsed, 0 = not numeric, <0 = EAI_* error. */
static int numeric_host(const char *node, int family, int flags, addr_list_t *out) {
    struct in_addr v4;
    if (inet_aton(node, &v4)) {
        if (family == AF_INET6) {
            if (!(flags & AI_V4MAPPED)) return EAI_ADDRFAMILY;
            uint8_t m[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            memcpy(m + 12, &v4, 4);
            add_addr(out, AF_INET6, m, 0);
        } else {
            add_addr(out, AF_INET, &v4, 0);
        }
        return 1;
    }
    char buf[INET6_ADDRSTRLEN + 16];
    size_t len = strlen(node);
    if (len >= sizeof(buf)) return 0;
    memcpy(buf, node, len + 1);
    uint32_t scope = 0;
    char *pct = strchr(buf, '%');
    if (pct != NULL) {
        *pct = 0;
        int s = 0;
        struct in6_addr probe;
        if (parse_numeric_port(pct + 1, &s) != 1) {
            /* interface names need if_nametoindex, which the ABI cannot answer */
            return inet_pton(AF_INET6, buf, &probe) == 1 ? EAI_NONAME : 0;
        }
        scope = (uint32_t)s;
    }
    struct in6_addr v6;
    if (inet_pton(AF_INET6, buf, &v6) != 1) return 0;
    if (family == AF_INET) return EAI_ADDRFAMILY;
    add_addr(out, AF_INET6, &v6, scope);
    return 1;
}

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints, struct addrinfo **__restrict res) {
    int flags = 0, family = AF_UNSPEC, socktype = 0, protocol = 0;
    if (res == NULL) {
        errno = EFAULT;
        return EAI_SYSTEM;
    }
    if (hints != NULL) {
        flags = hints->ai_flags;
        family = hints->ai_family;
        socktype = hints->ai_socktype;
        protocol = hints->ai_protocol;
    }
    const int known = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
                      AI_ADDRCONFIG | AI_NUMERICSERV;
    if (flags & ~known) return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
    if (node != NULL && *node == 0) node = NULL;
    if (service != NULL && *service == 0) service = NULL;
    if (node == NULL && service == NULL) return EAI_NONAME;
    if ((flags & AI_CANONNAME) && node == NULL) return EAI_BADFLAGS;

    /* socket types to report */
    int types[MAX_SOCKTYPES], ntypes = 0;
    switch (socktype) {
    case 0:
        if (protocol == 0 || protocol == IPPROTO_TCP) types[ntypes++] = SOCK_STREAM;
        if (protocol == 0 || protocol == IPPROTO_UDP) types[ntypes++] = SOCK_DGRAM;
        if (ntypes == 0) return EAI_SOCKTYPE;
        break;
    case SOCK_STREAM:
        if (protocol != 0 && protocol != IPPROTO_TCP) return EAI_SOCKTYPE;
        types[ntypes++] = SOCK_STREAM;
        break;
    case SOCK_DGRAM:
        if (protocol != 0 && protocol != IPPROTO_UDP) return EAI_SOCKTYPE;
        types[ntypes++] = SOCK_DGRAM;
        break;
    default:
        return EAI_SOCKTYPE;
    }

    /* service -> port per socket type (-1 = not offered for that type) */
    int ports[MAX_SOCKTYPES];
    int any_port = 0;
    for (int i = 0; i < ntypes; i++) {
        int port = 0;
        if (service != NULL) {
            int r = parse_numeric_port(service, &port);
            if (r < 0) return EAI_SERVICE;
            if (r == 0) {
                if (flags & AI_NUMERICSERV) return EAI_NONAME;
                port = __wse_service_port(service, types[i] == SOCK_DGRAM ? "udp" : "tcp");
            }
        }
        ports[i] = port;
        if (port >= 0) any_port = 1;
    }
    if (!any_port) return EAI_SERVICE;

    /* host -> addresses */
    addr_list_t *list = calloc(1, sizeof(*list));
    if (list == NULL) return EAI_MEMORY;
    char *canon = NULL;
    int err = 0;
    if (node == NULL) {
        struct in_addr v4;
        struct in6_addr v6;
        v4.s_addr = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
        v6 = (flags & AI_PASSIVE) ? in6addr_any : in6addr_loopback;
        if (family != AF_INET6) add_addr(list, AF_INET, &v4, 0);
        if (family != AF_INET) add_addr(list, AF_INET6, &v6, 0);
    } else {
        int r = numeric_host(node, family, flags, list);
        if (r < 0) {
            err = r;
        } else if (r == 0) {
            if (flags & AI_NUMERICHOST)
                err = EAI_NONAME;
            else
                err = host_resolve(node, flags, family, types[0], protocol, list, &canon);
        } else if (flags & AI_CANONNAME) {
            canon = strdup(node);
            if (canon == NULL) err = EAI_MEMORY;
        }
    }
    if (err) {
        free(list);
        free(canon);
        return err;
    }

    /* build the result: every address x every socket type */
    struct addrinfo *head = NULL, **tail = &head;
    for (int a = 0; a < list->count; a++) {
        if (family != AF_UNSPEC && list->a[a].family != family) continue;
        for (int t = 0; t < ntypes; t++) {
            if (ports[t] < 0) continue;
            struct addrinfo *e = new_entry(&list->a[a], flags, types[t], protocol, ports[t]);
            if (e == NULL) {
                freeaddrinfo(head);
                free(list);
                free(canon);
                return EAI_MEMORY;
            }
            *tail = e;
            tail = &e->ai_next;
        }
    }
    free(list);
    if (head == NULL) {
        free(canon);
        return EAI_NONAME;
    }
    head->ai_canonname = canon;
    *res = head;
    return 0;
}

const char *gai_strerror(int err) {
    switch (err) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Invalid flags";
    case EAI_NONAME: return "Name does not resolve";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_NODATA: return "No address associated with name";
    case EAI_FAMILY: return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE: return "Unrecognized socket type";
    case EAI_SERVICE: return "Unrecognized service";
    case EAI_ADDRFAMILY: return "Address family for name not supported";
    case EAI_MEMORY: return "Out of memory";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Overflow";
    default: return "Unknown error";
    }
}

/* ---- reverse lookup ----
 * The host ABI has no reverse lookup (sock_getaddrinfo only maps names to addresses), so the
 * library answers what it can without one: 127.0.0.1, ::1 and ::ffff:127.0.0.1 are
 * "localhost"; every other address has no name (getnameinfo gives the numeric form unless
 * NI_NAMEREQD, gethostbyaddr fails with HOST_NOT_FOUND). */

#define LOOPBACK_NAME "localhost"

static int is_loopback(int family, const void *addr) {
    static const uint8_t v4[4] = {127, 0, 0, 1};
    static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    if (family == AF_INET) return memcmp(addr, v4, 4) == 0;
    if (family == AF_INET6) return memcmp(addr, v6, 16) == 0 || memcmp(addr, mapped, 16) == 0;
    return 0;
}

/* ---- getnameinfo ---- */

int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen, char *__restrict host,
                socklen_t hostlen, char *__restrict serv, socklen_t servlen, int flags) {
    if (sa == NULL) return EAI_FAIL;
    int port;
    char buf[INET6_ADDRSTRLEN + 16];
    if (sa->sa_family == AF_INET) {
        if (salen < sizeof(struct sockaddr_in)) return EAI_FAMILY;
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        port = ntohs(sin->sin_port);
        if (host && hostlen && !inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)))
            return EAI_FAIL;
    } else if (sa->sa_family == AF_INET6) {
        if (salen < sizeof(struct sockaddr_in6)) return EAI_FAMILY;
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        port = ntohs(sin6->sin6_port);
        if (host && hostlen) {
            if (!inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf))) return EAI_FAIL;
            if (sin6->sin6_scope_id != 0) {
                size_t l = strlen(buf);
                snprintf(buf + l, sizeof(buf) - l, "%%%u", (unsigned)sin6->sin6_scope_id);
            }
        }
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen) {
        /* The ABI offers no reverse lookup: loopback is "localhost" (as /etc/hosts has it on
         * every Linux), any other address only has its numeric form. */
        const char *name = buf;
        if (!(flags & NI_NUMERICHOST)) {
            if (sa->sa_family == AF_INET
                    ? is_loopback(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr)
                    : is_loopback(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr))
                name = LOOPBACK_NAME;
            else if (flags & NI_NAMEREQD)
                return EAI_NONAME;
        }
        if (strlen(name) + 1 > hostlen) return EAI_OVERFLOW;
        strcpy(host, name);
    }
    if (serv && servlen) {
        const char *name = NULL;
        char pbuf[8];
        if (!(flags & NI_NUMERICSERV)) name = __wse_service_name(port, (flags & NI_DGRAM) ? "udp" : "tcp");
        if (name == NULL) {
            snprintf(pbuf, sizeof(pbuf), "%d", port);
            name = pbuf;
        }
        if (strlen(name) + 1 > servlen) return EAI_OVERFLOW;
        strcpy(serv, name);
    }
    return 0;
}

/* ---- legacy resolver ---- */

int h_errno;

const char *hstrerror(int err) {
    switch (err) {
    case 0: return "Resolver Error 0 (no error)";
    case HOST_NOT_FOUND: return "Unknown host";
    case TRY_AGAIN: return "Host name lookup failure";
    case NO_RECOVERY: return "Unknown server error";
    case NO_DATA: return "No address associated with name";
    default: return "Unknown resolver error";
    }
}

void herror(const char *msg) {
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, hstrerror(h_errno));
    else
        fprintf(stderr, "%s\n", hstrerror(h_errno));
}

#define HOSTENT_MAX_ADDRS MAX_RESULTS
static struct hostent he;
static char he_name[256];
static char *he_aliases[1];
static struct in_addr he_addrs[HOSTENT_MAX_ADDRS];
static char *he_addr_list[HOSTENT_MAX_ADDRS + 1];

struct hostent *gethostbyname(const char *name) {
    if (name == NULL) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_CANONNAME;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        h_errno = (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) ? HOST_NOT_FOUND
                  : rc == EAI_AGAIN ? TRY_AGAIN
                                    : NO_RECOVERY;
        return NULL;
    }
    const char *cn = res->ai_canonname ? res->ai_canonname : name;
    snprintf(he_name, sizeof(he_name), "%s", cn);
    int n = 0;
    for (struct addrinfo *ai = res; ai && n < HOSTENT_MAX_ADDRS; ai = ai->ai_next) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
        he_addrs[n] = sin->sin_addr;
        he_addr_list[n] = (char *)&he_addrs[n];
        n++;
    }
    he_addr_list[n] = NULL;
    freeaddrinfo(res);
    he_aliases[0] = NULL;
    he.h_name = he_name;
    he.h_aliases = he_aliases;
    he.h_addrtype = AF_INET;
    he.h_length = 4;
    he.h_addr_list = he_addr_list;
    return &he;
}

static struct hostent rhe;
static char rhe_name[sizeof(LOOPBACK_NAME)];
static char *rhe_aliases[1];
static uint8_t rhe_addr[16];
static char *rhe_addr_list[2];

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type) {
    if (addr == NULL || !((type == AF_INET && len == 4) || (type == AF_INET6 && len == 16))) {
        errno = addr == NULL ? EFAULT : type == AF_INET || type == AF_INET6 ? EINVAL : EAFNOSUPPORT;
        h_errno = NO_RECOVERY;
        return NULL;
    }
    if (!is_loopback(type, addr)) {
        /* no reverse lookup in the host ABI (see above) */
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    memcpy(rhe_name, LOOPBACK_NAME, sizeof(LOOPBACK_NAME));
    memcpy(rhe_addr, addr, len);
    rhe_aliases[0] = NULL;
    rhe_addr_list[0] = (char *)rhe_addr;
    rhe_addr_list[1] = NULL;
    rhe.h_name = rhe_name;
    rhe.h_aliases = rhe_aliases;
    rhe.h_addrtype = type;
    rhe.h_length = (int)len;
    rhe.h_addr_list = rhe_addr_list;
    return &rhe;
}
