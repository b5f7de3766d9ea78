/* What kind of socket an fd is. Our host answers fd_fdstat_get with SOCKET_DGRAM or
 * SOCKET_STREAM, but WasmEdge 0.14.1 answers SOCKET_STREAM for every socket, UDP ones included:
 * sendto() would then drop its address (the host says EDESTADDRREQ) and SO_TYPE would claim
 * SOCK_STREAM. So the library remembers which fds it made as datagram sockets, and asks
 * fd_fdstat_get only whether an fd is a socket at all.
 *
 * A set of fds, not an array indexed by fd: WasmEdge numbers sockets with values like
 * 1400005035. Open addressing with linear probing; an fd made again as a stream socket leaves
 * the set, and fds that were closed meanwhile are dropped before the set grows, so it holds
 * about as many entries as there are live datagram sockets. */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

#ifdef __wasm_atomics__
/* Built for threads (-matomics): the set is shared by every thread of the program, so one at a
 * time changes or reads it; the sections are short, a waiter yields. */
#include <sched.h>
#include <stdatomic.h>
static atomic_flag set_lock = ATOMIC_FLAG_INIT;
static void lock_set(void) {
    while (atomic_flag_test_and_set_explicit(&set_lock, memory_order_acquire)) sched_yield();
}
static void unlock_set(void) {
    atomic_flag_clear_explicit(&set_lock, memory_order_release);
}
#else
static void lock_set(void) {}
static void unlock_set(void) {}
#endif

#define EMPTY (-1)
#define CLOSED (-2) /* a member found closed while the set was being rebuilt */

static int32_t *slots; /* capacity is a power of two; EMPTY, CLOSED or an fd */
static size_t capacity, used;

static size_t home(int32_t fd) {
    return ((uint32_t)fd * 2654435761u) & (capacity - 1);
}

static size_t find(int32_t fd) { /* the fd's slot, or capacity when absent */
    if (capacity == 0) return capacity;
    for (size_t i = home(fd);; i = (i + 1) & (capacity - 1)) {
        if (slots[i] == fd) return i;
        if (slots[i] == EMPTY) return capacity;
    }
}

static void place(int32_t fd) {
    size_t i = home(fd);
    while (slots[i] != EMPTY) i = (i + 1) & (capacity - 1);
    slots[i] = fd;
    used++;
}

/* Removes slot i, moving later members of its probe run back (no tombstones). */
static void erase(size_t i) {
    slots[i] = EMPTY;
    used--;
    for (size_t j = (i + 1) & (capacity - 1); slots[j] != EMPTY; j = (j + 1) & (capacity - 1)) {
        int32_t fd = slots[j];
        slots[j] = EMPTY;
        used--;
        place(fd);
    }
}

static int is_open(int32_t fd) {
    __wasi_fdstat_t st;
    return __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) != __WASI_ERRNO_BADF;
}

/* Makes room for one more member: drops closed fds, then doubles if still half full.
 * Returns 0, or -1 when memory ran out (closed members are then only marked CLOSED, which
 * lookups pass over like any other fd). Each member is asked about once. */
static int reserve(void) {
    if (capacity != 0 && (used + 1) * 2 <= capacity) return 0;
    size_t live = 0;
    for (size_t i = 0; i < capacity; i++) {
        if (slots[i] == EMPTY || slots[i] == CLOSED) continue;
        if (is_open(slots[i])) live++;
        else slots[i] = CLOSED;
    }
    size_t want = 16;
    while ((live + 1) * 2 > want) want *= 2;
    int32_t *fresh = malloc(want * sizeof(*fresh));
    if (fresh == NULL) return -1;
    for (size_t i = 0; i < want; i++) fresh[i] = EMPTY;
    int32_t *old = slots;
    size_t old_capacity = capacity;
    slots = fresh;
    capacity = want;
    used = 0;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i] != EMPTY && old[i] != CLOSED) place(old[i]);
    free(old);
    return 0;
}

void __wse_remember_socket(int fd, int filetype) {
    if (fd < 0) return;
    lock_set();
    size_t at = find(fd);
    if (filetype != __WASI_FILETYPE_SOCKET_DGRAM) {
        if (at != capacity) erase(at);
    } else if (at == capacity && reserve() == 0) {
        place(fd); /* out of memory: the host's answer stands */
    }
    unlock_set();
}

int __wse_filetype(int fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t rc = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (rc != 0) return wse_fail(rc);
    int ft = st.fs_filetype;
    int socket = ft == __WASI_FILETYPE_SOCKET_STREAM || ft == __WASI_FILETYPE_SOCKET_DGRAM;
    if (!socket) return ft;
    lock_set();
    int dgram = find(fd) != capacity;
    unlock_set();
    return dgram ? __WASI_FILETYPE_SOCKET_DGRAM : ft;
}
