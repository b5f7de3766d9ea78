// Lua's ISO C build for wasm32-wasi, with what WASI has beyond ISO C said through luaconf.h's own
// configuration macros (force-included into every file: -include). WASI has no shell, no
// processes and no system temp directory of its own; pywasi mounts a private /tmp per run.
#ifndef LUA_WASI_CONFIG_H
#define LUA_WASI_CONFIG_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// mkstemp, which this wasi-libc leaves out: a new file named from `name`'s trailing XXXXXX.
static inline int lua_wasi_mkstemp(char *name) {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t length = strlen(name);
    if (length < 6) {
        errno = EINVAL;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char random[6];
        if (getentropy(random, sizeof random) != 0) return -1;
        for (size_t i = 0; i < 6; i++) name[length - 6 + i] = letters[random[i] % (sizeof letters - 1)];
        int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd != -1 || errno != EEXIST) return fd;
    }
    return -1;
}

// os.execute(): no shell to run a command in; os.execute() alone answers false, as Lua documents.
#define l_system(cmd) ((cmd) == NULL ? 0 : -1)

// os.tmpname(): a new file in /tmp, as on POSIX (WASI has no tmpnam).
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(buffer, err) \
    { \
        strcpy(buffer, "/tmp/lua_XXXXXX"); \
        int fd_ = lua_wasi_mkstemp(buffer); \
        if (fd_ != -1) close(fd_); \
        err = (fd_ == -1); \
    }

// io.tmpfile(): a new file in /tmp, unlinked (WASI has no tmpfile).
static inline FILE *lua_wasi_tmpfile(void) {
    char name[] = "/tmp/lua_XXXXXX";
    int fd = lua_wasi_mkstemp(name);
    if (fd == -1) return NULL;
    unlink(name);
    FILE *file = fdopen(fd, "w+b");
    if (file == NULL) close(fd);
    return file;
}
#define tmpfile lua_wasi_tmpfile

// The interpreter prompts only when stdin is a terminal.
#define lua_stdin_is_tty() isatty(STDIN_FILENO)

#endif
