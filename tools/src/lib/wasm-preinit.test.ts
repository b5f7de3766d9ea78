import { wat } from '../../testing/wat.ts';
import { BuildError } from './build-error.ts';
import { makeResumable, nonZeroRanges, preinitialize, type PreinitOptions } from './wasm-preinit.ts';

const options: PreinitOptions = { initExport: 'init', args: ['m'], env: {}, preopens: {} };

// A module whose init writes memory (inside and far beyond its data segment), grows memory, and
// sets mutable globals of every number type; `read` reports what a run then sees.
const MODULE = `(module
  (import "wasi_snapshot_preview1" "sock_open" (func $sock_open (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 10)
  (data (i32.const 16) "seed")
  (global $count (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 0))
  (global $ratio (mut f64) (f64.const 0))
  (global $fixed i32 (i32.const 7))
  (func (export "init")
    (i32.store8 (i32.const 20) (i32.const 33))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 0x01020304))
    (global.set $count (i32.const 41))
    (global.set $big (i64.const -5000000000))
    (global.set $ratio (f64.const 2.5)))
  (func (export "bad_init") (drop (call $sock_open (i32.const 0) (i32.const 0) (i32.const 0))))
  (func (export "count") (result i32) (global.get $count))
  (func (export "big") (result i64) (global.get $big))
  (func (export "ratio") (result f64) (global.get $ratio))
  (func (export "fixed") (result i32) (global.get $fixed))
  (func (export "_start")))`;

async function instantiate(bytes: Uint8Array) {
  const stub = { wasi_snapshot_preview1: { sock_open: () => 52 } };
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, stub);
  return instance.exports as Record<string, unknown> & { memory: WebAssembly.Memory };
}

describe('preinitialize', () => {
  it('starts the output where the init export left memory and globals, without the export', async () => {
    const result = await preinitialize(await wat(MODULE), options);
    const exports = await instantiate(result.bytes);
    const memory = new Uint8Array(exports.memory.buffer);
    expect(memory.byteLength).toBe(2 * 65536);
    expect(new TextDecoder().decode(memory.slice(16, 21))).toBe('seed!');
    expect([...memory.slice(70000, 70004)]).toEqual([4, 3, 2, 1]);
    expect((exports['count'] as () => number)()).toBe(41);
    expect((exports['big'] as () => bigint)()).toBe(-5000000000n);
    expect((exports['ratio'] as () => number)()).toBe(2.5);
    expect((exports['fixed'] as () => number)()).toBe(7);
    expect(exports['init']).toBeUndefined();
    expect(exports['_start']).toBeInstanceOf(Function);
    expect(result.dataSegments).toBe(2);
  });

  it('names the missing export and lists the exports there are', async () => {
    const run = preinitialize(await wat(MODULE), { ...options, initExport: 'wizer.initialize' });
    await expect(run).rejects.toThrow(BuildError);
    await expect(run).rejects.toThrow(/no function named "wizer\.initialize" \(exports: memory, init, bad_init/);
  });

  it('names an import the init function calls that is not available while pre-initialising', async () => {
    await expect(preinitialize(await wat(MODULE), { ...options, initExport: 'bad_init' })).rejects.toThrow(
      /called wasi_snapshot_preview1\.sock_open, which is not available while pre-initialising/,
    );
  });

  it('rejects bytes that are not a module', async () => {
    await expect(preinitialize(new TextEncoder().encode('not wasm'), options)).rejects.toThrow(/not a valid WebAssembly module/);
  });
});

describe('makeResumable', () => {
  it('exports every mutable global (settable from outside) and keeps _start and the init export', async () => {
    const result = makeResumable(await wat(MODULE), 'init');
    expect(result.globals).toBe(3);
    const exports = await instantiate(result.bytes);
    expect(exports['_start']).toBeInstanceOf(Function);
    expect(exports['init']).toBeInstanceOf(Function);
    const globals = Object.entries(exports).filter(([, v]) => v instanceof WebAssembly.Global) as [string, WebAssembly.Global][];
    expect(globals.map(([name]) => name).sort()).toEqual(['__preinit_global_0', '__preinit_global_1', '__preinit_global_2']);
    // Setting one from outside is what a restore does.
    globals.find(([name]) => name === '__preinit_global_0')![1].value = 41;
    expect((exports['count'] as () => number)()).toBe(41);
  });

  it('refuses a module without _start or without the init export, by name', async () => {
    const noStart = MODULE.replace('(func (export "_start")))', ')');
    expect(() => makeResumable(new Uint8Array(0), 'init')).toThrow(BuildError);
    await expect(wat(noStart).then((b) => makeResumable(b, 'init'))).rejects.toThrow(/exports no _start/);
    await expect(wat(MODULE).then((b) => makeResumable(b, 'missing_init'))).rejects.toThrow(/no function named "missing_init"/);
  });
});

describe('nonZeroRanges', () => {
  it('merges short zero gaps and splits at long ones', () => {
    const memory = new Uint8Array(256);
    memory[8] = 1;
    memory[20] = 1; // gap of 8 zero bytes: merged
    memory[100] = 1; // long gap: a new range
    expect(nonZeroRanges(memory)).toEqual([
      [8, 24],
      [100, 104],
    ]);
    expect(nonZeroRanges(new Uint8Array(64))).toEqual([]);
  });
});
