// The guest-side state of the guest's sockets, each a descriptor. They live in the guest's one fd
// table (fd/fd-table.ts), shared with files and directories, where `dup` may put one at several numbers;
// the event loop knows each by an id of its own, never reused while the socket lives.
import { Errno } from '../../errno.ts';
import { Descriptor, fail } from '../../fd/descriptor.ts';
import type { FdTable } from '../../fd/fd-table.ts';
import { Fdflags, Filetype, type FilestatRecord } from '../../fs/wire.ts';
import type { IoVec } from '../../abi/guest-memory.ts';
import type { Endpoint } from '../../channel/ops.ts';
import { EventType, type Readiness, type ReadinessSource } from '../../poll-oneoff.ts';
import { H, type SocketRing } from '../ring.ts';

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

/** What a socket's descriptor asks of the socket extension (imports.ts). */
export interface SocketIo {
  /** fd_read / fd_write on the socket: through the rings or the channel (transfer.ts). */
  recv(s: SocketDescriptor, iovs: IoVec[]): number;
  send(s: SocketDescriptor, iovs: IoVec[]): number;
  /** The last fd went: the event loop closes the host socket. */
  close(s: SocketDescriptor): void;
  /** Asks the event loop which sockets are ready (poll_oneoff). */
  readiness: ReadinessSource;
}

// rights: FD_READ 1<<1, FD_WRITE 1<<6, FDSTAT_SET_FLAGS 1<<3, FILESTAT_GET 1<<21,
// POLL_FD_READWRITE 1<<27, SOCK_SHUTDOWN 1<<28, SOCK_ACCEPT 1<<29
const SOCKET_RIGHTS = (1n << 1n) | (1n << 6n) | (1n << 3n) | (1n << 21n) | (1n << 27n) | (1n << 28n) | (1n << 29n);

/** A socket as an fd: its guest-side state, and the fd calls on it. */
export class SocketDescriptor extends Descriptor implements GuestSocket {
  readonly kind = 'socket';
  recvTimeoutMs = -1;
  sendTimeoutMs = -1;
  ring: { id: number; ring: SocketRing } | null = null;
  dataRecvs = 0;
  connected = false;
  shutWr = false;
  local: Endpoint | null = null;
  peer: Endpoint | null = null;

  private readonly io: SocketIo;
  readonly id: number;
  readonly stream: boolean;
  nonblock: boolean;

  constructor(
    io: SocketIo,
    id: number,
    stream: boolean,
    nonblock: boolean,
  ) {
    super(SOCKET_RIGHTS, SOCKET_RIGHTS);
    this.io = io;
    this.id = id;
    this.stream = stream;
    this.nonblock = nonblock;
  }

  filetype(): number {
    return this.stream ? Filetype.SOCKET_STREAM : Filetype.SOCKET_DGRAM;
  }
  override fdflags(): number {
    return this.nonblock ? Fdflags.NONBLOCK : 0;
  }
  override setFdflags(flags: number): void {
    if (flags & ~Fdflags.NONBLOCK & 0xffff) fail(Errno.NOTSUP);
    this.nonblock = (flags & Fdflags.NONBLOCK) !== 0;
  }
  /** A stable inode-like number, shared by duplicates. */
  filestat(): FilestatRecord {
    return { dev: 0n, ino: BigInt(this.id), filetype: this.filetype(), nlink: 1n, size: 0n, atimNs: 0n, mtimNs: 0n, ctimNs: 0n };
  }
  override read(iovs: IoVec[]): number {
    return this.io.recv(this, iovs);
  }
  override write(iovs: IoVec[]): number {
    return this.io.send(this, iovs);
  }
  override setSize(): void {
    fail(Errno.BADF);
  }
  /** Bytes held on this side (the receive ring; free space of the send ring) answer at once;
   * otherwise the event loop is asked. */
  override readiness(event: number): Readiness {
    const ring = this.ring?.ring;
    if (event === EventType.FD_READ) {
      const held = ring?.recvAvailable() ?? 0;
      if (held > 0) return { nbytes: held };
    } else if (ring && this.connected && !this.shutWr && !Atomics.load(ring.hdr, H.SERR) && ring.sendFree() > 0) {
      return { nbytes: ring.sendFree() };
    }
    return { source: this.io.readiness, id: this.id };
  }
  override close(): void {
    this.io.close(this);
  }
}

export class SocketTable {
  private nextId = 1;

  private readonly fds: FdTable;
  private readonly io: SocketIo;
  private readonly sharedIds: (() => number) | null;

  /** `sharedIds`: where the ids come from when several guest threads open sockets (each thread
   * has its own table of them, and the event loop one for all). */
  constructor(
    fds: FdTable,
    io: SocketIo,
    sharedIds: (() => number) | null = null,
  ) {
    this.fds = fds;
    this.io = io;
    this.sharedIds = sharedIds;
  }

  /** Whether the fd table is full: no socket is opened then (EMFILE). */
  full(): boolean {
    return this.fds.lowestFree() < 0;
  }

  /** An id for a socket about to be opened on the event loop. */
  newId(): number {
    return this.sharedIds ? this.sharedIds() : this.nextId++;
  }

  /** Puts the socket `id` (opened on the event loop) at the lowest free fd, chosen as it is placed:
   * while the event loop opened it, another guest thread may have taken the fd that was free
   * before. Null when the table filled up meanwhile: the socket is closed again. */
  add(id: number, stream: boolean, nonblock = false): { fd: number; socket: SocketDescriptor } | null {
    const socket = new SocketDescriptor(this.io, id, stream, nonblock);
    const fd = this.fds.add(socket);
    if (fd >= 0) return { fd, socket };
    socket.close();
    return null;
  }

  get(fd: number): SocketDescriptor | undefined {
    const d = this.fds.get(fd);
    return d instanceof SocketDescriptor ? d : undefined;
  }
}
