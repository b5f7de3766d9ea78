import { createRequire } from 'node:module';
import type { CommandStep } from './build-plan.ts';

/** wasm-opt of the npm `binaryen` package: a JS/wasm program, so it runs wherever Node does. */
export function wasmOptScript(): string {
  return createRequire(import.meta.url).resolve('binaryen/bin/wasm-opt');
}

export function planWasmOpt(input: string, output: string, flags: readonly string[], cwd: string): CommandStep {
  return { command: process.execPath, args: [wasmOptScript(), ...flags, input, '-o', output], cwd, env: {} };
}
