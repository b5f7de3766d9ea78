// The fd table of a wasi-threads guest, one for all its threads (README: "Threads: how guest
// threads will share the fd table"). Workers share no JavaScript objects, so the table lives in a
// SharedArrayBuffer: fd number -> open file description (a record: kind, host fd, status flags,
// rights, file position), under a lock; each thread makes its host calls itself, on host fds that
// belong to the process. Each thread keeps its own Descriptor object per description, made from
// the record when it first meets it, whose state (position, host fd, flags, rights) is the
// record's.
//
// What is shared, and how:
// - regular files and host streams (FIFOs, devices, terminals opened by path): usable from every
//   thread; a file's position moves under the description's own lock, so two threads reading one
//   fd get successive bytes, as on Linux;
// - the first fds (stdio and the preopen "/"): each thread has its own objects for them (the same
//   host fds, or the same output function), and the table says which number refers to which, so
//   fd_renumber and close of them are seen by all;
// - sockets: usable from every thread; the event loop knows a socket by an id the threads share
//   (threads/thread-state.ts), and each thread's object of it makes its calls on the thread's own
//   channel. What the guest side keeps of a socket's settings (non-blocking, timeouts, shut down
//   for writing) is the record's. The thread that closes its last fd tells the event loop, once;
// - what lives in one thread's objects (directories opened later, devices such as the line
//   editor): its number is taken in the shared table, and it is usable in the thread that opened
//   it; another thread gets EBADF for it (its close there is refused too).
import type { DescriptorIo } from '../fd/descriptor.ts';
import { Descriptor } from '../fd/descriptor.ts';
import { FdTable, FD_LIMIT } from '../fd/fd-table.ts';
import { HostStream, RegularFile } from '../fd/file.ts';
import type { DirHandle } from '../fs/dir-handle.ts';
import type { MountTable } from '../fs/mounts.ts';
import { Filetype } from '../fs/wire.ts';
import type { HostLocation } from '../fs/resolve.ts';
import { SocketDescriptor, type SocketIo } from '../sockets/guest/socket-table.ts';

// The header: the table's lock, where the lowest free fd may be, where to look for a free record.
const LOCK = 0;
const LOWEST = 1;
const NEXT_RECORD = 2;
const HEADER_INTS = 4;

// A record, in int32s: 16 (64 bytes, so its f64 and i64 fields are aligned).
const RECORD_INTS = 16;
const R_LOCK = 0;
/** How many fd numbers refer to it (0: free). */
const R_REFS = 1;
/** Bumped whenever the record is taken or freed: a thread's object of an older one is stale. */
const R_GEN = 2;
const R_KIND = 3;
const R_HOST = 4;
const R_FLAGS = 5;
const R_FILETYPE = 6;
const R_MOUNT = 7;
/** The f64 at int 8: a regular file's position. */
const R_POSITION_F64 = 4;
/** The i64s at ints 10 and 12: the rights. */
const R_RIGHTS_BASE_I64 = 5;
const R_RIGHTS_INHERITING_I64 = 6;
/** An initial fd's number (kind INITIAL), or the thread that owns a LOCAL description. */
const R_INDEX = 14;
/** A socket's timeouts in ms (-1: none), where a file keeps its position. */
const R_RECV_TIMEOUT = 8;
const R_SEND_TIMEOUT = 9;

const Kind = {
  FREE: 0,
  FILE: 1,
  STREAM: 2,
  /** stdio or the preopen: each thread's own object for that initial number. */
  INITIAL: 3,
  /** One thread's object only (R_INDEX: which thread). */
  LOCAL: 4,
  /** A socket (R_HOST: its id on the event loop). */
  SOCKET: 5,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const F_READABLE = 1;
const F_WRITABLE = 2;
const F_APPEND = 4;
const F_NONBLOCK = 8;
const F_CONNECTED = 16;
const F_SHUT_WR = 32;

/** The buffer of a run's shared table, for `limit` fds (RunWasiOptions.maxFds). */
export function createSharedFdBuffer(limit = FD_LIMIT): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_INTS * 4 + limit * 4 + limit * RECORD_INTS * 4);
}

