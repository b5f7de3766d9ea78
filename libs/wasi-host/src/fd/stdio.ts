// The guest's 0, 1 and 2: a host fd (a file, a pipe or a terminal, as this process has it), or
// an embedder's function that takes each write (Sink: the guest sees a pipe).
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import type { IoVec } from '../abi/guest-memory.ts';
import { totalLength } from '../abi/guest-memory.ts';
import { SYNTHETIC_DEV } from '../fs/location-stat.ts';
import { Fdflags, FILE_RIGHTS, Filetype, filestatOf, filetypeOf, PIPE_RIGHTS, TTY_RIGHTS, type FilestatRecord } from '../fs/wire.ts';
import { Descriptor, hostCall, type DescriptorIo } from './descriptor.ts';
import { readHostFd, writeHostFd } from './host-io.ts';

export class Stdio extends Descriptor {
  readonly kind = 'stdio';
  private readonly type: number;
  /** The host fd is a terminal. */
  readonly tty: boolean;
  private nonblock = false;

  private readonly io: DescriptorIo;
  readonly host: number;
  private readonly onTerminalWrite: ((bytes: Uint8Array) => void) | undefined;

  /** `onTerminalWrite` sees what the guest wrote to a terminal (the line editor keeps the tail). */
  constructor(
    io: DescriptorIo,
    host: number,
    onTerminalWrite?: (bytes: Uint8Array) => void,
  ) {
    let type: number = Filetype.UNKNOWN;
    let tty = false;
    try {
      const st = fs.fstatSync(host);
      type = filetypeOf(st);
      tty = st.isCharacterDevice() && isatty(host);
    } catch {
      // a closed stdio fd: reads and writes will fail with EBADF from the host
    }
    const rights = tty ? TTY_RIGHTS : FILE_RIGHTS;
    super(rights, rights);
    this.io = io;
    this.host = host;
    this.onTerminalWrite = onTerminalWrite;
    this.type = type;
    this.tty = tty;
  }

  filetype(): number {
    return this.tty ? Filetype.CHARACTER_DEVICE : this.type;
  }
  override fdflags(): number {
    return this.nonblock ? Fdflags.NONBLOCK : 0;
  }
  override setFdflags(flags: number): void {
    this.nonblock = (flags & Fdflags.NONBLOCK) !== 0;
  }
  filestat(): FilestatRecord {
    const rec = filestatOf(hostCall(() => fs.fstatSync(this.host, { bigint: true })));
    if (this.tty) rec.filetype = Filetype.CHARACTER_DEVICE;
    return rec;
  }
  override read(iovs: IoVec[]): number {
    return readHostFd(this.io, this.host, iovs, null, !this.nonblock);
  }
  override write(iovs: IoVec[]): number {
    const n = writeHostFd(this.io, this.host, iovs, null, !this.nonblock);
    if (this.tty && this.onTerminalWrite && n > 0) {
      const buf = Buffer.allocUnsafe(totalLength(iovs));
      this.io.mem.gather(iovs, buf);
      this.onTerminalWrite(buf.subarray(0, n));
    }
    return n;
  }
}

/** stdout or stderr going to a function: the guest sees a pipe (preview1 has no FIFO type). */
export class Sink extends Descriptor {
  readonly kind = 'sink';

  private readonly io: DescriptorIo;
  private readonly sink: (bytes: Uint8Array) => void;

  constructor(
    io: DescriptorIo,
    sink: (bytes: Uint8Array) => void,
  ) {
    super(PIPE_RIGHTS, PIPE_RIGHTS);
    this.io = io;
    this.sink = sink;
  }

  filetype(): number {
    return Filetype.SOCKET_STREAM;
  }
  /** An empty pipe, made now. */
  filestat(): FilestatRecord {
    const now = BigInt(Date.now()) * 1_000_000n;
    return { dev: SYNTHETIC_DEV, ino: 0n, filetype: Filetype.SOCKET_STREAM, nlink: 1n, size: 0n, atimNs: now, mtimNs: now, ctimNs: now };
  }
  override write(iovs: IoVec[]): number {
    // A copy: the sink may keep it (and pass it to another thread).
    const bytes = new Uint8Array(totalLength(iovs));
    const n = this.io.mem.gather(iovs, bytes);
    this.sink(bytes);
    return n;
  }
}
