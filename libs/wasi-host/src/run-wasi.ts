// runWasi: the public entry. The guest runs in a worker thread (its native stack sized through
// resourceLimits.stackSizeMb, so deep guest recursion cannot overflow Node's own stack); this
// thread becomes the event loop that owns the sockets and serves the guest over shared memory.
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createChannelBuffers } from './channel.ts';
import type { GuestInit } from './guest-worker.ts';
import type { NetPolicy } from './net-policy.ts';
import { SocketService } from './socket-service.ts';
import { checkModule, type ModuleCheck } from './wasm-imports.ts';

export interface RunWasiOptions {
  /** Path of a .wasm file or its bytes. */
  module: string | Uint8Array;
  /** argv as the guest sees it, argv[0] included. Default: [basename of the module]. */
  args?: string[];
  env?: Record<string, string>;
  /** guest path → host directory. Only these are visible to the guest. */
  preopens?: Record<string, string>;
  /** Default 'loopback'. */
  net?: NetPolicy;
  /** Host fds for the guest's 0/1/2. Default: ours (a terminal stdin is reopened, see below). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Native stack of the guest thread in MiB. Default 64. */
  stackSizeMb?: number;
}

/** The module cannot run here: not wasm, invalid, or imports we do not provide. */
export class WasiModuleError extends Error {
  constructor(
    message: string,
    readonly check?: ModuleCheck,
  ) {
    super(message);
    this.name = 'WasiModuleError';
  }
}

/** The guest trapped (unreachable, out-of-bounds access, stack exhaustion...). */
export class WasiTrapError extends Error {
  constructor(
    message: string,
    readonly trapName: string,
    readonly guestStack?: string,
  ) {
    super(message);
    this.name = 'WasiTrapError';
  }
}

/** Reads and checks a module; throws WasiModuleError with a one-line message when unusable. */
export function loadModule(module: string | Uint8Array): { bytes: Uint8Array; check: ModuleCheck } {
  let bytes: Uint8Array;
  if (typeof module === 'string') {
    let st;
    try {
      st = statSync(module);
    } catch {
      throw new WasiModuleError(`${module}: no such file`);
    }
    if (!st.isFile()) throw new WasiModuleError(`${module}: not a file`);
    bytes = readFileSync(module);
  } else bytes = module;
  const check = checkModule(bytes);
  const name = typeof module === 'string' ? module : 'module';
  if (check.error) throw new WasiModuleError(`${name}: ${check.error}`, check);
  if (check.missing.length) {
    throw new WasiModuleError(`${name}: imports not provided by the host: ${check.missing.join(', ')}`, check);
  }
  return { bytes, check };
}

const ENTRY_TS = new URL('./guest-worker.ts', import.meta.url);
const ENTRY_JS = new URL('./guest-worker.js', import.meta.url);
const BOOTSTRAP = new URL('./guest-bootstrap.mjs', import.meta.url);

export async function runWasi(options: RunWasiOptions): Promise<number> {
  const { bytes, check } = loadModule(options.module);
  const args = options.args ?? [typeof options.module === 'string' ? path.basename(options.module) : 'module.wasm'];
  const preopens = options.preopens ?? {};
  const channel = createChannelBuffers();
  const service = new SocketService(channel, { net: options.net ?? 'loopback', preopens });

  // Node leaves a terminal on stdin non-blocking, so the guest's fd_read(0) would get EAGAIN (the
  // Python REPL exits right after ">>>"). A fresh open of the terminal is blocking.
  let ownStdin: number | null = null;
  let stdin = options.stdin ?? 0;
  if (options.stdin === undefined && isatty(0)) {
    try {
      ownStdin = openSync('/proc/self/fd/0', 'r');
      stdin = ownStdin;
    } catch {
      // keep fd 0
    }
  }

  const init: GuestInit = {
    bytes,
    args,
    env: options.env ?? {},
    preopens,
    stdin,
    stdout: options.stdout ?? 1,
    stderr: options.stderr ?? 2,
    channel,
    shapes: check.shapes,
  };
  const entry = ENTRY_JS.pathname && existsUrl(ENTRY_JS) ? ENTRY_JS.href : ENTRY_TS.href;
  service.start();
  try {
    return await new Promise<number>((resolve, reject) => {
      const worker = new Worker(BOOTSTRAP, {
        workerData: { entry, init },
        resourceLimits: { stackSizeMb: options.stackSizeMb ?? 64 },
        stdout: false,
        stderr: false,
      });
      let settled = false;
      worker.on('message', (m: { type: string; code?: number; name?: string; message?: string; stack?: string }) => {
        if (settled) return;
        settled = true;
        if (m.type === 'exit') resolve(m.code ?? 0);
        else reject(new WasiTrapError(`${m.name ?? 'Error'}: ${m.message ?? 'guest failed'}`, m.name ?? 'Error', m.stack));
        void worker.terminate();
      });
      worker.on('error', (e) => {
        if (settled) return;
        settled = true;
        reject(new WasiTrapError(`${e.name}: ${e.message}`, e.name, e.stack));
      });
      worker.on('exit', (code) => {
        if (settled) return;
        settled = true;
        reject(new WasiTrapError(`guest thread exited unexpectedly (code ${code})`, 'Exit'));
      });
    });
  } finally {
    service.close();
    if (ownStdin !== null) closeSync(ownStdin);
  }
}

function existsUrl(u: URL): boolean {
  try {
    return statSync(u).isFile();
  } catch {
    return false;
  }
}
