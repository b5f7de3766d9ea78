// stat and utimes of a place in the guest tree (resolve.ts's Location): a host entry looked at
// inside its directory handle (never following its last component: the resolution followed what
// was to be followed), a directory by its own handle, a synthetic node as the tree describes it.
// Shared by the path calls and the directory and file descriptors.
import * as fs from 'node:fs';
import { Errno } from '../errno.ts';
import { fail, hostCall } from '../fd/descriptor.ts';
import { realtimeNs } from '../wasi-process.ts';
import type { TreeNode } from './mounts.ts';
import type { HostLocation, Location } from './resolve.ts';
import { filestatOf, Filetype, Fstflags, type FilestatRecord } from './wire.ts';

/** What the guest sees for synthetic directories and devices: read-only, owned by nobody. */
export const SYNTHETIC_DEV = 0xfffen;
const startNs = BigInt(Date.now()) * 1_000_000n;

export function syntheticStat(node: TreeNode): FilestatRecord {
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

export function statLocation(loc: Location): FilestatRecord {
  if (loc.kind === 'tree') return syntheticStat(loc.node);
  const st = hostCall(() => (loc.name === '.' ? fs.fstatSync(loc.dir.fd, { bigint: true }) : fs.lstatSync(loc.host, { bigint: true })));
  return filestatOf(st);
}

/** The location must be writable: a host location in a read-write mount (else EROFS). */
export function writableHost<L extends Location>(loc: L): L & HostLocation {
  if (loc.kind !== 'host' || loc.mount.readOnly) fail(Errno.ROFS);
  return loc as L & HostLocation;
}

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
type TimeArg = number | string;

/** utimes of a location (or of the open host fd `hostFd` at it), with WASI's NOW and OMIT flags. */
export function setTimesAt(loc: Location, atim: bigint, mtim: bigint, fst: number, hostFd?: number): void {
  if ((fst & Fstflags.ATIM && fst & Fstflags.ATIM_NOW) || (fst & Fstflags.MTIM && fst & Fstflags.MTIM_NOW)) fail(Errno.INVAL);
  const h = writableHost(loc);
  let cur: fs.BigIntStats | undefined;
  // A directory known by its handle: through its magic link (followed: it is the directory).
  const own = h.name === '.';
  // Node has no "omit": an unchanged time is set again to what the file has.
  const current = () =>
    (cur ??= hostCall(() => (hostFd !== undefined ? fs.fstatSync(hostFd, { bigint: true }) : own ? fs.fstatSync(h.dir.fd, { bigint: true }) : fs.lstatSync(h.host, { bigint: true }))));
  const pick = (nowFlag: number, setFlag: number, value: bigint, old: () => bigint, now: TimeArg): TimeArg =>
    fst & nowFlag ? now : hostSeconds(fst & setFlag ? value : old());
  const apply = (now: TimeArg) => {
    const a = pick(Fstflags.ATIM_NOW, Fstflags.ATIM, atim, () => current().atimeNs, now);
    const m = pick(Fstflags.MTIM_NOW, Fstflags.MTIM, mtim, () => current().mtimeNs, now);
    hostCall(() => (hostFd !== undefined ? fs.futimesSync(hostFd, a, m) : own ? fs.utimesSync(h.dir.self, a, m) : fs.lutimesSync(h.host, a, m)));
  };
  if (!(fst & (Fstflags.ATIM_NOW | Fstflags.MTIM_NOW))) return apply(0);
  try {
    apply(KERNEL_NOW);
  } catch (e) {
    // An older libuv (Node 20's 1.46) has no UTIME_NOW and answers EINVAL: our clock instead.
    if ((e as { errno?: number }).errno !== Errno.INVAL) throw e;
    apply(hostSeconds(realtimeNs()));
  }
}
