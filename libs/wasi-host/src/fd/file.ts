// Host files opened through a path: a regular file (RegularFile: our own position, as Node has
// no lseek), or a FIFO, character device or terminal met in a mount (HostStream: reads and writes
// go to the host fd as they come).
import * as fs from 'node:fs';
import { Errno } from '../errno.ts';
import type { IoVec } from '../abi/guest-memory.ts';
import { hostCallSerial } from '../host-call.ts';
import { setTimesAt } from '../fs/location-stat.ts';
import type { HostLocation } from '../fs/resolve.ts';
import { Fdflags, filestatOf, Whence, type FilestatRecord } from '../fs/wire.ts';
import { Descriptor, fail, hostCall, type DescriptorIo } from './descriptor.ts';
import { readHostFd, writeHostFd } from './host-io.ts';

const { O_RDWR, O_WRONLY, O_APPEND } = fs.constants;

export interface OpenMode {
  readable: boolean;
  writable: boolean;
  append: boolean;
  nonblock: boolean;
}

/** What both kinds share: the host fd, where it was opened (for its mount's read-only flag; the
 * directory handle of `loc` is not held), and the status flags. */
abstract class HostFile extends Descriptor {
  protected readonly io: DescriptorIo;
  host: number;
  readonly loc: HostLocation;
  private readonly type: number;
  protected readonly mode: OpenMode;

  constructor(
    io: DescriptorIo,
    host: number,
    loc: HostLocation,
    type: number,
    mode: OpenMode,
    rights: { rightsBase: bigint; rightsInheriting: bigint },
  ) {
    super(rights.rightsBase, rights.rightsInheriting);
    this.io = io;
    this.host = host;
    this.loc = loc;
    this.type = type;
    this.mode = mode;
  }

  get readable(): boolean {
    return this.mode.readable;
  }
  get writable(): boolean {
    return this.mode.writable;
  }

  filetype(): number {
    return this.type;
  }
  override fdflags(): number {
    return (this.mode.append ? Fdflags.APPEND : 0) | (this.mode.nonblock ? Fdflags.NONBLOCK : 0);
  }
  override setFdflags(flags: number): void {
    const append = (flags & Fdflags.APPEND) !== 0;
    if (append !== this.mode.append && this.mode.writable) {
      // O_APPEND belongs to the host fd (Linux appends even a positioned write through it) and
      // Node has no fcntl(F_SETFL): open the same file again (its /proc/self/fd link, which names
      // the inode, not a path) with the new flag; the position is ours anyway.
      const h = hostCall(() => fs.openSync(`/proc/self/fd/${this.host}`, (this.mode.readable ? O_RDWR : O_WRONLY) | (append ? O_APPEND : 0)));
      fs.closeSync(this.host);
      this.host = h;
    }
    this.mode.append = append;
    this.mode.nonblock = (flags & Fdflags.NONBLOCK) !== 0;
  }
  filestat(): FilestatRecord {
    return filestatOf(hostCall(() => fs.fstatSync(this.host, { bigint: true })));
  }
  override setTimes(atim: bigint, mtim: bigint, fst: number): void {
    setTimesAt(this.loc, atim, mtim, fst, this.host);
  }
  override sync(): void {
    hostCall(() => fs.fsyncSync(this.host));
  }
  override datasync(): void {
    hostCall(() => fs.fdatasyncSync(this.host));
  }
  override close(): void {
    try {
      fs.closeSync(this.host);
    } catch {
      // already gone
    }
  }
}

export class RegularFile extends HostFile {
  readonly kind = 'file';
  /** Our file position: Node has no lseek, so reads and writes are positional. */
  position = 0;
  /**
   * The fstat path_open took, and the serial number of that guest call. A program asks for it at
   * once (CPython's open() does, to refuse directories and size its buffer): an fd_filestat_get
   * that is the guest's very next call is served from it, one host call less per file opened
   * (measured: ~1.4 µs of ~11.6 for an open, read, close of a small file). Any guest call in
   * between makes it unusable, so nothing the guest does can make it stale.
   */
  private opened: { stat: fs.BigIntStats; call: number } | null = null;

  /** Remembers the fstat taken when it was opened (see `opened`). */
  openedWith(stat: fs.BigIntStats): this {
    this.opened = { stat, call: hostCallSerial() };
    return this;
  }

  private size(): number {
    return Number(hostCall(() => fs.fstatSync(this.host)).size);
  }

  override filestat(): FilestatRecord {
    if (this.opened && this.opened.call === hostCallSerial() - 1) return filestatOf(this.opened.stat);
    return super.filestat();
  }
  override read(iovs: IoVec[]): number {
    if (!this.mode.readable) fail(Errno.BADF);
    const n = readHostFd(this.io, this.host, iovs, this.position, true);
    this.position += n;
    return n;
  }
  override write(iovs: IoVec[]): number {
    if (!this.mode.writable) fail(Errno.BADF);
    if (this.mode.append) {
      const n = writeHostFd(this.io, this.host, iovs, null, true);
      this.position = this.size();
      return n;
    }
    const n = writeHostFd(this.io, this.host, iovs, this.position, true);
    this.position += n;
    return n;
  }
  override pread(iovs: IoVec[], offset: number): number {
    if (!this.mode.readable) fail(Errno.BADF);
    return readHostFd(this.io, this.host, iovs, offset, true);
  }
  override pwrite(iovs: IoVec[], offset: number): number {
    if (!this.mode.writable) fail(Errno.BADF);
    return writeHostFd(this.io, this.host, iovs, offset, true);
  }
  override seek(offset: bigint, whence: number): bigint {
    const off = Number(offset);
    let base: number;
    if (whence === Whence.SET) base = 0;
    else if (whence === Whence.CUR) base = this.position;
    else if (whence === Whence.END) base = this.size();
    else return fail(Errno.INVAL);
    const pos = base + off;
    if (pos < 0 || !Number.isSafeInteger(pos)) fail(Errno.INVAL);
    this.position = pos;
    return BigInt(pos);
  }
  override tell(): bigint {
    return BigInt(this.position);
  }
  override allocate(offset: bigint, len: bigint): void {
    if (!this.mode.writable) fail(Errno.BADF);
    const want = Number(offset + len);
    if (this.size() < want) hostCall(() => fs.ftruncateSync(this.host, want));
  }
  override advise(): void {}
  override setSize(size: bigint): void {
    if (!this.mode.writable) fail(Errno.INVAL);
    hostCall(() => fs.ftruncateSync(this.host, Number(size)));
  }
}

/** A FIFO, character device or terminal opened by path: no position. */
export class HostStream extends HostFile {
  readonly kind = 'stream';

  override read(iovs: IoVec[]): number {
    if (!this.mode.readable) fail(Errno.BADF);
    return readHostFd(this.io, this.host, iovs, null, !this.mode.nonblock);
  }
  override write(iovs: IoVec[]): number {
    if (!this.mode.writable) fail(Errno.BADF);
    return writeHostFd(this.io, this.host, iovs, null, !this.mode.nonblock);
  }
}
