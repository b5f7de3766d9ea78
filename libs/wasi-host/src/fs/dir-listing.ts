// A directory listing as fd_readdir serves it: every dirent record serialized once, when the guest
// starts a pass (cookie 0), so that each fd_readdir call is one copy into guest memory. A host
// directory's records come ready-made from uvwasi (uvwasi.ts); entries the host knows by name cost one
// UTF-8 encoding for all names together, not one per name: on a listing of 100 entries the
// per-entry encodes, views and objects cost more than the host's readdir itself.
import { DIRENT_SIZE } from './wire.ts';

export interface ListedEntry {
  name: string;
  /** d_ino; 0 means "unknown" in preview1. */
  ino: bigint;
  filetype: number;
}

export class DirListing {
  private constructor(
    /** `dirent` records back to back: u64 d_next, u64 d_ino, u32 d_namlen, u8 d_type, pad, name. */
    private readonly records: Buffer,
    /** Where record i starts; cookie i resumes there. */
    private readonly starts: Uint32Array,
  ) {}

  get count(): number {
    return this.starts.length;
  }

  /** Records from `cookie` on, as many bytes as fit in `dest` (the last one may be cut off: the
   * guest then asks again from its cookie with a bigger buffer, as preview1 says). Returns the
   * bytes written. */
  serve(cookie: bigint, dest: Uint8Array): number {
    // A cookie is any u64 the guest passes; one past the end (or beyond) is the end of the listing.
    if (cookie < 0n || cookie >= BigInt(this.starts.length)) return 0;
    const start = this.starts[Number(cookie)]!;
    const n = Math.min(dest.length, this.records.length - start);
    dest.set(this.records.subarray(start, start + n));
    return n;
  }

  static of(entries: readonly ListedEntry[]): DirListing {
    return DirListing.join([encode(entries)]);
  }

  /** `head`, then the records of a host directory as Uvwasi.list reads them (without the names
   * in `hide`), then `tail`. */
  static withHostRecords(head: readonly ListedEntry[], records: Uint8Array, tail: readonly ListedEntry[], hide?: ReadonlySet<string>): DirListing {
    return DirListing.join([encode(head), hide?.size ? without(records, hide) : records, encode(tail)]);
  }

  /** Blocks of records back to back, each record's d_next made the cookie of the one after it. */
  private static join(blocks: Uint8Array[]): DirListing {
    const records = Buffer.concat(blocks);
    const view = new DataView(records.buffer, records.byteOffset, records.length);
    const starts: number[] = [];
    for (let at = 0; at + DIRENT_SIZE <= records.length; at += DIRENT_SIZE + view.getUint32(at + 16, true)) {
      starts.push(at);
      view.setUint32(at, starts.length, true); // d_next, a u64
      view.setUint32(at + 4, 0, true);
    }
    return new DirListing(records, Uint32Array.from(starts));
  }
}

/** Records for entries known by name (d_next left for join). */
function encode(entries: readonly ListedEntry[]): Buffer {
  const count = entries.length;
  // Names cannot hold '/', and 0x2f never occurs inside a multi-byte UTF-8 sequence: one
  // encoding of the joined names splits back into each name's bytes.
  const names = Buffer.from(entries.map((e) => e.name).join('/'), 'utf8');
  const nameBytes = count ? names.length - (count - 1) : 0;
  const records = Buffer.allocUnsafe(count * DIRENT_SIZE + nameBytes);
  const view = new DataView(records.buffer, records.byteOffset, records.length);
  let at = 0;
  let from = 0;
  for (const entry of entries) {
    let to = from;
    while (to < names.length && names[to] !== 0x2f) to++;
    const len = to - from;
    view.setBigUint64(at + 8, entry.ino, true);
    view.setUint32(at + 16, len, true);
    view.setUint32(at + 20, entry.filetype, true); // d_type, then three bytes of padding
    names.copy(records, at + DIRENT_SIZE, from, to);
    at += DIRENT_SIZE + len;
    from = to + 1;
  }
  return records;
}

/** The records whose names are not in `hide`. */
function without(records: Uint8Array, hide: ReadonlySet<string>): Uint8Array {
  const view = new DataView(records.buffer, records.byteOffset, records.length);
  const kept: Uint8Array[] = [];
  for (let at = 0; at + DIRENT_SIZE <= records.length; ) {
    const end = at + DIRENT_SIZE + view.getUint32(at + 16, true);
    const name = Buffer.from(records.buffer, records.byteOffset + at + DIRENT_SIZE, end - at - DIRENT_SIZE).toString('utf8');
    if (!hide.has(name)) kept.push(records.subarray(at, end));
    at = end;
  }
  return Buffer.concat(kept);
}
