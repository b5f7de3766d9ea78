// An open file description of the guest: what an fd number refers to (fd-table.ts), one class per
// kind (file.ts, stdio.ts, directory.ts, device.ts, and the sockets' in sockets/guest/). Every fd_*
// call dispatches on it (calls.ts); what a kind cannot do answers the errno Linux gives, from the
// defaults here. Rights are checked once, in calls.ts, before dispatch.
import { Errno, fsErrnoFromNode } from '../errno.ts';
import { WasiError } from '../fs/device.ts';
import type { GuestMemory, IoVec } from '../abi/guest-memory.ts';
import type { FilestatRecord } from '../fs/wire.ts';
import type { Readiness } from '../poll-oneoff.ts';
import type { InterruptFlag } from '../interrupts.ts';

export type DescriptorKind = 'file' | 'stream' | 'stdio' | 'sink' | 'directory' | 'device' | 'socket';

/** What descriptors read into and write from: the guest's memory, and the flag its thread sleeps
 * on (while a blocking read or write of a host fd waits on EAGAIN), which an interrupt raises. */
export interface DescriptorIo {
  mem: GuestMemory;
  interrupts: InterruptFlag;
}

export const fail = (errno: number): never => {
  throw new WasiError(errno);
};

/** Runs a host fs call, turning its Node error into the WASI errno. */
export function hostCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WasiError) throw e;
    throw new WasiError(fsErrnoFromNode(e));
  }
}

export abstract class Descriptor {
  abstract readonly kind: DescriptorKind;

  rightsBase: bigint;
  rightsInheriting: bigint;

  constructor(
    rightsBase: bigint,
    rightsInheriting: bigint,
  ) {
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;}

  /** The preview1 file type fdstat reports. */
  abstract filetype(): number;
  abstract filestat(): FilestatRecord;
  /** fdstat's flags (APPEND, NONBLOCK). */
  fdflags(): number {
    return 0;
  }
  setFdflags(_flags: number): void {}

  read(_iovs: IoVec[]): number {
    return fail(Errno.BADF);
  }
  write(_iovs: IoVec[]): number {
    return fail(Errno.BADF);
  }
  // What needs a position: Linux answers ESPIPE for pipes, sockets and devices.
  pread(_iovs: IoVec[], _offset: number): number {
    return fail(Errno.SPIPE);
  }
  pwrite(_iovs: IoVec[], _offset: number): number {
    return fail(Errno.SPIPE);
  }
  seek(_offset: bigint, _whence: number): bigint {
    return fail(Errno.SPIPE);
  }
  tell(): bigint {
    return fail(Errno.SPIPE);
  }
  allocate(_offset: bigint, _len: bigint): void {
    fail(Errno.SPIPE);
  }
  advise(): void {
    fail(Errno.SPIPE);
  }
  /** ftruncate: EINVAL for anything but a file open for writing. */
  setSize(_size: bigint): void {
    fail(Errno.INVAL);
  }
  setTimes(_atim: bigint, _mtim: bigint, _fst: number): void {
    fail(Errno.BADF);
  }
  sync(): void {}
  /** Linux's fdatasync answers EINVAL for pipes, sockets and /dev/null. */
  datasync(): void {
    fail(Errno.INVAL);
  }
  readdir(_buf: Uint8Array, _cookie: bigint): number {
    return fail(Errno.NOTDIR);
  }
  /** How ready it is for poll_oneoff's FD_READ or FD_WRITE: at once, as regular files always are. */
  readiness(_event: number): Readiness {
    return { nbytes: 0 };
  }
  /** The last fd referring to it was closed. */
  close(): void {}
}
