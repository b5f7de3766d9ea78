import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { planWasmOpt } from '../../lib/wasm-opt.ts';
import type { WasmOptExecutorOptions } from './schema.d.ts';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

export default async function wasmOptExecutor(options: WasmOptExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const input = places.abs(options.input);
    const output = places.abs(options.output);
    if (!existsSync(input)) throw new BuildError(`wasm-opt input ${options.input} does not exist`);
    const partial = `${output}.partial`;
    // On a clean checkout nothing may have made the output's directory yet.
    mkdirSync(dirname(output), { recursive: true });
    startLog(places.logFile);
    const started = Date.now();
    try {
      await runLogged({ ...planWasmOpt(input, partial, options.flags, places.workspaceRoot), label: places.label, logFile: places.logFile });
      renameSync(partial, output);
    } finally {
      rmSync(partial, { force: true });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[${places.label}] wasm-opt ${options.flags.join(' ')}: ${mib(statSync(input).size)} -> ${mib(statSync(output).size)} in ${seconds} s`);
  });
}
