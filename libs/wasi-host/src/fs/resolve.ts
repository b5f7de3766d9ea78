// Path resolution for every path the guest passes, done here and not by the host OS, so that no
// path, symlink or ".." can reach outside what the user mounted.
//
// The rules (also in the README):
// - A path is walked one component at a time through the guest tree (mounts.ts). ".." goes to the
//   parent in the guest's tree: from a mount's root to the directory holding the mount point, from
//   "/" to "/". It never reaches the host directory above a mount.
// - A symlink is followed only while its target stays inside the mount that holds the link: a
//   relative target may not climb above the mount's root with "..", an absolute target must name a
//   host path inside the mount's host directory. Anything else fails with EACCES, whatever exists
//   on the host. Up to 40 links per resolution, then ELOOP.
// - Components are checked with lstat as they are walked; a host directory confirmed as a real
//   directory is remembered until the guest renames or removes something (see `DirCache`).
//   Races with other host processes changing the tree during a call are out of scope.
// - A directory fd is a host path: before a path is resolved from it (or it is listed, stat'ed...)
//   its components below the mount root are checked again (`checkDirectory`), since the guest may
//   have moved the directory and put a symlink to anywhere in its place; then it fails with ENOENT.
// - A mount's host directory, or a directory above it, met inside another mount may be neither
//   renamed nor removed (EBUSY, see MountTable.holdsMount): a symlink put in its place would move
//   the mount outside.
import { lstatSync, readlinkSync, type BigIntStats, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Errno } from '../errno.ts';
import { WasiError } from './device.ts';
import type { Mount, MountTable, TreeNode } from './mounts.ts';

/** A place in the guest tree: inside a mount (a host path), or a synthetic node of the tree. */
export type Location =
  | { readonly kind: 'host'; readonly mount: Mount; readonly rel: readonly string[]; readonly host: string }
  | { readonly kind: 'tree'; readonly node: TreeNode };

export interface Resolved {
  /** The entry, or null when it does not exist (its parent does). */
  loc: Location | null;
  /** Where the entry lives (or would be created) and its name there. */
  parent: Location;
  name: string;
  /** lstat of a host entry, when it was taken during the walk. */
  stat?: Stats | BigIntStats;
  /** The entry is a host directory the DirCache knows (finalStat 'dir'): no lstat was taken. */
  cachedDir?: boolean;
}

/** How the last component is looked at: lstat (default), lstat with nanosecond times for a
 * caller that reports them, not at all for a caller whose host call answers for a missing or
 * wrong-typed entry itself (unlink, rmdir, mkdir...) — `loc` is then set whether or not it exists —
 * or, for a caller that wants a directory (opendir), not when the DirCache knows it as one
 * (`cachedDir` is then set: os.walk lstats each directory just before it opens it). */
export type FinalStat = 'lstat' | 'bigint' | 'none' | 'dir';

const MAX_SYMLINKS = 40;
/** UTF-8 takes at most 3 bytes per UTF-16 unit: most names need no count (every path call asks). */
const utf8Exceeds = (s: string, max: number): boolean => s.length * 3 > max && Buffer.byteLength(s) > max;
export const PATH_MAX = 4096;
const NAME_MAX = 255;

/**
 * What the walk has learnt, until the guest changes the tree: host directories known to be real
 * directories (not symlinks), host paths known missing, and the directory part of paths resolved
 * before (each path call asks for the same few directories again: os.walk lstats and lists names
 * in one directory, a build opens its files in a few).
 *
 * Every entry was checked component by component when it was added, so a later lookup may trust it
 * whole: the guest can only make a checked directory something else by renaming or removing it
 * (`clear`), and a missing path present by creating it (`created`).
 */
export class DirCache {
  private readonly dirs = new Set<string>();
  /** Host paths found missing where the guest tree has a way to a nested mount (say /tmp/a when
   * /tmp and /tmp/a/b are mounts): the tree's synthetic directory stands there. */
  private readonly absent = new Set<string>();
  /** Per start (a directory fd's location, or the mount table for absolute paths): the location
   * of a path's directory part, resolved with no symlink and no ".." on the way. */
  private readonly prefixes = new Map<object, Map<string, Location>>();
  private prefixCount = 0;
  has(host: string): boolean {
    return this.dirs.has(host);
  }
  add(host: string): void {
    if (this.dirs.size >= 20_000) this.clear();
    this.dirs.add(host);
  }
  isAbsent(host: string): boolean {
    return this.absent.has(host);
  }
  addAbsent(host: string): void {
    this.absent.add(host);
  }
  prefix(start: object, dir: string): Location | undefined {
    return this.prefixes.get(start)?.get(dir);
  }
  addPrefix(start: object, dir: string, loc: Location): void {
    if (this.prefixCount >= 4_096) this.clearPrefixes();
    let forStart = this.prefixes.get(start);
    if (!forStart) this.prefixes.set(start, (forStart = new Map()));
    forStart.set(dir, loc);
    this.prefixCount++;
  }
  /** The guest created something: a path known missing may exist now (and a directory part that
   * went through the tree's stand-in for it resolves elsewhere). */
  created(): void {
    if (this.absent.size) {
      this.absent.clear();
      this.clearPrefixes();
    }
  }
  clear(): void {
    this.dirs.clear();
    this.absent.clear();
    this.clearPrefixes();
  }
  private clearPrefixes(): void {
    if (this.prefixCount) this.prefixes.clear();
    this.prefixCount = 0;
  }
}

