// path_open: a guest path, resolved inside the mounts (resolve.ts), becomes a descriptor: a
// regular file, a host FIFO, device or terminal, a directory, or a synthetic device of the tree.
// Host files are opened by a name inside a held directory handle, with O_NOFOLLOW: the host OS
// never follows a symlink on its own.
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { Errno, fsErrnoFromNode } from '../errno.ts';
import { fail, hostCall, type Descriptor, type DescriptorIo } from '../fd/descriptor.ts';
import { DeviceFile } from '../fd/device.ts';
import { Directory } from '../fd/directory.ts';
import { HostStream, RegularFile, type OpenMode } from '../fd/file.ts';
import { WasiError } from './device.ts';
import { writableHost } from './location-stat.ts';
import { treeNodeAt, type HostDir, type HostLocation, type Location, type PathResolver } from './resolve.ts';
import { Fdflags, FILE_RIGHTS, Filetype, filetypeOf, LOOKUP_SYMLINK_FOLLOW, Oflags, Rights, TTY_RIGHTS } from './wire.ts';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/** What path_open asks for, decoded once. */
interface OpenRequest {
  follow: boolean;
  creat: boolean;
  /** O_CREAT|O_EXCL never follows a symlink in the last component: the link itself exists. */
  exclusive: boolean;
  trunc: boolean;
  wantDir: boolean;
  mode: OpenMode;
  rights: { rightsBase: bigint; rightsInheriting: bigint };
}

