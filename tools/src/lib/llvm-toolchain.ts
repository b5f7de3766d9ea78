import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from './build-error.ts';

/**
 * The wasm32-wasi toolchain: one pinned LLVM major from the distribution (clang, wasm-ld, the
 * llvm binutils) plus the wasm32 compiler-rt builtins. Everything native in pywasi is compiled
 * with exactly these tools, and their versions are part of every native target's cache key.
 */
export interface LlvmToolchain {
  major: number;
  /** Absolute paths of the tools, by their generic names. */
  tools: Record<LlvmTool, string>;
  /** Directory with the unsuffixed tools, so clang finds its own wasm-ld. */
  binDir: string;
  builtins: string;
  /** `clang --version` plus the exact package versions: what the cache key depends on. */
  versionId: string;
  /** What every wasm32 compile adds (the `{target-flags}` placeholder): the wasm features the
   * toolchain project enables (`-mbulk-memory`...), the instruction set every module may use. */
  targetFlags?: string[];
  /** C++ for wasm32-wasi: clang++ with LLVM's libc++ and libc++abi (headers and static libraries,
   * built against the same wasi-libc release as our sysroot). */
  cxx: { compiler: string; includeDir: string; libDir: string };
}

export const LLVM_TOOLS = ['clang', 'wasm-ld', 'llvm-ar', 'llvm-ranlib', 'llvm-nm', 'llvm-strip'] as const;
export type LlvmTool = (typeof LLVM_TOOLS)[number];

export function debianPackages(major: number): string[] {
  return [`clang-${major}`, `lld-${major}`, `llvm-${major}`, `libclang-rt-${major}-dev-wasm32`, `libc++-${major}-dev-wasm32`, `libc++abi-${major}-dev-wasm32`];
}

/** What the toolchain code needs to know about the machine; tests pass a fake one. */
export interface MachineProbe {
  exists(path: string): boolean;
  isRoot(): boolean;
  hasApt(): boolean;
  run(command: string, args: string[]): Promise<string>;
  /** Runs a command with output shown to the user (used for apt-get). */
  runVisible(command: string, args: string[]): Promise<void>;
}

export const realMachine: MachineProbe = {
  exists: existsSync,
  isRoot: () => process.getuid?.() === 0,
  hasApt: () => existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version'),
  run: async (command, args) => (await execa(command, args)).stdout,
  runVisible: async (command, args) => {
    console.log(`$ ${[command, ...args].join(' ')}`);
    await execa(command, args, { stdio: 'inherit', env: { DEBIAN_FRONTEND: 'noninteractive' } });
  },
};

function expectedPaths(major: number) {
  const binDir = `/usr/lib/llvm-${major}/bin`;
  const tools = Object.fromEntries(LLVM_TOOLS.map((t) => [t, join(binDir, t)])) as Record<LlvmTool, string>;
  const builtins = `/usr/lib/llvm-${major}/lib/clang/${major}/lib/wasi/libclang_rt.builtins-wasm32.a`;
  const cxx = { compiler: join(binDir, 'clang++'), includeDir: `/usr/lib/llvm-${major}/include/wasm32-wasi/c++/v1`, libDir: `/usr/lib/llvm-${major}/lib/wasm32-wasi` };
  return { binDir, tools, builtins, cxx };
}

/** Lists what is missing of the toolchain for `major`; empty when complete. */
export function missingParts(major: number, machine: MachineProbe = realMachine): string[] {
  const { tools, builtins, cxx } = expectedPaths(major);
  return [...Object.values(tools), builtins, cxx.compiler, join(cxx.includeDir, 'vector'), join(cxx.libDir, 'libc++.a'), join(cxx.libDir, 'libc++abi.a')].filter((path) => !machine.exists(path));
}

export function installCommand(major: number, machine: MachineProbe = realMachine): string {
  const sudo = machine.isRoot() ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${debianPackages(major).join(' ')}`;
}

/**
 * Finds the toolchain; when it is missing and we may (root on a Debian-like system), installs it
 * with apt-get, showing the command. Otherwise fails with the exact command to run.
 */
export async function ensureLlvmToolchain(
  major: number,
  {
    machine = realMachine,
    install = true,
    log = console.log,
  }: { machine?: MachineProbe; install?: boolean; log?: (line: string) => void } = {},
): Promise<LlvmToolchain> {
  let missing = missingParts(major, machine);
  if (missing.length > 0 && install && machine.isRoot() && machine.hasApt()) {
    log(`LLVM ${major} wasm toolchain incomplete (missing ${missing.join(', ')}); installing it with apt-get:`);
    try {
      await machine.runVisible('apt-get', ['update']);
      await machine.runVisible('apt-get', ['install', '-y', '--no-install-recommends', ...debianPackages(major)]);
    } catch (error) {
      throw new BuildError(
        `installing the LLVM ${major} toolchain with apt-get failed (${(error as Error).message.split('\n')[0]}).\n` +
          `Install it yourself with: ${installCommand(major, machine)}`,
      );
    }
    missing = missingParts(major, machine);
  }
  if (missing.length > 0) {
    throw new BuildError(
      `the LLVM ${major} wasm32 toolchain is not installed (missing: ${missing.join(', ')}).\n` +
        `Install it with: ${installCommand(major, machine)}`,
    );
  }
  const { binDir, tools, builtins, cxx } = expectedPaths(major);
  const clangVersion = (await machine.run(tools.clang, ['--version'])).split('\n')[0] ?? '';
  const packageVersions = await machine
    .run('dpkg-query', ['-W', '-f=${Package}=${Version}\\n', ...debianPackages(major)])
    .catch(() => 'packages: not from dpkg');
  return { major, tools, binDir, builtins, cxx, versionId: `${clangVersion}\n${packageVersions.trim()}` };
}
