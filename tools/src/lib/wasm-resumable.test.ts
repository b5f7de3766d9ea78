import { wat } from '../../testing/wat.ts';
import { BuildError } from './build-error.ts';
import { makeResumable } from './wasm-resumable.ts';

// A module with mutable globals of several number types, a constant one, an init export and _start.
const MODULE = `(module
  (memory (export "memory") 1 10)
  (data (i32.const 16) "seed")
  (global $count (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 0))
  (global $ratio (mut f64) (f64.const 0))
  (global $fixed i32 (i32.const 7))
  (func (export "init") (global.set $count (i32.const 1)))
  (func (export "count") (result i32) (global.get $count))
  (func (export "fixed") (result i32) (global.get $fixed))
  (func (export "_start")))`;

async function instantiate(bytes: Uint8Array) {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {});
  return instance.exports as Record<string, unknown> & { memory: WebAssembly.Memory };
}

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
    expect((exports['fixed'] as () => number)()).toBe(7);
  });

  it('refuses a module without _start or without the init export, by name', async () => {
    const noStart = MODULE.replace('(func (export "_start")))', ')');
    expect(() => makeResumable(new Uint8Array(0), 'init')).toThrow(BuildError);
    expect(() => makeResumable(new TextEncoder().encode('not wasm'), 'init')).toThrow(/not a valid WebAssembly module/);
    await expect(wat(noStart).then((b) => makeResumable(b, 'init'))).rejects.toThrow(/exports no _start/);
    await expect(wat(MODULE).then((b) => makeResumable(b, 'missing_init'))).rejects.toThrow(/no function named "missing_init" \(exports: memory, init, count/);
  });
});