function decode(dirflags: number, oflags: number, base: bigint, fdflags: number): OpenRequest {
  const creat = (oflags & Oflags.CREAT) !== 0;
  const writable = (base & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0n;
  return {
    follow: (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0,
    creat,
    exclusive: creat && (oflags & Oflags.EXCL) !== 0,
    trunc: (oflags & Oflags.TRUNC) !== 0,
    wantDir: (oflags & Oflags.DIRECTORY) !== 0,
    mode: {
      readable: (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !writable,
      writable,
      append: (fdflags & Fdflags.APPEND) !== 0,
      nonblock: (fdflags & Fdflags.NONBLOCK) !== 0,
    },
    rights: { rightsBase: base & FILE_RIGHTS, rightsInheriting: base & FILE_RIGHTS },
  };
}

/** The host open(2) flags of a request (O_NOFOLLOW always). */
function hostFlags(r: OpenRequest, extra = 0): number {
  const { readable, writable, append } = r.mode;
  return O_NOFOLLOW | extra | (r.trunc ? O_TRUNC : 0) | (append ? O_APPEND : 0) | (readable && writable ? O_RDWR : writable ? O_WRONLY : O_RDONLY);
}

export class Opener {
  private readonly io: DescriptorIo;
  private readonly resolver: PathResolver;

  constructor(
    io: DescriptorIo,
    resolver: PathResolver,
  ) {
    this.io = io;
    this.resolver = resolver;}

  /** The descriptor `p` opens from the directory `start` (a directory fd's location). */
  open(start: Location, p: string, dirflags: number, oflags: number, base: bigint, fdflags: number): Descriptor {
    const r = decode(dirflags, oflags, base, fdflags);
    return this.openFast(start, p, r) ?? this.openResolved(start, p, r);
  }

  /** The kind of descriptor a freshly opened host fd is: a file, or a stream (FIFO, device, a
   * terminal, which stays one for the guest's isatty(): no seek rights). */
  private hostFile(h: number, loc: HostLocation, st: fs.Stats | fs.BigIntStats, r: OpenRequest): RegularFile | HostStream {
    if (!(st.isFIFO() || st.isCharacterDevice())) return new RegularFile(this.io, h, loc, filetypeOf(st), { ...r.mode }, r.rights);
    const tty = st.isCharacterDevice() && isatty(h);
    const rights = tty ? { rightsBase: r.rights.rightsBase & TTY_RIGHTS, rightsInheriting: r.rights.rightsInheriting & TTY_RIGHTS } : r.rights;
    return new HostStream(this.io, h, loc, filetypeOf(st), { ...r.mode }, rights);
  }

  /**
   * The common case in one host call: the directories on the way are resolved (confined, as
   * always), then the last component is opened with O_NOFOLLOW and looked at with fstat, instead
   * of an lstat before the open. Null for what the full way takes: a symlink to follow,
   * directories (O_DIRECTORY), tree entries, read-only mounts asked to write.
   */
  private openFast(start: Location, p: string, r: OpenRequest): Descriptor | null {
    if (r.wantDir || p.endsWith('/')) return null;
    const res = this.resolver.resolve(start, p, false, 'none');
    const loc = res.loc;
    if (!loc || loc.kind !== 'host' || loc.name === '.' || res.stat || treeNodeAt(loc)) return null;
    if (loc.mount.readOnly && (r.mode.writable || r.trunc || r.creat)) return null;
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it changes nothing for files).
    const flags = hostFlags(r, O_NONBLOCK | (r.creat ? O_CREAT : 0) | (r.exclusive ? O_EXCL : 0));
    let h: number;
    try {
      h = fs.openSync(loc.host, flags, 0o666);
    } catch (e) {
      // A symlink in the last component: the full resolution follows it (or refuses it).
      if ((e as { code?: string }).code === 'ELOOP' && r.follow && !r.exclusive) return null;
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
      return new Directory(this.resolver, this.resolver.ownHandle(loc));
    }
    const file = this.hostFile(h, loc, st, r);
    return file instanceof RegularFile ? file.openedWith(st) : file;
  }

  private openResolved(start: Location, p: string, r: OpenRequest): Descriptor {
    const res = this.resolver.resolve(start, p, r.follow && !r.exclusive, r.wantDir && !r.creat ? 'dir' : 'lstat');
    // O_TRUNC writes even through a read-only fd (Linux truncates on O_RDONLY|O_TRUNC).
    const modifies = r.mode.writable || r.trunc;
    const loc = res.loc;
    if (loc && r.exclusive) fail(Errno.EXIST);
    if (!loc) {
      if (!r.creat) fail(Errno.NOENT);
      if (r.wantDir) fail(Errno.INVAL);
      // "name/" can only be a directory, which O_CREAT does not make (Linux: EISDIR).
      if (p.endsWith('/')) fail(Errno.ISDIR);
      const parent = writableHost(res.parent) as HostDir;
      const created = this.resolver.entry(parent, res.name);
      const h = hostCall(() => fs.openSync(created.host, hostFlags(r, O_CREAT | (r.exclusive ? O_EXCL : 0)), 0o666));
      return new RegularFile(this.io, h, created, Filetype.REGULAR_FILE, { ...r.mode }, r.rights);
    }
    if (loc.kind === 'tree') {
      const node = loc.node;
      if (node.device) {
        if (r.wantDir) fail(Errno.NOTDIR);
        return new DeviceFile(this.io, node.device(), node, r.mode.nonblock);
      }
      if (modifies || r.creat) fail(Errno.ISDIR);
      return new Directory(this.resolver, loc);
    }
    if (loc.name === '.') {
      // A directory, opened as a handle by the walk.
      if (modifies) fail(Errno.ISDIR);
      return new Directory(this.resolver, loc as HostDir);
    }
    const st = res.stat ?? hostCall(() => fs.lstatSync(loc.host));
    if (st.isSymbolicLink()) fail(Errno.LOOP);
    if (st.isDirectory()) {
      if (modifies || r.creat) fail(Errno.ISDIR);
      return new Directory(this.resolver, this.resolver.ownHandle(loc));
    }
    if (r.wantDir) fail(Errno.NOTDIR);
    if (modifies && loc.mount.readOnly) fail(Errno.ROFS);
    if (st.isSocket()) fail(Errno.NXIO);
    const h = hostCall(() => fs.openSync(loc.host, hostFlags(r, st.isFIFO() ? O_NONBLOCK : 0)));
    return this.hostFile(h, loc, st, r);
  }
}
