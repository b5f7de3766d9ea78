// The guest-side state of the guest's sockets. They live in the guest's one fd table
// (fs/fd-table.ts), shared with files and directories, where `dup` may put one at several numbers;
// the event loop knows each by an id of its own, never reused while the socket lives.
import type { FdTable } from '../../fs/fd-table.ts';
import type { Endpoint } from '../../ops.ts';
import type { SocketRing } from '../ring.ts';

export interface GuestSocket {
  /** The socket's name on the event loop (not a guest fd: a duplicate may outlive the fd it was
   * opened as, and that number may then name another socket). */
  id: number;
  stream: boolean;
  nonblock: boolean;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ms; -1 = block forever. */
  recvTimeoutMs: number;
  sendTimeoutMs: number;
  /** The shared receive/send rings of a stream socket that carries a conversation: attached at
   * its first send or at a recv after one that brought data (transfer.ts, `wantsRing`). */
  ring: { id: number; ring: SocketRing } | null;
  /** Plain RECVs that brought data, before the ring was attached. */
  dataRecvs: number;
  /** Known to be connected (connect or a send succeeded, or accepted): sends may use the ring. */
  connected: boolean;
  /** shutdown(SHUT_WR) done: sends fail with EPIPE. */
  shutWr: boolean;
  /** A connected stream socket's own and peer addresses, once known (from its connect or accept,
   * or a first answer of the event loop): getsockname/getpeername answer without a request. */
  local: Endpoint | null;
  peer: Endpoint | null;
}

export class SocketTable {
  private nextId = 1;

  /** `closeHost` ends a socket on the event loop once no fd refers to it. */
  constructor(
    private readonly fds: FdTable,
    private readonly closeHost: (s: GuestSocket) => void,
  ) {}

  /** The fd the next socket will get, or -1 when the fd table is full. */
  reserve(): number {
    return this.fds.lowestFree();
  }

  /** An id for a socket about to be opened on the event loop. */
  newId(): number {
    return this.nextId++;
  }

  /** Puts the socket `id` (opened on the event loop) at `fd`. */
  add(fd: number, id: number, stream: boolean, nonblock = false): GuestSocket {
    const s: GuestSocket = { id, stream, nonblock, recvTimeoutMs: -1, sendTimeoutMs: -1, ring: null, dataRecvs: 0, connected: false, shutWr: false, local: null, peer: null };
    this.fds.set(fd, { kind: 'socket', socket: s, close: () => this.closeHost(s) });
    return s;
  }

  get(fd: number): GuestSocket | undefined {
    const e = this.fds.get(fd);
    return e?.kind === 'socket' ? (e.socket as GuestSocket) : undefined;
  }
}
