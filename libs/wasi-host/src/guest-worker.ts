// Runs inside the guest worker thread (loaded by guest-bootstrap.mjs, which first turns off V8's
// fast API calls and silences the WASI ExperimentalWarning): instantiates the module with node:wasi
// plus our socket imports and runs it to completion.
import { GuestChannel, type ChannelBuffers } from './channel.ts';
import { createSocketImports } from './socket-imports.ts';
import type { SocketShapes } from './wasm-imports.ts';
import type { MessagePort } from 'node:worker_threads';

export interface GuestInit {
  /** Compiled by the calling thread and posted here (a Module is shareable between threads). */
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  stdin: number;
  stdout: number;
  stderr: number;
  channel: ChannelBuffers;
  shapes: SocketShapes;
  /** Where new socket rings go to the event loop (transferred to this thread). */
  ringPort?: MessagePort;
}

export async function runGuest(init: GuestInit): Promise<number> {
  // Imported here, not at the top, so the bootstrap's V8 flag is set before node:wasi loads.
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({
    version: 'preview1',
    args: init.args,
    env: init.env,
    preopens: init.preopens,
    stdin: init.stdin,
    stdout: init.stdout,
    stderr: init.stderr,
    returnOnExit: true,
  });
  const module = init.module;
  let memory: WebAssembly.Memory | null = null;
  const wasiImport = wasi.wasiImport as Record<string, (...args: number[]) => number>;
  const channel = new GuestChannel(init.channel);
  const socketImports = createSocketImports({
    ...(init.ringPort ? { ringPort: init.ringPort } : {}),
    memory: () => {
      if (!memory) throw new Error('guest memory is not available yet');
      return memory;
    },
    channel,
    wasi: wasiImport,
    shapes: init.shapes,
  });
  const instance = await WebAssembly.instantiate(module, {
    wasi_snapshot_preview1: { ...wasiImport, ...socketImports },
  });
  const mem = instance.exports.memory;
  if (!(mem instanceof WebAssembly.Memory)) throw new Error('module exports no memory');
  memory = mem;
  const code = wasi.start(instance);
  channel.sync(); // the event loop has taken every posted request before the guest is gone
  return code;
}
