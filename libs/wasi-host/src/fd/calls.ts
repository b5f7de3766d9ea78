// The preview1 calls on fds (fd_*, and poll_oneoff): each finds the fd's descriptor in the one
// table, checks the right the call needs, and dispatches on the descriptor, whatever its kind
// (file, directory, stdio, device, socket). Guest memory is checked here, before any host call.
import { Errno } from '../errno.ts';
import type { GuestMemory } from '../abi/guest-memory.ts';
import type { HostFn } from '../host-call.ts';
import { pollOneoff } from '../poll-oneoff.ts';
import type { InterruptFlag } from '../interrupts.ts';
import { realtimeNs } from '../wasi-process.ts';
import { Rights, writeFdstat, writeFilestat } from '../fs/wire.ts';
import { fail, type Descriptor } from './descriptor.ts';
import { Directory } from './directory.ts';
import type { FdTable } from './fd-table.ts';

/** The right a read or write needs, checked in one place: without it, EBADF, as for an fd opened
 * the other way on Linux (EISDIR for reading a directory). */
function need(d: Descriptor, right: bigint): Descriptor {
  if ((d.rightsBase & right) === 0n) fail(d.kind === 'directory' && right === Rights.FD_READ ? Errno.ISDIR : Errno.BADF);
  return d;
}

export function createFdCalls(mem: GuestMemory, fds: FdTable, interrupts: InterruptFlag): Record<string, HostFn> {
  const desc = (fd: number): Descriptor => fds.get(fd) ?? fail(Errno.BADF);
  const closeLast = (d: Descriptor | null) => d?.close();
  /** The name of a preopened directory fd (EBADF for any other fd). */
  const preopenOf = (fd: number): string => {
    const d = fds.get(fd);
    return d instanceof Directory && d.preopen !== undefined ? d.preopen : fail(Errno.BADF);
  };

  return {
    fd_advise(fd: number) {
      desc(fd).advise();
      return 0;
    },
    fd_allocate(fd: number, offset: bigint, len: bigint) {
      desc(fd).allocate(offset, len);
      return 0;
    },
    fd_close(fd: number) {
      desc(fd);
      // The open file description goes with its last fd (dup).
      closeLast(fds.delete(fd));
      return 0;
    },
    fd_datasync(fd: number) {
      desc(fd).datasync();
      return 0;
    },
    fd_sync(fd: number) {
      desc(fd).sync();
      return 0;
    },
    fd_fdstat_get(fd: number, out: number) {
      const d = desc(fd);
      writeFdstat(mem, out, d.filetype(), d.fdflags(), d.rightsBase, d.rightsInheriting);
      return 0;
    },
    fd_fdstat_set_flags(fd: number, flags: number) {
      desc(fd).setFdflags(flags);
      return 0;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint) {
      const d = desc(fd);
      // Rights may only shrink.
      if ((base & ~d.rightsBase) !== 0n || (inheriting & ~d.rightsInheriting) !== 0n) fail(Errno.NOTCAPABLE);
      d.rightsBase = base;
      d.rightsInheriting = inheriting;
      return 0;
    },
    fd_filestat_get(fd: number, out: number) {
      const rec = desc(fd).filestat();
      writeFilestat(mem, out, rec);
      return 0;
    },
    fd_filestat_set_size(fd: number, size: bigint) {
      desc(fd).setSize(size);
      return 0;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number) {
      desc(fd).setTimes(atim, mtim, fst);
      return 0;
    },
    // The four reads and writes stay spelled out: the iovecs and the count's slot are checked
    // before the descriptor does any I/O, with no closure on the hottest calls.
    fd_pread(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, out: number) {
      const d = desc(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nread');
      mem.setU32(out, d.pread(iovs, Number(offset)));
      return 0;
    },
    fd_pwrite(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, out: number) {
      const d = desc(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nwritten');
      mem.setU32(out, d.pwrite(iovs, Number(offset)));
      return 0;
    },
    fd_read(fd: number, iovsPtr: number, iovsLen: number, out: number) {
      const d = need(desc(fd), Rights.FD_READ);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nread');
      mem.setU32(out, d.read(iovs));
      return 0;
    },
    fd_write(fd: number, iovsPtr: number, iovsLen: number, out: number) {
      const d = need(desc(fd), Rights.FD_WRITE);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nwritten');
      mem.setU32(out, d.write(iovs));
      return 0;
    },
    fd_seek(fd: number, offset: bigint, whence: number, out: number) {
      mem.check(out, 8, 'newoffset');
      mem.setU64(out, desc(fd).seek(offset, whence));
      return 0;
    },
    fd_tell(fd: number, out: number) {
      mem.check(out, 8, 'offset');
      mem.setU64(out, desc(fd).tell());
      return 0;
    },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, out: number) {
      const d = desc(fd);
      const len = bufLen >>> 0;
      mem.check(buf, len, 'readdir buffer');
      mem.check(out, 4, 'bufused');
      mem.setU32(out, d.readdir(new Uint8Array(mem.dataView().buffer, buf >>> 0, len), cookie));
      return 0;
    },
    fd_renumber(from: number, to: number) {
      desc(from);
      desc(to);
      if (from === to) return 0;
      closeLast(fds.delete(to));
      fds.move(from, to);
      return 0;
    },
    fd_prestat_get(fd: number, out: number) {
      const preopen = preopenOf(fd);
      mem.check(out, 8, 'prestat');
      mem.setU32(out, 0);
      mem.setU32(out + 4, Buffer.byteLength(preopen));
      return 0;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      const name = Buffer.from(preopenOf(fd));
      if ((len >>> 0) < name.length) return fail(Errno.NAMETOOLONG);
      mem.write(ptr, name);
      return 0;
    },
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsOut: number) {
      return pollOneoff(mem, inPtr, outPtr, nsubs, neventsOut, {
        readiness: (fd, event) => fds.get(fd)?.readiness(event) ?? { errno: Errno.BADF },
        monotonicNs: () => process.hrtime.bigint(),
        realtimeNs,
        sleepMs: (ms) => interrupts.sleep(ms),
        interrupted: () => interrupts.raised,
      });
    },
  };
}
