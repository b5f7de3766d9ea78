import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { BuildError } from './build-error.ts';
import type { LlvmToolchain } from './llvm-toolchain.ts';

/**
 * The `toolchain` target writes the toolchain it found here; every native target reads it back and
 * declares it as an input (`dependentTasksOutputFiles`), so a new compiler invalidates the cache.
 */
export const TOOLCHAIN_MANIFEST = 'dist/toolchain/llvm-wasm32.json';

export function writeToolchainManifest(workspaceRoot: string, toolchain: LlvmToolchain, manifest = TOOLCHAIN_MANIFEST): string {
  const path = join(workspaceRoot, manifest);
  mkdirSync(dirname(path), { recursive: true });
  const text = JSON.stringify(toolchain, null, 2) + '\n';
  // Rewrite only on change: an identical file keeps downstream cache keys (and mtimes) stable.
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  return path;
}

export function readToolchainManifest(workspaceRoot: string, manifest = TOOLCHAIN_MANIFEST): LlvmToolchain {
  const path = join(workspaceRoot, manifest);
  if (!existsSync(path)) {
    throw new BuildError(
      `${manifest} is missing: native targets depend on the toolchain target. ` +
        `Run \`npx nx build toolchain\`, or add "toolchain" to the project's implicitDependencies.`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as LlvmToolchain;
}

/**
 * The placeholders build options may use, so project.json files name tools and places without
 * hard-coding machine paths: {root} (the workspace, absolute) {project} (the project dir, absolute)
 * {jobs} {cc} {ar} {ranlib} {nm} {strip} {wasm-ld} {llvm-bin}, {cxx} {cxx-include} {cxx-lib} (clang++, libc++'s headers and libraries), and {target-flags} (what every wasm32
 * compile adds: the toolchain's wasm features; {cc} stays plain, as a native compile needs it). (Nx itself owns {workspaceRoot} and
 * {projectRoot} and only allows them at the start of an option, hence the different names.)
 */
export function placeholderValues(
  toolchain: LlvmToolchain | undefined,
  workspaceRoot: string,
  projectRoot: string,
): Record<string, string> {
  const values: Record<string, string> = {
    root: workspaceRoot,
    project: join(workspaceRoot, projectRoot),
    jobs: String(availableParallelism()),
  };
  if (toolchain) {
    Object.assign(values, {
      cc: toolchain.tools.clang,
      ar: toolchain.tools['llvm-ar'],
      ranlib: toolchain.tools['llvm-ranlib'],
      nm: toolchain.tools['llvm-nm'],
      strip: toolchain.tools['llvm-strip'],
      'wasm-ld': toolchain.tools['wasm-ld'],
      'llvm-bin': toolchain.binDir,
      'target-flags': (toolchain.targetFlags ?? []).join(' '),
      cxx: toolchain.cxx.compiler,
      'cxx-include': toolchain.cxx.includeDir,
      'cxx-lib': toolchain.cxx.libDir,
    });
  }
  return values;
}

/** Replaces {name} placeholders; an unknown one is an error that names it and the known ones. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{([\w-]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new BuildError(
        `unknown placeholder ${whole} in "${text}"; known: ${Object.keys(values).map((k) => `{${k}}`).join(' ')}`,
      );
    }
    return value;
  });
}
