/*
 * The few POSIX calls libuuid makes that WASI does not have, as static functions under private
 * names so that nothing leaks into programs linking libuuid.a:
 *  - getrandom() on top of getentropy() (WASI random_get), which takes at most 256 bytes a call;
 *  - getuid() (a seed ingredient): WASI has no users, 0 is as good as any constant; getgid(),
 *    setuid() and setgid() only for an unused inline function of util-linux's c.h;
 *  - umask() and flock() around the clock state file: one sandboxed process, nothing to share.
 */
#ifndef PYWASI_LIBUUID_WASI_SHIMS_H
#define PYWASI_LIBUUID_WASI_SHIMS_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x01
#define GRND_RANDOM 0x02
#endif

static inline ssize_t pywasi_getrandom(void *buf, size_t len, unsigned flags) {
    unsigned char *p = (unsigned char *)buf;
    size_t done = 0;
    (void)flags;
    while (done < len) {
        size_t chunk = len - done > 256 ? 256 : len - done;
        if (getentropy(p + done, chunk) != 0) return done > 0 ? (ssize_t)done : -1;
        done += chunk;
    }
    return (ssize_t)done;
}
#define getrandom pywasi_getrandom

static inline uid_t pywasi_getuid(void) { return 0; }
#define getuid pywasi_getuid
static inline gid_t pywasi_getgid(void) { return 0; }
#define getgid pywasi_getgid
static inline int pywasi_setuid(uid_t id) { (void)id; return 0; }
#define setuid pywasi_setuid
static inline int pywasi_setgid(gid_t id) { (void)id; return 0; }
#define setgid pywasi_setgid

static inline mode_t pywasi_umask(mode_t mask) { (void)mask; return 022; }
#define umask pywasi_umask

static inline int pywasi_flock(int fd, int op) { (void)fd; (void)op; return 0; }
#define flock pywasi_flock

#endif
