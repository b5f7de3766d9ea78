// Reads and writes between the guest's iovecs and a host fd: positioned for files (Node has no
// lseek: the position is ours), or as the fd goes for streams (a terminal returns a line).
import type { IoVec } from '../abi/guest-memory.ts';
import { totalLength } from '../abi/guest-memory.ts';
import { Errno, fsErrnoFromNode } from '../errno.ts';
import { WasiError } from '../fs/device.ts';
import * as fs from 'node:fs';
import type { DescriptorIo } from './descriptor.ts';

/** Reads into the iovecs; `position` null = the fd's own (streams). `blocking`: wait on EAGAIN. */
export function readHostFd(io: DescriptorIo, hostFd: number, iovs: IoVec[], position: number | null, blocking: boolean): number {
  const total = totalLength(iovs);
  if (total === 0) return 0;
  const u8 = io.mem.wholeBytes(); // the iovecs were checked by mem.iovecs
  if (position !== null) {
    // Files: each iovec in turn, until a short read.
    let got = 0;
    for (const iov of iovs) {
      if (!iov.len) continue;
      let n: number;
      try {
        n = fs.readSync(hostFd, u8, iov.ptr, iov.len, position + got);
      } catch (e) {
        throw new WasiError(fsErrnoFromNode(e));
      }
      got += n;
      if (n < iov.len) break;
    }
    return got;
  }
  // Streams: one read, spread over the iovecs.
  const first = iovs.find((v) => v.len > 0)!;
  const single = iovs.filter((v) => v.len > 0).length === 1;
  const scratch = single ? null : Buffer.allocUnsafe(Math.min(total, 1 << 20));
  for (;;) {
    try {
      if (!scratch) return fs.readSync(hostFd, u8, first.ptr, first.len, null);
      const n = fs.readSync(hostFd, scratch, 0, scratch.length, null);
      return io.mem.scatter(iovs, scratch.subarray(0, n));
    } catch (e) {
      if ((e as { code?: string }).code === 'EAGAIN' && blocking) {
        if (io.interrupts.raised) throw new WasiError(Errno.INTR);
        io.interrupts.sleep(5);
        continue;
      }
      throw new WasiError(fsErrnoFromNode(e));
    }
  }
}

/** Writes the iovecs; `position` null = the fd's own. A short count once something was written. */
export function writeHostFd(io: DescriptorIo, hostFd: number, iovs: IoVec[], position: number | null, blocking: boolean): number {
  const u8 = io.mem.wholeBytes(); // the iovecs were checked by mem.iovecs
  let done = 0;
  for (const iov of iovs) {
    let off = 0;
    while (off < iov.len) {
      try {
        const n = fs.writeSync(hostFd, u8, iov.ptr + off, iov.len - off, position === null ? null : position + done);
        off += n;
        done += n;
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN' && blocking) {
          if (done > 0 && position !== null) return done;
          io.interrupts.sleep(1);
          continue;
        }
        if (done > 0) return done;
        throw new WasiError(fsErrnoFromNode(e));
      }
    }
  }
  return done;
}
