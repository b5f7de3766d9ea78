// Path resolution for every path the guest passes, done here and not by the host OS, so that no
// path, symlink, ".." or concurrent change to the host tree can reach outside what the user mounted.
//
// The rules (also in the README):
// - A path is walked one component at a time through the guest tree (mounts.ts). ".." goes to the
//   parent in the guest's tree: from a mount's root to the directory holding the mount point, from
//   "/" to "/". It never reaches the host directory above a mount.
// - A symlink is followed only while its target stays inside the mount that holds the link: a
//   relative target may not climb above the mount's root with "..", an absolute target must name a
//   host path inside the mount's host directory. Anything else fails with EACCES, whatever exists
//   on the host. Up to 40 links per resolution, then ELOOP.
// - Race-free: each step happens inside a directory held open (dir-handle.ts). A mount is its root
//   directory as opened when the run started; each component is opened relative to the handle of
//   the one before, never following a symlink (a symlink is read and walked by the rules above);
//   the host call at the end acts on a name inside the last handle. Whoever renames, removes or
//   swaps directories meanwhile (another guest, another run, any host process) changes which
//   directory a path reaches, never whether it is inside the mount.
// - Handles of directories reached by a plain path (no symlink, no "..") are kept for later calls
//   (kept-handles.ts) and used again only while the kernel still puts the directory at the same
//   place: a cache of handles checked at each use, never a belief about a path.
// - A directory fd is a handle: it keeps its directory when that is moved, as with openat. ".."
//   from it goes to the parent of where the guest found it, walked again from the mount's root.
import { lstatSync, readlinkSync, type BigIntStats, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Errno } from '../errno.ts';
import { WasiError } from './device.ts';
import { DirHandle } from './dir-handle.ts';
import { KeptHandles } from './kept-handles.ts';
import { MountError, type Mount, type MountTable, type TreeNode } from './mounts.ts';

/** A place inside a mount. */
export interface HostLocation {
  readonly kind: 'host';
  readonly mount: Mount;
  /** The components from the mount's root down to it, as the guest reached it. */
  readonly rel: readonly string[];
  /** The directory holding it, held open; or the entry itself when `name` is ".". */
  readonly dir: DirHandle;
  /** Its name in `dir`, or "." for a directory known by its own handle. */
  readonly name: string;
  /** `dir.at(name)`: the path host calls take, looked up inside `dir` only. Calls on it must not
   * follow a symlink in its last component (lstat, O_NOFOLLOW...). */
  readonly host: string;
}

/** A place in the guest tree: inside a mount, or a synthetic node of the tree. */
export type Location = HostLocation | { readonly kind: 'tree'; readonly node: TreeNode };

/** A directory known by its own handle. */
export type HostDir = HostLocation & { readonly name: '.' };

export interface Resolved {
  /** The entry, or null when it does not exist (its parent does). */
  loc: Location | null;
  /** Where the entry lives (or would be created) and its name there. */
  parent: HostDir | (Location & { kind: 'tree' });
  name: string;
  /** lstat of a host entry, when it was taken during the walk. */
  stat?: Stats | BigIntStats;
}

/** How the last component is looked at: lstat (default), lstat with nanosecond times for a
 * caller that reports them, not at all for a caller whose host call answers for a missing or
 * wrong-typed entry itself (unlink, rmdir, mkdir...) — `loc` is then set whether or not it exists —
 * or, for a caller that wants a directory (opendir), opened as one when it is (then `loc` is a
 * HostDir and no stat is taken). */
export type FinalStat = 'lstat' | 'bigint' | 'none' | 'dir';

const MAX_SYMLINKS = 40;
/** UTF-8 takes at most 3 bytes per UTF-16 unit: most names need no count (every path call asks). */
const utf8Exceeds = (s: string, max: number): boolean => s.length * 3 > max && Buffer.byteLength(s) > max;
export const PATH_MAX = 4096;
const NAME_MAX = 255;

function nodeError(e: unknown): WasiError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new WasiError(Errno.NOENT);
  if (code === 'ENOTDIR') return new WasiError(Errno.NOTDIR);
  if (code === 'EACCES' || code === 'EPERM') return new WasiError(Errno.ACCES);
  if (code === 'ELOOP') return new WasiError(Errno.LOOP);
  if (code === 'ENAMETOOLONG') return new WasiError(Errno.NAMETOOLONG);
  if (code === 'EMFILE' || code === 'ENFILE') return new WasiError(Errno.NFILE);
  return new WasiError(Errno.IO);
}

