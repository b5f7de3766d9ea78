// Run-time snapshots of a WASI instance: its memory and exported globals, saved to a file once
// (after an init export ran) and restored into fresh instances before `_start`. The module must
// export its mutable globals (tools' wasm-resumable executor does that).
//
// The memory is kept as what the init changed: the runs of bytes that differ from the memory as
// instantiation left it (the module's data segments). Restoring writes those runs into a fresh
// instance and touches no other page: python.wasm's 10 MiB memory restores by writing 1.6 MiB,
// and the pages nobody wrote stay unmapped (zeroing the whole memory first cost 6.2 MiB of RSS).
// Or, captured against zero, the runs are the whole memory: the image then also restores into the
// module without its data segments (without-data.ts).
//
// File layout (little-endian):
//   "WASISNAP" | u32 version | u32 keyLen, key (UTF-8) | u32 pages |
//   u32 globals, each: u16 nameLen, name, u8 kind (0 = f64 bits of a number, 1 = i64), 8 value bytes |
//   u32 runs, each: u32 offset, u32 length | the bytes of each run, in order
// The runs' bytes come after their table so that a restore reads them straight into the guest's
// memory: a buffer the size of the image, freed at once, would still stay resident (after a large
// free, glibc serves the next large allocations from its heap and keeps that heap).
// The key is the caller's description of what the snapshot was made from; a snapshot whose key
// differs from the one the caller expects is stale.
import { closeSync, openSync, readSync, readFileSync } from 'node:fs';

const MAGIC = 'WASISNAP';
/** 3: the run table before the runs' bytes (2: each run's bytes after its entry). */
const VERSION = 3;
/** An unchanged stretch shorter than a page stays inside a run: it lies in pages the runs around
 * it write anyway, so it costs no memory, and each run costs a call at restore (python.wasm's
 * image: 18 runs of 1.6 MiB, against 4,562 runs of 0.8 MiB with 16-byte gaps: 35 ms to decode and
 * write them in cold JS). */
const PAGE = 4096;

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export interface SnapshotImage {
  key: string;
  pages: number;
  globals: Array<{ name: string; value: number | bigint }>;
  runs: Array<{ offset: number; bytes: Uint8Array }>;
}

/** [start, end) ranges where `memory` differs from `base` (zero past its end), word by word,
 * unchanged gaps shorter than PAGE merged. Both start at a word boundary (pages do). */
export function changedRuns(memory: Uint8Array, base: Uint8Array = new Uint8Array(0)): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const words = new Uint32Array(memory.buffer, memory.byteOffset, Math.floor(memory.byteLength / 4));
  const baseWords = new Uint32Array(base.buffer, base.byteOffset, Math.min(Math.floor(base.byteLength / 4), words.length));
  let start = -1;
  let lastChanged = -1;
  for (let w = 0; w < words.length; w++) {
    if (words[w] === (w < baseWords.length ? baseWords[w] : 0)) continue;
    const at = w * 4;
    if (start >= 0 && at - lastChanged >= PAGE) {
      ranges.push([start, lastChanged]);
      start = -1;
    }
    if (start < 0) start = at;
    lastChanged = at + 4;
  }
  if (start >= 0) ranges.push([start, lastChanged]);
  return ranges;
}

function exportedGlobals(instance: WebAssembly.Instance): Array<[string, WebAssembly.Global]> {
  return Object.entries(instance.exports).filter((e): e is [string, WebAssembly.Global] => e[1] instanceof WebAssembly.Global);
}

function memoryOf(instance: WebAssembly.Instance): WebAssembly.Memory {
  const memory = instance.exports['memory'];
  if (!(memory instanceof WebAssembly.Memory)) throw new SnapshotError('the module exports no memory');
  return memory;
}

/** A copy of a fresh instance's memory, taken before its init runs: what captureInstance compares
 * against. */
export function instantiatedMemory(instance: WebAssembly.Instance): Uint8Array {
  return new Uint8Array(memoryOf(instance).buffer).slice();
}

/** The state of an instance: the runs of its memory that differ from `instantiated` (its memory
 * before the init ran, from instantiatedMemory; without it, from zero: the whole memory) and every
 * exported global. */
export function captureInstance(instance: WebAssembly.Instance, key: string, instantiated?: Uint8Array): SnapshotImage {
  const bytes = new Uint8Array(memoryOf(instance).buffer);
  return {
    key,
    pages: bytes.byteLength / 65536,
    globals: exportedGlobals(instance).map(([name, g]) => ({ name, value: g.value as number | bigint })),
    runs: changedRuns(bytes, instantiated).map(([start, end]) => ({ offset: start, bytes: bytes.subarray(start, end) })),
  };
}

/** Puts an instance just instantiated (its memory as instantiation left it: nothing has run) into
 * the snapshot's state. */
export function restoreInstance(instance: WebAssembly.Instance, image: SnapshotImage): void {
  restoreGlobals(instance, image.globals);
  const memory = grownTo(memoryOf(instance), image.pages);
  for (const run of image.runs) {
    if (run.offset + run.bytes.length > memory.length) throw new SnapshotError('snapshot data lies outside memory');
    memory.set(run.bytes, run.offset);
  }
}

