// Directory handles kept between calls, by the plain path (no symlink, no "..") that reached
// them from a start (a directory handle, a tree node, or the mount table for absolute paths).
// Each path call asks for the same few directories again (os.walk lstats and lists in one
// directory, a build opens its files in a few): a kept handle saves walking to it. It is a cache
// of handles checked at each use, never a belief about a path: one is given out only while the
// kernel still puts its directory where it was when kept (DirHandle.whereNow), else dropped.
import type { HostDir } from './resolve.ts';

/** Handles kept at most (each a host fd). */
const MAX_KEPT = 128;

interface Kept {
  dir: HostDir;
  /** Where the kernel had the directory when it was kept. */
  where: string;
}

export class KeptHandles {
  private readonly byStart = new Map<object, Map<string, Kept>>();
  private count = 0;

  /** The directory kept for `dirPart` from `start`, if it is still where it was (the caller holds
   * it for its call). */
  get(start: object, dirPart: string): HostDir | undefined {
    const forStart = this.byStart.get(start);
    const k = forStart?.get(dirPart);
    if (!k) return undefined;
    let where: string | null;
    try {
      where = k.dir.dir.whereNow();
    } catch {
      where = null;
    }
    if (where === k.where) return k.dir;
    forStart!.delete(dirPart);
    this.count--;
    k.dir.dir.release();
    return undefined;
  }

  /** Keeps `dir` (retaining its handle) as what `dirPart` reaches from `start`. */
  put(start: object, dirPart: string, dir: HostDir): void {
    let where: string;
    try {
      where = dir.dir.whereNow();
    } catch {
      return;
    }
    if (this.count >= MAX_KEPT) this.clear();
    let forStart = this.byStart.get(start);
    if (!forStart) this.byStart.set(start, (forStart = new Map()));
    const old = forStart.get(dirPart);
    if (old) old.dir.dir.release();
    else this.count++;
    forStart.set(dirPart, { dir, where });
    dir.dir.retain();
  }

  /** Lets go of every kept handle. */
  clear(): void {
    for (const forStart of this.byStart.values()) for (const k of forStart.values()) k.dir.dir.release();
    this.byStart.clear();
    this.count = 0;
  }
}
