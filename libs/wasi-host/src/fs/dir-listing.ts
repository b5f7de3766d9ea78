// A directory listing as fd_readdir serves it: every dirent record serialized once, when the guest
// starts a pass (cookie 0), so that each fd_readdir call is one copy into guest memory. Building
// the records costs one UTF-8 encoding for all names together, not one per name: on a listing of
// 100 entries the per-entry encodes, views and objects cost more than the host's readdir itself.
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
    const count = entries.length;
    // Names cannot hold '/', and 0x2f never occurs inside a multi-byte UTF-8 sequence: one
    // encoding of the joined names splits back into each name's bytes.
    const names = Buffer.from(entries.map((e) => e.name).join('/'), 'utf8');
    const nameBytes = count ? names.length - (count - 1) : 0;
    const records = Buffer.allocUnsafe(count * DIRENT_SIZE + nameBytes);
    const view = new DataView(records.buffer, records.byteOffset, records.length);
    const starts = new Uint32Array(count);
    let at = 0;
    let from = 0;
    for (let i = 0; i < count; i++) {
      let to = from;
      while (to < names.length && names[to] !== 0x2f) to++;
      const len = to - from;
      starts[i] = at;
      const ino = entries[i]!.ino;
      view.setUint32(at, i + 1, true); // d_next: the cookie of the record after this one
      view.setUint32(at + 4, 0, true);
      if (ino === 0n) {
        view.setUint32(at + 8, 0, true);
        view.setUint32(at + 12, 0, true);
      } else view.setBigUint64(at + 8, ino, true);
      view.setUint32(at + 16, len, true);
      view.setUint32(at + 20, entries[i]!.filetype, true); // d_type, then three bytes of padding
      for (let k = 0; k < len; k++) records[at + DIRENT_SIZE + k] = names[from + k]!;
      at += DIRENT_SIZE + len;
      from = to + 1;
    }
    return new DirListing(records, starts);
  }
}
