// Compiles C test/benchmark programs: to wasm32-wasi against our sysroot + libwasmedge_sock, or
// natively with the machine's C compiler from the very same source (for the benchmark's baseline).
//
//   const lib = await buildSocketLibrary();                    // `nx build wasmedge-sock` (cached)
//   await compileGuest({ sources: ['x.c'], output: 'x.wasm', socketLib: lib });
//   await compileGuest({ sources: ['x.c'], output: 'x', target: 'native' });
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runNx, workspaceRoot } from '../../../tools/testing/nx.ts';
import { readToolchainManifest } from '../../../tools/src/lib/toolchain-manifest.ts';

const run = promisify(execFile);

export const WORKSPACE_ROOT = workspaceRoot;
export const SOCKET_LIB_DIR = join(WORKSPACE_ROOT, 'libs/wasmedge-sock');

export interface WasmToolchain {
  clang: string;
  sysroot: string;
  /** The toolchain's wasm features (-mbulk-memory...), as every library was compiled. */
  targetFlags?: string[];
}

export interface SocketLibrary {
  libDir: string;
  includeDir: string;
  libName: string;
}

export interface CompileGuestOptions {
  sources: string[];
  output: string;
  /** 'wasm32-wasi' (default) or 'native' (the host's cc, e.g. gcc; no socket library needed). */
  target?: 'wasm32-wasi' | 'native';
  /** Needed for wasm32-wasi programs that use sockets. */
  socketLib?: SocketLibrary;
  includeDirs?: string[];
  /** Replaces the default -O2 -Wall -Wextra -Werror -std=c11. */
  cflags?: string[];
  extraFlags?: string[];
  toolchain?: WasmToolchain;
}

export const DEFAULT_CFLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=c11'];

/** The pinned clang (from the toolchain manifest) and our sysroot; both come from the Nx build. */
export function findWasmToolchain(root = WORKSPACE_ROOT): WasmToolchain {
  const sysroot = join(root, 'dist/libs/wasi-libc/sysroot');
  if (!existsSync(join(sysroot, 'include'))) {
    throw new Error(`no wasi-libc sysroot at ${sysroot}: run \`npx nx build wasi-libc\``);
  }
  const manifest = readToolchainManifest(root);
  return { clang: manifest.tools.clang, sysroot, targetFlags: manifest.targetFlags ?? [] };
}

async function exec(cmd: string, args: string[]): Promise<void> {
  try {
    await run(cmd, args, { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}\n${err.stderr || err.stdout || err.message}`);
  }
}

/** Builds (or takes from the Nx cache) libwasmedge_sock and its headers under dist/. */
export async function buildSocketLibrary(): Promise<SocketLibrary> {
  await runNx(['build', 'wasmedge-sock']);
  const out = join(WORKSPACE_ROOT, 'dist/libs/wasmedge-sock');
  return { libDir: join(out, 'lib'), includeDir: join(out, 'include'), libName: 'wasmedge_sock' };
}

/** The compiler command line compileGuest would run (exported for logging and the benchmark). */
export function guestCommand(opts: CompileGuestOptions): { cmd: string; args: string[] } {
  const cflags = opts.cflags ?? DEFAULT_CFLAGS;
  const incs = (opts.includeDirs ?? []).map((d) => `-I${d}`);
  if ((opts.target ?? 'wasm32-wasi') === 'native') {
    return {
      cmd: process.env.CC ?? 'cc',
      args: [...cflags, ...incs, ...(opts.extraFlags ?? []), ...opts.sources, '-o', opts.output],
    };
  }
  const tc = opts.toolchain ?? findWasmToolchain();
  const lib = opts.socketLib;
  return {
    cmd: tc.clang,
    args: [
      '--target=wasm32-wasi',
      ...(tc.targetFlags ?? []),
      `--sysroot=${tc.sysroot}`,
      ...(lib ? [`-I${lib.includeDir}`] : []),
      ...incs,
      ...cflags,
      ...(opts.extraFlags ?? []),
      ...opts.sources,
      ...(lib ? [`-L${lib.libDir}`, `-l${lib.libName}`] : []),
      '-o',
      opts.output,
    ],
  };
}

/** Compiles one program; returns the output path. */
export async function compileGuest(opts: CompileGuestOptions): Promise<string> {
  mkdirSync(dirname(opts.output), { recursive: true });
  const { cmd, args } = guestCommand(opts);
  await exec(cmd, args);
  return opts.output;
}