/** The guest path of a location ("/" or "/a/b"). */
export function guestPath(loc: Location): string {
  if (loc.kind === 'host') {
    if (!loc.rel.length) return loc.mount.guest;
    return (loc.mount.guest === '/' ? '' : loc.mount.guest) + '/' + loc.rel.join('/');
  }
  const names: string[] = [];
  for (let n: TreeNode | null = loc.node; n && n.parent; n = n.parent) names.push(n.name);
  return '/' + names.reverse().join('/');
}

/** The host path a location has now (the kernel's name for its directory, and its name there):
 * for messages and checks, never to act on (another process may move it at once). */
export function hostPathNow(loc: HostLocation): string {
  const dir = loc.dir.whereNow();
  return loc.name === '.' ? dir : (dir === '/' ? '' : dir) + '/' + loc.name;
}

/** The tree node at a host location's guest path (a nested mount point or a way to one), if any. */
export function treeNodeAt(loc: HostLocation): TreeNode | undefined {
  let node: TreeNode | undefined = loc.mount.node;
  for (const part of loc.rel) {
    node = node.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

interface Pending {
  name: string;
  /** Set for components that came from a symlink: the mount they must not leave. */
  jail: Mount | null;
}

function pushPath(stack: Pending[], p: string, jail: Mount | null): void {
  const parts = p.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const name = parts[i]!;
    if (name !== '' && name !== '.') stack.push({ name, jail });
  }
}

/** Where an absolute symlink target lands inside `mount`, or null when it is outside it. */
function insideMount(mount: Mount, target: string): string | null {
  const t = path.normalize(target);
  for (const base of [mount.host, mount.hostAsGiven]) {
    if (t === base) return '';
    const prefix = base.endsWith('/') ? base : base + '/';
    if (t.startsWith(prefix)) return t.slice(prefix.length);
  }
  return null;
}

/**
 * Resolves guest paths for one guest's file system. Handles it returns stay open until `endCall`
 * (each host call ends with it); a caller that keeps a location longer (a directory fd) retains its
 * handle.
 */
export class PathResolver {
  private readonly roots = new Map<Mount, HostDir>();
  private readonly kept = new KeptHandles();
  /** Handles the current call holds. */
  private readonly scope: DirHandle[] = [];

  readonly mounts: MountTable;

  /** Opens every mount's root now: the guest's mounts are the directories there at its start. */
  constructor(mounts: MountTable) {
    this.mounts = mounts;
    for (const mount of mounts.mounts) {
      try {
        this.mountRoot(mount);
      } catch {
        this.close();
        throw new MountError(`cannot open ${mount.host} (mounted at ${mount.guest}): it is no longer a directory this process may enter`);
      }
    }
  }

  /** The root of a mount: its directory as opened when the resolver was made, held until `close`. */
  mountRoot(mount: Mount): HostDir {
    let root = this.roots.get(mount);
    if (!root) {
      let h: DirHandle;
      try {
        h = DirHandle.open(mount.host);
      } catch (e) {
        throw nodeError(e);
      }
      root = this.hostDir(mount, [], h);
      this.roots.set(mount, root);
    }
    return root;
  }

  rootLocation(): Location {
    const root = this.mounts.root;
    return root.mount ? this.mountRoot(root.mount) : { kind: 'tree', node: root };
  }

  /** Lets go of the handles the call used (kept ones stay open). */
  endCall(): void {
    for (const h of this.scope) h.release();
    this.scope.length = 0;
  }

  /** Closes every handle: the run is over. */
  close(): void {
    this.endCall();
    this.kept.clear();
    for (const root of this.roots.values()) root.dir.release();
    this.roots.clear();
  }

  /** `loc` as a directory known by its own handle (opened now for an entry), or ENOTDIR. */
  ownHandle(loc: HostLocation): HostDir {
    if (loc.name === '.') return loc as HostDir;
    const h = this.openDir(loc.host);
    if (h === 'missing') throw new WasiError(Errno.NOENT);
    if (h === 'other') throw new WasiError(Errno.NOTDIR);
    return this.hostDir(loc.mount, loc.rel, this.pin(h));
  }

  /** The entry `name` inside the directory `dir`. */
  entry(dir: HostDir, name: string): HostLocation {
    return { kind: 'host', mount: dir.mount, rel: [...dir.rel, name], dir: dir.dir, name, host: dir.dir.at(name) };
  }

  /** The directory holding a location, in the guest's tree. */
  parentOf(loc: Location): Location {
    if (loc.kind === 'tree') return loc.node.parent ? this.locationOfNode(loc.node.parent) : loc;
    if (loc.name !== '.') return this.hostDir(loc.mount, loc.rel.slice(0, -1), loc.dir);
    if (loc.rel.length) return this.dirAt(loc.mount, loc.rel.slice(0, -1)) ?? this.fail(Errno.NOENT);
    const above = loc.mount.node.parent;
    return above ? this.locationOfNode(above) : loc;
  }

  /**
   * Resolves `p` against `start` (the location of a directory fd). `follow` follows a symlink in the
   * last component. Throws WasiError for every failure (ENOENT for a missing directory on the way,
   * ENOTDIR, ELOOP, EACCES for a symlink leaving its mount).
   */
  resolve(start: Location, p: string, follow: boolean, finalStat: FinalStat = 'lstat'): Resolved {
    if (p.length === 0) throw new WasiError(Errno.NOENT);
    if (utf8Exceeds(p, PATH_MAX)) throw new WasiError(Errno.NAMETOOLONG);
    const mustBeDir = p.endsWith('/');
    const absolute = p.startsWith('/');
    if (!absolute && start.kind === 'host' && start.name !== '.') start = this.ownHandle(start);
    let here: Location = absolute ? this.rootLocation() : start;
    const stack: Pending[] = [];
    // "dir/name": the directory part may have a kept handle; then only the name is walked.
    const cut = p.lastIndexOf('/');
    const lastName = p.slice(cut + 1);
    const startKey: object = absolute ? this.mounts : start.kind === 'host' ? start.dir : start.node;
    const dirPart = cut > 0 && lastName !== '' && lastName !== '.' && lastName !== '..' ? p.slice(0, cut) : null;
    const known = dirPart === null ? undefined : this.keptDir(startKey, dirPart);
    if (known) {
      here = known;
      stack.push({ name: lastName, jail: null });
    } else pushPath(stack, p, null);
    if (!stack.length) return { loc: here, parent: this.asParent(this.parentOf(here)), name: '.' };
    let hops = 0;
    /** No ".." nor symlink so far: the directory part reaches where the walk is at the last name. */
    let plain = true;
    for (;;) {
      const { name, jail } = stack.pop()!;
      const last = stack.length === 0;
      if (last && plain && dirPart !== null && !known && here.kind === 'host') this.keep(startKey, dirPart, here as HostDir);
      if (name === '..') {
        plain = false;
        if (jail && here.kind === 'host' && here.mount === jail && here.rel.length === 0) throw new WasiError(Errno.ACCES);
        here = this.parentOf(here);
        if (last) return { loc: here, parent: this.asParent(this.parentOf(here)), name: '..' };
        continue;
      }
      if (utf8Exceeds(name, NAME_MAX)) throw new WasiError(Errno.NAMETOOLONG);
      if (here.kind === 'tree') {
        if (here.node.device) throw new WasiError(Errno.NOTDIR);
        const node = here.node.children.get(name);
        const child = node ? this.locationOfNode(node) : null;
        if (last) return { loc: child, parent: here, name };
        if (!child) throw new WasiError(Errno.NOENT);
        if (child.kind === 'tree' && child.node.device) throw new WasiError(Errno.NOTDIR);
        here = child;
        continue;
      }
      const dir = here as HostDir;
      // Most mounts hold no nested mount or device: no tree to look in.
      const nested = dir.mount.node.children.size ? treeNodeAt(dir)?.children.get(name) : undefined;
      if (nested?.mount || nested?.device) {
        const child: Location = nested.mount ? this.mountRoot(nested.mount) : { kind: 'tree', node: nested };
        if (last) return { loc: child, parent: dir, name };
        if (child.kind === 'tree') throw new WasiError(Errno.NOTDIR);
        here = child;
        continue;
      }
      const entry = this.entry(dir, name);
      if (!last || finalStat === 'dir') {
        // A directory on the way: open it as a handle, never following a symlink.
        const h = this.openDir(entry.host);
        if (h instanceof DirHandle) {
          const child = this.hostDir(dir.mount, entry.rel, this.pin(h));
          if (last) return { loc: child, parent: dir, name };
          here = child;
          continue;
        }
        if (h === 'missing' && !last) {
          if (!nested) throw new WasiError(Errno.NOENT);
          here = { kind: 'tree', node: nested };
          continue;
        }
        if (!last) {
          // A symlink, or not a directory.
          const target = this.readlinkOrNull(entry.host);
          if (target === null) throw new WasiError(Errno.NOTDIR);
          if (++hops > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
          plain = false;
          here = this.followLink(dir, target, stack);
          if (!stack.length) return { loc: here, parent: this.asParent(this.parentOf(here)), name: '.' };
          continue;
        }
        // The last name, and no directory: looked at as any other.
      }
      if (finalStat === 'none' && !follow && !mustBeDir && !nested) return { loc: entry, parent: dir, name };
      let stat: Stats | BigIntStats | undefined;
      try {
        stat = finalStat === 'bigint' ? lstatSync(entry.host, { bigint: true, throwIfNoEntry: false }) : lstatSync(entry.host, { throwIfNoEntry: false });
      } catch (e) {
        throw nodeError(e);
      }
      if (!stat) return { loc: nested ? { kind: 'tree', node: nested } : null, parent: dir, name };
      if (stat.isSymbolicLink() && (follow || mustBeDir)) {
        if (++hops > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
        plain = false;
        const target = this.readlinkOrNull(entry.host);
        // Swapped for something else since the lstat: walk it again.
        if (target === null) stack.push({ name, jail });
        else here = this.followLink(dir, target, stack);
        if (!stack.length) return { loc: here, parent: this.asParent(this.parentOf(here)), name: '.' };
        continue;
      }
      if (mustBeDir && !stat.isDirectory()) throw new WasiError(Errno.NOTDIR);
      return { loc: entry, parent: dir, name, stat };
    }
  }

  /** Pushes a symlink's target and returns where its walk starts. */
  private followLink(dir: HostDir, target: string, stack: Pending[]): Location {
    if (target.length === 0) throw new WasiError(Errno.NOENT);
    if (!path.isAbsolute(target)) {
      pushPath(stack, target, dir.mount);
      return dir;
    }
    const rel = insideMount(dir.mount, target);
    if (rel === null) throw new WasiError(Errno.ACCES);
    pushPath(stack, rel, dir.mount);
    return this.mountRoot(dir.mount);
  }

  private readlinkOrNull(hostPath: string): string | null {
    try {
      return readlinkSync(hostPath);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EINVAL') return null; // not a symlink
      throw nodeError(e);
    }
  }

  /** Opens a directory handle at `hostPath`: 'missing' when there is nothing, 'other' when it is
   * not a directory (a symlink included). */
  private openDir(hostPath: string): DirHandle | 'missing' | 'other' {
    try {
      return DirHandle.open(hostPath);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') return 'missing';
      if (code === 'ENOTDIR' || code === 'ELOOP') return 'other';
      throw nodeError(e);
    }
  }

  private hostDir(mount: Mount, rel: readonly string[], dir: DirHandle): HostDir {
    return { kind: 'host', mount, rel, dir, name: '.', host: dir.at('.') };
  }

  /** The call holds `h` (already counted for it) until endCall. */
  private pin(h: DirHandle): DirHandle {
    this.scope.push(h);
    return h;
  }

  private asParent(loc: Location): HostDir | (Location & { kind: 'tree' }) {
    return loc.kind === 'tree' ? loc : this.ownHandle(loc);
  }

  private fail(errno: number): never {
    throw new WasiError(errno);
  }

  /** The directory at `rel` below a mount's root, walked through real directories only, or null. */
  private dirAt(mount: Mount, rel: readonly string[]): HostDir | null {
    let here = this.mountRoot(mount);
    if (!rel.length) return here;
    const key = rel.join('/');
    const known = this.keptDir(mount, key);
    if (known) return known;
    for (const name of rel) {
      const h = this.openDir(here.dir.at(name));
      if (!(h instanceof DirHandle)) return null;
      here = this.hostDir(mount, [...here.rel, name], this.pin(h));
    }
    this.keep(mount, key, here);
    return here;
  }

  /** A location for a tree node: a host directory when a mount holds it and the host has it. */
  private locationOfNode(node: TreeNode): Location {
    if (node.mount) return this.mountRoot(node.mount);
    const owner = this.mounts.mountOf(node);
    return (owner && this.dirAt(owner.mount, owner.rel)) || { kind: 'tree', node };
  }

  private keptDir(start: object, dirPart: string): HostDir | undefined {
    const dir = this.kept.get(start, dirPart);
    if (dir) this.pin(dir.dir.retain());
    return dir;
  }

  private keep(start: object, dirPart: string, dir: HostDir): void {
    if (this.roots.get(dir.mount) !== dir) this.kept.put(start, dirPart, dir); // a root is held anyway
  }
}
