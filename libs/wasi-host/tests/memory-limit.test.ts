// limitMemory (src/memory-limit.ts): a module's own memory gets the limit as its maximum, which V8
// then enforces: memory.grow past it fails in the guest.
import { describe, expect, test } from '@jest/globals';
import { WasiModuleError } from '../src/guest-errors.ts';
import { limitMemory, WASM_PAGE } from '../src/memory-limit.ts';
import { wat } from '../../../tools/testing/wat.ts';

/** grow(n) -> the old size in pages, or -1. */
const growModule = (memory: string, imports = '') =>
  wat(`(module ${imports} ${memory} (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

function grower(bytes: Uint8Array, importObject: WebAssembly.Imports = {}): (pages: number) => number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), importObject);
  return instance.exports['grow'] as (pages: number) => number;
}

describe('limitMemory', () => {
  test('a maximum below the limit stays; one above it, or none, becomes the limit', async () => {
    for (const memory of ['(memory (export "memory") 1)', '(memory (export "memory") 1 1000)']) {
      const grow = grower(limitMemory(await growModule(memory), 10 * WASM_PAGE + 123, 'm.wasm'));
      expect(grow(9)).toBe(1); // 1 -> 10 pages: at the limit
      expect(grow(1)).toBe(-1); // past it: refused, as malloc then sees
    }
    const small = grower(limitMemory(await growModule('(memory (export "memory") 1 4)'), 10 * WASM_PAGE, 'm.wasm'));
    expect(small(4)).toBe(-1);
    expect(small(3)).toBe(1);
  });

  test('a module that needs more to start, or imports its memory, is refused by name', async () => {
    expect(() => limitMemory(new Uint8Array(0), WASM_PAGE, 'x')).not.toThrow(); // nothing to limit
    const big = await growModule('(memory (export "memory") 20)');
    expect(() => limitMemory(big, 10 * WASM_PAGE, 'big.wasm')).toThrow(new WasiModuleError('big.wasm needs 1.3 MiB of memory to start, more than the limit of 0.6 MiB'));
    const imported = await growModule('', '(import "env" "memory" (memory 1))');
    expect(() => limitMemory(imported, 10 * WASM_PAGE, 'imp.wasm')).toThrow(/imp\.wasm imports its memory/);
  });
});
