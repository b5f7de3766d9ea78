import { fileURLToPath } from 'node:url';
import type { CommandStep } from './build-plan.ts';
import type { PreinitOptions } from './wasm-preinit.ts';

export interface PreinitRequest extends PreinitOptions {
  /** Absolute input and output modules. */
  input: string;
  output: string;
}

const MAIN = fileURLToPath(new URL('./wasm-preinit-main.ts', import.meta.url));

/** The init code runs in a child Node (TypeScript through tsx) with a stack deep enough for an
 * interpreter's start-up. */
export function planWasmPreinit(requestFile: string, cwd: string): CommandStep {
  return { command: process.execPath, args: ['--import', 'tsx', '--stack-size=4000', MAIN, requestFile], cwd, env: {} };
}