/** What a thread needs to make its own objects of the table's descriptions. */
export interface SharedFdContext {
  io: DescriptorIo;
  mounts: MountTable;
  /** This thread: 0 for the main thread, else its wasi-threads id. */
  self: number;
}

export class SharedFdTable extends FdTable {
  private readonly header: Int32Array;
  /** fd -> record index + 1 (0: free). */
  private readonly numbers: Int32Array;
  private readonly records: Int32Array;
  private readonly f64: Float64Array;
  private readonly i64: BigInt64Array;
  private readonly size: number;
  /** This thread's object of each record, with the generation it was made for. */
  private readonly own: ({ gen: number; d: Descriptor } | undefined)[] = [];
  /** This thread's objects of the initial fds (stdio, the preopen). */
  private readonly initials: Descriptor[] = [];
  private readonly ctx: SharedFdContext;
  /** This thread's socket calls (createSocketImports gives them): what its objects of sockets use. */
  private socketIo: SocketIo | null = null;

  constructor(buffer: SharedArrayBuffer, ctx: SharedFdContext) {
    const size = (buffer.byteLength / 4 - HEADER_INTS) / (1 + RECORD_INTS);
    super(size);
    this.size = size;
    this.ctx = ctx;
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.numbers = new Int32Array(buffer, HEADER_INTS * 4, size);
    const at = HEADER_INTS * 4 + size * 4;
    this.records = new Int32Array(buffer, at, size * RECORD_INTS);
    this.f64 = new Float64Array(buffer, at, (size * RECORD_INTS) / 2);
    this.i64 = new BigInt64Array(buffer, at, (size * RECORD_INTS) / 2);
  }

  /** This thread's socket calls, for its objects of the sockets in the table. */
  attachSockets(io: SocketIo): void {
    this.socketIo = io;
  }

  override get(fd: number): Descriptor | undefined {
    if (fd >>> 0 >= this.size) return undefined;
    const n = Atomics.load(this.numbers, fd >>> 0);
    if (!n) return undefined;
    const r = n - 1;
    const mine = this.own[r];
    if (mine && mine.gen === Atomics.load(this.records, r * RECORD_INTS + R_GEN)) return mine.d;
    return this.materialize(r);
  }

  /** The initial fds: the main thread puts them in the table; every thread keeps its own objects. */
  override initial(fd: number, entry: Descriptor): void {
    this.initials[fd] = entry;
    if (this.ctx.self !== 0) return;
    this.locked(() => {
      const r = this.takeRecord(Kind.INITIAL);
      this.records[r * RECORD_INTS + R_INDEX] = fd;
      this.own[r] = { gen: this.records[r * RECORD_INTS + R_GEN]!, d: entry };
      this.place(fd, r);
    });
  }

  override lowestFree(): number {
    let fd = Atomics.load(this.header, LOWEST);
    while (fd < this.size && this.numbers[fd] !== 0) fd++;
    Atomics.store(this.header, LOWEST, fd);
    return fd < this.size ? fd : -1;
  }

  override lowestFreeFrom(min: number): number {
    if (min <= Atomics.load(this.header, LOWEST)) return this.lowestFree();
    let fd = min;
    while (fd < this.size && this.numbers[fd] !== 0) fd++;
    return fd < this.size ? fd : -1;
  }

  override add(entry: Descriptor): number {
    return this.locked(() => {
      const fd = this.lowestFree();
      if (fd >= 0) this.place(fd, this.share(entry));
      return fd;
    });
  }

  override set(fd: number, entry: Descriptor): void {
    this.locked(() => {
      if (fd >>> 0 >= this.size || Atomics.load(this.numbers, fd) !== 0) throw new Error(`fd ${fd} is in use or past the table`);
      this.place(fd, this.share(entry));
    });
  }

