// Child-process entry of the wasm-preinit executor: the guest's init code runs here, in a process of
// its own (a trap, a crash in node:wasi or a runaway init cannot take Nx down), with the V8 setting
// node:wasi needs on Node 20 (see libs/wasi-host/src/guest-bootstrap.mjs).
//   node --import tsx wasm-preinit-main.ts <request.json>
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import { BuildError } from './build-error.ts';
import { preinitialize } from './wasm-preinit.ts';
import type { PreinitRequest } from './wasm-preinit-plan.ts';

v8.setFlagsFromString('--no-turbo-fast-api-calls');
// node:wasi announces itself as experimental on every load; the build log does not need that.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (!text.includes('WASI is an experimental feature')) emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

const request = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PreinitRequest;
const partial = `${request.output}.partial`;
try {
  const input = readFileSync(request.input);
  const result = await preinitialize(input, request);
  mkdirSync(dirname(request.output), { recursive: true });
  writeFileSync(partial, result.bytes);
  renameSync(partial, request.output);
  console.log(
    `init "${request.initExport}" ran in ${result.initMs.toFixed(0)} ms; memory ${mib(result.memoryBytes)} -> ` +
      `${result.dataSegments} data segments (${mib(result.dataBytes)}); module ${mib(input.byteLength)} -> ${mib(result.bytes.byteLength)}`,
  );
} catch (e) {
  rmSync(partial, { force: true });
  console.error(e instanceof BuildError ? `error: ${e.message}` : e);
  process.exitCode = 1;
}
