import binaryen from 'binaryen';
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

/** A module with threads (a shared memory): wabt's validator refuses them, binaryen's parser reads
 * them. It names its features in a target_features section, as wasm-ld's output does. */
function threadsWat(text: string): Uint8Array {
  const mod = binaryen.parseText(text);
  try {
    mod.setFeatures(binaryen.Features.All);
    if (!mod.validate()) throw new Error('invalid test module');
    const features = ['atomics', 'bulk-memory'].map((f) => [0x2b, f.length, ...new TextEncoder().encode(f)]);
    mod.addCustomSection('target_features', new Uint8Array([features.length, ...features.flat()]));
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

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

  it("takes a wasi-threads module (imported shared memory, passive segments), refuses other memories' shapes", async () => {
    // wasm-ld's shape for --shared-memory --import-memory --export-memory: data copied in by the start function.
    const threads = `(module
      (import "env" "memory" (memory 1 10 shared))
      (export "memory" (memory 0))
      (data $d "seed")
      (global $tls (mut i32) (i32.const 0))
      (start $init_memory)
      (func $init_memory (memory.init $d (i32.const 16) (i32.const 0) (i32.const 4)) (global.set $tls (i32.const 1024)))
      (func (export "init"))
      (func (export "_start")))`;
    const result = makeResumable(threadsWat(threads), 'init');
    expect(result.globals).toBe(1);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 10, shared: true });
    const { instance } = await WebAssembly.instantiate(result.bytes as Uint8Array<ArrayBuffer>, { env: { memory } });
    expect((instance.exports['__preinit_global_0'] as WebAssembly.Global).value).toBe(1024);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer.slice(16, 20)))).toBe('seed');

    const importedUnshared = threads.replace('(memory 1 10 shared)', '(memory 1 10)');
    expect(() => makeResumable(threadsWat(importedUnshared), 'init')).toThrow(/imports a memory that is not shared/);
    const ownShared = MODULE.replace('(memory (export "memory") 1 10)', '(memory (export "memory") 1 10 shared)');
    expect(() => makeResumable(threadsWat(ownShared), 'init')).toThrow(/shared memory of its own/);
    const passiveOwn = MODULE.replace('(data (i32.const 16) "seed")', '(data "seed")');
    await expect(wat(passiveOwn).then((b) => makeResumable(b, 'init'))).rejects.toThrow(/passive data segments .* and no shared memory/);
  });

  it('refuses a module without _start or without the init export, by name', async () => {
    const noStart = MODULE.replace('(func (export "_start")))', ')');
    expect(() => makeResumable(new Uint8Array(0), 'init')).toThrow(BuildError);
    expect(() => makeResumable(new TextEncoder().encode('not wasm'), 'init')).toThrow(/not a valid WebAssembly module/);
    await expect(wat(noStart).then((b) => makeResumable(b, 'init'))).rejects.toThrow(/exports no _start/);
    await expect(wat(MODULE).then((b) => makeResumable(b, 'missing_init'))).rejects.toThrow(/no function named "missing_init" \(exports: memory, init, count/);
  });
});
