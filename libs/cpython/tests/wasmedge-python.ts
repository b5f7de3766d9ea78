// python.wasm on real WasmEdge 0.14.1 (Debian trixie's, fetched into the cache by
// tools/testing/wasmedge.ts), the socket ABI's own host: the same binary pywasi runs, started as a
// WasmEdge user would. WasmEdge's --dir is GUEST:HOST; the stdlib zip lives under /usr/local.
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { obtainWasmEdge, type WasmEdge } from '../../../tools/testing/wasmedge.ts';
import { pyDir, releaseWasm, runGroup, type PywasiResult } from './harness.ts';

const distDir = path.dirname(releaseWasm);
let edge: WasmEdge | undefined;

/** Fetches WasmEdge on the first run (about 42 MB of Debian packages), from the cache after. */
export async function prepareWasmEdge(): Promise<void> {
  edge ??= await obtainWasmEdge((line) => process.stdout.write(`${line}\n`));
}

function argv(args: string[], dirs: string[]): [string, string[]] {
  if (!edge) throw new Error('prepareWasmEdge() first');
  const { command, args: prefix } = edge;
  const mounts = [`/usr:${path.join(distDir, 'usr')}`, `${pyDir}:${pyDir}`, ...dirs.map((d) => `${d}:${d}`)];
  return [command, [...prefix, ...mounts.flatMap((m) => ['--dir', m]), '--env', 'PYTHONHOME=/usr/local', releaseWasm, ...args]];
}

/** `wasmedge python.wasm ARGS` to completion; never throws for a non-zero exit. */
export function wasmedgePython(args: string[], options: { timeoutMs?: number; dirs?: string[] } = {}): Promise<PywasiResult> {
  const [command, commandArgs] = argv(args, options.dirs ?? []);
  return runGroup(command, commandArgs, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
}

/** A long-running guest (a server) on WasmEdge; stop it with harness.stopGroup. */
export function startWasmedgePython(args: string[], options: { dirs?: string[]; cwd?: string } = {}): ResultPromise {
  const [command, commandArgs] = argv(args, options.dirs ?? []);
  return execa(command, commandArgs, { reject: false, detached: true, stdin: 'ignore', all: true, ...(options.cwd ? { cwd: options.cwd } : {}) });
}
