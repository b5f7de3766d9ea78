/* Force-included into SQLite's build for wasm32-wasi (-include): what its Unix VFS needs to know
 * there. WASI has no advisory locks (fcntl F_SETLK), no owners or permission bits, and no shared
 * memory, so:
 *  - the default VFS is "unix-dotfile": a database is locked by creating <db>.lock (mkdir is atomic
 *    on every host), which also guards against another pywasi process on the same file;
 *  - no WAL (it needs shared memory) and no mmap; temporary files are files, in the guest's /tmp;
 *  - the POSIX-lock VFSes still compile (their constants are below) but are never the default;
 *  - fchmod/fchown do nothing and report success, as on a file system without modes. */
#ifndef PYWASI_SQLITE_WASI_CONFIG_H
#define PYWASI_SQLITE_WASI_CONFIG_H

#include <fcntl.h>
#include <sys/types.h>

#define SQLITE_DEFAULT_UNIX_VFS "unix-dotfile"
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
