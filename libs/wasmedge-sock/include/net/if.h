/* <net/if.h>, which wasi-libc leaves out: interface names and indexes. The socket ABI has no
 * interface enumeration, so the only interface a guest can name is the loopback ("lo", index 1),
 * the one every host has; IPv6 scope ids for other interfaces are given by number. */
#ifndef WASMEDGE_SOCK_NET_IF_H
#define WASMEDGE_SOCK_NET_IF_H
#pragma GCC system_header

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

struct if_nameindex {
    unsigned int if_index;
    char *if_name;
};

unsigned int if_nametoindex(const char *);
char *if_indextoname(unsigned int, char *);
struct if_nameindex *if_nameindex(void);
void if_freenameindex(struct if_nameindex *);

#ifdef __cplusplus
}
#endif

#endif