  override dup(fd: number, min: number): number {
    return this.locked(() => {
      const n = fd >>> 0 < this.size ? Atomics.load(this.numbers, fd >>> 0) : 0;
      if (!n) throw new Error(`fd ${fd} is not open`);
      const to = this.lowestFreeFrom(min);
      if (to < 0) return -1;
      this.records[(n - 1) * RECORD_INTS + R_REFS]!++;
      Atomics.store(this.numbers, to, n);
      return to;
    });
  }

  override move(from: number, to: number): void {
    this.locked(() => {
      const inside = (fd: number) => fd >>> 0 < this.size;
      const n = inside(from) ? Atomics.load(this.numbers, from) : 0;
      if (!n || !inside(to) || Atomics.load(this.numbers, to) !== 0) throw new Error(`cannot move fd ${from} to ${to}`);
      Atomics.store(this.numbers, to, n);
      this.free(from);
    });
  }

  override delete(fd: number): Descriptor | null {
    return this.locked(() => {
      const n = fd >>> 0 < this.size ? Atomics.load(this.numbers, fd >>> 0) : 0;
      if (!n) return null;
      const r = n - 1;
      // The caller closes the description when its last number goes: this thread's object of it
      // (another thread's own, a LOCAL one, is left to that thread, which no longer finds it).
      const last = --this.records[r * RECORD_INTS + R_REFS]! === 0;
      const d = last ? (this.get(fd) ?? null) : null;
      this.free(fd);
      if (last) {
        const base = r * RECORD_INTS;
        this.records[base + R_KIND] = Kind.FREE;
        Atomics.add(this.records, base + R_GEN, 1);
        this.own[r] = undefined;
      }
      return d;
    });
  }

  override *[Symbol.iterator](): IterableIterator<[number, Descriptor]> {
    const seen = new Set<number>();
    for (let fd = 0; fd < this.size; fd++) {
      const n = Atomics.load(this.numbers, fd);
      if (!n || seen.has(n)) continue;
      seen.add(n);
      const d = this.get(fd);
      if (d) yield [fd, d];
    }
  }

  private locked<T>(fn: () => T): T {
    lock(this.header, LOCK);
    try {
      return fn();
    } finally {
      unlock(this.header, LOCK);
    }
  }

  private place(fd: number, r: number): void {
    Atomics.store(this.numbers, fd, r + 1);
  }

  private free(fd: number): void {
    Atomics.store(this.numbers, fd, 0);
    if (fd < Atomics.load(this.header, LOWEST)) Atomics.store(this.header, LOWEST, fd);
  }

  /** A free record, taken for `kind` (one reference). Under the table's lock. */
  private takeRecord(kind: Kind): number {
    let r = this.header[NEXT_RECORD]!;
    for (let tries = 0; this.records[r * RECORD_INTS + R_KIND] !== Kind.FREE; tries++) {
      if (tries === this.size) throw new Error('the shared fd table has no free record'); // cannot be: one per open fd at most
      r = (r + 1) % this.size;
    }
    this.header[NEXT_RECORD] = (r + 1) % this.size;
    const base = r * RECORD_INTS;
    this.records[base + R_KIND] = kind;
    this.records[base + R_REFS] = 1;
    Atomics.add(this.records, base + R_GEN, 1);
    return r;
  }

