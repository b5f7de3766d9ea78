// The preview1 file-system calls (fd_* and path_*), implemented by the host over Node's fs with
// its own fd table and path resolution (resolve.ts) instead of node:wasi's uvwasi, which does not
// confine paths: a symlink inside a pre-opened directory led anywhere on the host.
//
// Every path the guest passes is resolved in the guest's tree of mounts (mounts.ts); host files are
// opened with O_NOFOLLOW after resolution, so a symlink is never followed by the host OS itself.
// Directory listings of confined host directories come from a private uvwasi (uvwasi.ts), in C.
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { Errno, fsErrnoFromNode } from '../errno.ts';
import type { GuestMemory, IoVec } from '../guest-memory.ts';
import { totalLength } from '../guest-memory.ts';
import { hostCallSerial, type HostFn } from '../host-call.ts';
import { realtimeNs } from '../wasi-process.ts';
import { WasiError, type GuestDevice } from './device.ts';
import { DirListing, DOT_ENTRIES, type ListedEntry } from './dir-listing.ts';
import { uvwasi } from './uvwasi.ts';
import { FD_LIMIT, FdTable, type DirEntry, type FdEntry, type FileEntry, type StdioEntry } from './fd-table.ts';
import type { MountTable, TreeNode } from './mounts.ts';
import { hostPathNow, PathResolver, treeNodeAt, type FinalStat, type HostDir, type HostLocation, type Location, type Resolved } from './resolve.ts';
import {
  ALL_RIGHTS, DIR_RIGHTS, Fdflags, FILE_RIGHTS, Filetype, filestatOf, filetypeOf, Fstflags, LOOKUP_SYMLINK_FOLLOW,
  Oflags, PIPE_RIGHTS, Rights, TTY_RIGHTS, Whence, writeFdstat, writeFilestat, type FilestatRecord,
} from './wire.ts';

/** What wasi-libc's dup opens (libs/wasi-libc/patches/0011-dup-through-host.patch):
 * /dev/pywasi-dup/<fd>/<lowest new fd>. */
const DUP_PATH = /^\/?dev\/pywasi-dup\/(\d{1,10})\/(\d{1,10})$/;

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = fs.constants;


export interface WasiFsOptions {
  memory: GuestMemory;
  mounts: MountTable;
  fds: FdTable;
  /** Host fds for the guest's 0, 1, 2, or sinks for 1 and 2. */
  stdio: [number, StdioTarget, StdioTarget];
  /** Sleeps the guest thread (used while a blocking stdio read or write waits on EAGAIN). */
  sleepMs: (ms: number) => void;
  /** Sees what the guest wrote to a terminal (the line editor keeps the last line's tail). */
  onTerminalWrite?: (bytes: Uint8Array) => void;
  /** Resolves the guest's paths (default: a PathResolver of `mounts`; the escape tests pass a
   * control). Closed by closeAllFiles. */
  resolver?: PathResolver;
}

/** What the guest sees for synthetic directories and devices: read-only, owned by nobody. */
const SYNTHETIC_DEV = 0xfffen;
const startNs = BigInt(Date.now()) * 1_000_000n;

function syntheticStat(node: TreeNode): FilestatRecord {
  const device = node.device !== undefined;
  return {
    dev: SYNTHETIC_DEV,
    ino: node.ino,
    filetype: device ? Filetype.CHARACTER_DEVICE : Filetype.DIRECTORY,
    nlink: device ? 1n : BigInt(2 + node.children.size),
    size: 0n,
    atimNs: startNs,
    mtimNs: startNs,
    ctimNs: startNs,
  };
}

/** Where the guest's stdout or stderr goes: a host fd, or a function that takes each write. */
export type StdioTarget = number | { sink: (bytes: Uint8Array) => void };

function stdioEntry(target: StdioTarget): StdioEntry {
  if (typeof target !== 'number') {
    // What a pipe looks like: preview1 has no FIFO type (wire.ts, filetypeOf).
    return { kind: 'stdio', host: -1, sink: target.sink, filetype: Filetype.SOCKET_STREAM, tty: false, append: false, nonblock: false, rightsBase: PIPE_RIGHTS, rightsInheriting: PIPE_RIGHTS };
  }
  const host = target;
  let filetype: number = Filetype.UNKNOWN;
  let tty = false;
  try {
    const st = fs.fstatSync(host);
    filetype = filetypeOf(st);
    tty = st.isCharacterDevice() && isatty(host);
  } catch {
    // a closed stdio fd: reads and writes will fail with EBADF from the host
  }
  const rights = tty ? TTY_RIGHTS : FILE_RIGHTS;
  return { kind: 'stdio', host, filetype, tty, append: false, nonblock: false, rightsBase: rights, rightsInheriting: rights };
}

/** A sink's filestat: an empty pipe, made now. */
function pipeStat(): FilestatRecord {
  const now = BigInt(Date.now()) * 1_000_000n;
  return { dev: SYNTHETIC_DEV, ino: 0n, filetype: Filetype.SOCKET_STREAM, nlink: 1n, size: 0n, atimNs: now, mtimNs: now, ctimNs: now };
}

