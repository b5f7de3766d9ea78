import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { captureInstance, changedRuns, decodeImage, encodeImage, instantiatedMemory, readImage, restoreFromFile, restoreInstance, snapshotKey, SnapshotError } from '../src/snapshot/image.ts';
import { withoutDataSegments } from '../src/snapshot/without-data.ts';
import { moduleSections } from '../src/wasm-imports.ts';
import { wat } from '../../../tools/testing/wat.ts';

// A module as wasm-resumable leaves it: mutable globals exported, an init export that writes
// memory (inside and beyond its data segment, after growing) and sets globals of both kinds.
const MODULE = `(module
  (memory (export "memory") 1 10)
  (data (i32.const 16) "seed")
  (global $count (export "g_count") (mut i32) (i32.const 0))
  (global $big (export "g_big") (mut i64) (i64.const 0))
  (global $ratio (export "g_ratio") (mut f64) (f64.const 0))
  (func (export "init")
    (i32.store8 (i32.const 20) (i32.const 33))
    (i32.store (i32.const 16) (i32.const 0))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 0x01020304))
    (global.set $count (i32.const 41))
    (global.set $big (i64.const -5000000000))
    (global.set $ratio (f64.const 2.5)))
  (func (export "count") (result i32) (global.get $count))
  (func (export "big") (result i64) (global.get $big))
  (func (export "ratio") (result f64) (global.get $ratio)))`;

const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fresh(bytes: Uint8Array) {
  return (await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {})).instance;
}