  /** A new description in a record: what the threads share of it, written once; `entry` becomes
   * this thread's object of it. Under the table's lock. */
  private share(entry: Descriptor): number {
    const file = entry instanceof RegularFile ? entry : entry instanceof HostStream ? entry : null;
    const socket = entry instanceof SocketDescriptor ? entry : null;
    const r = this.takeRecord(file ? (file instanceof RegularFile ? Kind.FILE : Kind.STREAM) : socket ? Kind.SOCKET : Kind.LOCAL);
    const base = r * RECORD_INTS;
    const ints = this.records;
    if (socket) {
      ints[base + R_HOST] = socket.id;
      ints[base + R_FILETYPE] = socket.filetype();
      ints[base + R_FLAGS] = (socket.nonblock ? F_NONBLOCK : 0) | (socket.connected ? F_CONNECTED : 0) | (socket.shutWr ? F_SHUT_WR : 0);
      ints[base + R_RECV_TIMEOUT] = socket.recvTimeoutMs;
      ints[base + R_SEND_TIMEOUT] = socket.sendTimeoutMs;
      this.i64[r * 8 + R_RIGHTS_BASE_I64] = socket.rightsBase;
      this.i64[r * 8 + R_RIGHTS_INHERITING_I64] = socket.rightsInheriting;
      this.bindSocket(socket, r);
    } else if (file) {
      const flags = file.fdflags();
      ints[base + R_HOST] = file.host;
      ints[base + R_FLAGS] = (file.readable ? F_READABLE : 0) | (file.writable ? F_WRITABLE : 0) | (flags & 1 ? F_APPEND : 0) | (flags & 4 ? F_NONBLOCK : 0);
      ints[base + R_FILETYPE] = file.filetype();
      ints[base + R_MOUNT] = this.ctx.mounts.mounts.indexOf(file.loc.mount);
      this.f64[r * 8 + R_POSITION_F64] = file instanceof RegularFile ? file.position : 0;
      this.i64[r * 8 + R_RIGHTS_BASE_I64] = file.rightsBase;
      this.i64[r * 8 + R_RIGHTS_INHERITING_I64] = file.rightsInheriting;
      this.bind(file, r);
    } else {
      ints[base + R_INDEX] = this.ctx.self;
    }
    this.own[r] = { gen: ints[base + R_GEN]!, d: entry };
    return r;
  }

  /** This thread's object of record `r`, made now; undefined for another thread's own. */
  private materialize(r: number): Descriptor | undefined {
    const base = r * RECORD_INTS;
    const ints = this.records;
    const gen = Atomics.load(ints, base + R_GEN);
    const kind = ints[base + R_KIND];
    let d: Descriptor | undefined;
    if (kind === Kind.INITIAL) d = this.initials[ints[base + R_INDEX]!];
    else if (kind === Kind.FILE || kind === Kind.STREAM) {
      const flags = ints[base + R_FLAGS]!;
      const mode = { readable: (flags & F_READABLE) !== 0, writable: (flags & F_WRITABLE) !== 0, append: false, nonblock: false };
      const rights = { rightsBase: this.i64[r * 8 + R_RIGHTS_BASE_I64]!, rightsInheriting: this.i64[r * 8 + R_RIGHTS_INHERITING_I64]! };
      const File = kind === Kind.FILE ? RegularFile : HostStream;
      const file = new File(this.ctx.io, ints[base + R_HOST]!, this.location(ints[base + R_MOUNT]!), ints[base + R_FILETYPE]!, mode, rights);
      this.bind(file, r);
      d = file;
    } else if (kind === Kind.SOCKET && this.socketIo) {
      const socket = new SocketDescriptor(this.socketIo, ints[base + R_HOST]!, ints[base + R_FILETYPE] === Filetype.SOCKET_STREAM, false);
      this.bindSocket(socket, r);
      d = socket;
    }
    if (d) this.own[r] = { gen, d };
    return d;
  }

  /**
   * Where a file made from a record was opened, as far as a file uses it: its mount (whose
   * read-only flag futimes checks). A file holds no directory handle, and its host calls go to its
   * host fd, so the rest of the place is not needed.
   */
  private location(mount: number): HostLocation {
    const m = this.ctx.mounts.mounts[mount];
    if (!m) throw new Error(`the shared fd table names mount ${mount}, which this thread does not have`);
    return { kind: 'host', mount: m, rel: [], dir: null as unknown as DirHandle, name: '', host: '' };
  }

