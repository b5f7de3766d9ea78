import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import type { WasmResumableExecutorOptions } from './schema.d.ts';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

export default async function wasmResumableExecutor(options: WasmResumableExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const input = places.abs(options.input);
    const output = places.abs(options.output);
    if (!existsSync(input)) throw new BuildError(`wasm-resumable input ${options.input} does not exist`);
    const bytes = readFileSync(input);
    // binaryen.js awaits at its top level, which Nx's require() of an executor cannot load: import it here.
    const { makeResumable } = await import('../../lib/wasm-resumable.ts');
    const result = makeResumable(bytes, options.initExport);
    mkdirSync(dirname(output), { recursive: true });
    const partial = `${output}.partial`;
    try {
      writeFileSync(partial, result.bytes);
      renameSync(partial, output);
    } finally {
      rmSync(partial, { force: true });
    }
    console.log(`[${places.label}] resumable module: ${result.globals} mutable globals exported; ${mib(bytes.byteLength)} -> ${mib(result.bytes.byteLength)}`);
  });
}
