/* Force-included into SQLite's build for wasm32-wasi (-include): what its Unix VFS needs to know
 * there. WASI has no advisory locks (fcntl F_SETLK), no owners or permission bits, and no shared
 * memory, so:
 *  - the default VFS is SQLite's own "unix" (POSIX locks). It keeps every lock of this process in
 *    its per-file table and asks fcntl only to agree with other processes. Here that fcntl, below,
 *    grants every byte-range lock: connections (and threads) in one python.wasm lock each other as
 *    on Linux (many readers, one writer); two pywasi processes on one file do not see each other's
 *    locks. "unix-dotfile" (<db>.lock, made with mkdir) stays available by name for that case;
 *  - no WAL (it needs shared memory) and no mmap; temporary files are files, in the guest's /tmp;
 *  - fchmod/fchown do nothing and report success, as on a file system without modes. */
#ifndef PYWASI_SQLITE_WASI_CONFIG_H
#define PYWASI_SQLITE_WASI_CONFIG_H

#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

#define SQLITE_OMIT_WAL 1
#define SQLITE_MAX_MMAP_SIZE 0
#define SQLITE_OMIT_LOAD_EXTENSION 1

#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif

/* fcntl as SQLite's Unix VFS sees it (its syscall table and its direct calls): byte-range locks
 * are granted, as to the only process on the file (F_GETLK: nobody else holds one); every other
 * command is wasi-libc's. */
static inline int pywasi_sqlite_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW) {
    struct flock *lock = va_arg(ap, struct flock *);
    va_end(ap);
    if (cmd == F_GETLK && lock) lock->l_type = F_UNLCK;
    return 0;
  }
  int arg = va_arg(ap, int);
  va_end(ap);
  return fcntl(fd, cmd, arg);
}
#define fcntl pywasi_sqlite_fcntl

static inline int fchmod(int fd, mode_t mode) {
  (void)fd;
  (void)mode;
  return 0;
}
static inline int fchown(int fd, uid_t owner, gid_t group) {
  (void)fd;
  (void)owner;
  (void)group;
  return 0;
}
/* Not root: SQLite then never tries to change a journal's owner. */
static inline uid_t geteuid(void) { return 1000; }

#endif