  /**
   * Makes the state of this thread's object of a file the record's: its host fd (fd_fdstat_set_flags
   * may reopen it), its append and nonblock flags, its rights and (a regular file) its position,
   * which the calls that move it change under the record's lock. Own properties of the object, so
   * the classes, and every run without threads, are untouched.
   */
  private bind(file: RegularFile | HostStream, r: number): void {
    const base = r * RECORD_INTS;
    const { records: ints, f64, i64 } = this;
    const flag = (bit: number) => ({
      get: () => (Atomics.load(ints, base + R_FLAGS) & bit) !== 0,
      set: (on: boolean) => void (on ? Atomics.or(ints, base + R_FLAGS, bit) : Atomics.and(ints, base + R_FLAGS, ~bit)),
    });
    const mode = (file as unknown as { mode: object }).mode;
    Object.defineProperty(mode, 'append', flag(F_APPEND));
    Object.defineProperty(mode, 'nonblock', flag(F_NONBLOCK));
    Object.defineProperty(file, 'host', { get: () => Atomics.load(ints, base + R_HOST), set: (h: number) => void Atomics.store(ints, base + R_HOST, h) });
    Object.defineProperty(file, 'rightsBase', { get: () => i64[r * 8 + R_RIGHTS_BASE_I64]!, set: (v: bigint) => void (i64[r * 8 + R_RIGHTS_BASE_I64] = v) });
    Object.defineProperty(file, 'rightsInheriting', { get: () => i64[r * 8 + R_RIGHTS_INHERITING_I64]!, set: (v: bigint) => void (i64[r * 8 + R_RIGHTS_INHERITING_I64] = v) });
    if (!(file instanceof RegularFile)) return;
    Object.defineProperty(file, 'position', { get: () => f64[r * 8 + R_POSITION_F64]!, set: (p: number) => void (f64[r * 8 + R_POSITION_F64] = p) });
    const lockAt = base + R_LOCK;
    for (const name of ['read', 'write', 'seek', 'setFdflags'] as const) {
      const call = RegularFile.prototype[name] as (...args: unknown[]) => unknown;
      Object.defineProperty(file, name, {
        value: (...args: unknown[]) => {
          lock(ints, lockAt);
          try {
            return call.apply(file, args);
          } finally {
            unlock(ints, lockAt);
          }
        },
      });
    }
  }

  /** Makes the settings this thread's object of a socket keeps the record's (as bind() does for
   * a file): set by one thread, they hold in all. */
  private bindSocket(socket: SocketDescriptor, r: number): void {
    const base = r * RECORD_INTS;
    const { records: ints, i64 } = this;
    const flag = (bit: number): PropertyDescriptor => ({
      get: () => (Atomics.load(ints, base + R_FLAGS) & bit) !== 0,
      set: (on: boolean) => void (on ? Atomics.or(ints, base + R_FLAGS, bit) : Atomics.and(ints, base + R_FLAGS, ~bit)),
    });
    const int = (at: number): PropertyDescriptor => ({ get: () => Atomics.load(ints, base + at), set: (v: number) => void Atomics.store(ints, base + at, v) });
    Object.defineProperties(socket, {
      nonblock: flag(F_NONBLOCK),
      connected: flag(F_CONNECTED),
      shutWr: flag(F_SHUT_WR),
      recvTimeoutMs: int(R_RECV_TIMEOUT),
      sendTimeoutMs: int(R_SEND_TIMEOUT),
      rightsBase: { get: () => i64[r * 8 + R_RIGHTS_BASE_I64]!, set: (v: bigint) => void (i64[r * 8 + R_RIGHTS_BASE_I64] = v) },
      rightsInheriting: { get: () => i64[r * 8 + R_RIGHTS_INHERITING_I64]!, set: (v: bigint) => void (i64[r * 8 + R_RIGHTS_INHERITING_I64] = v) },
    });
  }
}

/** A lock in shared memory: 0 free, 1 held. Held for one host call at most (never while blocked). */
function lock(ints: Int32Array, at: number): void {
  while (Atomics.compareExchange(ints, at, 0, 1) !== 0) Atomics.wait(ints, at, 1);
}

function unlock(ints: Int32Array, at: number): void {
  Atomics.store(ints, at, 0);
  Atomics.notify(ints, at, 1);
}
