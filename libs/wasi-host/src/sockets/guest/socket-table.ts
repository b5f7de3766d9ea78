// The guest-side state of the guest's sockets. Their fd numbers come from the guest's one fd
// table (fs/fd-table.ts), shared with files and directories.
import type { FdTable } from '../../fs/fd-table.ts';
import type { Endpoint } from '../../ops.ts';
import type { SocketRing } from '../ring.ts';

export interface GuestSocket {
  fd: number;
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
  private readonly sockets = new Map<number, GuestSocket>();

  constructor(private readonly fds: FdTable) {}

  /** The fd the next socket will get, or -1 when the fd table is full. */
  reserve(): number {
    return this.fds.lowestFree();
  }

  add(fd: number, stream: boolean, nonblock = false): GuestSocket {
    const s: GuestSocket = { fd, stream, nonblock, recvTimeoutMs: -1, sendTimeoutMs: -1, ring: null, dataRecvs: 0, connected: false, shutWr: false, local: null, peer: null };
    this.sockets.set(fd, s);
    this.fds.set(fd, { kind: 'socket' });
    return s;
  }

  get(fd: number): GuestSocket | undefined {
    return this.sockets.get(fd);
  }

  remove(fd: number): void {
    this.sockets.delete(fd);
    this.fds.delete(fd);
  }

  get size(): number {
    return this.sockets.size;
  }
}