export function encodeImage(image: SnapshotImage): Buffer {
  const key = Buffer.from(image.key);
  const parts: Buffer[] = [Buffer.from(MAGIC)];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  u32(VERSION);
  u32(key.length);
  parts.push(key);
  u32(image.pages);
  u32(image.globals.length);
  for (const { name, value } of image.globals) {
    const n = Buffer.from(name);
    const head = Buffer.alloc(2 + n.length + 9);
    head.writeUInt16LE(n.length, 0);
    n.copy(head, 2);
    if (typeof value === 'bigint') {
      head.writeUInt8(1, 2 + n.length);
      head.writeBigInt64LE(BigInt.asIntN(64, value), 3 + n.length);
    } else {
      head.writeUInt8(0, 2 + n.length);
      head.writeDoubleLE(value, 3 + n.length);
    }
    parts.push(head);
  }
  u32(image.runs.length);
  for (const run of image.runs) {
    u32(run.offset);
    u32(run.bytes.length);
  }
  for (const run of image.runs) parts.push(Buffer.from(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength));
  return Buffer.concat(parts);
}

class Cursor {
  pos = 0;
  readonly b: Buffer;

  constructor(b: Buffer) {
    this.b = b;}
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new SnapshotError('snapshot file is truncated');
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

function readHeader(c: Cursor): string {
  if (c.bytes(8).toString('latin1') !== MAGIC) throw new SnapshotError('not a snapshot file');
  const version = c.u32();
  if (version !== VERSION) throw new SnapshotError(`snapshot format ${version} is not ${VERSION}`);
  return c.bytes(c.u32()).toString('utf8');
}

/** What precedes the runs' bytes: everything but them. */
interface ImageHead extends Omit<SnapshotImage, 'runs'> {
  runs: Array<{ offset: number; length: number }>;
}

function decodeHead(c: Cursor): ImageHead {
  const key = readHeader(c);
  const pages = c.u32();
  const globals: SnapshotImage['globals'] = [];
  for (let i = c.u32(); i > 0; i--) {
    c.need(2);
    const nameLen = c.b.readUInt16LE(c.pos);
    c.pos += 2;
    const name = c.bytes(nameLen).toString('utf8');
    const kind = c.bytes(1)[0];
    const raw = c.bytes(8);
    globals.push({ name, value: kind === 1 ? raw.readBigInt64LE(0) : raw.readDoubleLE(0) });
  }
  const runs: ImageHead['runs'] = [];
  for (let i = c.u32(); i > 0; i--) runs.push({ offset: c.u32(), length: c.u32() });
  return { key, pages, globals, runs };
}

export function decodeImage(b: Buffer): SnapshotImage {
  const c = new Cursor(b);
  const head = decodeHead(c);
  return { ...head, runs: head.runs.map(({ offset, length }) => ({ offset, bytes: c.bytes(length) })) };
}

export function readImage(file: string): SnapshotImage {
  return decodeImage(readFileSync(file));
}

/** Sets the instance's exported globals to the image's; refuses, before setting any, an image
 * that names a global the instance does not export. */
export function restoreGlobals(instance: WebAssembly.Instance, globals: SnapshotImage['globals']): void {
  const exported = new Map(exportedGlobals(instance));
  const missing = globals.find(({ name }) => !exported.has(name));
  if (missing) throw new SnapshotError(`the module has no exported global ${missing.name}: the snapshot belongs to another module`);
  for (const { name, value } of globals) {
    const g = exported.get(name)!;
    if (g.value !== value) g.value = value;
  }
}

/** Grows the memory to the image's size; its bytes as a view. */
function grownTo(memory: WebAssembly.Memory, pages: number): Uint8Array {
  const have = memory.buffer.byteLength / 65536;
  if (pages > have) memory.grow(pages - have);
  return new Uint8Array(memory.buffer);
}

/** Restores the snapshot in `file` into `instance` (just instantiated), reading each run of
 * memory from the file straight to its place. */
export function restoreFromFile(instance: WebAssembly.Instance, file: string): void {
  restoreMemoryFromFile(memoryOf(instance), file, (globals) => restoreGlobals(instance, globals));
}

/**
 * Restores the memory of the snapshot in `file` into `memory`, reading each run from the file
 * straight to its place, and returns the image's globals. `check` sees them before any byte is
 * written. For a module that imports its memory (wasi-threads), this comes before instantiation,
 * so that the module's start function finds its memory initialised; its globals are then set on
 * the new instance (restoreGlobals).
 */
export function restoreMemoryFromFile(memory: WebAssembly.Memory, file: string, check: (globals: SnapshotImage['globals']) => void = () => {}): SnapshotImage['globals'] {
  const fd = openSync(file, 'r');
  try {
    // The head is the key, the globals and the run table: a few KiB, read until whole.
    let chunk = Buffer.allocUnsafe(1 << 16);
    let c: Cursor;
    let head: ImageHead;
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, 0);
      c = new Cursor(chunk.subarray(0, got));
      try {
        head = decodeHead(c);
        break;
      } catch (e) {
        if (got < chunk.length) throw e; // the file ends inside its head
        chunk = Buffer.allocUnsafe(chunk.length * 4);
      }
    }
    check(head.globals);
    const bytes = grownTo(memory, head.pages);
    let at = c.pos;
    for (const { offset, length } of head.runs) {
      if (offset + length > bytes.length) throw new SnapshotError('snapshot data lies outside memory');
      for (let done = 0; done < length; ) {
        const n = readSync(fd, bytes, offset + done, length - done, at + done);
        if (n === 0) throw new SnapshotError('snapshot file is truncated');
        done += n;
      }
      at += length;
    }
    return head.globals;
  } finally {
    closeSync(fd);
  }
}

/** The key a snapshot file was made with, or null when there is no readable snapshot. */
export function snapshotKey(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(16);
    if (readSync(fd, head, 0, 16, 0) < 16) return null;
    const keyLen = head.readUInt32LE(12);
    if (keyLen > 1 << 20) return null;
    const all = Buffer.alloc(16 + keyLen);
    if (readSync(fd, all, 0, all.length, 0) < all.length) return null;
    return readHeader(new Cursor(all));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
