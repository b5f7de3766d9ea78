// DirListing: the dirent records fd_readdir copies into guest memory, read back as wasi-libc's
// readdir reads them (cookie, cut-off last record, multi-byte names).
import { describe, expect, test } from '@jest/globals';
import { DirListing, type ListedEntry } from '../src/fs/dir-listing.ts';
import { DIRENT_SIZE, Filetype } from '../src/fs/wire.ts';

interface Record {
  next: bigint;
  ino: bigint;
  name: string;
  filetype: number;
}

/** Parses whole records; a cut-off last one is reported apart, as readdir sees it. */
function parse(bytes: Uint8Array): { records: Record[]; partial: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const records: Record[] = [];
  let at = 0;
  while (at + DIRENT_SIZE <= bytes.length) {
    const len = view.getUint32(at + 16, true);
    if (at + DIRENT_SIZE + len > bytes.length) return { records, partial: true };
    records.push({
      next: view.getBigUint64(at, true),
      ino: view.getBigUint64(at + 8, true),
      filetype: view.getUint8(at + 20),
      name: Buffer.from(bytes.subarray(at + DIRENT_SIZE, at + DIRENT_SIZE + len)).toString('utf8'),
    });
    at += DIRENT_SIZE + len;
  }
  return { records, partial: at < bytes.length };
}

const entries: ListedEntry[] = [
  { name: '.', ino: 0n, filetype: Filetype.DIRECTORY },
  { name: '..', ino: 0n, filetype: Filetype.DIRECTORY },
  { name: 'plain.txt', ino: 0n, filetype: Filetype.REGULAR_FILE },
  { name: 'größe-日本', ino: 12345678901234n, filetype: Filetype.SYMBOLIC_LINK },
  { name: 'x', ino: 7n, filetype: Filetype.DIRECTORY },
];

describe('DirListing', () => {
  const listing = DirListing.of(entries);

  test('a big buffer gets every record, each with the cookie of the next', () => {
    const buf = new Uint8Array(4096);
    const used = listing.serve(0n, buf);
    const { records, partial } = parse(buf.subarray(0, used));
    expect(partial).toBe(false);
    expect(records).toEqual(entries.map((e, i) => ({ next: BigInt(i + 1), ino: e.ino, filetype: e.filetype, name: e.name })));
    expect(used).toBe(entries.length * DIRENT_SIZE + entries.reduce((n, e) => n + Buffer.byteLength(e.name), 0));
  });

  test('a small buffer fills up completely, ending in a cut-off record; the next cookie resumes there', () => {
    const seen: string[] = [];
    let cookie = 0n;
    for (let calls = 0; calls < 50; calls++) {
      const buf = new Uint8Array(40); // room for one record and part of the next, at most
      const used = listing.serve(cookie, buf);
      const { records, partial } = parse(buf.subarray(0, used));
      if (used < buf.length) expect(partial).toBe(false); // only a full buffer may end mid-record
      if (!records.length) {
        if (used === 0) break; // the end
        // The record does not fit at all: wasi-libc grows its buffer and asks again from the cookie.
        const bigger = new Uint8Array(4096);
        const again = parse(bigger.subarray(0, listing.serve(cookie, bigger))).records[0]!;
        seen.push(again.name);
        cookie = again.next;
        continue;
      }
      for (const r of records) seen.push(r.name);
      cookie = records.at(-1)!.next;
    }
    expect(seen).toEqual(entries.map((e) => e.name));
  });

  test('a cookie past the end, or one no listing handed out, ends the listing', () => {
    const buf = new Uint8Array(256);
    expect(listing.serve(BigInt(entries.length), buf)).toBe(0);
    expect(listing.serve(1n << 40n, buf)).toBe(0);
    expect(listing.serve(-1n, buf)).toBe(0); // a u64 cookie >= 2^63 arrives as a negative i64
  });

  test('an empty listing serves nothing', () => {
    expect(DirListing.of([]).serve(0n, new Uint8Array(64))).toBe(0);
  });
});
