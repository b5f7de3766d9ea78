/* <sys/un.h>: wasi-libc's, plus SUN_LEN (the sun_path itself comes from the patched sysroot). */
#ifndef WASMEDGE_SOCK_SYS_UN_H
#define WASMEDGE_SOCK_SYS_UN_H
#pragma GCC system_header /* like the sysroot headers it extends: no -pedantic noise */

#include_next <sys/un.h>

#ifndef SUN_LEN
#define SUN_LEN(s) (__builtin_offsetof(struct sockaddr_un, sun_path) + __builtin_strlen((s)->sun_path))
#endif

#endif