type TimeArg = number | string;

/**
 * Seconds for Node's utimes family from WASI nanoseconds. libuv turns the double back into whole
 * seconds plus the fraction times 1e9, truncated: half a nanosecond more makes that truncation land
 * on the nanosecond asked for (1.002003 s would come back as 1.002002999).
 */
function hostSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + (Number(ns % 1_000_000_000n) + 0.5) / 1e9;
}

/**
 * "Now" as the kernel's clock sets it (UTIME_NOW), the same clock that stamps writes: libuv maps an
 * infinite time to UTIME_NOW, and Node accepts it only as a numeric string.
 */
const KERNEL_NOW = 'Infinity';

export function createWasiFs(opts: WasiFsOptions): Record<string, HostFn> {
  const { memory: mem, mounts, fds } = opts;
  const resolver = opts.resolver ?? new PathResolver(mounts);
  const [in0, out1, err2] = opts.stdio;
  fds.set(0, stdioEntry(in0));
  fds.set(1, stdioEntry(out1));
  fds.set(2, stdioEntry(err2));
  fds.set(3, dirFdEntry(resolver.rootLocation(), '/'));

  const fail = (errno: number): never => {
    throw new WasiError(errno);
  };
  /** Runs a host fs call, turning its error into the WASI errno. */
  const host = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof WasiError) throw e;
      throw new WasiError(fsErrnoFromNode(e));
    }
  };

  const entry = (fd: number): FdEntry => fds.get(fd) ?? fail(Errno.BADF);
  const dirEntry = (fd: number): DirEntry => {
    const e = entry(fd);
    return e.kind === 'dir' ? e : fail(Errno.NOTDIR);
  };
  const pathArg = (ptr: number, len: number): string => {
    const n = len >>> 0;
    if (n > 4096) fail(Errno.NAMETOOLONG);
    const bytes = mem.bytes(ptr, n);
    if (bytes.includes(0)) fail(Errno.INVAL);
    return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('utf8');
  };
  const resolveAt = (fd: number, ptr: number, len: number, follow: boolean, finalStat?: FinalStat): Resolved =>
    resolver.resolve(dirEntry(fd).loc, pathArg(ptr, len), follow, finalStat);

  /**
   * The entry a removal or rename acts on. Linux follows no symlink in its last component even
   * with a trailing slash ("link/" then fails with ENOTDIR, it does not reach the target), and "."
   * or ".." there name no entry of their parent (`dots`: each call has its own errno for them).
   */
  const entryAt = (fd: number, ptr: number, len: number, finalStat?: FinalStat): { res: Resolved; slash: boolean; dots: boolean } => {
    const p = pathArg(ptr, len);
    const bare = p.replace(/\/+$/, '') || p;
    const last = bare.slice(bare.lastIndexOf('/') + 1);
    const res = resolver.resolve(dirEntry(fd).loc, bare, false, finalStat);
    return { res, slash: bare !== p, dots: last === '.' || last === '..' };
  };
  const isDirLoc = (loc: Location): boolean => loc.kind === 'tree' ? !loc.node.device : statLocation(loc).filetype === Filetype.DIRECTORY;

  /** The location must be writable: a host location in a read-write mount. */
  const writableHost = <L extends Location>(loc: L): L & HostLocation => {
    if (loc.kind !== 'host' || loc.mount.readOnly) fail(Errno.ROFS);
    return loc as L & HostLocation;
  };
  /** Whether removing or renaming `loc` would move another mount (see MountTable.holdsMount). */
  const holdsMount = (loc: HostLocation): boolean => mounts.nestsMounts(loc.mount) && mounts.holdsMount(host(() => hostPathNow(loc)));

  const statLocation = (loc: Location): FilestatRecord => {
    if (loc.kind === 'tree') return syntheticStat(loc.node);
    // A directory known by its handle is the handle's; an entry is never followed (resolve.ts did).
    const st = host(() => (loc.name === '.' ? fs.fstatSync(loc.dir.fd, { bigint: true }) : fs.lstatSync(loc.host, { bigint: true })));
    return filestatOf(st);
  };

  // ---- reading and writing ----

  /** Reads into the iovecs from a host fd; `position` null = the fd's own position (stdio). */
  const readHost = (hostFd: number, iovs: IoVec[], position: number | null, blocking: boolean): number => {
    const total = totalLength(iovs);
    if (total === 0) return 0;
    const u8 = mem.wholeBytes(); // the iovecs were checked by mem.iovecs
    if (position !== null) {
      // Files: each iovec in turn, until a short read.
      let got = 0;
      for (const iov of iovs) {
        if (!iov.len) continue;
        const n = host(() => fs.readSync(hostFd, u8, iov.ptr, iov.len, position + got));
        got += n;
        if (n < iov.len) break;
      }
      return got;
    }
    // Streams: one read (a terminal returns a line), spread over the iovecs.
    const first = iovs.find((v) => v.len > 0)!;
    const single = iovs.filter((v) => v.len > 0).length === 1;
    const scratch = single ? null : Buffer.allocUnsafe(Math.min(total, 1 << 20));
    for (;;) {
      try {
        if (!scratch) return fs.readSync(hostFd, u8, first.ptr, first.len, null);
        const n = fs.readSync(hostFd, scratch, 0, scratch.length, null);
        return mem.scatter(iovs, scratch.subarray(0, n));
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN' && blocking) {
          opts.sleepMs(5);
          continue;
        }
        throw new WasiError(fsErrnoFromNode(e));
      }
    }
  };

  const writeHost = (hostFd: number, iovs: IoVec[], position: number | null, blocking: boolean): number => {
    const u8 = mem.wholeBytes(); // the iovecs were checked by mem.iovecs
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
            opts.sleepMs(1);
            continue;
          }
          if (done > 0) return done;
          throw new WasiError(fsErrnoFromNode(e));
        }
      }
    }
    return done;
  };

  const deviceIo = (device: GuestDevice, iovs: IoVec[], write: boolean): number => {
    const total = totalLength(iovs);
    if (write) {
      const buf = Buffer.allocUnsafe(total);
      mem.gather(iovs, buf);
      return device.write(buf);
    }
    const buf = Buffer.allocUnsafe(Math.min(total, 1 << 20));
    const n = device.read(buf);
    return mem.scatter(iovs, buf.subarray(0, n));
  };

  /** A file with a position (seek, tell, pread, pwrite, allocate): ESPIPE for streams, as Linux. */
  const fileOf = (fd: number): FileEntry => {
    const e = entry(fd);
    if (e.kind === 'file' && !e.stream) return e;
    if (e.kind === 'dir') fail(Errno.ISDIR);
    return fail(Errno.SPIPE);
  };

  const fileSize = (f: FileEntry): number => Number(host(() => fs.fstatSync(f.host)).size);

  // ---- directories ----

  /** What stat says of `name` in the directory (for the entries that are not plain host entries). */
  const statIn = (dir: Location, name: string): FilestatRecord | null => {
    try {
      const res = resolver.resolve(dir, name, false);
      return res.loc ? statLocation(res.loc) : null;
    } catch {
      return null;
    }
  };

  const listing = (dir: DirEntry): DirListing => {
    const loc = dir.loc;
    const node = loc.kind === 'host' ? (loc.mount.node.children.size ? treeNodeAt(loc) : undefined) : loc.node;
    // Mount points and devices (they hide a host entry of the same name), and the synthetic ways
    // to them the host directory does not have, as a path lookup of the name sees them.
    const overlaid: ListedEntry[] = [];
    for (const [name, child] of node?.children ?? []) {
      const st = statIn(loc, name);
      overlaid.push({ name, ino: st?.ino ?? child.ino, filetype: st?.filetype ?? (child.device ? Filetype.CHARACTER_DEVICE : Filetype.DIRECTORY) });
    }
    if (loc.kind !== 'host') return DirListing.of([...DOT_ENTRIES, ...overlaid]);
    // d_ino 0 means "unknown" in preview1: neither reader reports inodes, and an lstat per entry
    // made os.walk three times slower (measured by bench:fs). Like node:wasi's uvwasi.
    const hide = overlaid.length ? new Set(overlaid.map((e) => e.name)) : undefined;
    const native = uvwasi();
    if (native) return DirListing.withHostRecords(DOT_ENTRIES, native.list(loc.dir.self), overlaid, hide);
    const listed = host(() => fs.readdirSync(loc.dir.self, { withFileTypes: true }))
      .filter((d) => !hide?.has(d.name))
      .map((d): ListedEntry => ({ name: d.name, ino: 0n, filetype: filetypeOf(d) }));
    return DirListing.of([...DOT_ENTRIES, ...listed, ...overlaid]);
  };

  const closeEntry = (e: FdEntry): void => {
    if (e.kind === 'file') {
      try {
        fs.closeSync(e.host);
      } catch {
        // already gone
      }
    } else if (e.kind === 'device') e.device.close?.();
    else if (e.kind === 'dir' && e.loc.kind === 'host') e.loc.dir.release();
    else if (e.kind === 'socket') e.close();
  };

  /** The kind of entry a freshly opened host fd is: a file, a stream (FIFO, device), a terminal. */
  const fileEntry = (h: number, loc: HostLocation, st: fs.Stats | fs.BigIntStats, f: { append: boolean; nonblock: boolean; readable: boolean; writable: boolean; rights: { rightsBase: bigint; rightsInheriting: bigint } }): FdEntry => {
    const stream = st.isFIFO() || st.isCharacterDevice();
    // A host terminal stays one for the guest's isatty(): no seek rights.
    const tty = st.isCharacterDevice() && isatty(h);
    const rights = tty ? { rightsBase: f.rights.rightsBase & TTY_RIGHTS, rightsInheriting: f.rights.rightsInheriting & TTY_RIGHTS } : f.rights;
    return { kind: 'file', host: h, loc, filetype: filetypeOf(st), stream, position: 0, append: f.append, nonblock: f.nonblock, readable: f.readable, writable: f.writable, ...rights };
  };

  /**
   * path_open's common case in one host call: the directories on the way are resolved (confined,
   * as always), then the last component is opened with O_NOFOLLOW and looked at with fstat, instead
   * of an lstat before the open. Returns null for what the full path takes: a symlink to follow,
   * directories (O_DIRECTORY), tree entries, read-only mounts asked to write.
   */
  const openFast = (fd: number, p: string, follow: boolean, oflags: number, base: bigint, fdflags: number): FdEntry | null => {
    if (oflags & Oflags.DIRECTORY || p.endsWith('/')) return null;
    const res = resolver.resolve(dirEntry(fd).loc, p, false, 'none');
    const loc = res.loc;
    if (!loc || loc.kind !== 'host' || loc.name === '.' || res.stat || treeNodeAt(loc)) return null;
    const creat = (oflags & Oflags.CREAT) !== 0;
    const exclusive = creat && (oflags & Oflags.EXCL) !== 0;
    const trunc = (oflags & Oflags.TRUNC) !== 0;
    const writable = (base & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0n;
    const readable = (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !writable;
    if (loc.mount.readOnly && (writable || trunc || creat)) return null;
    const append = (fdflags & Fdflags.APPEND) !== 0;
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it changes nothing for files).
    const flags =
      O_NOFOLLOW | O_NONBLOCK | (creat ? O_CREAT : 0) | (exclusive ? O_EXCL : 0) | (trunc ? O_TRUNC : 0) | (append ? O_APPEND : 0) |
      (readable && writable ? O_RDWR : writable ? O_WRONLY : O_RDONLY);
    let h: number;
    try {
      h = fs.openSync(loc.host, flags, 0o666);
    } catch (e) {
      // A symlink in the last component: the full resolution follows it (or refuses it).
      if ((e as { code?: string }).code === 'ELOOP' && follow && !exclusive) return null;
      throw new WasiError(fsErrnoFromNode(e));
    }
    let st: fs.BigIntStats;
    try {
      st = fs.fstatSync(h, { bigint: true });
    } catch (e) {
      fs.closeSync(h);
      throw new WasiError(fsErrnoFromNode(e));
    }
    if (st.isDirectory()) {
      fs.closeSync(h);
      return dirFdEntry(resolver.ownHandle(loc));
    }
    const rights = { rightsBase: base & FILE_RIGHTS, rightsInheriting: base & FILE_RIGHTS };
    const opened = fileEntry(h, loc, st, { append, nonblock: (fdflags & Fdflags.NONBLOCK) !== 0, readable, writable, rights });
    if (opened.kind === 'file' && !opened.stream) justOpened = { entry: opened, stat: st, call: hostCallSerial() };
    return opened;
  };

  const openAt = (fd: number, dirflags: number, p: string, oflags: number, base: bigint, fdflags: number): FdEntry => {
    const fast = openFast(fd, p, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0, oflags, base, fdflags);
    if (fast) return fast;
    const creat = (oflags & Oflags.CREAT) !== 0;
    // O_CREAT|O_EXCL never follows a symlink in the last component: the link itself exists (EEXIST).
    const exclusive = creat && (oflags & Oflags.EXCL) !== 0;
    const wantDir = (oflags & Oflags.DIRECTORY) !== 0;
    const res = resolver.resolve(dirEntry(fd).loc, p, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0 && !exclusive, wantDir && !creat ? 'dir' : 'lstat');
    const trunc = (oflags & Oflags.TRUNC) !== 0;
    const writable = (base & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0n;
    const readable = (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !writable;
    // O_TRUNC writes even through a read-only fd (Linux truncates on O_RDONLY|O_TRUNC).
    const modifies = writable || trunc;
    const append = (fdflags & Fdflags.APPEND) !== 0;
    const nonblock = (fdflags & Fdflags.NONBLOCK) !== 0;
    const rights = { rightsBase: base & FILE_RIGHTS, rightsInheriting: base & FILE_RIGHTS };
    let loc = res.loc;
    if (loc && creat && (oflags & Oflags.EXCL)) fail(Errno.EXIST);
    if (!loc) {
      if (!creat) fail(Errno.NOENT);
      if (wantDir) fail(Errno.INVAL);
      // "name/" can only be a directory, which O_CREAT does not make (Linux: EISDIR).
      if (p.endsWith('/')) fail(Errno.ISDIR);
      const parent = writableHost(res.parent);
      const created = resolver.entry(parent, res.name);
      const flags = O_CREAT | O_NOFOLLOW | (oflags & Oflags.EXCL ? O_EXCL : 0) | (trunc ? O_TRUNC : 0) | (append ? O_APPEND : 0) | (readable && writable ? O_RDWR : writable ? O_WRONLY : O_RDONLY);
      const h = host(() => fs.openSync(created.host, flags, 0o666));
      return { kind: 'file', host: h, loc: created, filetype: Filetype.REGULAR_FILE, stream: false, position: 0, append, nonblock, readable, writable, ...rights };
    }
    if (loc.kind === 'tree') {
      const node = loc.node;
      if (node.device) {
        if (wantDir) fail(Errno.NOTDIR);
        // Not a terminal (isatty() is false: the fd has the seek rights), as /dev/null is not.
        return { kind: 'device', device: node.device(), loc, nonblock, rightsBase: FILE_RIGHTS, rightsInheriting: FILE_RIGHTS };
      }
      if (modifies || creat) fail(Errno.ISDIR);
      return dirFdEntry(loc);
    }
    if (loc.name === '.') {
      // A directory, opened as a handle by the walk.
      if (modifies) fail(Errno.ISDIR);
      return dirFdEntry(loc);
    }
    const st = res.stat ?? host(() => fs.lstatSync(loc.host));
    if (st.isSymbolicLink()) fail(Errno.LOOP);
    if (st.isDirectory()) {
      if (modifies || creat) fail(Errno.ISDIR);
      return dirFdEntry(resolver.ownHandle(loc));
    }
    if (wantDir) fail(Errno.NOTDIR);
    if (modifies && loc.mount.readOnly) fail(Errno.ROFS);
    if (st.isSocket()) fail(Errno.NXIO);
    const flags =
      O_NOFOLLOW | (trunc ? O_TRUNC : 0) | (append ? O_APPEND : 0) | (readable && writable ? O_RDWR : writable ? O_WRONLY : O_RDONLY) |
      (st.isFIFO() ? O_NONBLOCK : 0);
    const hostPath = loc.host;
    const h = host(() => fs.openSync(hostPath, flags));
    return fileEntry(h, loc, st, { append, nonblock, readable, writable, rights });
  };

  /** An absolute guest symlink target inside the link's own mount is stored as the host path it
   * names there (so the link works when followed); readlink turns it back. */
  const symlinkContent = (target: string, at: HostLocation): string => {
    if (!target.startsWith('/')) return target;
    const m = at.mount;
    const g = m.guest === '/' ? '/' : m.guest + '/';
    if (target === m.guest) return m.host;
    if (target.startsWith(g)) return m.host + '/' + target.slice(g.length);
    return target;
  };
  const readlinkContent = (content: string, at: HostLocation): string => {
    if (!content.startsWith('/')) return content;
    const m = at.mount;
    for (const base of [m.host, m.hostAsGiven]) {
      if (content === base) return m.guest;
      if (content.startsWith(base + '/')) return (m.guest === '/' ? '' : m.guest) + content.slice(base.length);
    }
    // An absolute target outside the mount: its host path is none of the guest's business.
    return fail(Errno.ACCES);
  };

  const setTimes = (loc: Location, atim: bigint, mtim: bigint, fst: number, hostFd?: number): void => {
    if (process.env.DBG_TIMES) console.error("setTimes", atim, mtim, fst, hostFd);
    if ((fst & Fstflags.ATIM && fst & Fstflags.ATIM_NOW) || (fst & Fstflags.MTIM && fst & Fstflags.MTIM_NOW)) fail(Errno.INVAL);
    const h = writableHost(loc);
    let cur: fs.BigIntStats | undefined;
    // Node has no "omit": an unchanged time is set again to what the file has.
    // A directory known by its handle: through its magic link (followed: it is the directory); an
    // entry: never followed (resolve.ts followed what was to be).
    const own = h.name === '.';
    const current = () =>
      (cur ??= host(() => (hostFd !== undefined ? fs.fstatSync(hostFd, { bigint: true }) : own ? fs.fstatSync(h.dir.fd, { bigint: true }) : fs.lstatSync(h.host, { bigint: true }))));
    const pick = (nowFlag: number, setFlag: number, value: bigint, old: () => bigint, now: TimeArg): TimeArg =>
      fst & nowFlag ? now : hostSeconds(fst & setFlag ? value : old());
    const apply = (now: TimeArg) => {
      const a = pick(Fstflags.ATIM_NOW, Fstflags.ATIM, atim, () => current().atimeNs, now);
      const m = pick(Fstflags.MTIM_NOW, Fstflags.MTIM, mtim, () => current().mtimeNs, now);
      host(() => (hostFd !== undefined ? fs.futimesSync(hostFd, a, m) : own ? fs.utimesSync(h.dir.self, a, m) : fs.lutimesSync(h.host, a, m)));
    };
    if (!(fst & (Fstflags.ATIM_NOW | Fstflags.MTIM_NOW))) return apply(0);
    try {
      apply(KERNEL_NOW);
    } catch (e) {
      // An older libuv (Node 20's 1.46) has no UTIME_NOW and answers EINVAL: our clock instead.
      if (!(e instanceof WasiError) || e.errno !== Errno.INVAL) throw e;
      apply(hostSeconds(realtimeNs()));
    }
  };

  /**
   * The fstat path_open took of the file it just opened, and the serial number of that guest call.
   * A program asks for it at once (CPython's open() does, to refuse directories and size its
   * buffer): an fd_filestat_get that is the guest's very next call is served from it, one host call
   * less per file opened (measured: ~1.4 µs of ~11.6 for an open, read, close of a small file).
   * Any guest call in between makes it unusable, so nothing the guest does can make it stale.
   */
  let justOpened: { entry: FdEntry; stat: fs.BigIntStats; call: number } | null = null;

  const imports: Record<string, HostFn> = {
    fd_advise(fd: number) {
      fileOf(fd);
      return 0;
    },
    fd_allocate(fd: number, offset: bigint, len: bigint) {
      const f = fileOf(fd);
      if (!f.writable) fail(Errno.BADF);
      const want = Number(offset + len);
      if (fileSize(f) < want) host(() => fs.ftruncateSync(f.host, want));
      return 0;
    },
    fd_close(fd: number) {
      entry(fd);
      // The open file description goes with its last fd (dup).
      const gone = fds.delete(fd);
      if (gone) closeEntry(gone);
      return 0;
    },
    fd_datasync(fd: number) {
      const f = entry(fd);
      if (f.kind === 'dir') return 0; // as fd_sync
      if (f.kind !== 'file') return fail(Errno.INVAL); // Linux, for pipes, sockets and /dev/null
      host(() => fs.fdatasyncSync(f.host));
      return 0;
    },
    fd_sync(fd: number) {
      const e = entry(fd);
      if (e.kind === 'file') host(() => fs.fsyncSync(e.host));
      return 0;
    },
    fd_fdstat_get(fd: number, out: number) {
      const e = entry(fd);
      switch (e.kind) {
        case 'stdio':
          writeFdstat(mem, out, e.tty ? Filetype.CHARACTER_DEVICE : e.filetype, (e.append ? Fdflags.APPEND : 0) | (e.nonblock ? Fdflags.NONBLOCK : 0), e.rightsBase, e.rightsInheriting);
          break;
        case 'file':
          writeFdstat(mem, out, e.filetype, (e.append ? Fdflags.APPEND : 0) | (e.nonblock ? Fdflags.NONBLOCK : 0), e.rightsBase, e.rightsInheriting);
          break;
        case 'dir':
          writeFdstat(mem, out, Filetype.DIRECTORY, 0, e.rightsBase, e.rightsInheriting);
          break;
        case 'device':
          writeFdstat(mem, out, Filetype.CHARACTER_DEVICE, e.nonblock ? Fdflags.NONBLOCK : 0, e.rightsBase, e.rightsInheriting);
          break;
        default:
          fail(Errno.BADF);
      }
      return 0;
    },
    fd_fdstat_set_flags(fd: number, flags: number) {
      const e = entry(fd);
      if (e.kind === 'dir' || e.kind === 'socket') return 0;
      const append = (flags & Fdflags.APPEND) !== 0;
      if (e.kind === 'file' && append !== e.append && e.writable) {
        // O_APPEND belongs to the host fd (Linux appends even a positioned write through it) and
        // Node has no fcntl(F_SETFL): open the same file again (its /proc/self/fd link, which names
        // the inode, not a path) with the new flag; the position is ours anyway.
        const mode = e.readable ? O_RDWR : O_WRONLY;
        const h = host(() => fs.openSync(`/proc/self/fd/${e.host}`, mode | (append ? O_APPEND : 0)));
        fs.closeSync(e.host);
        e.host = h;
      }
      e.nonblock = (flags & Fdflags.NONBLOCK) !== 0;
      if (e.kind === 'file') e.append = append;
      return 0;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint) {
      const e = entry(fd);
      if (e.kind === 'socket') return 0;
      // Rights may only shrink.
      if ((base & ~e.rightsBase) !== 0n || (inheriting & ~e.rightsInheriting) !== 0n) fail(Errno.NOTCAPABLE);
      e.rightsBase = base;
      e.rightsInheriting = inheriting;
      return 0;
    },
    fd_filestat_get(fd: number, out: number) {
      const e = entry(fd);
      let rec: FilestatRecord;
      if (e.kind === 'stdio' && e.sink) rec = pipeStat();
      else if (justOpened?.entry === e && justOpened.call === hostCallSerial() - 1) rec = filestatOf(justOpened.stat);
      else if (e.kind === 'file' || e.kind === 'stdio') rec = filestatOf(host(() => fs.fstatSync(e.host, { bigint: true })));
      else if (e.kind === 'dir' || e.kind === 'device') rec = statLocation(e.loc);
      else return fail(Errno.BADF);
      if (e.kind === 'stdio' && e.tty) rec.filetype = Filetype.CHARACTER_DEVICE;
      writeFilestat(mem, out, rec);
      return 0;
    },
    fd_filestat_set_size(fd: number, size: bigint) {
      // Linux's ftruncate answers EINVAL for anything but a file open for writing.
      const f = entry(fd);
      if (f.kind !== 'file' || !f.writable || f.stream) return fail(f.kind === 'socket' ? Errno.BADF : Errno.INVAL);
      host(() => fs.ftruncateSync(f.host, Number(size)));
      return 0;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number) {
      const e = entry(fd);
      if (e.kind === 'file') setTimes(e.loc, atim, mtim, fst, e.host);
      else if (e.kind === 'dir') setTimes(e.loc, atim, mtim, fst);
      else fail(Errno.BADF);
      return 0;
    },
    fd_pread(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, out: number) {
      const f = fileOf(fd);
      if (!f.readable) fail(Errno.BADF);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nread');
      mem.setU32(out, readHost(f.host, iovs, Number(offset), true));
      return 0;
    },
    fd_pwrite(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, out: number) {
      const f = fileOf(fd);
      if (!f.writable) fail(Errno.BADF);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nwritten');
      mem.setU32(out, writeHost(f.host, iovs, Number(offset), true));
      return 0;
    },
    fd_read(fd: number, iovsPtr: number, iovsLen: number, out: number) {
      const e = entry(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nread');
      let n: number;
      if (e.kind === 'file') {
        if (!e.readable) fail(Errno.BADF);
        if (e.stream) n = readHost(e.host, iovs, null, !e.nonblock);
        else {
          n = readHost(e.host, iovs, e.position, true);
          e.position += n;
        }
      } else if (e.kind === 'stdio') n = readHost(e.host, iovs, null, !e.nonblock);
      else if (e.kind === 'device') n = deviceIo(e.device, iovs, false);
      else return fail(e.kind === 'dir' ? Errno.ISDIR : Errno.BADF);
      mem.setU32(out, n);
      return 0;
    },
    fd_write(fd: number, iovsPtr: number, iovsLen: number, out: number) {
      const e = entry(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(out, 4, 'nwritten');
      let n: number;
      if (e.kind === 'file') {
        if (!e.writable) fail(Errno.BADF);
        if (e.stream) n = writeHost(e.host, iovs, null, !e.nonblock);
        else if (e.append) {
          n = writeHost(e.host, iovs, null, true);
          e.position = fileSize(e);
        } else {
          n = writeHost(e.host, iovs, e.position, true);
          e.position += n;
        }
      } else if (e.kind === 'stdio' && e.sink) {
        // A copy: the sink may keep it (and pass it to another thread).
        const bytes = new Uint8Array(totalLength(iovs));
        n = mem.gather(iovs, bytes);
        e.sink(bytes);
      } else if (e.kind === 'stdio') {
        n = writeHost(e.host, iovs, null, !e.nonblock);
        if (e.tty && opts.onTerminalWrite && n > 0) {
          const buf = Buffer.allocUnsafe(totalLength(iovs));
          mem.gather(iovs, buf);
          opts.onTerminalWrite(buf.subarray(0, n));
        }
      } else if (e.kind === 'device') n = deviceIo(e.device, iovs, true);
      else return fail(Errno.BADF);
      mem.setU32(out, n);
      return 0;
    },
    fd_seek(fd: number, offset: bigint, whence: number, out: number) {
      mem.check(out, 8, 'newoffset');
      const e = entry(fd);
      if (e.kind === 'device' || e.kind === 'dir') {
        // Linux: seeking /dev/null succeeds at 0. A directory is read by cookies, so only its
        // rewind (lseek(fd, 0, SEEK_SET)) means something; it answers 0 as Linux does.
        if (e.kind === 'dir' && (offset !== 0n || (whence !== Whence.SET && whence !== Whence.CUR))) fail(Errno.INVAL);
        mem.setU64(out, 0n);
        return 0;
      }
      const f = fileOf(fd);
      const off = Number(offset);
      let base: number;
      if (whence === Whence.SET) base = 0;
      else if (whence === Whence.CUR) base = f.position;
      else if (whence === Whence.END) base = fileSize(f);
      else return fail(Errno.INVAL);
      const pos = base + off;
      if (pos < 0 || !Number.isSafeInteger(pos)) fail(Errno.INVAL);
      f.position = pos;
      mem.setU64(out, BigInt(pos));
      return 0;
    },
    fd_tell(fd: number, out: number) {
      mem.check(out, 8, 'offset');
      const e = entry(fd);
      if (e.kind === 'device' || e.kind === 'dir') {
        mem.setU64(out, 0n); // as fd_seek
        return 0;
      }
      const f = fileOf(fd);
      mem.setU64(out, BigInt(f.position));
      return 0;
    },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, out: number) {
      const dir = dirEntry(fd);
      const len = bufLen >>> 0;
      mem.check(buf, len, 'readdir buffer');
      mem.check(out, 4, 'bufused');
      // A pass starts at cookie 0; later calls of the pass resume in the same listing.
      if (cookie === 0n || !dir.listing) dir.listing = listing(dir);
      mem.setU32(out, dir.listing.serve(cookie, new Uint8Array(mem.dataView().buffer, buf >>> 0, len)));
      return 0;
    },
    fd_renumber(from: number, to: number) {
      entry(from);
      entry(to);
      if (from === to) return 0;
      const gone = fds.delete(to);
      if (gone) closeEntry(gone);
      fds.move(from, to);
      return 0;
    },
    fd_prestat_get(fd: number, out: number) {
      const e = fds.get(fd);
      if (!e || e.kind !== 'dir' || e.preopen === undefined) return fail(Errno.BADF);
      mem.check(out, 8, 'prestat');
      mem.setU32(out, 0);
      mem.setU32(out + 4, Buffer.byteLength(e.preopen));
      return 0;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      const e = fds.get(fd);
      if (!e || e.kind !== 'dir' || e.preopen === undefined) return fail(Errno.BADF);
      const name = Buffer.from(e.preopen);
      if ((len >>> 0) < name.length) return fail(Errno.NAMETOOLONG);
      mem.write(ptr, name);
      return 0;
    },
    path_open(fd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint, _inheriting: bigint, fdflags: number, out: number) {
      mem.check(out, 4, 'fd');
      const p = pathArg(ptr, len);
      const dup = DUP_PATH.exec(p);
      if (dup && (p.startsWith('/') || dirEntry(fd).preopen === '/')) {
        // dup through the path wasi-libc's dup, dup2 and fcntl(F_DUPFD) open (its patch 0011).
        const [from, min] = [Number(dup[1]), Number(dup[2])];
        entry(from);
        if (min >= FD_LIMIT) return fail(Errno.INVAL);
        const newFd = fds.dup(from, min);
        if (newFd < 0) return fail(Errno.MFILE);
        mem.setU32(out, newFd);
        return 0;
      }
      const e = openAt(fd, dirflags, p, oflags, base, fdflags);
      const newFd = fds.add(e);
      if (newFd < 0) {
        closeEntry(e);
        return fail(Errno.MFILE);
      }
      mem.setU32(out, newFd);
      return 0;
    },
    path_create_directory(fd: number, ptr: number, len: number) {
      const res = resolveAt(fd, ptr, len, false);
      if (res.loc) return fail(Errno.EXIST);
      const parent = writableHost(res.parent);
      host(() => fs.mkdirSync(parent.dir.at(res.name), 0o777));
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
      setTimes(res.loc, atim, mtim, fst);
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
      host(() => fs.linkSync(src.host, dst.dir.at(to.name)));
      return 0;
    },
    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, out: number) {
      const res = resolveAt(fd, ptr, len, false);
      if (!res.loc) return fail(Errno.NOENT);
      const loc = res.loc;
      if (loc.kind !== 'host' || !res.stat?.isSymbolicLink()) return fail(Errno.INVAL);
      mem.check(out, 4, 'bufused');
      const content = Buffer.from(readlinkContent(host(() => fs.readlinkSync(loc.host)), loc));
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
      host(() => fs.rmdirSync(h.host));
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
      host(() => fs.renameSync(src.host, dstParent.dir.at(to.name)));
      return 0;
    },
    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      const target = pathArg(oldPtr, oldLen);
      const { res, slash } = entryAt(fd, newPtr, newLen);
      if (res.loc) return fail(Errno.EXIST);
      if (slash) return fail(Errno.NOENT); // as for path_link
      const parent = writableHost(res.parent);
      host(() => fs.symlinkSync(symlinkContent(target, parent), parent.dir.at(res.name)));
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
      host(() => fs.unlinkSync(h.host));
      return 0;
    },
  };
  // Each call lets go of the directory handles its paths were resolved through.
  for (const [name, fn] of Object.entries(imports)) {
    imports[name] = (...args: Parameters<HostFn>) => {
      try {
        return fn(...args);
      } finally {
        resolver.endCall();
      }
    };
  }
  fds.atEnd(() => resolver.close());
  return imports;
}

/** A directory fd's entry; a host directory's handle is held until the fd is closed. */
function dirFdEntry(loc: Location, preopen?: string): DirEntry {
  if (loc.kind === 'host') loc.dir.retain();
  return { kind: 'dir', loc: loc as HostDir | (Location & { kind: 'tree' }), ...(preopen !== undefined ? { preopen } : {}), rightsBase: DIR_RIGHTS, rightsInheriting: ALL_RIGHTS };
}

/** Closes every host fd the guest left open, and the directory handles of its file system. */
export function closeAllFiles(fds: FdTable): void {
  for (const [, e] of fds) {
    try {
      if (e.kind === 'file') fs.closeSync(e.host);
      else if (e.kind === 'dir' && e.loc.kind === 'host') e.loc.dir.release();
    } catch {
      // already closed
    }
  }
  fds.end();
}
