// The guest-side table of socket fds. Socket fds come from a reserved range below 1024 (FD_SETSIZE,
// so select() works) that uvwasi never reaches: it hands out the lowest free fd, and would need
// SOCKET_FD_BASE files open at once to collide.

import type { SocketRing } from './ring.ts';

export const SOCKET_FD_BASE = 256;
export const SOCKET_FD_LIMIT = 1024;

export interface GuestSocket {
  fd: number;
  stream: boolean;
  nonblock: boolean;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ms; -1 = block forever. */
  recvTimeoutMs: number;
  sendTimeoutMs: number;
  /** The shared receive/send rings (stream sockets, attached at the first recv or send). */
  ring: { id: number; ring: SocketRing } | null;
  /** Known to be connected (connect or a send succeeded, or accepted): sends may use the ring. */
  connected: boolean;
  /** shutdown(SHUT_WR) done: sends fail with EPIPE. */
  shutWr: boolean;
}

export class SocketTable {
  private readonly sockets = new Map<number, GuestSocket>();
  private hint = SOCKET_FD_BASE;

  /** The lowest free socket fd, or -1 when the range is exhausted (EMFILE → NFILE-like). */
  reserve(): number {
    for (let i = 0; i < SOCKET_FD_LIMIT - SOCKET_FD_BASE; i++) {
      const fd = SOCKET_FD_BASE + ((this.hint - SOCKET_FD_BASE + i) % (SOCKET_FD_LIMIT - SOCKET_FD_BASE));
      if (!this.sockets.has(fd)) return fd;
    }
    return -1;
  }

  add(fd: number, stream: boolean, nonblock = false): GuestSocket {
    const s: GuestSocket = { fd, stream, nonblock, recvTimeoutMs: -1, sendTimeoutMs: -1, ring: null, connected: false, shutWr: false };
    this.sockets.set(fd, s);
    return s;
  }

  get(fd: number): GuestSocket | undefined {
    return this.sockets.get(fd);
  }

  remove(fd: number): void {
    this.sockets.delete(fd);
    if (fd < this.hint) this.hint = fd;
  }

  get size(): number {
    return this.sockets.size;
  }
}
