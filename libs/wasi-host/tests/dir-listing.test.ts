// DirListing: the dirent records fd_readdir copies into guest memory, read back as wasi-libc's
// readdir reads them (cookie, cut-off last record, multi-byte names); and the C listing of host
// directories (a private uvwasi) they are made from.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { WasiError } from '../src/fs/device.ts';
import { DirListing, type ListedEntry } from '../src/fs/dir-listing.ts';
import { Uvwasi } from '../src/fs/uvwasi.ts';
import { Errno } from '../src/errno.ts';
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

describe("uvwasi's listing of host directories, and a listing made of its records", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pywasi-dir-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reader = new Uvwasi();
  const names = (records: Uint8Array) => parse(records).records.map((r) => r.name).sort();

  test('lists a host directory with each entry\'s type, in C, without "." and ".."', () => {
    const d = join(dir, 'types');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'file'), 'x');
    writeFileSync(join(d, 'größe-日本'), 'x');
    symlinkSync('/etc', join(d, 'link'));
    const { records, partial } = parse(reader.list(d));
    expect(partial).toBe(false);
    const byName = Object.fromEntries(records.map((r) => [r.name, { filetype: r.filetype, ino: r.ino }]));
    expect(byName).toEqual({
      file: { filetype: Filetype.REGULAR_FILE, ino: 0n },
      'größe-日本': { filetype: Filetype.REGULAR_FILE, ino: 0n },
      link: { filetype: Filetype.SYMBOLIC_LINK, ino: 0n }, // listed, never followed
      sub: { filetype: Filetype.DIRECTORY, ino: 0n },
    });
  });

  test('a directory bigger than its buffer comes whole (the buffer grows)', () => {
    const d = join(dir, 'big');
    mkdirSync(d);
    const want = Array.from({ length: 3000 }, (_, i) => `entry-with-a-longish-name-${String(i).padStart(5, '0')}`);
    for (const n of want) writeFileSync(join(d, n), '');
    expect(names(reader.list(d))).toEqual(want);
    expect(names(reader.list(join(dir, 'types')))).toEqual(['file', 'größe-日本', 'link', 'sub']); // after growing
  });

  test('a missing directory, or a file, is the WASI errno', () => {
    const errnoOf = (p: string) => {
      try {
        reader.list(p);
      } catch (e) {
        return e instanceof WasiError ? e.errno : e;
      }
      return 'listed';
    };
    expect(errnoOf(join(dir, 'missing'))).toBe(Errno.NOENT);
    expect(errnoOf(join(dir, 'types/file'))).toBe(Errno.NOTDIR);
  });

  test('a joined listing: the dots first, the host records less the hidden names, overlaid entries last; cookies in order', () => {
    const dots = entries.slice(0, 2);
    const mount: ListedEntry = { name: 'sub', ino: 99n, filetype: Filetype.DIRECTORY };
    const listing = DirListing.withHostRecords(dots, reader.list(join(dir, 'types')), [mount], new Set(['sub']));
    const buf = new Uint8Array(4096);
    const { records } = parse(buf.subarray(0, listing.serve(0n, buf)));
    expect(records.map((r) => r.next)).toEqual(records.map((_, i) => BigInt(i + 1)));
    expect(records.slice(0, 2).map((r) => r.name)).toEqual(['.', '..']);
    expect(records.slice(2, -1).map((r) => r.name).sort()).toEqual(['file', 'größe-日本', 'link']);
    expect(records.at(-1)).toEqual({ next: 6n, ino: 99n, filetype: Filetype.DIRECTORY, name: 'sub' });
    // Resuming at a cookie inside the host records.
    const rest = parse(buf.subarray(0, listing.serve(3n, buf))).records;
    expect(rest.map((r) => r.name)).toEqual(records.slice(3).map((r) => r.name));
  });
});