export function mountRoot(mount: Mount): Location {
  return { kind: 'host', mount, rel: [], host: mount.host };
}

export function rootLocation(table: MountTable): Location {
  return table.root.mount ? mountRoot(table.root.mount) : { kind: 'tree', node: table.root };
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

/** The tree node at a host location's guest path (a nested mount point or a way to one), if any. */
export function treeNodeAt(loc: Location & { kind: 'host' }): TreeNode | undefined {
  let node: TreeNode | undefined = loc.mount.node;
  for (const part of loc.rel) {
    node = node.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

/** A location for a tree node: host-backed when a mount holds it and the host has it. */
function locationOfNode(table: MountTable, node: TreeNode): Location {
  if (node.mount) return mountRoot(node.mount);
  const owner = table.mountOf(node);
  if (owner) {
    const host = path.join(owner.mount.host, ...owner.rel);
    if (lstatSync(host, { throwIfNoEntry: false })?.isDirectory()) return { kind: 'host', mount: owner.mount, rel: owner.rel, host };
  }
  return { kind: 'tree', node };
}

function parentOf(table: MountTable, loc: Location): Location {
  if (loc.kind === 'tree') return loc.node.parent ? locationOfNode(table, loc.node.parent) : loc;
  if (loc.rel.length) {
    const rel = loc.rel.slice(0, -1);
    return { kind: 'host', mount: loc.mount, rel, host: path.dirname(loc.host) };
  }
  const above = loc.mount.node.parent;
  return above ? locationOfNode(table, above) : loc;
}

function nodeError(e: unknown): WasiError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOTDIR') return new WasiError(Errno.NOTDIR);
  if (code === 'EACCES' || code === 'EPERM') return new WasiError(Errno.ACCES);
  if (code === 'ELOOP') return new WasiError(Errno.LOOP);
  if (code === 'ENAMETOOLONG') return new WasiError(Errno.NAMETOOLONG);
  return new WasiError(Errno.IO);
}



/**
 * Throws ENOENT unless every component of a host location below its mount's root is still a real
 * directory. Directory fds keep host paths: the guest may have renamed one and put a symlink
 * pointing outside at the old path, which the host OS would follow.
 */
export function checkDirectory(loc: Location, cache?: DirCache): void {
  if (loc.kind !== 'host' || loc.rel.length === 0) return;
  // Known whole: its components were checked when it was added (DirCache).
  if (cache?.has(loc.host)) return;
  let host = loc.mount.host;
  for (const part of loc.rel) {
    host += '/' + part;
    if (cache?.has(host)) continue;
    let stat: Stats | BigIntStats | undefined;
    try {
      stat = lstatSync(host, { throwIfNoEntry: false });
    } catch (e) {
      throw nodeError(e);
    }
    if (!stat?.isDirectory()) throw new WasiError(Errno.NOENT);
    cache?.add(host);
  }
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
 * Resolves `p` against `start` (the location of a directory fd). `follow` follows a symlink in the
 * last component. Throws WasiError for every failure (ENOENT for a missing directory on the way,
 * ENOTDIR, ELOOP, EACCES for a symlink leaving its mount).
 */
export function resolvePath(table: MountTable, start: Location, p: string, follow: boolean, cache?: DirCache, finalStat: FinalStat = 'lstat'): Resolved {
  if (p.length === 0) throw new WasiError(Errno.NOENT);
  if (utf8Exceeds(p, PATH_MAX)) throw new WasiError(Errno.NAMETOOLONG);
  const mustBeDir = p.endsWith('/');
  const absolute = p.startsWith('/');
  if (!absolute) checkDirectory(start, cache);
  let loc: Location = absolute ? rootLocation(table) : start;
  const stack: Pending[] = [];
  // "dir/name": the directory part may be known (DirCache); then only the name is walked.
  const cut = p.lastIndexOf('/');
  const lastName = p.slice(cut + 1);
  const prefixKey = absolute ? table : start;
  const dirPart = cache && cut > 0 && lastName !== '' && lastName !== '.' && lastName !== '..' ? p.slice(0, cut) : null;
  const known = dirPart === null ? undefined : cache!.prefix(prefixKey, dirPart);
  if (known) {
    loc = known;
    stack.push({ name: lastName, jail: null });
  } else pushPath(stack, p, null);
  if (!stack.length) {
    // "." or "/" or "./": the start itself.
    return { loc, parent: parentOf(table, loc), name: '.' };
  }
  let hops = 0;
  /** No ".." nor symlink so far: the directory part resolves to where the walk is when it
   * reaches the last name, and may be remembered. */
  let plain = true;
  for (;;) {
    const { name, jail } = stack.pop()!;
    const last = stack.length === 0;
    if (last && plain && dirPart !== null && !known) cache!.addPrefix(prefixKey, dirPart, loc);
    if (name === '..') {
      plain = false;
      if (jail && loc.kind === 'host' && loc.mount === jail && loc.rel.length === 0) throw new WasiError(Errno.ACCES);
      loc = parentOf(table, loc);
      if (last) return { loc, parent: parentOf(table, loc), name: '..' };
      continue;
    }
    if (utf8Exceeds(name, NAME_MAX)) throw new WasiError(Errno.NAMETOOLONG);
    const parent = loc;
    let child: Location | null;
    let stat: Stats | BigIntStats | undefined;
    if (parent.kind === 'tree') {
      const node = parent.node.children.get(name);
      if (parent.node.device) throw new WasiError(Errno.NOTDIR);
      child = node ? locationOfNode(table, node) : null;
    } else {
      // Most mounts hold no nested mount or device: no tree to look in.
      const nested = parent.mount.node.children.size ? treeNodeAt(parent)?.children.get(name) : undefined;
      if (nested?.mount || nested?.device) {
        child = nested.mount ? mountRoot(nested.mount) : { kind: 'tree', node: nested };
      } else {
        const host = parent.host + '/' + name;
        if ((!last || finalStat === 'dir') && cache?.has(host)) {
          loc = { kind: 'host', mount: parent.mount, rel: [...parent.rel, name], host };
          if (last) return { loc, parent, name, cachedDir: true };
          continue;
        }
        if (nested && cache?.isAbsent(host)) {
          if (last) return { loc: { kind: 'tree', node: nested }, parent, name };
          loc = { kind: 'tree', node: nested };
          continue;
        }
        if (last && finalStat === 'none' && !follow && !mustBeDir) {
          return { loc: { kind: 'host', mount: parent.mount, rel: [...parent.rel, name], host }, parent, name };
        }
        try {
          stat = last && finalStat === 'bigint' ? lstatSync(host, { bigint: true, throwIfNoEntry: false }) : lstatSync(host, { throwIfNoEntry: false });
        } catch (e) {
          throw nodeError(e);
        }
        if (stat) child = { kind: 'host', mount: parent.mount, rel: [...parent.rel, name], host };
        else if (nested) {
          child = { kind: 'tree', node: nested };
          cache?.addAbsent(host);
        } else child = null;
        if (stat?.isSymbolicLink() && (!last || follow || mustBeDir)) {
          if (++hops > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
          plain = false;
          let target: string;
          try {
            target = readlinkSync(host);
          } catch (e) {
            throw nodeError(e);
          }
          if (target.length === 0) throw new WasiError(Errno.NOENT);
          if (path.isAbsolute(target)) {
            const rel = insideMount(parent.mount, target);
            if (rel === null) throw new WasiError(Errno.ACCES);
            loc = mountRoot(parent.mount);
            pushPath(stack, rel, parent.mount);
          } else {
            pushPath(stack, target, parent.mount);
          }
          if (!stack.length) {
            // A link to its mount's root ("/mnt" or "."): the root itself.
            return { loc, parent: parentOf(table, loc), name: '.' };
          }
          continue;
        }
        if (stat?.isDirectory()) cache?.add(host);
      }
    }
    if (last) {
      if (mustBeDir && child && stat && !stat.isDirectory()) throw new WasiError(Errno.NOTDIR);
      return { loc: child, parent, name, ...(stat ? { stat } : {}) };
    }
    if (!child) throw new WasiError(Errno.NOENT);
    if (stat && !stat.isDirectory()) throw new WasiError(Errno.NOTDIR);
    if (child.kind === 'tree' && child.node.device) throw new WasiError(Errno.NOTDIR);
    loc = child;
  }
}
