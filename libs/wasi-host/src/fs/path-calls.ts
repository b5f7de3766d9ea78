// The preview1 calls on paths (path_*): each resolves its path inside the guest's mounts from a
// directory fd (resolve.ts) and acts on the entry by its name inside a held directory handle.
// path_open makes descriptors (open.ts); it also serves wasi-libc's dup (/dev/pywasi-dup).
import * as fs from 'node:fs';
import { Errno } from '../errno.ts';
import { fail, hostCall, type Descriptor, type DescriptorIo } from '../fd/descriptor.ts';
import { Directory } from '../fd/directory.ts';
import { FD_LIMIT, type FdTable } from '../fd/fd-table.ts';
import type { GuestMemory } from '../abi/guest-memory.ts';
import type { HostFn } from '../host-call.ts';
import { setTimesAt, statLocation, writableHost } from './location-stat.ts';
import type { MountTable } from './mounts.ts';
import { Opener } from './open.ts';
import { hostPathNow, type FinalStat, type HostLocation, type Location, type PathResolver, type Resolved } from './resolve.ts';
import { filestatOf, Filetype, LOOKUP_SYMLINK_FOLLOW, writeFilestat } from './wire.ts';

/** What wasi-libc's dup opens (libs/wasi-libc/patches/0011-dup-through-host.patch):
 * /dev/pywasi-dup/<fd>/<lowest new fd>. */
const DUP_PATH = /^\/?dev\/pywasi-dup\/(\d{1,10})\/(\d{1,10})$/;

/** An absolute guest symlink target inside the link's own mount is stored as the host path it
 * names there (so the link works when followed); readlink turns it back. */
function symlinkContent(target: string, at: HostLocation): string {
  if (!target.startsWith('/')) return target;
  const m = at.mount;
  const g = m.guest === '/' ? '/' : m.guest + '/';
  if (target === m.guest) return m.host;
  if (target.startsWith(g)) return m.host + '/' + target.slice(g.length);
  return target;
}

function readlinkContent(content: string, at: HostLocation): string {
  if (!content.startsWith('/')) return content;
  const m = at.mount;
  for (const base of [m.host, m.hostAsGiven]) {
    if (content === base) return m.guest;
    if (content.startsWith(base + '/')) return (m.guest === '/' ? '' : m.guest) + content.slice(base.length);
  }
  // An absolute target outside the mount: its host path is none of the guest's business.
  return fail(Errno.ACCES);
}

