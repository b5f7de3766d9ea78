// The guest's one table of file descriptors: stdio, files, directories, devices and sockets share
// one number space, handed out lowest-free first as POSIX does. The socket extension registers its
// sockets here, so a socket never collides with a file and the table is not capped at 1,024.
import type { GuestDevice } from './device.ts';
import type { HostDir, HostLocation, Location } from './resolve.ts';
import type { DirListing } from './dir-listing.ts';

export const FD_LIMIT = 1 << 16;

export interface StdioEntry {
  kind: 'stdio';
  /** The host fd it reads or writes (-1 for a sink). */
  host: number;
  /** Takes what the guest writes instead of a host fd (an embedder's callback); the guest sees a
   * pipe. */
  sink?: (bytes: Uint8Array) => void;
  filetype: number;
  /** The host fd is a terminal. */
  tty: boolean;
  append: boolean;
  nonblock: boolean;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

export interface FileEntry {
  kind: 'file';
  host: number;
  /** Where it was opened: for its mount (read-only or not) only, as its directory handle is not
   * held. */
  loc: HostLocation;
  /** Preview1 file type: a regular file, or a host FIFO or character device (`stream`). */
  filetype: number;
  /** A FIFO or character device: no position, reads and writes go to the host fd as they come. */
  stream: boolean;
  /** Our file position: Node has no lseek, so reads and writes are positional. */
  position: number;
  append: boolean;
  nonblock: boolean;
  readable: boolean;
  writable: boolean;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

export interface DirEntry {
  kind: 'dir';
  /** A host directory's handle is held while the fd is open. */
  loc: HostDir | (Location & { kind: 'tree' });
  /** The preopen name, for the one directory the guest receives at start ("/"). */
  preopen?: string;
  /** The listing taken at cookie 0, served to later fd_readdir calls of the same pass. */
  listing?: DirListing;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

export interface DeviceEntry {
  kind: 'device';
  device: GuestDevice;
  loc: Location;
  nonblock: boolean;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

/** A socket of the socket extension; its state lives in sockets/guest/socket-table.ts. */
export interface SocketEntry {
  kind: 'socket';
}

export type FdEntry = StdioEntry | FileEntry | DirEntry | DeviceEntry | SocketEntry;

export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];
  private lowest = 0;
  private readonly endHooks: (() => void)[] = [];

  /** Runs `fn` when the guest has ended (closeAllFiles). */
  atEnd(fn: () => void): void {
    this.endHooks.push(fn);
  }

  end(): void {
    for (const fn of this.endHooks.splice(0)) fn();
  }

  get(fd: number): FdEntry | undefined {
    return this.entries[fd >>> 0];
  }

  /** The lowest free fd, or -1 when FD_LIMIT fds are open. */
  lowestFree(): number {
    let fd = this.lowest;
    while (fd < this.entries.length && this.entries[fd] !== undefined) fd++;
    this.lowest = fd;
    return fd < FD_LIMIT ? fd : -1;
  }

  /** Puts `entry` at the lowest free fd; -1 when the table is full. */
  add(entry: FdEntry): number {
    const fd = this.lowestFree();
    if (fd >= 0) this.entries[fd] = entry;
    return fd;
  }

  set(fd: number, entry: FdEntry): void {
    this.entries[fd] = entry;
  }

  delete(fd: number): void {
    this.entries[fd] = undefined;
    if (fd < this.lowest) this.lowest = fd;
    while (this.entries.length && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
  }

  /** Every open entry, for closing host fds when the guest ends. */
  *[Symbol.iterator](): IterableIterator<[number, FdEntry]> {
    for (let fd = 0; fd < this.entries.length; fd++) {
      const e = this.entries[fd];
      if (e) yield [fd, e];
    }
  }
}