describe('run-time snapshots', () => {
  test('a fresh instance restored from a snapshot file is in the state the init left', async () => {
    const bytes = await wat(MODULE);
    const source = await fresh(bytes);
    const instantiated = instantiatedMemory(source);
    (source.exports['init'] as () => void)();
    const file = path.join(dir, 'a.snapshot');
    const image = captureInstance(source, 'key-1', instantiated);
    // What init changed, not what instantiation wrote: the data segment's zeroed word and byte 20
    // in one run, the word past the first page in another.
    expect(image.runs.map((r) => [r.offset, r.bytes.length])).toEqual([[16, 8], [70000, 4]]);
    writeFileSync(file, encodeImage(image));
    expect(snapshotKey(file)).toBe('key-1');

    const target = await fresh(bytes);
    restoreInstance(target, readImage(file));
    const memory = new Uint8Array((target.exports['memory'] as WebAssembly.Memory).buffer);
    expect(memory.byteLength).toBe(2 * 65536);
    // The data segment's bytes that init zeroed are zero again; the rest is init's.
    expect([...memory.slice(16, 21)]).toEqual([0, 0, 0, 0, 33]);
    expect([...memory.slice(70000, 70004)]).toEqual([4, 3, 2, 1]);
    expect((target.exports['count'] as () => number)()).toBe(41);
    expect((target.exports['big'] as () => bigint)()).toBe(-5000000000n);
    expect((target.exports['ratio'] as () => number)()).toBe(2.5);
  });

  test('an image of the whole memory restores, from its file, into the module without its data segments', async () => {
    const bytes = await wat(MODULE);
    const source = await fresh(bytes);
    (source.exports['init'] as () => void)();
    const image = captureInstance(source, 'whole', undefined);
    // Every non-zero byte: what the data segment left ("seed" less the word init zeroed) too.
    expect(image.runs.map((r) => [r.offset, r.bytes.length])).toEqual([[20, 4], [70000, 4]]);
    const file = path.join(dir, 'whole.snapshot');
    writeFileSync(file, encodeImage(image));

    const stripped = withoutDataSegments(bytes);
    expect(moduleSections(stripped).map((s) => s.id)).not.toContain(11);
    expect(stripped.length).toBeLessThan(bytes.length);
    const target = await fresh(stripped);
    restoreFromFile(target, file);
    const memory = new Uint8Array((target.exports['memory'] as WebAssembly.Memory).buffer);
    expect(memory).toEqual(new Uint8Array((source.exports['memory'] as WebAssembly.Memory).buffer));
    expect((target.exports['big'] as () => bigint)()).toBe(-5000000000n);
  });

  test('restoreFromFile reads a head larger than its first read, and refuses a file cut short', async () => {
    const bytes = await wat(MODULE);
    const image = { key: 'k'.repeat(100_000), pages: 2, globals: [{ name: 'g_count', value: 7 }], runs: [{ offset: 65530, bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }] };
    const file = path.join(dir, 'long-key.snapshot');
    const encoded = encodeImage(image);
    writeFileSync(file, encoded);
    const target = await fresh(bytes);
    restoreFromFile(target, file);
    const memory = new Uint8Array((target.exports['memory'] as WebAssembly.Memory).buffer);
    expect([...memory.slice(65530, 65538)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((target.exports['count'] as () => number)()).toBe(7);
    writeFileSync(file, encoded.subarray(0, encoded.length - 3));
    expect(() => restoreFromFile(target, file)).toThrow(/truncated/);
    writeFileSync(file, encoded.subarray(0, 50_000));
    expect(() => restoreFromFile(target, file)).toThrow(/truncated/);
  });

  test('a module whose code uses its data segments keeps them: refused by name, as are bytes that are not wasm', async () => {
    const passive = await wat(`(module (memory (export "memory") 1) (data $d "abc")
      (func (export "f") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3))))`);
    expect(() => withoutDataSegments(passive)).toThrow(SnapshotError);
    expect(() => withoutDataSegments(passive)).toThrow(/memory\.init or data\.drop/);
    expect(() => withoutDataSegments(new TextEncoder().encode('not a module'))).toThrow(/cannot drop the data segments: not a WebAssembly module/);
  });

  test('snapshotKey is null for missing, foreign and truncated files; decode names the problem', () => {
    expect(snapshotKey(path.join(dir, 'missing'))).toBeNull();
    const foreign = path.join(dir, 'foreign');
    writeFileSync(foreign, 'not a snapshot at all');
    expect(snapshotKey(foreign)).toBeNull();
    const image = encodeImage({ key: 'k', pages: 1, globals: [], runs: [{ offset: 8, bytes: new Uint8Array([1, 2, 3, 4]) }] });
    expect(() => decodeImage(image.subarray(0, image.length - 2))).toThrow(/truncated/);
    expect(() => decodeImage(Buffer.from('WASISNAP\x09\x00\x00\x00'))).toThrow(/format 9/);
  });

  test('a snapshot of another module is refused by name, not applied halfway', async () => {
    const other = await fresh(await wat('(module (memory (export "memory") 1))'));
    const image = { key: 'k', pages: 1, globals: [{ name: 'g_count', value: 1 }], runs: [] };
    expect(() => restoreInstance(other, image)).toThrow(SnapshotError);
    expect(() => restoreInstance(other, image)).toThrow(/no exported global g_count/);
    expect(() => restoreInstance(other, { ...image, globals: [], runs: [{ offset: 65534, bytes: new Uint8Array(4) }] })).toThrow(/outside memory/);
  });

  test('changedRuns merges unchanged gaps shorter than a page, splits at longer ones, and reads past the base as zeros', () => {
    const mem = new Uint8Array(16384);
    mem[4] = 1;
    mem[4000] = 2; // a gap shorter than a page: merged
    mem[8100] = 3; // a page or more apart: a new run
    expect(changedRuns(mem)).toEqual([
      [4, 4004],
      [8100, 8104],
    ]);
    expect(changedRuns(new Uint8Array(64))).toEqual([]);
    const base = new Uint8Array(8192);
    base.set(mem.subarray(0, 8192)); // mem[4], mem[4000] and mem[8100] unchanged
    base[40] = 9; // the memory has 0 there: a change
    mem[12300] = 7; // past the base's end: compared with zero
    expect(changedRuns(mem, base)).toEqual([
      [40, 44],
      [12300, 12304],
    ]);
  });
});
