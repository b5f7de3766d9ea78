// A directory's listing as fd_readdir serves it: the host directory's entries (read by a private
// uvwasi, in C: uvwasi.ts) through its handle, with what the guest tree puts there (mount points
// and devices hide a host entry of the same name; synthetic directories on the way to a mount).
import * as fs from 'node:fs';
import { hostCall } from '../fd/descriptor.ts';
import { DirListing, DOT_ENTRIES, type ListedEntry } from './dir-listing.ts';
import { statLocation } from './location-stat.ts';
import { treeNodeAt, type HostDir, type Location, type PathResolver } from './resolve.ts';
import { uvwasi } from './uvwasi.ts';
import { Filetype, filetypeOf, type FilestatRecord } from './wire.ts';

/** What stat says of `name` in the directory (for the entries that are not plain host entries). */
function statIn(resolver: PathResolver, dir: Location, name: string): FilestatRecord | null {
  try {
    const res = resolver.resolve(dir, name, false);
    return res.loc ? statLocation(res.loc) : null;
  } catch {
    return null;
  }
}

export function listDirectory(resolver: PathResolver, loc: HostDir | (Location & { kind: 'tree' })): DirListing {
  const node = loc.kind === 'host' ? (loc.mount.node.children.size ? treeNodeAt(loc) : undefined) : loc.node;
  // Mount points and devices, and the synthetic ways to them the host directory does not have, as
  // a path lookup of the name sees them.
  const overlaid: ListedEntry[] = [];
  for (const [name, child] of node?.children ?? []) {
    const st = statIn(resolver, loc, name);
    overlaid.push({ name, ino: st?.ino ?? child.ino, filetype: st?.filetype ?? (child.device ? Filetype.CHARACTER_DEVICE : Filetype.DIRECTORY) });
  }
  if (loc.kind !== 'host') return DirListing.of([...DOT_ENTRIES, ...overlaid]);
  // d_ino 0 means "unknown" in preview1: neither reader reports inodes, and an lstat per entry
  // made os.walk three times slower (measured by bench:fs). Like node:wasi's uvwasi.
  const hide = overlaid.length ? new Set(overlaid.map((e) => e.name)) : undefined;
  const native = uvwasi();
  if (native) return DirListing.withHostRecords(DOT_ENTRIES, native.list(loc.dir.self), overlaid, hide);
  const listed = hostCall(() => fs.readdirSync(loc.dir.self, { withFileTypes: true }))
    .filter((d) => !hide?.has(d.name))
    .map((d): ListedEntry => ({ name: d.name, ino: 0n, filetype: filetypeOf(d) }));
  return DirListing.of([...DOT_ENTRIES, ...listed, ...overlaid]);
}
