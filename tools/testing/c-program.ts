// Builds a C test program for wasm32-wasi against the sysroot and native libraries of this
// workspace, found the way a user of the libraries finds them (their pkg-config files), and runs
// it with the pywasi host (`pywasi run`), as a user would.
//
//   const wasm = await compileCProgram({ sources: [here('roundtrip.c')], packages: ['bzip2'] });
//   const { stdout, exitCode } = await runWithPywasi(wasm, ['arg']);
//   const run = await compileAndRun({ sources: [...], packages: ['bzip2'] });   // both, output logged
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { readToolchainManifest } from '../src/lib/toolchain-manifest.ts';
import { workspaceRoot } from './nx.ts';

export interface CProgram {
  sources: string[];
  /** pkg-config names, each from dist/libs/<project>/lib/pkgconfig (none: libc alone). */
  packages: string[];
  /** The projects those packages come from (default: the package names). */
  projects?: string[];
  /** More compiler and linker flags, e.g. setjmp's (wasm exception handling and libsetjmp). */
  flags?: string[];
}

export async function compileCProgram(program: CProgram): Promise<string> {
  const toolchain = readToolchainManifest(workspaceRoot);
  const projects = program.projects ?? program.packages;
  // Only our libraries' .pc files: never the build machine's.
  const env = { PKG_CONFIG_LIBDIR: projects.map((p) => join(workspaceRoot, 'dist/libs', p, 'lib/pkgconfig')).join(':'), PKG_CONFIG_PATH: '' };
  const flags = program.packages.length ? (await execa('pkg-config', ['--static', '--cflags', '--libs', ...program.packages], { env })).stdout.split(/\s+/).filter(Boolean) : [];
  const output = join(mkdtempSync(join(tmpdir(), 'pywasi-c-')), `${basename(program.sources[0]!, '.c')}.wasm`);
  await execa(toolchain.tools.clang, [
    '--target=wasm32-wasi', `--sysroot=${join(workspaceRoot, 'dist/libs/wasi-libc/sysroot')}`,
    '-O2', '-Wall', '-Wextra', '-Werror', '-std=c11', ...program.sources, ...flags, ...(program.flags ?? []), '-o', output,
  ]);
  return output;
}

export async function runWithPywasi(wasm: string, args: string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await execa(process.execPath, [join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'run', '--', wasm, ...args], { reject: false });
  return { exitCode: run.exitCode ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** compileCProgram, then runWithPywasi; the program's output goes to the test log. */
export async function compileAndRun(program: CProgram, args: string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await runWithPywasi(await compileCProgram(program), args);
  console.log(run.stdout + run.stderr);
  return run;
}
