// The memory of a wasi-threads module: the module imports it (`env`.`memory`, shared, with a
// maximum), so the host makes it, once per run, and every thread's instance shares it.
import { WasiModuleError } from '../guest-errors.ts';
import { WASM_PAGE } from '../memory-limit.ts';
import type { MemoryLimits } from '../wasm-imports.ts';

/** wasm32's whole address space: the default maximum (RunWasiOptions.maxMemoryBytes). */
export const DEFAULT_SHARED_MAX_BYTES = 2 ** 32;

/** The pages a shared memory gets: the module's minimum, and the smaller of its maximum and the
 * run's limit. Throws a WasiModuleError naming the module when they do not fit. */
export function sharedMemoryPages(limits: MemoryLimits, maxBytes: number | undefined, name: string): { initial: number; maximum: number } {
  if (limits.max === undefined) throw new WasiModuleError(`${name}: its shared memory declares no maximum (not a valid wasi-threads module: link it with --max-memory)`);
  const limit = Math.floor((maxBytes ?? DEFAULT_SHARED_MAX_BYTES) / WASM_PAGE);
  if (limits.min > limit) {
    const mib = (pages: number) => ((pages * WASM_PAGE) / 2 ** 20).toFixed(1);
    throw new WasiModuleError(`${name} needs ${mib(limits.min)} MiB of memory to start, more than the limit of ${mib(limit)} MiB (maxMemoryBytes)`);
  }
  return { initial: limits.min, maximum: Math.min(limits.max, limit) };
}

export function createSharedMemory(limits: MemoryLimits, maxBytes: number | undefined, name: string): WebAssembly.Memory {
  return new WebAssembly.Memory({ ...sharedMemoryPages(limits, maxBytes, name), shared: true });
}
