/* <arpa/inet.h>: wasi-libc's header plus the classic IPv4 helpers it hides. */
#ifndef WASMEDGE_SOCK_ARPA_INET_H
#define WASMEDGE_SOCK_ARPA_INET_H
#pragma GCC system_header /* like the sysroot headers it extends: no -pedantic noise */

#include_next <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *);
in_addr_t inet_network(const char *);
char *inet_ntoa(struct in_addr);

#ifdef __cplusplus
}
#endif

#endif