export function createPathCalls(mem: GuestMemory, io: DescriptorIo, fds: FdTable, mounts: MountTable, resolver: PathResolver): Record<string, HostFn> {
  const opener = new Opener(io, resolver);
  const dirAt = (fd: number): Directory => {
    const d = fds.get(fd) ?? fail(Errno.BADF);
    return d instanceof Directory ? d : fail(Errno.NOTDIR);
  };
  const pathArg = (ptr: number, len: number): string => {
    const n = len >>> 0;
    if (n > 4096) fail(Errno.NAMETOOLONG);
    const bytes = mem.bytes(ptr, n);
    if (bytes.includes(0)) fail(Errno.INVAL);
    return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('utf8');
  };
  const resolveAt = (fd: number, ptr: number, len: number, follow: boolean, finalStat?: FinalStat): Resolved =>
    resolver.resolve(dirAt(fd).loc, pathArg(ptr, len), follow, finalStat);

  /**
   * The entry a removal or rename acts on. Linux follows no symlink in its last component even
   * with a trailing slash ("link/" then fails with ENOTDIR, it does not reach the target), and "."
   * or ".." there name no entry of their parent (`dots`: each call has its own errno for them).
   */
  const entryAt = (fd: number, ptr: number, len: number, finalStat?: FinalStat): { res: Resolved; slash: boolean; dots: boolean } => {
    const p = pathArg(ptr, len);
    const bare = p.replace(/\/+$/, '') || p;
    const last = bare.slice(bare.lastIndexOf('/') + 1);
    const res = resolver.resolve(dirAt(fd).loc, bare, false, finalStat);
    return { res, slash: bare !== p, dots: last === '.' || last === '..' };
  };
  const isDirLoc = (loc: Location): boolean => (loc.kind === 'tree' ? !loc.node.device : statLocation(loc).filetype === Filetype.DIRECTORY);
  /** Whether removing or renaming `loc` would move another mount (see MountTable.holdsMount). */
  const holdsMount = (loc: HostLocation): boolean => mounts.nestsMounts(loc.mount) && mounts.holdsMount(hostCall(() => hostPathNow(loc)));

  /** Puts a new descriptor at the lowest free fd (EMFILE past the limit, closing it). */
  const install = (d: Descriptor, out: number): number => {
    const newFd = fds.add(d);
    if (newFd < 0) {
      d.close();
      return fail(Errno.MFILE);
    }
    mem.setU32(out, newFd);
    return 0;
  };

  return {
    path_open(fd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint, _inheriting: bigint, fdflags: number, out: number) {
      mem.check(out, 4, 'fd');
      const p = pathArg(ptr, len);
      const start = dirAt(fd);
      const dup = DUP_PATH.exec(p);
      if (dup && (p.startsWith('/') || start.preopen === '/')) {
        // dup through the path wasi-libc's dup, dup2 and fcntl(F_DUPFD) open (its patch 0011).
        const [from, min] = [Number(dup[1]), Number(dup[2])];
        if (!fds.get(from)) return fail(Errno.BADF);
        if (min >= FD_LIMIT) return fail(Errno.INVAL);
        const newFd = fds.dup(from, min);
        if (newFd < 0) return fail(Errno.MFILE);
        mem.setU32(out, newFd);
        return 0;
      }
      return install(opener.open(start.loc, p, dirflags, oflags, base, fdflags), out);
    },
    path_create_directory(fd: number, ptr: number, len: number) {
      const res = resolveAt(fd, ptr, len, false);
      if (res.loc) return fail(Errno.EXIST);
      const parent = writableHost(res.parent);
      hostCall(() => fs.mkdirSync(parent.dir.at(res.name), 0o777));
      return 0;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, out: number) {
      const res = resolveAt(fd, ptr, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, 'bigint');
      if (!res.loc) return fail(Errno.NOENT);
      mem.check(out, 64, 'filestat');
      // The walk's own lstat of the entry (a followed link's target) serves, when it took one.
      const st = res.stat;
      writeFilestat(mem, out, st && typeof st.ino === 'bigint' ? filestatOf(st as fs.BigIntStats) : statLocation(res.loc));
      return 0;
    },
    path_filestat_set_times(fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const res = resolveAt(fd, ptr, len, follow);
      if (!res.loc) return fail(Errno.NOENT);
      setTimesAt(res.loc, atim, mtim, fst);
      return 0;
    },
    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      const from = resolveAt(oldFd, oldPtr, oldLen, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const { res: to, slash } = entryAt(newFd, newPtr, newLen);
      if (!from.loc) return fail(Errno.NOENT);
      if (to.loc) return fail(Errno.EXIST);
      if (slash) return fail(Errno.NOENT); // "new/" would have to be an existing directory
      const src = writableHost(from.loc);
      const dst = writableHost(to.parent);
      if (src.mount !== dst.mount) return fail(Errno.XDEV);
      hostCall(() => fs.linkSync(src.host, dst.dir.at(to.name)));
      return 0;
    },
    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, out: number) {
      const res = resolveAt(fd, ptr, len, false);
      if (!res.loc) return fail(Errno.NOENT);
      const loc = res.loc;
      if (loc.kind !== 'host' || !res.stat?.isSymbolicLink()) return fail(Errno.INVAL);
      mem.check(out, 4, 'bufused');
      const content = Buffer.from(readlinkContent(hostCall(() => fs.readlinkSync(loc.host)), loc));
      const n = Math.min(content.length, bufLen >>> 0);
      mem.write(buf, content.subarray(0, n));
      mem.setU32(out, n);
      return 0;
    },
    path_remove_directory(fd: number, ptr: number, len: number) {
      const { res, dots } = entryAt(fd, ptr, len);
      if (dots) return fail(res.name === '..' ? Errno.NOTEMPTY : Errno.INVAL);
      if (!res.loc) return fail(Errno.NOENT);
      if (res.loc.kind === 'host' && res.loc.rel.length === 0) return fail(Errno.BUSY);
      const h = writableHost(res.loc);
      if (res.stat && !res.stat.isDirectory()) return fail(Errno.NOTDIR);
      if (holdsMount(h)) return fail(Errno.BUSY);
      hostCall(() => fs.rmdirSync(h.host));
      return 0;
    },
    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      const { res: from, slash: fromSlash, dots: fromDots } = entryAt(fd, oldPtr, oldLen);
      const { res: to, slash: toSlash, dots: toDots } = entryAt(newFd, newPtr, newLen);
      if (!from.loc) return fail(Errno.NOENT);
      if (fromDots || toDots) return fail(Errno.BUSY);
      if ((fromSlash || toSlash) && !isDirLoc(from.loc)) return fail(Errno.NOTDIR);
      if (from.loc.kind === 'host' && from.loc.rel.length === 0) return fail(Errno.BUSY);
      if (to.loc?.kind === 'host' && to.loc.rel.length === 0) return fail(Errno.BUSY);
      const src = writableHost(from.loc);
      const dstParent = writableHost(to.parent);
      if (src.mount !== dstParent.mount) return fail(Errno.XDEV);
      if (holdsMount(src) || (to.loc?.kind === 'host' && holdsMount(to.loc))) return fail(Errno.BUSY);
      hostCall(() => fs.renameSync(src.host, dstParent.dir.at(to.name)));
      return 0;
    },
    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      const target = pathArg(oldPtr, oldLen);
      const { res, slash } = entryAt(fd, newPtr, newLen);
      if (res.loc) return fail(Errno.EXIST);
      if (slash) return fail(Errno.NOENT); // as for path_link
      const parent = writableHost(res.parent);
      hostCall(() => fs.symlinkSync(symlinkContent(target, parent), parent.dir.at(res.name)));
      return 0;
    },
    path_unlink_file(fd: number, ptr: number, len: number) {
      // No lstat of the last component: unlink(2) answers ENOENT and EISDIR itself.
      const { res, slash, dots } = entryAt(fd, ptr, len, 'none');
      if (dots) return fail(Errno.ISDIR);
      if (!res.loc) return fail(Errno.NOENT);
      if (slash) return fail(isDirLoc(res.loc) ? Errno.ISDIR : Errno.NOTDIR);
      if (res.loc.kind === 'tree') return fail(res.loc.node.mount || res.loc.node.device ? Errno.BUSY : Errno.ROFS);
      if (res.loc.rel.length === 0) return fail(Errno.BUSY);
      const h = writableHost(res.loc);
      if (res.stat?.isDirectory()) return fail(Errno.ISDIR);
      hostCall(() => fs.unlinkSync(h.host));
      return 0;
    },
  };
}
